"""The data the figures are compared with and deflated by, on a page: reference series and price
indexes by year, which a provincial officer edits (services.series_point_set), and the default scenario's
reference values."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhigai.core.crumbs import Crumb, crumbs
from zhigai.core.pages import errors_as_messages
from zhigai.core.policy import permitted
from zhigai.core.types import AuthenticatedRequest

from .selectors import default_scenario, sample, scenario_values, series_list
from .services import series_point_set


@login_required
def data(request: AuthenticatedRequest) -> HttpResponse:
    can_change = permitted(request.user, "analytics.reference.change")
    if request.method == "POST":
        code = request.POST.get("series", "")
        with errors_as_messages(request):
            point = series_point_set(by=request.user, series_code=code, year=request.POST.get("year", ""),
                                     value=request.POST.get("value", ""))
            messages.success(request, _("已保存：%(series)s %(year)s 年 = %(value)s")
                             % {"series": point.series.name, "year": point.year, "value": point.value})
            return redirect(reverse("analytics:data") + f"#series-{point.series.code}")
        return redirect("analytics:data")
    scenario = default_scenario()
    return render(request, "analytics/data.html", {
        "series": series_list(), "can_change": can_change, "scenario": scenario,
        "values": scenario_values(scenario) if scenario else [], "sample": sample(),
        "crumbs": crumbs(Crumb(_("统计分析"), reverse("analytics:figures")), current=_("参照数据")),
    })
