"""Dashboard figures of a user's region: enterprises by stage, industry and size, indicators by year."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zhigai.core.cache import cached_figures
from zhigai.core.numbers import Scale, count_scale, money_scale, plotly_axis, plotly_percent_axis
from zhigai.core.types import Actor

from .models import MONEY_INDICATORS, Indicator, Industry, MoneySum, Region, RegionLevel, SizeClass, Stage
from .policy import EVERYTHING, enterprise_scope
from .selectors import region_codes_below, scoped_enterprises
from .sizing import ABOVE_DESIGNATED_REVENUE

YEAR_SUMS = ["revenue", "added_value", "profit", "employees", "industrial_investment", "tech_investment", "robots"]


def _sum(name: str, **extra: Any) -> Sum:
    """Money summed exactly to the fen at any row count (MoneySum), counts as they are."""
    return MoneySum(name, **extra) if name in MONEY_INDICATORS else Sum(name, **extra)


def _enterprises(user: Actor, region_code: str | None, permission: str = "base.enterprise.view") -> Any:
    qs = scoped_enterprises(enterprise_scope(user, permission))
    if region_code:
        qs = qs.filter(region_id__in=region_codes_below(region_code))
    return qs


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _ratio(part: object, whole: object) -> float | None:
    """part / whole, or None when either is missing (some enterprises report only some figures)."""
    if part is None or not whole:
        return None
    return float(Decimal(str(part)) / Decimal(str(whole)))


def _compute(user: Actor, region_code: str | None) -> dict[str, Any]:
    qs = _enterprises(user, region_code)
    by_stage = dict(qs.values_list("stage").annotate(n=Count("id")).order_by())
    by_size = dict(qs.values_list("size_class").annotate(n=Count("id")).order_by())
    by_industry = list(qs.values_list("industry_id").annotate(n=Count("id")).order_by("-n")[:12])
    names = {i.id: i for i in Industry.objects.filter(id__in=[i for i, _n in by_industry])}
    # The indicator sums cover only the enterprises whose indicators the user may read: a grant may open an
    # enterprise's profile and not its figures.
    rows = Indicator.objects.filter(month=0)
    # Every enterprise's rows (no scope limit, no region) need no IN over the enterprises, which cost the
    # province dashboard's first request as much again as the sums themselves on SQLite.
    if enterprise_scope(user, "base.indicator.view") != EVERYTHING or region_code:
        rows = rows.filter(enterprise__in=_enterprises(user, region_code, "base.indicator.view"))
    years = list(
        rows.values("year")
        .annotate(
            **{f"sum_{f}": _sum(f) for f in YEAR_SUMS},
            above_added=_sum("added_value", filter=Q(revenue__gte=ABOVE_DESIGNATED_REVENUE)),
            above_employees=Sum("employees", filter=Q(revenue__gte=ABOVE_DESIGNATED_REVENUE)),
            reporting=Count("id"),
        )
        .order_by("year")
    )
    for y in years:
        for f in YEAR_SUMS:
            y[f] = y.pop(f"sum_{f}")
        y["productivity"] = _ratio(y["above_added"], y["above_employees"])
        y["tech_share"] = _ratio(y["tech_investment"], y["industrial_investment"])
        # The sums stay Decimal yuan, exact to the fen; charts() scales them to their axis's unit.
    return {
        "total": sum(by_stage.values()),
        "above": qs.filter(above_designated_size=True).count(),
        "stages": [(s.value, str(s.label), by_stage.get(s.value, 0)) for s in Stage],
        "sizes": [(s.value, str(s.label), by_size.get(s.value, 0)) for s in SizeClass],
        "industries": [(names[i].code, _short(f"{names[i].code} {names[i].name}"), n) for i, n in by_industry],
        "years": years,
    }


def dashboard_figures(*, user: Actor, region_code: str | None = None) -> dict[str, Any]:
    key = ("dash", enterprise_scope(user).key, enterprise_scope(user, "base.indicator.view").key, region_code or "",
           get_language())
    figures = cached_figures(key, lambda: _compute(user, region_code), areas=("enterprises", "indicators", "reference"))
    return {**figures, "charts": charts(figures)}


def region_children_counts(*, user: Actor, region: Region) -> dict[int, int]:
    """Enterprises the user may see under each child region of `region` (child id -> count)."""
    per_county = dict(
        scoped_enterprises(enterprise_scope(user))
        .filter(region_id__in=region_codes_below(region.code))
        .values_list("region_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    parents = dict(Region.objects.filter(id__in=per_county).values_list("id", "parent_id"))
    counts: dict[int, int] = {}
    for county, n in per_county.items():
        child = county if region.level == RegionLevel.CITY else parents.get(county)
        if child is not None:
            counts[child] = counts.get(child, 0) + n
    return counts


def _bar(x: list[Any], y: list[int], title: str, color: str = "#2563eb", horizontal: bool = False) -> dict[str, Any]:
    """Enterprises counted per category: the count axis in whole numbers (or 万), named."""
    scale = count_scale(y)
    counts = [scale.number(v) for v in y]
    trace: dict[str, Any] = (
        {"type": "bar", "x": counts, "y": x, "orientation": "h"} if horizontal else {"type": "bar", "x": x, "y": counts}
    )
    trace["marker"] = {"color": color}
    axis = plotly_axis(scale, _("企业数"))
    if max(y, default=0) <= 5:
        axis["dtick"] = 1  # a few enterprises: whole-number ticks, not 0.5, 1.5, ...
    return {"data": [trace], "layout": {"title": {"text": title}, ("xaxis" if horizontal else "yaxis"): axis}}


def _per_person(scale: Scale) -> Scale:
    return replace(scale, unit=_("%(unit)s/人") % {"unit": scale.unit})


def charts(f: dict[str, Any]) -> dict[str, Any]:
    years = [y["year"] for y in f["years"]]
    productivity = [y["productivity"] for y in f["years"]]
    per_person = _per_person(money_scale(productivity))
    investment = money_scale(v for y in f["years"] for v in (y["industrial_investment"], y["tech_investment"]))
    out = {
        "stages": _bar([s[1] for s in f["stages"]], [s[2] for s in f["stages"]], _("按改造阶段")),
        "sizes": _bar([s[1] for s in f["sizes"]], [s[2] for s in f["sizes"]], _("按规模"), "#0d9488"),
        "industries": _bar(
            [i[1] for i in reversed(f["industries"])],
            [i[2] for i in reversed(f["industries"])],
            _("主要行业（企业数）"),
            "#7c3aed",
            horizontal=True,
        ),
        "productivity": {
            "data": [
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "x": years,
                    "y": [per_person.number(v) for v in productivity],
                    "name": _("人均劳动生产率"),
                }
            ],
            "layout": {"title": {"text": _("规上企业人均劳动生产率")}, "yaxis": plotly_axis(per_person)},
        },
        "investment": {
            "data": [
                {
                    "type": "bar",
                    "x": years,
                    "y": [investment.number(y["industrial_investment"]) for y in f["years"]],
                    "name": _("工业投资"),
                },
                {
                    "type": "bar",
                    "x": years,
                    "y": [investment.number(y["tech_investment"]) for y in f["years"]],
                    "name": _("技术改造投资"),
                },
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "x": years,
                    "yaxis": "y2",
                    "y": [y["tech_share"] for y in f["years"]],
                    "name": _("技改投资占比"),
                },
            ],
            "layout": {
                "title": {"text": _("工业投资与技术改造投资")},
                "barmode": "group",
                "yaxis": plotly_axis(investment),
                # Its own round ticks (Plotly would sync them to the left axis's: 24.3%, 48.6%, ...).
                "yaxis2": plotly_percent_axis(overlaying="y", side="right", tickmode="auto", showgrid=False),
            },
        },
    }
    return out


def enterprise_charts(rows: list[Indicator]) -> dict[str, Any]:
    """Charts of one enterprise's annual indicators (rows ordered by year)."""
    label = _enterprise_chart_labels()
    years = [r.year for r in rows]
    money_names = ("revenue", "added_value", "profit", "tech_investment")
    money = money_scale(getattr(r, n) for r in rows for n in money_names)
    people = count_scale(getattr(r, n) for r in rows for n in ("employees", "frontline_employees"))

    def series(name: str, scale: Scale) -> list[float | None]:
        return [scale.number(getattr(row, name)) for row in rows]

    productivity = [r.added_value / r.employees if r.added_value is not None and r.employees else None for r in rows]
    per_person = _per_person(money_scale(productivity))
    line = {"type": "scatter", "mode": "lines+markers", "x": years}
    robots = [r.robots for r in rows]
    robots_axis = plotly_axis(count_scale(robots), label["robots_unit"], overlaying="y", side="right")
    if max((v for v in robots if v is not None), default=0) <= 5:
        robots_axis["dtick"] = 1  # a few robots: whole-number ticks, not 0.181, 0.361, ...
    return {
        "money": {
            "data": [{**line, "y": series(n, money), "name": label[n]} for n in money_names],
            "layout": {"title": {"text": label["money"]}, "yaxis": plotly_axis(money)},
        },
        "people": {
            "data": [
                {"type": "bar", "x": years, "y": series("employees", people), "name": label["employees"]},
                {"type": "bar", "x": years, "y": series("frontline_employees", people),
                 "name": label["frontline_employees"]},
                {**line, "y": robots, "name": label["robots"], "yaxis": "y2"},
            ],
            "layout": {
                "title": {"text": label["people"]},
                "barmode": "group",
                "yaxis": plotly_axis(people, label["people_unit"]),
                "yaxis2": robots_axis,
            },
        },
        "productivity": {
            "data": [{**line, "y": [per_person.number(v) for v in productivity], "name": label["productivity"]}],
            "layout": {"title": {"text": label["productivity_title"]}, "yaxis": plotly_axis(per_person)},
        },
    }


def _enterprise_chart_labels() -> dict[str, str]:
    # Translated once per language: they depend on no data.
    return cached_figures(("enterprise-chart-labels", get_language()), _chart_labels, areas=())


def _chart_labels() -> dict[str, str]:
    return {
        "revenue": _("主营业务收入"),
        "added_value": _("工业增加值"),
        "profit": _("利润总额"),
        "tech_investment": _("技术改造投资"),
        "money": _("主要经济指标"),
        "employees": _("从业人员"),
        "frontline_employees": _("一线生产人员"),
        "people_unit": _("人"),
        "robots": _("工业机器人"),
        "robots_unit": _("台"),
        "people": _("人员与机器人"),
        "productivity": _("人均劳动生产率"),
        "productivity_title": _("人均劳动生产率"),
    }
