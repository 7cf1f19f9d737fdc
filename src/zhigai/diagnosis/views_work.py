"""Tools for work: the expert's queue, and the diagnosis tables as Excel files (each with its page's
filters and scope)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhigai.base.selectors import region_filter_allowed
from zhigai.core.exports import xlsx_response
from zhigai.core.pages import page_number
from zhigai.core.policy import require
from zhigai.core.text import clean_text
from zhigai.core.types import AuthenticatedRequest

from . import exports, selectors
from .errors import DiagnosisError
from .queue import STATES, QueueFilters, assignment_queue, queue_counts


def _queue_filters(request: HttpRequest) -> QueueFilters:
    state = request.GET.get("state", "")
    return QueueFilters(q=clean_text(request.GET.get("q", ""), field="q")[:100], state=state if state in STATES else "")


def unassessed_region(request: AuthenticatedRequest) -> tuple[str, bool]:
    """The not-assessed list's region filter, and whether one outside the user's jurisdiction was asked
    for (then ignored, and the page says so)."""
    code = request.GET.get("region", "")
    allowed = region_filter_allowed(user=request.user, code=code)
    return (code if allowed else ""), not allowed


def _date() -> str:
    return f"{timezone.localdate():%Y%m%d}"


@login_required
def queue(request: AuthenticatedRequest) -> HttpResponse:
    """The enterprises assigned to the expert, as a work queue: by state, searchable, paged, oldest first."""
    filters = _queue_filters(request)
    qs = assignment_queue(user=request.user, filters=filters)
    counts = queue_counts(user=request.user, q=filters.q)
    page = Paginator(qs, 25).get_page(page_number(request))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "diagnosis/queue.html", {
        "page": page,
        "filters": filters,
        "tabs": [("", sum(counts.values()), None)] + [(k, counts[k], label) for k, label in STATES.items()],
        "states": STATES,
        "query": query.urlencode(),
    })


@login_required
@require_GET
def queue_export(request: AuthenticatedRequest) -> FileResponse:
    content = exports.queue_xlsx(user=request.user, filters=_queue_filters(request))
    return xlsx_response(content, f"diagnosis-queue-{_date()}.xlsx")


def _require_figures(request: AuthenticatedRequest) -> None:
    require(request.user, "diagnosis.figures.view", message=_("只有主管部门可以导出诊断统计。"),
            code=DiagnosisError.FORBIDDEN)


@login_required
@require_GET
def unassessed_export(request: AuthenticatedRequest) -> FileResponse:
    """The overview's not-assessed list, every page of it, in its region filter."""
    _require_figures(request)
    region, _refused = unassessed_region(request)
    return xlsx_response(exports.unassessed_xlsx(user=request.user, region_code=region),
                         f"not-assessed-{_date()}.xlsx")


@login_required
@require_GET
def cohorts_export(request: AuthenticatedRequest) -> FileResponse:
    _require_figures(request)
    model = selectors.model_get(ref=request.GET.get("model") or "ladder")
    return xlsx_response(exports.cohorts_xlsx(user=request.user, model=model),
                         f"cohorts-{model.code}-{_date()}.xlsx")
