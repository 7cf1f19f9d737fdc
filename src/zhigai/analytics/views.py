"""Analytics pages: the figures with their definitions, their Excel export, "the study, reproduced"."""

from __future__ import annotations

from dataclasses import asdict
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhigai.base.selectors import reference_labels, region_options_html
from zhigai.core.crumbs import Crumb, crumbs
from zhigai.core.errors import InvalidInput
from zhigai.core.exports import xlsx_response
from zhigai.core.types import AuthenticatedRequest

from .charts import figure_charts
from .display import figure_table
from .exports import figures_workbook
from .figures import figure_rows
from .selectors import FigureFilters, area_name, figure_filters, sample
from .study import study_lines

FILTER_NAMES = ("region", "industry", "tag", "size", "year_from", "year_to")


def page_filters(request: AuthenticatedRequest, *, strict: bool = False) -> FigureFilters:
    """The figures' filters from the query string. A page drops each wrong field, saying why (the figures
    then cover the rest); an export (strict) refuses with the error, so a file never covers other data
    than asked."""
    raw = {name: request.GET.get(name, "") for name in FILTER_NAMES}
    try:
        return figure_filters(user=request.user, **raw)
    except InvalidInput as exc:
        if strict or not exc.details:
            raise
        for problem in exc.details:
            messages.warning(request, problem["message"])
            raw[problem["field"]] = ""
        return figure_filters(user=request.user, **raw)


@login_required
def figures(request: AuthenticatedRequest) -> HttpResponse:
    filters = page_filters(request)
    rows = figure_rows(user=request.user, filters=filters)
    years, lines = figure_table(rows)
    labels = reference_labels()
    query = urlencode({k: v for k, v in asdict(filters).items() if v not in ("", None)})
    return render(request, "analytics/figures.html", {
        "filters": filters, "years": years, "lines": lines, "charts": figure_charts(rows) if rows else {},
        "regions": region_options_html(user=request.user), "industries": labels["industry_options_html"],
        "tags": labels["tag_options"], "sizes": labels["sizes"], "sample": sample(), "export_query": query,
        "area": area_name(user=request.user, region_code=filters.region),
    })


@login_required
def figures_export(request: AuthenticatedRequest) -> FileResponse:
    filters = page_filters(request, strict=True)
    content = figures_workbook(figure_rows(user=request.user, filters=filters), sample())
    return xlsx_response(content, "figures.xlsx")


@login_required
def study(request: AuthenticatedRequest) -> HttpResponse:
    figure_filters(user=request.user)  # the permission to see figures
    lines, portion = study_lines(user=request.user)
    return render(request, "analytics/study.html", {
        "lines": lines, "sample": portion, "area": area_name(user=request.user),
        "crumbs": crumbs(Crumb(_("统计分析"), reverse("analytics:figures")), current=_("研究结论复现")),
    })
