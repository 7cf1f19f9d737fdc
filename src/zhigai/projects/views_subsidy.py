"""The subsidies' pages: a project's quote, invoices and claims; the quote as an htmx partial for the filing
form (before the project is saved); a claim with its working and moves; the officer's queue; the rules and
their versions; the figures by region and industry."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhigai.base.selectors import access_enterprise
from zhigai.core.crumbs import Crumb, crumbs
from zhigai.core.errors import InvalidInput, ZhigaiError
from zhigai.core.exports import xlsx_response
from zhigai.core.pages import errors_as_messages, page_number
from zhigai.core.policy import permitted, require
from zhigai.core.text import ascii_int
from zhigai.core.types import AuthenticatedRequest

from . import exports
from . import selectors_subsidy as selectors
from . import services_subsidy as services
from .errors_subsidy import SubsidyError
from .models import EquipmentKind, EquipmentLine, Origin, Project
from .models_subsidy import ClaimKind, ClaimState, ProgramLevel, SubsidyRule
from .policy_subsidy import CLAIM, FIGURES, QUOTE, RULES_PUBLISH, RULES_VIEW
from .services_subsidy import money_parse
from .subsidies import PARAMETERS, RATE
from .workflow_subsidy import CLAIM_WORKFLOW, NOTE_REQUIRED

MAX_PREVIEW_LINES = 50
PARAM_LABELS = {
    "robot.base_rate": gettext_lazy("机器人基础费率"), "robot.small_micro_points": gettext_lazy("小微企业加点"),
    "robot.domestic_points": gettext_lazy("国产品牌加点"), "robot.max_rate": gettext_lazy("费率上限"),
    "robot.per_robot_cap": gettext_lazy("单台上限（元）"),
    "robot.per_enterprise_year_cap": gettext_lazy("企业年度上限（元）"),  # the form's labels: yuan typed
    "post_project.rate": gettext_lazy("竣工奖补费率"),
    "post_project.per_project_cap": gettext_lazy("单个项目上限（元）"),
}


def _quote_or_error(compute: Any) -> tuple[dict[str, Any] | None, str]:
    try:
        return compute(), ""
    except InvalidInput as exc:
        return None, exc.message


@login_required
def project_page(request: AuthenticatedRequest, project_id: int) -> HttpResponse:
    project = selectors.access_subsidy_project(user=request.user, project_id=project_id)
    quote, error = _quote_or_error(lambda: selectors.project_quote(user=request.user, project_id=project_id,
                                                                    year=request.GET.get("year", "")))
    return render(request, "projects/subsidy_project.html", {
        "crumbs": crumbs(Crumb(project.enterprise.name, reverse("base:enterprise_detail",
                                                                args=[project.enterprise.uscc])),
                         current=_("补贴：%(t)s") % {"t": project.title}),
        "project": project, "quote": quote, "quote_error": error,
        "invoices": selectors.invoices_of(user=request.user, project=project),
        "lines": project.equipment.order_by("id"),
        "claims": selectors.claim_list(user=request.user, project=project),
        "may_claim": permitted(request.user, CLAIM, project),
        "kinds": ClaimKind.choices, "programs": ProgramLevel.choices,
    }, status=422 if error and request.GET.get("year") else 200)


def _preview_lines(data: Any) -> list[EquipmentLine]:
    """Equipment lines from the filing form as typed: eq_kind_N, eq_type_N, eq_origin_N, eq_count_N,
    eq_unit_price_N (projects/new.html)."""
    lines = []
    for n in range(MAX_PREVIEW_LINES):
        if not data.get(f"eq_count_{n}"):
            continue
        count = ascii_int(data.get(f"eq_count_{n}", ""), low=1, high=100000)
        problems: list[dict[str, str]] = []
        price = money_parse(data.get(f"eq_unit_price_{n}"), f"eq_unit_price_{n}", problems)
        if count is None or problems:
            continue  # a line still being typed is left out until it reads as a number
        kind = data.get(f"eq_kind_{n}", EquipmentKind.ROBOT)
        origin = data.get(f"eq_origin_{n}", Origin.DOMESTIC)
        lines.append(EquipmentLine(kind=kind if kind in EquipmentKind.values else EquipmentKind.OTHER,
                                   type=str(data.get(f"eq_type_{n}", ""))[:100],
                                   origin=origin if origin in Origin.values else Origin.IMPORTED,
                                   count=count, unit_price=price))
    return lines


def _preview_year(data: Any) -> int:
    """The year the quote is for: `year`, else the start date's year as typed, else this year."""
    if data.get("year"):
        return selectors.year_parse(data.get("year"), _this_year())
    start = str(data.get("start") or "")
    return selectors.year_parse(start[:4], _this_year()) if len(start) == 10 and start[4] == "-" else _this_year()


