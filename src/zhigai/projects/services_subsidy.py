"""Every write of subsidies: invoices, claims and their moves, the rules' versions, the programs' budgets in
the ledger, and the clawback of a breached project's paid subsidies. Validated before anything is written,
access-checked, audited, all or nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhigai.base.fields import CENT, MONEY_LIMIT
from zhigai.base.models import Region
from zhigai.core.audit import audit_record
from zhigai.core.errors import Conflict, InvalidInput
from zhigai.core.models import User
from zhigai.core.policy import DB_ID_MAX, require
from zhigai.core.text import ascii_int, clean_text
from zhigai.core.workflow import transition_apply
from zhigai.ledger.models import AccountKind, Journal, JournalKind
from zhigai.ledger.names import account_stored_name
from zhigai.ledger.services import account_ensure, journal_post

from .errors_subsidy import SubsidyError
from .ledger_names import subsidy_account_name
from .models import Project
from .models_subsidy import (
    LIVE_STATES,
    ClaimKind,
    ClaimState,
    Invoice,
    ProgramLevel,
    SubsidyClaim,
    SubsidyClaimEvent,
    SubsidyClaimInvoice,
    SubsidyRule,
)
from .policy_subsidy import CLAIM, RULES_PUBLISH
from .subsidies import PARAMETERS, params_normalised, rule_problems
from .subsidy_rules import YEAR_MAX, YEAR_MIN, next_version, rule_in_force
from .workflow_subsidy import CLAIM_WORKFLOW, NOTE_REQUIRED, available_account
from .working_subsidy import claim_working

TAX_ID = re.compile(r"[0-9A-Z]{15,20}")
INVOICE_NUMBER = re.compile(r"[0-9A-Za-z-]{1,40}")
PROBLEM_TEXT = {
    "missing": "缺少此项", "unknown": "没有这个参数", "number": "应为数字",
    "rate": "应为 0 到 1 之间的比例（如 0.10 表示 10%），最多四位小数", "yuan": "应为不小于 0、精确到分的金额（元）",
    "ceiling": "费率上限不能低于基础费率",
}


def money_parse(value: Any, field: str, problems: list[dict[str, str]]) -> Decimal:
    text = str(value if value is not None else "").strip()
    try:
        number = Decimal(text) if text and text.isascii() else None
    except ArithmeticError:
        number = None
    if number is None or not number.is_finite() or number <= 0 or number > MONEY_LIMIT or number != number.quantize(
            CENT):
        problems.append({"field": field, "message": _("应为大于 0、精确到分的金额（元）")})
        return Decimal(0)
    return number.quantize(CENT)


def _year(value: Any, field: str, problems: list[dict[str, str]]) -> int:
    year = ascii_int(value, low=YEAR_MIN, high=YEAR_MAX)
    if year is None:
        problems.append({"field": field,
                         "message": _("应为 %(a)d 到 %(b)d 之间的年份") % {"a": YEAR_MIN, "b": YEAR_MAX}})
        return 0
    return year


def _refuse(problems: list[dict[str, str]], what: str) -> None:
    if problems:
        raise InvalidInput(what + "：" + "；".join(f"{p['field']}: {p['message']}" for p in problems),
                           details=problems)


@transaction.atomic
def invoice_add(*, by: User, project: Project, data: Mapping[str, Any]) -> Invoice:
    """Register an invoice of the project: number, issuer's tax id, date, amount, the equipment line it backs
    (none for software and other investment). The same invoice twice on one project is refused (409)."""
    require(by, CLAIM, project, message=_("只有项目所属企业的用户可以登记发票。"), code=SubsidyError.FORBIDDEN)
    problems: list[dict[str, str]] = []
    number = str(data.get("number") or "").strip()
    if not INVOICE_NUMBER.fullmatch(number):
        problems.append({"field": "number", "message": _("发票号码应为 1 到 40 位字母、数字或连字符")})
    issuer = str(data.get("issuer_tax_id") or "").strip().upper()
    if not TAX_ID.fullmatch(issuer):
        problems.append({"field": "issuer_tax_id", "message": _("开票方纳税人识别号应为 15 到 20 位数字或大写字母")})
    try:
        date = dt.date.fromisoformat(str(data.get("date") or ""))
    except ValueError:
        problems.append({"field": "date", "message": _("日期应写作 YYYY-MM-DD")})
        date = None
    amount = money_parse(data.get("amount"), "amount", problems)
    line = None
    line_ref = data.get("equipment_line")
    if line_ref not in (None, ""):
        line_id = ascii_int(line_ref, low=1, high=DB_ID_MAX)
        line = project.equipment.filter(pk=line_id).first() if line_id else None
        if line is None:
            problems.append({"field": "equipment_line", "message": _("不是本项目的设备明细")})
    _refuse(problems, _("发票有误，未登记"))
    assert date is not None
    first = Invoice.objects.filter(project=project, issuer_tax_id=issuer, number=number).first()
    if first is not None:
        raise Conflict(_("发票 %(n)s（开票方 %(i)s）已登记在本项目（发票 #%(id)s）。") % {
            "n": number, "i": issuer, "id": first.pk}, code=SubsidyError.INVOICE_DUPLICATE,
            details=[{"field": "number", "message": str(first.pk)}])
    invoice = Invoice.objects.create(project=project, equipment_line=line, number=number, issuer_tax_id=issuer,
                                     date=date, amount=amount, created_by=by)
    audit_record(actor=by, action="create", entity="invoice", entity_id=invoice.pk, subject=f"project:{project.pk}",
                 summary=f"invoice {issuer}/{number} {amount}", after={"amount": str(amount), "line": line_ref})
    return invoice


def _taken(claim: SubsidyClaimInvoice) -> Conflict:
    first = claim.claim
    return Conflict(
        _("发票 %(n)s（开票方 %(i)s）已用于补贴申领 #%(c)s（%(level)s %(year)s 年%(kind)s，项目“%(p)s”），"
          "一张发票只能申领一次补贴。") % {
            "n": claim.number, "i": claim.issuer_tax_id, "c": first.pk, "level": first.get_program_display(),
            "year": first.year, "kind": first.get_kind_display(), "p": first.project.title},
        code=SubsidyError.INVOICE_TAKEN,
        details=[{"field": "invoices", "message": claim.number, "claim": first.pk}])


def _first_taken(invoices: Sequence[Invoice]) -> SubsidyClaimInvoice | None:
    for invoice in invoices:
        link = (SubsidyClaimInvoice.objects.filter(issuer_tax_id=invoice.issuer_tax_id, number=invoice.number,
                                                   live=True).select_related("claim", "claim__project").first())
        if link is not None:
            return link
    return None


def claim_submit(*, by: User, project: Project, data: Mapping[str, Any]) -> SubsidyClaim:
    """Claim a subsidy of the project: kind (robot, post_project), program (province, city, county), year, and
    the invoices (ids of the project's) behind it; the amount is computed from them (claim_working). An
    invoice that backs another live claim, in any program, is refused (409) naming that claim."""
    require(by, CLAIM, project, message=_("只有项目所属企业的用户可以申领补贴。"), code=SubsidyError.FORBIDDEN)
    problems: list[dict[str, str]] = []
    kind = str(data.get("kind") or "")
    if kind not in ClaimKind.values:
        problems.append({"field": "kind", "message": _("应为 robot 或 post_project")})
    program = str(data.get("program") or "")
    if program not in ProgramLevel.values:
        problems.append({"field": "program", "message": _("应为 province、city 或 county")})
    year = _year(data.get("year"), "year", problems)
    refs = data.get("invoices") or []
    ids = [ascii_int(r, low=1, high=DB_ID_MAX) for r in (refs if isinstance(refs, list | tuple) else [refs])]
    invoices = list(Invoice.objects.filter(project=project, pk__in=[i for i in ids if i])
                    .select_related("equipment_line").order_by("id"))
    if not ids or None in ids or len(invoices) != len(set(ids)):
        problems.append({"field": "invoices", "message": _("请选择本项目已登记的发票")})
    rule = rule_in_force(project.enterprise.region, year) if year else None
    if year and rule is None:
        problems.append({"field": "year", "message": _("该年该地区没有适用的补贴规则")})
    _refuse(problems, _("补贴申领有误，未提交"))
    assert rule is not None
    try:
        with transaction.atomic():
            return _claim_create(by, project, kind, program, year, rule, invoices)
    except IntegrityError:
        # Another claim took one of the invoices between our check and our write: name it.
        link = _first_taken(invoices)
        if link is None:
            raise
        raise _taken(link) from None


def _claim_create(by: User, project: Project, kind: str, program: str, year: int, rule: SubsidyRule,
                  invoices: list[Invoice]) -> SubsidyClaim:
    link = _first_taken(invoices)
    if link is not None:
        raise _taken(link)
    if kind == ClaimKind.POST_PROJECT:
        other = SubsidyClaim.objects.filter(project=project, kind=kind, state__in=LIVE_STATES).first()
        if other is not None:
            raise Conflict(_("本项目已有竣工综合奖补申领 #%(c)s，每个项目只能申领一次。") % {"c": other.pk},
                           code=SubsidyError.NOTHING_TO_CLAIM, details=[{"field": "kind", "message": str(other.pk)}])
    working, amount = claim_working(project=project, kind=kind, rule=rule, year=year, invoices=invoices)
    claim = SubsidyClaim.objects.create(project=project, kind=kind, program=program, year=year, rule=rule,
                                        working=working, amount=amount, created_by=by)
    SubsidyClaimInvoice.objects.bulk_create([
        SubsidyClaimInvoice(claim=claim, invoice=i, issuer_tax_id=i.issuer_tax_id, number=i.number)
        for i in invoices])
    SubsidyClaimEvent.objects.create(subject=claim, transition="submit", source="", target=ClaimState.SUBMITTED,
                                     by=by)
    audit_record(actor=by, action="submit", entity="subsidy_claim", entity_id=claim.pk,
                 summary=f"{kind} {program} {year}: {amount}", after={"amount": str(amount), "rule": rule.code})
    return claim


def claim_move(*, by: User, claim: SubsidyClaim, move: str, note: Any = "") -> SubsidyClaim:
    """approve, reject (with its reason), pay, claw_back (with its reason) — core.workflow decides."""
    text = clean_text(note, field="note", max_length=2000, multiline=True)
    CLAIM_WORKFLOW.transition(move)  # an unknown move is 422 before anything else
    if move in NOTE_REQUIRED and not text:
        raise InvalidInput(_("请写明原因。"), code=SubsidyError.NOTE_REQUIRED,
                           details=[{"field": "note", "message": _("不能为空")}])
    moved: SubsidyClaim = transition_apply(workflow=CLAIM_WORKFLOW, obj=claim, name=move, by=by, note=text)
    return moved


def subsidies_claw_back(project: Project, by: User) -> list[SubsidyClaim]:
    """A commitment breach found at acceptance: every paid claim of the project is clawed back (a clawback
    entry in the ledger, once per claim). The projects' breach hook calls it; `by` is the officer."""
    with transaction.atomic():
        return [claim_move(by=by, claim=claim, move="claw_back", note=_("项目违反承诺，追回已拨付补贴。"))
                for claim in SubsidyClaim.objects.filter(project=project, state=ClaimState.PAID).order_by("id")]


@transaction.atomic
def rules_publish(*, by: User, region: Any, from_year: Any, params: Mapping[str, Any], note: Any = "") -> SubsidyRule:
    """Publish a new version of the rules for a region (a code) and its subtree from a year on; every
    parameter checked (projects.subsidies.rule_problems); the version before and after audited."""
    require(by, RULES_PUBLISH, message=_("只有省级主管部门可以发布补贴规则。"), code=SubsidyError.FORBIDDEN)
    problems = [{"field": p["field"], "message": _(PROBLEM_TEXT[p["message"]])} for p in rule_problems(params)]
    found = Region.objects.filter(code=str(region or "").strip()).first()
    if found is None:
        problems.append({"field": "region", "message": _("没有这个地区")})
    year = _year(from_year, "from_year", problems)
    try:
        text = clean_text(note, field="note", max_length=500)
    except InvalidInput as exc:
        problems += exc.details
        text = ""
    if problems:
        raise InvalidInput(_("补贴规则有误，未发布：") + "；".join(f"{p['field']}: {p['message']}" for p in problems),
                           code=SubsidyError.BAD_RULE, details=problems)
    assert found is not None
    before = rule_in_force(found, year)
    rule = SubsidyRule.objects.create(region=found, from_year=year, version=next_version(found, year),
                                      params=params_normalised(params), note=text, source="officer", by=by)
    audit_record(actor=by, action="publish", entity="subsidy_rule", entity_id=rule.pk, subject="subsidy_rules",
                 summary=f"subsidy rules {rule.code}", before={"version": before.code, **before.params} if before
                 else None, after={"version": rule.code, **rule.params})
    return rule


def rule_form_params(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The parameters from a flat form ("robot.base_rate": "0.10", …)."""
    return {part: {name: values.get(f"{part}.{name}", "") for name in names} for part, names in PARAMETERS.items()}


def subsidy_budget_post(*, by: User, program: str, year: int, amount: Decimal, idempotency_key: str) -> Journal:
    """Fund a program's subsidies for a year in the ledger: budget → available (a provincial officer's act)."""
    require(by, RULES_PUBLISH, message=_("只有省级主管部门可以拨入补贴资金。"), code=SubsidyError.FORBIDDEN)
    if program not in ProgramLevel.values:
        raise InvalidInput(_("应为 province、city 或 county"), details=[{"field": "program", "message": program}])
    code = f"subsidy:{program}:{year}:budget"
    name = account_stored_name(code, subsidy_account_name)
    budget = account_ensure(code=code, kind=AccountKind.EQUITY, name=name)
    return journal_post(by=by, kind=JournalKind.BUDGET, legs=[(available_account(program, year), amount),
                                                             (budget, -amount)],
                        memo=name, source=f"projects.subsidy_budget:{program}:{year}",
                        idempotency_key=idempotency_key)
