"""Every read of subsidies, access-checked (policy_subsidy): the project a quote or claim is about, the quote
with its working, claims, the officer's queue, and the figures by region and industry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhigai.base.models import Enterprise, MoneySum
from zhigai.base.policy import enterprise_scope
from zhigai.base.selectors import scoped_enterprises
from zhigai.core.errors import InvalidInput
from zhigai.core.numbers import number_text, yuan_exact_text
from zhigai.core.policy import permitted, require, seen_or_404
from zhigai.core.text import ascii_int
from zhigai.core.types import Actor

from .errors_subsidy import SubsidyError
from .models import EquipmentKind, EquipmentLine, Project, ProjectState
from .models_subsidy import (
    COUNTED_STATES,
    LIVE_STATES,
    ClaimKind,
    ClaimState,
    Invoice,
    SubsidyClaim,
    SubsidyClaimInvoice,
)
from .policy_subsidy import CLAIM_VIEW, FIGURES, QUEUE, QUOTE
from .selectors import project_seen
from .subsidies import (
    ZERO,
    Purchase,
    post_project_grant,
    post_project_grant_json,
    robot_subsidy,
    robot_subsidy_json,
)
from .subsidy_rules import YEAR_MAX, YEAR_MIN, rule_in_force, rules_of


def access_subsidy_project(*, user: Actor, project_id: int, action: str = "view") -> Project:
    """The project if the user may see its subsidies (projects.subsidy.view), and do `action` ("claim");
    Http404 when not (as for a missing project), 403 when it sees it but may not act."""
    found = project_seen(user=user, project_id=project_id, permission=QUOTE)
    if action != "view":
        require(user, f"projects.subsidy.{action}", found, message=_("只有项目所属企业的用户可以申领补贴。"),
                code=SubsidyError.FORBIDDEN)
    return found


def access_claim(*, user: Actor, claim_id: int) -> SubsidyClaim:
    related = SubsidyClaim.objects.select_related("project", "project__enterprise", "project__enterprise__region",
                                                  "rule", "rule__region")
    return seen_or_404(related, claim_id, user, CLAIM_VIEW)


def year_parse(raw: Any, default: int) -> int:
    """The `year` asked: ASCII digits within the rules' range; InvalidInput (422) otherwise."""
    if raw is None or raw == "":
        return default
    year = ascii_int(raw, low=YEAR_MIN, high=YEAR_MAX)
    if year is None:
        raise InvalidInput(_("年份应为 %(a)d 到 %(b)d 之间的整数。") % {"a": YEAR_MIN, "b": YEAR_MAX},
                           code=SubsidyError.BAD_YEAR, details=[{"field": "year", "message": str(raw)[:20]}])
    return year


def robot_used(*, enterprise_id: int, year: int, exclude: Iterable[int] = (),
               exclude_project: int | None = None) -> Decimal:
    """What the enterprise's approved and paid robot claims of the year hold (its allowance used)."""
    qs = SubsidyClaim.objects.filter(project__enterprise_id=enterprise_id, year=year, kind=ClaimKind.ROBOT,
                                     state__in=COUNTED_STATES).exclude(pk__in=list(exclude))
    if exclude_project is not None:
        qs = qs.exclude(project_id=exclude_project)
    return qs.aggregate(s=MoneySum("amount"))["s"] or ZERO


def claimed_on_lines(line_ids: Sequence[int], *, exclude: Iterable[int] = ()) -> dict[int, tuple[Decimal, Decimal]]:
    """For each equipment line, what the live robot claims hold on it: (base invoiced, amount)."""
    out: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    wanted = set(line_ids)
    claims = SubsidyClaim.objects.filter(kind=ClaimKind.ROBOT, state__in=LIVE_STATES,
                                         project__equipment__in=line_ids).exclude(pk__in=list(exclude)).distinct()
    for claim in claims.only("working"):
        for line in claim.working.get("lines", []):
            if line.get("equipment_line") in wanted:
                out[line["equipment_line"]][0] += Decimal(line["base"])
                out[line["equipment_line"]][1] += Decimal(line["amount"])
    return {k: (v[0], v[1]) for k, v in out.items()}


def purchases_of(lines: Iterable[Any]) -> list[Purchase]:
    """The robot lines as the engine's purchases (cost: count × unit price)."""
    return [Purchase(ref=getattr(line, "pk", None) or i, type=line.type, origin=line.origin, count=line.count,
                     cost=line.unit_price * line.count)
            for i, line in enumerate(lines, start=1) if line.kind == EquipmentKind.ROBOT]