@login_required
def quote_preview(request: AuthenticatedRequest) -> HttpResponse:
    """The quote of the lines being typed, for the enterprise `uscc` or `enterprise` (an htmx partial for the
    filing form); for `year`, else the year of the start typed, else this year."""
    data = request.POST if request.method == "POST" else request.GET
    # An enterprise's user quotes for its own enterprise unless it names one (which it must see anyway).
    own = request.user.enterprise.uscc if request.user.enterprise is not None else ""
    enterprise = access_enterprise(user=request.user, uscc=str(data.get("uscc") or data.get("enterprise") or own))
    if not permitted(request.user, QUOTE, Project(enterprise=enterprise)):
        raise Http404
    quote, error = _quote_or_error(lambda: selectors.quote_lines(
        enterprise=enterprise, year=_preview_year(data),
        lines=_preview_lines(data)))
    return render(request, "projects/subsidy_quote_partial.html", {"quote": quote, "quote_error": error},
                  status=422 if error else 200)


def _this_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


@login_required
@require_POST
def invoice_add(request: AuthenticatedRequest, project_id: int) -> HttpResponse:
    project = selectors.access_subsidy_project(user=request.user, project_id=project_id, action="claim")
    with errors_as_messages(request):
        services.invoice_add(by=request.user, project=project, data=request.POST)
        messages.success(request, _("发票已登记。"))
    return redirect("subsidies:project", project.pk)


@login_required
@require_POST
def claim_add(request: AuthenticatedRequest, project_id: int) -> HttpResponse:
    project = selectors.access_subsidy_project(user=request.user, project_id=project_id, action="claim")
    data = {"kind": request.POST.get("kind"), "program": request.POST.get("program"),
            "year": request.POST.get("year"), "invoices": request.POST.getlist("invoices")}
    try:
        claim = services.claim_submit(by=request.user, project=project, data=data)
    except ZhigaiError as exc:
        messages.error(request, exc.message)
        return redirect("subsidies:project", project.pk)
    messages.success(request, _("补贴申领已提交：%(a)s 元。") % {"a": claim.amount})
    return redirect("subsidies:claim", claim.pk)


@login_required
def claim_page(request: AuthenticatedRequest, claim_id: int) -> HttpResponse:
    claim = selectors.access_claim(user=request.user, claim_id=claim_id)
    return render(request, "projects/subsidy_claim.html", {
        "crumbs": crumbs(Crumb(claim.project.title, reverse("subsidies:project", args=[claim.project_id])),
                         current=_("补贴申领 #%(id)s") % {"id": claim.pk}),
        "claim": claim, "moves": CLAIM_WORKFLOW.available(claim, request.user), "note_required": NOTE_REQUIRED,
        "events": [{"at": e.at, "by": e.by, "note": e.note, "label": _event_label(e.transition)}
                   for e in claim.events.select_related("by").order_by("at", "id")],
        "invoices": [link.invoice for link in claim.invoice_links.select_related("invoice")],
        "lines": selectors.claim_lines(claim), "grant": claim.working if claim.kind == "post_project" else None,
    })


def _event_label(transition: str) -> str:
    if transition == "submit":
        return _("提交申领")
    found = CLAIM_WORKFLOW.transitions.get(transition)
    return str(found.label) if found else transition


@login_required
@require_POST
def claim_move(request: AuthenticatedRequest, claim_id: int) -> HttpResponse:
    claim = selectors.access_claim(user=request.user, claim_id=claim_id)
    move = request.POST.get("move", "")
    with errors_as_messages(request):
        services.claim_move(by=request.user, claim=claim, move=move, note=request.POST.get("note", ""))
        messages.success(request, _("已完成：%(m)s。") % {"m": CLAIM_WORKFLOW.transition(move).label})
    return redirect("subsidies:claim", claim.pk)


