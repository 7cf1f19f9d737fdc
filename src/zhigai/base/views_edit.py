"""Pages that change base data: new enterprise, profile edit, a year's indicators.

Validation and permissions live in the services; these views only carry the form in and the errors out.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhigai.core.crumbs import crumbs
from zhigai.core.errors import InvalidInput
from zhigai.core.policy import permitted, require
from zhigai.core.types import Actor, AuthenticatedRequest

from . import selectors, services
from .columns import COLUMNS
from .crumbs import enterprise_trail, enterprises_trail
from .models import INDICATOR_FIELDS, Cluster, Enterprise, Industry, Region, RegionLevel, Stage, Tag, indicator_columns
from .policy import enterprise_scope
from .validation import clean_period

RATIO_FIELDS = {name for name, kind in INDICATOR_FIELDS if kind == "ratio"}


def _choices(user: Actor) -> dict[str, Any]:
    scope = enterprise_scope(user)
    counties = Region.objects.filter(level=RegionLevel.COUNTY).select_related("parent").order_by("code")
    if scope.region_ids is not None:
        counties = counties.filter(id__in=scope.region_ids)
    return {
        "counties": counties,
        "industries": Industry.objects.all(),
        "stages": Stage.choices,
        "tags": Tag.objects.all(),
        "clusters": Cluster.objects.select_related("region"),
    }


def _profile_data(request: HttpRequest, fields: frozenset[str]) -> dict[str, object]:
    data: dict[str, object] = {k: request.POST.get(k, "") for k in fields if k != "tags"}
    if "tags" in fields:
        data["tags"] = ";".join(request.POST.getlist("tags"))
    return data


def _field_errors(exc: InvalidInput) -> dict[str, str]:
    return {d.get("field", ""): d.get("message", "") for d in exc.details}


def _values_of(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "name": enterprise.name,
        "region": enterprise.region.code,
        "industry": enterprise.industry.code,
        "founded_year": enterprise.founded_year or "",
        "stage": enterprise.stage,
        "cluster": enterprise.cluster.code if enterprise.cluster else "",
        "tags": [t.code for t in enterprise.tags.all()],
    }


@login_required
def enterprise_new(request: AuthenticatedRequest) -> HttpResponse:
    if not permitted(request.user, "base.enterprise.create"):
        raise Http404
    values: dict[str, Any] = {"tags": []}
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _profile_data(request, services.EDITABLE_FIELDS)
        data["uscc"] = request.POST.get("uscc", "")
        try:
            created = services.enterprise_create(by=request.user, data=data)
        except InvalidInput as exc:
            errors = _field_errors(exc)
            values = {**request.POST.dict(), "tags": request.POST.getlist("tags")}
        else:
            messages.success(request, _("企业已登记。"))
            return redirect("base:enterprise_detail", uscc=created.uscc)
    return render(
        request,
        "base/enterprise_form.html",
        {
            "new": True,
            "crumbs": crumbs(*enterprises_trail(), current=_("登记企业")),
            "values": values,
            "errors": errors,
            "editable": services.EDITABLE_FIELDS,
            **_choices(request.user),
        },
        status=422 if errors else 200,
    )


@login_required
def enterprise_edit(request: AuthenticatedRequest, uscc: str) -> HttpResponse:
    enterprise = selectors.access_enterprise(user=request.user, uscc=uscc)
    editable = services.enterprise_editable_fields(user=request.user, enterprise=enterprise)
    require(request.user, "base.enterprise.change", enterprise, message=_("您不能修改该企业的信息。"))
    values, errors = _values_of(enterprise), {}
    if request.method == "POST":
        try:
            services.enterprise_update(by=request.user, enterprise=enterprise, data=_profile_data(request, editable))
        except InvalidInput as exc:
            errors = _field_errors(exc)
            values = {**values, **request.POST.dict(), "tags": request.POST.getlist("tags")}
        else:
            messages.success(request, _("企业信息已保存。"))
            return redirect("base:enterprise_detail", uscc=enterprise.uscc)
    return render(
        request,
        "base/enterprise_form.html",
        {
            "e": enterprise,
            "crumbs": crumbs(*enterprise_trail(enterprise), current=_("修改企业信息")),
            "values": values,
            "errors": errors,
            "editable": editable,
            **_choices(request.user),
        },
        status=422 if errors else 200,
    )


def _year_choices(years: list[int], founded: int | None) -> tuple[list[int], int]:
    """The years the form offers: the enterprise's own, and each year since it was founded up to this year
    (at most the last ten); the default is last year, the latest year a whole year's figures exist for."""
    this_year = dt.date.today().year
    start = max(founded or 0, this_year - 10, 1949)
    choices = sorted(set(years) | set(range(start, this_year + 1)), reverse=True)
    return choices, this_year - 1 if this_year - 1 in choices else choices[0]


def _form_value(name: str, value: Any) -> Any:
    """A stored value as the form shows it: a share as a percentage (parse_ratio reads it back)."""
    if name in RATIO_FIELDS and isinstance(value, float):
        return f"{Decimal(repr(value)) * 100:f}".rstrip("0").rstrip(".") + "%"
    return value


@login_required
def indicator_edit(request: AuthenticatedRequest, uscc: str) -> HttpResponse:
    enterprise = selectors.access_enterprise(user=request.user, uscc=uscc, action="base.indicator.change")
    columns = indicator_columns()
    rows = selectors.indicator_list(user=request.user, enterprise=enterprise)
    years = sorted({row.year for row in rows if row.month == 0})
    choices, default = _year_choices(years, enterprise.founded_year)
    raw_year = request.POST.get("year") or request.GET.get("year") or str(default)
    # The year is checked before the form is shown: a form for year "abc" or 1800 would only fail on saving.
    year, _month, year_errors = clean_period(raw_year, 0)
    if year is not None and year not in choices:
        choices = sorted({*choices, year}, reverse=True)
    existing = next((row for row in rows if row.year == year and row.month == 0), None)
    values = {name: _form_value(name, getattr(existing, name)) for name, _label, _kind in columns} if existing else {}
    errors: dict[str, str] = {}
    if request.method == "POST" and year is not None:
        data = {name: request.POST.get(name, "") for name, _label, _kind in columns}
        try:
            services.indicator_put(by=request.user, enterprise=enterprise, year=year, data=data)
        except InvalidInput as exc:
            errors, values = _field_errors(exc), data
        else:
            messages.success(request, _("%(y)s年指标已保存。") % {"y": year})
            return redirect("base:enterprise_detail", uscc=enterprise.uscc)
    fields = [
        (name, label, kind, _(COLUMNS[name].help), COLUMNS[name].unit == "%") for name, label, kind in columns
    ]
    return render(
        request,
        "base/indicator_form.html",
        {
            "e": enterprise,
            "crumbs": crumbs(*enterprise_trail(enterprise), current=_("填报指标")),
            "year": year,
            "year_error": _("年份：%(e)s") % {"e": year_errors[0][1]} if year_errors else "",
            "choices": choices,
            "selected": year or default,
            "values": values,
            "errors": errors,
            "fields": fields,
            "existing": existing,
        },
        status=422 if errors or year_errors else 200,
    )
