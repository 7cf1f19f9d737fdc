"""The officers' policy pages: the negative list (its versions, publishing a new one) and the land quota
(per city: quota, used, waiting; a provincial officer sets a city's quota for a year)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from zhigai.base.policy import enterprise_scope
from zhigai.core.crumbs import crumbs
from zhigai.core.errors import InvalidInput
from zhigai.core.policy import permitted, require
from zhigai.core.text import ascii_int
from zhigai.core.types import AuthenticatedRequest

from . import selectors, stats
from .errors import ProjectError
from .land import land_quota_set
from .negative_list import entries_yaml, negative_list_publish, version_current
from .policy import NEGATIVE_LIST, QUOTA
from .views import list_trail


@login_required
def negative_list_page(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, "projects.negative_list.view", message=_("只有主管部门可以查看负面清单。"),
            code=ProjectError.FORBIDDEN)
    current = version_current()
    errors: dict[str, str] = {}
    values = {"version": "", "note": "", "entries": entries_yaml(current)}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        try:
            row = negative_list_publish(by=request.user, version=values["version"], entries=values["entries"],
                                        note=values["note"])
        except InvalidInput as exc:
            messages.error(request, exc.message)
            errors = {d.get("field", "").split(".")[0].split("[")[0]: d.get("message", "") for d in exc.details}
        else:
            messages.success(request, _("负面清单 %(v)s 已发布，此后的备案按新版本判断。") % {"v": row.version})
            return redirect("projects:negative_list")
    return render(request, "projects/negative_list.html", {
        "crumbs": crumbs(*list_trail(), current=_("负面清单")),
        "current": current, "entries": list(current.entries.all()),
        "versions": selectors.negative_list_versions()[:20],
        "may_publish": permitted(request.user, NEGATIVE_LIST),
        "values": values, "errors": errors,
    }, status=422 if errors else 200)


@login_required
def land_page(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, "projects.land_quota.view", message=_("只有地区主管部门可以查看用地指标。"),
            code=ProjectError.FORBIDDEN)
    this_year = dt.date.today().year
    year = ascii_int(request.GET.get("year", ""), low=2000, high=this_year + 1) or this_year
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            _row, moved = land_quota_set(by=request.user, city=request.POST.get("city", ""),
                                         year=request.POST.get("year", ""), mu=request.POST.get("mu", ""),
                                         note=request.POST.get("note", ""))
        except InvalidInput as exc:
            messages.error(request, exc.message)
            errors = {d.get("field", ""): d.get("message", "") for d in exc.details}
        else:
            messages.success(request, _("用地指标已保存；%(n)d 个等待的项目取得用地指标并备案。") % {"n": len(moved)})
            return redirect(f"{request.path}?year={_row.year}")
    region_ids = enterprise_scope(request.user).region_ids
    table = stats.land_table(year=year, region_ids=region_ids)
    return render(request, "projects/land.html", {
        "crumbs": crumbs(*list_trail(), current=_("用地指标")),
        "year": year, "years": list(range(this_year, 2013, -1)), "table": table,
        "totals": {"quota": sum(r.quota for r in table), "used": sum(r.used for r in table),
                   "left": sum(r.left for r in table),
                   "waiting": sum(r.waiting for r in table), "waiting_mu": sum(r.waiting_mu for r in table)},
        "may_change": permitted(request.user, QUOTA), "errors": errors, "v": request.POST,
    }, status=422 if errors else 200)
