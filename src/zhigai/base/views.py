from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from zhigai.core.cache import cached_figures
from zhigai.core.crumbs import crumbs
from zhigai.core.numbers import count_text
from zhigai.core.pages import errors_as_messages, page_number
from zhigai.core.policy import permitted
from zhigai.core.templatetags.zhigai import chart
from zhigai.core.text import clean_text
from zhigai.core.types import AuthenticatedRequest

from . import selectors, services
from .crumbs import enterprises_trail, imports_trail
from .display import bare_label, indicator_display_columns
from .history import history_entries
from .import_report import report_workbook, shown_errors
from .importer import SUMMARY_LABELS, import_job_create
from .models import StageRecord, StageSource, indicator_columns
from .policy import enterprise_scope
from .sections import dashboard_sections, enterprise_sections
from .stats import dashboard_figures, enterprise_charts, region_children_counts
from .templates_io import import_template_file


def list_filters(request: HttpRequest) -> tuple[selectors.EnterpriseFilters, bool]:
    """The list's filters from the query string (the page and its export read the same), and whether a
    region outside the user's jurisdiction was asked for: it is ignored, and the page says so."""
    g = request.GET
    region = g.get("region", "")
    refused = not selectors.region_filter_allowed(user=request.user, code=region)
    filters = selectors.EnterpriseFilters(
        q=clean_text(g.get("q", ""), field="q")[:100],
        region="" if refused else region,
        industry=g.get("industry", ""),
        size=g.get("size", ""),
        stage=g.get("stage", ""),
        tag=g.get("tag", ""),
        sort=g.get("sort", "name"),
    )
    return filters, refused


