"""The officer's market at a glance (market.overview) and the Excel export of its engagements."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhigai.base.selectors import industry_list, region_options_html
from zhigai.core.crumbs import crumbs
from zhigai.core.exports import xlsx_response
from zhigai.core.pages import page_number
from zhigai.core.types import AuthenticatedRequest

from . import exports
from .overview import engagement_years, overdue_engagements, overview_engagements, overview_figures, overview_filters

OVERDUE_SHOWN = 50


@login_required
@require_GET
def overview(request: AuthenticatedRequest) -> HttpResponse:
    filters = overview_filters(user=request.user, raw=request.GET)
    for reason in filters.ignored:
        messages.warning(request, reason)
    figures = overview_figures(user=request.user, filters=filters)  # 403 for a user who may not see it
    overdue = overdue_engagements(user=request.user, filters=filters)
    found = overview_engagements(user=request.user, filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "market/overview.html", {
        "f": figures,
        "filters": filters,
        "overdue": overdue[:OVERDUE_SHOWN],
        "overdue_count": len(overdue),
        "page": Paginator(found, 25).get_page(page_number(request)),
        "query": query.urlencode(),
        "years": engagement_years(user=request.user),
        "region_options": region_options_html(user=request.user),
        "industries": [(i.code, f"{i.code} {i.name}") for i in industry_list().filter(parent__isnull=True)],
        "crumbs": crumbs(current=_("服务市场概览")),
    })


@login_required
@require_GET
def engagements_export(request: AuthenticatedRequest) -> FileResponse:
    """The overview's engagements, every page of them, with its filters and scope."""
    filters = overview_filters(user=request.user, raw=request.GET)
    return xlsx_response(exports.engagements_xlsx(user=request.user, filters=filters),
                         f"engagements-{timezone.localdate():%Y%m%d}.xlsx")