def _rate_text(line: Mapping[str, Any]) -> str:
    names = {"base": _("基础费率"), "small_micro": _("小微企业加"), "domestic": _("国产品牌加")}
    parts = " + ".join(f"{names.get(p['part'], p['part'])} {_percent(p['points'])}" for p in line["rate_parts"])
    text = f"{parts} = {_percent(line['rate_uncapped'])}"
    if Decimal(line["rate_uncapped"]) > Decimal(line["rate_ceiling"]):
        text += _("，超过上限，取上限 %(c)s") % {"c": _percent(line["rate_ceiling"])}
    return text


def _percent(value: Any) -> str:
    return f"{(Decimal(str(value)) * 100).normalize():f}%"


def line_working(line: Mapping[str, Any]) -> str:
    """One line's working as a sentence, in the reader's language (money exact, to the fen)."""
    y = yuan_exact_text
    text = _("费率：%(rate)s；基数 %(base)s × %(r)s = %(exact)s") % {
        "rate": _rate_text(line), "base": y(line["base"]), "r": _percent(line["rate"]),
        "exact": number_text(line["exact"], places=6)}
    for cap in line["caps_applied"]:
        if cap["cap"] == "per_robot":
            text += _("；单台上限 %(limit)s × %(n)s 台（其他申领已占 %(before)s），取 %(line)s") % {
                "limit": y(cap["limit"]), "n": cap["count"], "before": y(cap["claimed_before"]),
                "line": y(cap["line_limit"])}
        elif cap["cap"] == "per_enterprise_year":
            text += _("；企业年度上限 %(limit)s，已用 %(used)s，本行前剩余 %(left)s，核减 %(cut)s") % {
                "limit": y(cap["limit"]), "used": y(cap["used"]), "left": y(cap["left"]), "cut": y(cap["cut"])}
    return text + _("；按四舍五入到分一次：%(a)s") % {"a": y(line["amount"])}


def quote_lines(*, enterprise: Enterprise, year: int, lines: Iterable[Any], project: Project | None = None,
                used: Decimal | None = None) -> dict[str, Any]:
    """The robot subsidy of equipment lines (saved or not) of an enterprise in a year, with the working; the
    post-project grant too when the project is accepted."""
    rule = rule_in_force(enterprise.region, year)
    if rule is None:
        raise InvalidInput(_("%(year)d 年该地区没有适用的补贴规则。") % {"year": year}, code=SubsidyError.NO_RULE,
                           details=[{"field": "year", "message": str(year)}])
    rules = rules_of(rule)
    if used is None:
        used = robot_used(enterprise_id=enterprise.pk, year=year,
                          exclude_project=project.pk if project is not None else None)
    result = robot_subsidy_json(robot_subsidy(rules, purchases_of(lines), size_class=enterprise.size_class,
                                              used=used))
    result["lines"] = [{**line, "working": line_working(line)} for line in result["lines"]]
    out: dict[str, Any] = {**result, "year": year, "size_class": enterprise.size_class,
                           "rule_region": rule.region.code, "rule_from_year": rule.from_year}
    if project is not None:
        out["project"] = project.pk
        grant = post_project_grant(rules, equipment=project.equipment_investment,
                                   software=project.software_investment,
                                   accepted=project.state == ProjectState.ACCEPTED)
        # The declared investment: a claim verifies it against its invoices (working_subsidy.grant_working).
        out["post_project_grant"] = {**post_project_grant_json(grant), "basis": "declared"} if grant.eligible else None
    return out


def project_quote(*, user: Actor, project_id: int, year: Any = None) -> dict[str, Any]:
    project = access_subsidy_project(user=user, project_id=project_id)
    asked = year_parse(year, project.start.year)
    return quote_lines(enterprise=project.enterprise, year=asked, project=project,
                       lines=EquipmentLine.objects.filter(project=project).order_by("id"))


def invoices_of(*, user: Actor, project: Project) -> list[Invoice]:
    """The project's invoices, each with `taken_by`: the live claim it backs (on any project), or None."""
    if not permitted(user, QUOTE, project):
        raise Http404
    invoices = list(project.invoices.select_related("equipment_line").order_by("id"))
    keys = {(i.issuer_tax_id, i.number) for i in invoices}
    taken = {(link.issuer_tax_id, link.number): link.claim_id for link in SubsidyClaimInvoice.objects.filter(
        live=True, number__in=[n for _i, n in keys]) if (link.issuer_tax_id, link.number) in keys}
    for invoice in invoices:
        invoice.taken_by = taken.get((invoice.issuer_tax_id, invoice.number))  # type: ignore[attr-defined]
    return invoices


