from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhigai.core.access import scope_for
from zhigai.core.errors import ZhigaiError
from zhigai.core.templatetags.zhigai import yuan

from . import selectors, services
from .importer import SUMMARY_LABELS, import_job_create
from .models import indicator_columns
from .stats import dashboard_figures, enterprise_charts, region_children_counts
from .templates_io import import_template_file


def _filters(request: HttpRequest) -> selectors.EnterpriseFilters:
    g = request.GET
    return selectors.EnterpriseFilters(
        q=g.get("q", "")[:100],
        region=g.get("region", ""),
        industry=g.get("industry", ""),
        size=g.get("size", ""),
        stage=g.get("stage", ""),
        tag=g.get("tag", ""),
        sort=g.get("sort", "name"),
    )


class KnownCountPaginator(Paginator):
    """A paginator told its count (cached by the selector) instead of counting again."""

    def __init__(self, object_list: Any, per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # fills Paginator.count, a cached_property


def _rows(page: Any, labels: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The page's rows as plain values with their labels looked up once, not per row in the template."""
    region, industry = labels["region_labels"], labels["industry_labels"]
    sizes, stages = dict(labels["sizes"]), dict(labels["stages"])
    return [
        (
            e.uscc,
            e.name,
            region.get(e.region_id, ""),
            industry.get(e.industry_id, ""),
            sizes.get(e.size_class),
            e.above_designated_size,
            stages.get(e.stage),
        )
        for e in page
    ]


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    qs = selectors.enterprise_list(user=request.user, filters=filters)
    count = selectors.enterprise_count(user=request.user, filters=filters)
    page = KnownCountPaginator(qs, 25, count=count).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    labels = selectors.reference_labels()
    context: dict[str, Any] = {
        "page": page,
        "rows": _rows(page.object_list, labels),
        "filters": filters,
        "query": query.urlencode(),
        "regions": labels["region_options_html"],
        "industries": labels["industry_options_html"],
        "sizes": labels["sizes_html"],
        "stages": labels["stages_html"],
        "tags": labels["tag_options_html"],
        "sort_options": [
            ("name", _("名称")),
            ("uscc", _("代码")),
            ("region", _("地区")),
            ("industry", _("行业")),
            ("-size", _("规模")),
            ("-stage", _("改造阶段")),
        ],
    }
    template = "base/partials/enterprise_rows.html" if request.htmx else "base/enterprise_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def enterprise_detail(request: HttpRequest, uscc: str) -> HttpResponse:
    enterprise = selectors.enterprise_get(user=request.user, uscc=uscc)
    rows = list(selectors.indicator_list(user=request.user, enterprise=enterprise).order_by("year"))
    return render(
        request,
        "base/enterprise_detail.html",
        {
            "e": enterprise,
            "rows": rows,
            "fields": indicator_columns(),
            "table": _indicator_table(rows),
            "charts": enterprise_charts(rows),
            "can_edit": bool(services.enterprise_editable_fields(user=request.user, enterprise=enterprise)),
            "can_report": services.indicators_writable(user=request.user, enterprise=enterprise),
            "history": selectors.enterprise_history(user=request.user, enterprise=enterprise)[:50],
        },
    )


def _indicator_table(rows: list[Any]) -> list[tuple[int, SafeString]]:
    """(year, its <td> cells) per row, formatted in one pass: 14 columns × many years is slow as template tags."""
    columns = indicator_columns()
    return [
        (
            row.year,
            format_html_join(
                "",
                '<td class="num">{}</td>',
                (
                    (yuan(getattr(row, name)) if kind == "money" else _plain(getattr(row, name)),)
                    for name, _label, kind in columns
                ),
            ),
        )
        for row in rows
    ]


def _plain(value: Any) -> str:
    return "—" if value is None else str(value)


@login_required
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = selectors.region_get(user=request.user, code=code)
    scope = scope_for(request.user)
    counts = region_children_counts(user=request.user, region=region)
    children = [
        (c, counts.get(c.id, 0)) for c in region.children.all() if scope.region_ids is None or c.id in scope.region_ids
    ]
    return render(
        request,
        "base/region_detail.html",
        {
            "region": region,
            "children": children,
            "figures": dashboard_figures(user=request.user, region_code=region.code),
        },
    )


@login_required
def import_page(request: HttpRequest) -> HttpResponse:
    if not scope_for(request.user).can_write_enterprises:
        raise Http404
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要导入的文件。"))
        else:
            try:
                job = import_job_create(by=request.user, upload=upload, dry_run=bool(request.POST.get("dry_run")))
            except ZhigaiError as exc:
                messages.error(request, exc.message)
            else:
                return redirect("base:import_status", job_id=job.id)
    return render(request, "base/import.html", {"jobs": selectors.import_job_list(user=request.user)[:10]})


@login_required
def import_status(request: HttpRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    template = "base/partials/import_status.html" if request.htmx else "base/import_status.html"  # type: ignore[attr-defined]
    summary = [(SUMMARY_LABELS.get(key, key), value) for key, value in job.summary.items()]
    return render(request, template, {"job": job, "summary": summary})


@login_required
@require_GET
def import_template(request: HttpRequest, fmt: str) -> FileResponse:
    if fmt not in ("xlsx", "enterprises.csv", "indicators.csv"):
        raise Http404
    name, content = import_template_file(fmt)
    return FileResponse(content, as_attachment=True, filename=name)
