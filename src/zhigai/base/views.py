from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhigai.core.access import scope_for
from zhigai.core.errors import ZhigaiError

from . import selectors, services
from .importer import SUMMARY_LABELS, import_job_create
from .models import Industry, RegionLevel, SizeClass, Stage, Tag, indicator_columns
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


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    qs = selectors.enterprise_list(user=request.user, filters=filters)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "regions": [
            (r.code, ("\u00a0\u00a0" if r.level == RegionLevel.COUNTY else "") + r.name)
            for r in selectors.region_list()
        ],
        "industries": [(i.code, f"{i.code} {i.name}") for i in Industry.objects.all()],
        "sizes": SizeClass.choices,
        "stages": Stage.choices,
        "tags": [(t.code, t.name) for t in Tag.objects.all()],
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
            "charts": enterprise_charts(rows),
            "can_edit": bool(services.enterprise_editable_fields(user=request.user, enterprise=enterprise)),
            "can_report": services.indicators_writable(user=request.user, enterprise=enterprise),
            "history": selectors.enterprise_history(user=request.user, enterprise=enterprise)[:50],
        },
    )


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