class KnownCountPaginator(Paginator[Any]):
    """A paginator told its count (cached by the selector) instead of counting again."""

    def __init__(self, object_list: Any, per_page: int, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


def _rows(page: Any, labels: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The page's rows as plain values with their labels looked up once, not per row in the template."""
    region, industry = labels["region_labels"], labels["industry_labels"]
    sizes, stages = labels["size_labels"], labels["stage_labels"]
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
def home(request: AuthenticatedRequest) -> HttpResponse:
    """The dashboard of what the user may see (its region or industries); an enterprise's own user, for
    whom the province's figures cut down to one firm mean nothing, gets its enterprise's home instead."""
    user = request.user
    if not permitted(user, "base.enterprise.list"):
        own = selectors.own_enterprise_page(user=user)
        if own is not None:
            return _enterprise_home(request, own)
    return render(request, "base/home.html", {"figures": dashboard_figures(user=user),
                                              "sections": dashboard_sections(request),
                                              "can_import": permitted(user, "base.import.create")})


def _enterprise_home(request: AuthenticatedRequest, page: selectors.EnterprisePage) -> HttpResponse:
    """Where the enterprise stands (stage, indicators over the years) and what each module asks of it
    next: the modules' "home" sections (base.sections)."""
    e, rows, labels = page.enterprise, page.years, selectors.reference_labels()
    latest = rows[-1] if rows else None
    return render(request, "base/enterprise_home.html", {
        "e": e,
        "stage": labels["stage_labels"].get(e.stage, e.stage),
        "size": labels["size_labels"].get(e.size_class, e.size_class),
        "place": labels["region_places"].get(e.region_id, ""),
        "industry": labels["industry_labels"].get(e.industry_id, ""),
        "latest": latest,
        "latest_figures": [(bare_label(label), getattr(latest, name), kind) for name, label, kind in indicator_columns()
                           if name in HOME_FIGURES] if latest else [],
        "charts": SafeString("".join(chart(name, spec) for name, spec in enterprise_charts(rows).items())),
        "can_report": permitted(request.user, "base.indicator.change", e),
        "stage_years": stage_rows(page.stages, labels),
        "sections": enterprise_sections(request, e, place="home"),
    })


def stage_rows(records: list[StageRecord], labels: dict[str, Any]) -> list[tuple[int, str, str, str, Any]]:
    """Each year's stage as the pages show it: (year, stage, source, reference, recorded at), labelled in the
    reader's language; the id an assessment or a project is referred to by reads "#12"."""
    sources = dict(StageSource.choices)
    by_id = (StageSource.DIAGNOSIS, StageSource.PROJECT)
    return [
        (r.year, labels["stage_labels"].get(r.stage, r.stage), str(sources.get(r.source, r.source)),
         f"#{r.reference}" if r.reference and r.source in by_id else r.reference, r.recorded_at)
        for r in records
    ]


HOME_FIGURES = ("revenue", "added_value", "employees", "robots")  # the home's headline figures of the latest year


@login_required
def enterprise_list(request: AuthenticatedRequest) -> HttpResponse:
    htmx = bool(request.htmx)  # type: ignore[attr-defined]
    scope = enterprise_scope(request.user)
    can_import = permitted(request.user, "base.import.create")
    # The list as HTML, made once per version of its data for everyone who sees the same: the same scope
    # (the selectors filter by it), the same right to register, language and query string. The scope
    # is the user's own, computed above, so a fragment only ever reaches those who may see it.
    key = ("enterprise-list", htmx, scope.key, can_import, get_language(),
           sorted(request.GET.lists()))
    body = cached_figures(key, lambda: _enterprise_list_body(request, htmx), areas=("enterprises", "reference"),
                          shared=False)
    if htmx:
        return HttpResponse(body)
    return render(request, "base/enterprise_list.html", {"body": body})


def _enterprise_list_body(request: HttpRequest, htmx: bool) -> SafeString:
    filters, region_refused = list_filters(request)
    qs = selectors.enterprise_list(user=request.user, filters=filters)
    count = selectors.enterprise_count(user=request.user, filters=filters)
    page = KnownCountPaginator(qs, 25, count=count).get_page(page_number(request))
    query = request.GET.copy()
    query.pop("page", None)
    labels = selectors.reference_labels()
    context: dict[str, Any] = {
        "page": page,
        # A count is written one way everywhere (core.numbers): 共 20,000 家企业, not 共 20000 家.
        "total": ngettext("共 %(n)s 家企业", "共 %(n)s 家企业", count) % {"n": count_text(count)},
        "rows": _rows(page.object_list, labels),
        "filters": filters,
        "query": query.urlencode(),
        "region_refused": region_refused,
        "can_import": permitted(request.user, "base.import.create"),
        "regions": selectors.region_options_html(user=request.user),
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
    template = "base/partials/enterprise_rows.html" if htmx else "base/partials/enterprise_list_body.html"
    return render_to_string(template, context)


@login_required
def enterprise_detail(request: AuthenticatedRequest, uscc: str) -> HttpResponse:
    user = request.user
    page = selectors.enterprise_page(user=user, uscc=uscc)
    enterprise, rows = page.enterprise, page.years
    labels = selectors.reference_labels()
    can_report = permitted(user, "base.indicator.change", enterprise)
    tag_ids = set(page.tag_ids)
    tag_names = [name for pk, name in labels["tag_names"].items() if pk in tag_ids]  # in code order
    return render(
        request,
        "base/enterprise_detail.html",
        {
            "e": enterprise,
            "crumbs": crumbs(*enterprises_trail(), current=enterprise.name),
            # Labels from the cached reference data: Model.get_FOO_display() rebuilds its choices per call.
            "stage": labels["stage_labels"].get(enterprise.stage, enterprise.stage),
            "size": labels["size_labels"].get(enterprise.size_class, enterprise.size_class),
            "place": labels["region_places"].get(enterprise.region_id, ""),
            "industry": labels["industry_labels"].get(enterprise.industry_id, ""),
            "cluster": labels["cluster_names"].get(enterprise.cluster_id) if enterprise.cluster_id else None,
            "tags": format_html_join(" ", '<span class="pill">{}</span>', ((n,) for n in tag_names)),
            "tags_by_default": page.tags_by_default,
            "stage_years": stage_rows(page.stages, labels),
            "rows": rows,
            "table": _indicator_table(rows, enterprise, can_report),
            "charts": SafeString("".join(chart(name, spec) for name, spec in enterprise_charts(rows).items())),
            "can_edit": bool(services.enterprise_editable_fields(user=user, enterprise=enterprise)),
            "can_report": can_report,
            "history": history_entries(page.history),
            "can_see_indicators": permitted(user, "base.indicator.view", enterprise),
            # Who changed what is for officers and the enterprise's own users, not for a grant's holder.
            "can_see_history": permitted(user, "base.enterprise.history", enterprise),
            "sections": enterprise_sections(request, enterprise),
        },
    )


def _indicator_table(rows: list[Any], enterprise: Any, can_report: bool) -> SafeString:
    """The indicator table's head and rows as HTML, made in Python: 14 columns × many years is slow as
    template tags. Each column is in one unit chosen from its figures and named in its header
    (display.indicator_display_columns). The cells are numbers (digits, separators, signs) or a dash:
    nothing to escape."""
    columns = indicator_display_columns(rows)
    ths = "".join(f'<th class="num">{escape(c.header)}</th>' for c in columns)
    head = f"<thead><tr><th>{escape(_('年份'))}</th>{ths}</tr></thead>"
    edit_url = escape(reverse("base:indicator_edit", args=[enterprise.uscc])) if can_report else ""
    body = []
    for row in rows:
        year = int(row.year)
        cells = "".join([_cell(c, getattr(row, c.name)) for c in columns])
        first = f'<a href="{edit_url}?year={year}">{year}</a>' if can_report else str(year)
        body.append(f"<tr><td>{first}</td>{cells}</tr>")
    return SafeString(f"{head}<tbody>{''.join(body)}</tbody>")


def _cell(column: Any, value: Any) -> str:
    # Money shown in 万元 or 亿元 keeps every fen in its tooltip (digits, separators and the unit's name).
    tip = f' title="{escape(column.exact(value))}"' if column.exact is not None and value is not None else ""
    return f'<td class="num"{tip}>{column.text(value)}</td>'


@login_required
def region_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    region = selectors.region_get(user=request.user, code=code)
    scope = enterprise_scope(request.user)
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
            "sections": dashboard_sections(request, region.code),
            "can_import": permitted(request.user, "base.import.create"),
        },
    )


@login_required
def import_page(request: AuthenticatedRequest) -> HttpResponse:
    if not permitted(request.user, "base.import.create"):
        raise Http404
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("请选择要导入的文件。"))
        else:
            with errors_as_messages(request):
                job = import_job_create(by=request.user, upload=upload, dry_run=bool(request.POST.get("dry_run")))
                return redirect("base:import_status", job_id=job.id)
    return render(request, "base/import.html", {"jobs": selectors.import_job_list(user=request.user)[:10]})


@login_required
def import_status(request: AuthenticatedRequest, job_id: int) -> HttpResponse:
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    template = "base/partials/import_status.html" if request.htmx else "base/import_status.html"  # type: ignore[attr-defined]
    summary = [(SUMMARY_LABELS.get(key, key), value) for key, value in job.summary.items()]
    return render(request, template, {"job": job, "summary": summary, "errors": shown_errors(job),
                                      "crumbs": crumbs(*imports_trail(), current=job.filename)})


@login_required
@require_GET
def import_report(request: AuthenticatedRequest, job_id: int) -> FileResponse:
    """The error report of an import as an Excel file, for whoever may see the import (base.import.view)."""
    job = selectors.import_job_get(user=request.user, job_id=job_id)
    name = f"zhigai-import-{job.id}-errors.xlsx"
    return FileResponse(report_workbook(job), as_attachment=True, filename=name)


@login_required
@require_GET
def import_template(request: AuthenticatedRequest, fmt: str) -> FileResponse:
    if fmt not in ("xlsx", "enterprises.csv", "indicators.csv"):
        raise Http404
    name, content = import_template_file(fmt)
    return FileResponse(content, as_attachment=True, filename=name)