def enterprise_subsidies(*, user: Actor, enterprise: Enterprise) -> list[dict[str, Any]]:
    """Each project of the enterprise with what its live claims ask and what was paid; [] when the user may
    not see the enterprise's subsidies."""
    if not permitted(user, QUOTE, enterprise):
        return []
    sums: dict[tuple[int, str], Decimal] = {
        (row["project_id"], row["state"]): row["s"] for row in SubsidyClaim.objects.filter(
            project__enterprise=enterprise).values("project_id", "state").annotate(s=MoneySum("amount"))}
    return [{"project": p,
             "claimed": sum((sums.get((p.pk, s), ZERO) for s in LIVE_STATES), ZERO),
             "paid": sums.get((p.pk, ClaimState.PAID), ZERO)}
            for p in Project.objects.filter(enterprise=enterprise).order_by("-start", "-id")[:20]]


def claim_lines(claim: SubsidyClaim) -> list[dict[str, Any]]:
    """A claim's stored lines with their working as a sentence in the reader's language (the stored working
    is data: whoever reads it later reads it in their own language)."""
    return [{**line, "working": line_working(line)} for line in claim.working.get("lines", [])]


def claim_list(*, user: Actor, project: Project) -> QuerySet[SubsidyClaim]:
    if not permitted(user, QUOTE, project):
        raise Http404
    return SubsidyClaim.objects.filter(project=project).select_related("rule", "rule__region").order_by("-id")


def claim_queue(*, user: Actor, state: str = ClaimState.SUBMITTED) -> QuerySet[SubsidyClaim]:
    """The claims of the officer's region (and below) in a state, oldest first."""
    require(user, QUEUE, message=_("只有地区主管部门可以审核补贴申领。"), code=SubsidyError.FORBIDDEN)
    if state not in ClaimState.values:
        raise InvalidInput(_("没有这个状态：%(s)s") % {"s": state[:20]}, details=[{"field": "state", "message": state}])
    scope = scoped_enterprises(enterprise_scope(user))
    return (SubsidyClaim.objects.filter(state=state, project__enterprise__in=scope)
            .select_related("project", "project__enterprise", "project__enterprise__region").order_by("created", "id"))


def subsidy_figures(*, user: Actor, year: int | None = None) -> dict[str, Any]:
    """Approved and paid subsidies (and what was clawed back) by city and by industry division, for the
    officer's subtree: counts and sums, money exact."""
    require(user, FIGURES, message=_("只有地区主管部门可以查看补贴统计。"), code=SubsidyError.FORBIDDEN)
    seen = SubsidyClaim.objects.filter(project__enterprise__in=scoped_enterprises(enterprise_scope(user)),
                                       state__in=(ClaimState.APPROVED, ClaimState.PAID, ClaimState.CLAWED_BACK))
    qs = seen.filter(year=year) if year is not None else seen

    def grouped(*fields: str) -> list[dict[str, Any]]:
        rows = qs.values(*fields, "state").annotate(n=Count("id"), total=MoneySum("amount")).order_by(*fields)
        merged: dict[tuple[Any, ...], dict[str, Any]] = {}
        for row in rows:
            key = tuple(row[f] for f in fields)
            entry = merged.setdefault(key, {"key": key, "claims": 0, "approved": ZERO, "paid": ZERO,
                                            "clawed_back": ZERO})
            entry["claims"] += row["n"]
            entry[row["state"]] += row["total"] or ZERO
        return list(merged.values())

    city = "project__enterprise__region__parent__"
    industry = "project__enterprise__industry__"
    return {"year": year, "by_city": grouped(f"{city}code", f"{city}name_zh", f"{city}name_en"),
            "by_industry": grouped(f"{industry}code", f"{industry}name_zh", f"{industry}name_en"),
            "years": sorted(set(seen.values_list("year", flat=True)))}


def project_invoices(project: Project) -> dict[str, Any] | None:
    """The invoices' side of a project's acceptance (projects.hooks): their total and count; None for none."""
    found = Invoice.objects.filter(project=project).aggregate(total=MoneySum("amount"), n=Count("id"))
    if not found["n"]:
        return None
    return {"invoiced": found["total"], "count": found["n"], "label": _("补贴申领所附发票")}
