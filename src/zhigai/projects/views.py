"""The projects' pages: the list (in the user's scope, with filters), a project's page (its state,
decision, equipment, land, acceptance checks, events and moves), the officers' queue and the figures."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from zhigai.base.selectors import industry_list, region_options_html
from zhigai.core.crumbs import Crumb, crumbs
from zhigai.core.errors import InvalidInput
from zhigai.core.exports import xlsx_response
from zhigai.core.numbers import number_text, percent_text
from zhigai.core.pages import errors_as_messages, page_number
from zhigai.core.policy import permitted, require
from zhigai.core.types import AuthenticatedRequest

from . import exports, selectors, services, stats
from .acceptance import acceptance_checks, equipment_total, investment_total
from .commitment import commitment_of
from .decision import decision_reason
from .errors import ProjectError
from .models import Project, ProjectState
from .policy import FIGURES, INSPECT
from .quota import land_place
from .workflow import NOTE_REQUIRED, PROJECT_WORKFLOW

FILTERS = ("state", "region", "industry", "year", "land", "q")
STATE_LABELS = dict(ProjectState.choices)
RATIOS = frozenset({"productivity_gain", "defect_rate_change", "energy_change"})  # filed as ratios: shown in %
CHECKED_STATES = (ProjectState.COMPLETION_DECLARED, ProjectState.INSPECTION, ProjectState.RECTIFICATION)


def list_trail() -> list[Crumb]:
    return [Crumb(gettext_lazy("改造项目"), reverse("projects:list"))]


def _filters(request: HttpRequest) -> selectors.ProjectFilters:
    return selectors.ProjectFilters(**{name: request.GET.get(name, "").strip()[:100] for name in FILTERS})


@login_required
def project_list(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, "projects.project.list", message=_("您的角色没有改造项目。"), code=ProjectError.FORBIDDEN)
    filters = _filters(request)
    try:
        found = selectors.project_list(user=request.user, filters=filters)
    except InvalidInput as exc:  # a filter the selector refuses is dropped, and the page says so
        messages.error(request, exc.message)
        filters = selectors.ProjectFilters()
        found = selectors.project_list(user=request.user)
    query = request.GET.copy()
    query.pop("page", None)
    user = request.user
    return render(request, "projects/list.html", {
        "page": Paginator(found, 25).get_page(page_number(request)),
        "filters": filters,
        "query": query.urlencode(),
        "states": ProjectState.choices,
        "lands": [("independent", _("不新增用地")), ("land", _("新增用地"))],
        "industries": [(i.code, f"{i.code} {i.name}") for i in industry_list().filter(parent__isnull=True)],
        "region_options": region_options_html(user=user),
        "may_file": user.enterprise_id is not None and permitted(user, "projects.project.file", user.enterprise),
        "may_queue": permitted(user, "projects.queue.view"),
        "may_figures": permitted(user, FIGURES),
        "may_land": permitted(user, "projects.land_quota.view"),
        "may_list": permitted(user, "projects.negative_list.view"),
    })


@login_required
@require_GET
def project_export(request: AuthenticatedRequest) -> FileResponse:
    """The list's projects, every page of them, with its filters; a filter the selector refuses is a 422."""
    require(request.user, "projects.project.list", message=_("您的角色没有改造项目。"), code=ProjectError.FORBIDDEN)
    content = exports.projects_xlsx(user=request.user, filters=_filters(request))
    return xlsx_response(content, f"projects-{timezone.localdate():%Y%m%d}.xlsx")


def _move_label(name: str) -> Any:
    found = PROJECT_WORKFLOW.transitions.get(name)
    return found.label if found else _("备案")


def _moves(project: Project, user: Any) -> list[dict[str, Any]]:
    # An approval is one button: it files the project or puts it in the land queue (services.project_move).
    return [{"name": "withdraw" if t.name.startswith("withdraw_") else t.name, "label": t.label,
             "note_required": t.name in NOTE_REQUIRED}
            for t in PROJECT_WORKFLOW.available(project, user) if t.name not in ("approve_wait", "land_grant")]


@login_required
def project_page(request: AuthenticatedRequest, project_id: int) -> HttpResponse:
    project = selectors.access_project(user=request.user, project_id=project_id)
    user = request.user
    checks = (acceptance_checks(project, user=user)
              if project.state in CHECKED_STATES and permitted(user, INSPECT, project) else None)
    return render(request, "projects/project.html", {
        "p": project,
        "crumbs": crumbs(*list_trail(), current=project.title),
        "reason": decision_reason(project.decision, land_mu=project.land_mu),
        "entry": project.decision.get("negative_list_entry"),
        "equipment": list(project.equipment.all()),
        "equipment_total": equipment_total(project),
        "investment_total": investment_total(project),
        "land": land_place(project),
        "commitment": commitment_of(project.commitment_version) if project.commitment_version else None,
        "checks": checks,
        "inspection": project.inspection.get("checks") if project.inspection else None,
        "events": [(e, _move_label(e.transition), STATE_LABELS.get(e.target, e.target))
                   for e in project.events.select_related("by")],
        "moves": _moves(project, user),
        "may_change": permitted(user, "projects.project.change", project),
        "may_subsidy": permitted(user, "projects.subsidy.view", project),
        "expected": [(k, services.EXPECTED_NAMES.get(k, k), percent_text(v) if k in RATIOS else number_text(v))
                     for k, v in (project.expected or {}).items()],
    })


@login_required
@require_POST
def project_move(request: AuthenticatedRequest, project_id: int) -> HttpResponse:
    project = selectors.access_project(user=request.user, project_id=project_id)
    with errors_as_messages(request):
        project = services.project_move(by=request.user, project=project, move=request.POST.get("move", ""),
                                        note=request.POST.get("note", ""))
        messages.success(request, _("已处理，项目状态：%(state)s") % {"state": project.get_state_display()})
    return redirect("projects:detail", project_id=project_id)


@login_required
def review_queue(request: AuthenticatedRequest) -> HttpResponse:
    waiting = selectors.review_queue(user=request.user)
    return render(request, "projects/queue.html", {
        "page": Paginator(waiting, 25).get_page(page_number(request)),
        "crumbs": crumbs(*list_trail(), current=_("项目审核与验收")),
    })


@login_required
def figures(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, FIGURES, message=_("只有主管部门可以查看项目统计。"), code=ProjectError.FORBIDDEN)
    return render(request, "projects/figures.html", {
        "f": stats.figures(user=request.user),
        "crumbs": crumbs(*list_trail(), current=_("项目统计")),
    })