@login_required
@require_GET
def queue(request: AuthenticatedRequest) -> HttpResponse:
    state = request.GET.get("state", ClaimState.SUBMITTED)
    try:
        claims = selectors.claim_queue(user=request.user, state=state)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        state = ClaimState.SUBMITTED
        claims = selectors.claim_queue(user=request.user, state=state)
    return render(request, "projects/subsidy_queue.html", {
        "page": Paginator(claims, 50).get_page(page_number(request)), "query": f"state={state}",
        "state": state, "states": ClaimState.choices})


@login_required
@require_GET
def queue_export(request: AuthenticatedRequest) -> FileResponse:
    """The claims of the queue's state, every page of them; an unknown state is a 422."""
    state = request.GET.get("state", ClaimState.SUBMITTED)
    return xlsx_response(exports.claims_xlsx(user=request.user, state=state),
                         f"subsidy-claims-{state[:12]}-{timezone.localdate():%Y%m%d}.xlsx")


def _rule_rows(rules: Any) -> list[dict[str, Any]]:
    return [{"rule": r, "params": [(r.params[part][name], kind == RATE)
                                   for part, names in PARAMETERS.items() for name, kind in names.items()]}
            for r in rules]


@login_required
def rules_page(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, RULES_VIEW, message=_("请先登录。"), code=SubsidyError.FORBIDDEN)
    may_publish = permitted(request.user, RULES_PUBLISH)
    errors: dict[str, str] = {}
    values: dict[str, Any] = dict(request.POST.items()) if request.method == "POST" else {}
    if request.method == "POST":
        require(request.user, RULES_PUBLISH, message=_("只有省级主管部门可以发布补贴规则。"),
                code=SubsidyError.FORBIDDEN)
        try:
            rule = services.rules_publish(by=request.user, region=request.POST.get("region"),
                                          from_year=request.POST.get("from_year"),
                                          params=services.rule_form_params(request.POST),
                                          note=request.POST.get("note", ""))
        except InvalidInput as exc:
            messages.error(request, exc.message)
            errors = {d.get("field", ""): d.get("message", "") for d in exc.details or []}
        else:
            messages.success(request, _("已发布补贴规则 %(code)s。") % {"code": rule.code})
            return redirect("subsidies:rules")
    rules = SubsidyRule.objects.select_related("region", "by").order_by("region__code", "-from_year", "-version")
    if not values:
        latest = rules.filter(region__level=1).first()
        values = {f"{p}.{n}": latest.params[p][n] for p, ns in PARAMETERS.items() for n in ns} if latest else {}
        values |= {"region": latest.region.code if latest else "", "from_year": _this_year()}
    return render(request, "projects/subsidy_rules.html", {
        "rows": _rule_rows(rules[:100]), "may_publish": may_publish,
        "fields": [{"name": k, "label": v, "value": values.get(k, ""), "error": errors.get(k, "")}
                   for k, v in PARAM_LABELS.items()],
        "values": values, "errors": errors,
    }, status=422 if errors else 200)


def _named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    english = (get_language() or "").startswith("en")
    return [{**r, "name": (r["key"][2] if english else r["key"][1]) or r["key"][0]} for r in rows]


def figures_tables(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures as the section's tables (by city, by industry), names in the reader's language."""
    return {**figures, "tables": [(_("按地市"), _named(figures["by_city"])),
                                  (_("按行业"), _named(figures["by_industry"]))]}


def figures_section(request: HttpRequest, year: int | None = None) -> SafeString | None:
    """The subsidies by region and industry as a section another page (the projects' figures) can include;
    None for a user who may not see them."""
    if not permitted(request.user, FIGURES):
        return None
    figures = figures_tables(selectors.subsidy_figures(user=request.user, year=year))
    return mark_safe(render_to_string("projects/subsidy_figures_section.html", {"f": figures}, request=request))


@login_required
def figures_page(request: AuthenticatedRequest) -> HttpResponse:
    year = ascii_int(request.GET.get("year", ""), low=2000, high=2100)
    figures = figures_tables(selectors.subsidy_figures(user=request.user, year=year))
    return render(request, "projects/subsidy_figures.html", {"f": figures})


def enterprise_section(request: HttpRequest, enterprise: Any) -> SafeString | None:
    """The enterprise page and its user's home: its projects' subsidies (claimed, paid) and the way to each
    project's quote and claims; None for a user who may not see them or an enterprise with no project."""
    rows = selectors.enterprise_subsidies(user=request.user, enterprise=enterprise)
    if not rows:
        return None
    return mark_safe(render_to_string("projects/subsidy_section.html", {"rows": rows}, request=request))

