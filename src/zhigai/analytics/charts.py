"""Plotly specs of the figures (drawn by core/static/core/app.js, as base/stats.py's charts are)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _

from zhigai.base.models import Stage
from zhigai.base.selectors import reference_labels
from zhigai.core.numbers import money_scale, plotly_axis, plotly_percent_axis

from .figures import FigureRow

LINE = {"type": "scatter", "mode": "lines+markers"}


def _series(rows: list[FigureRow], code: str, tag: str | None = None,
            field: str = "value") -> tuple[list[int], list[Any]]:
    picked = [r for r in rows if r.code == code and r.tag == tag]
    return [r.year for r in picked], [getattr(r, field) for r in picked]


def _percent(values: list[Any]) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def figure_charts(rows: list[FigureRow]) -> dict[str, Any]:
    years, productivity = _series(rows, "labor_productivity")
    per_person = money_scale(productivity)
    per_person = replace(per_person, unit=_("%(unit)s/人") % {"unit": per_person.unit})
    _y, profit_growth = _series(rows, "profit_growth")
    _y, profit_real = _series(rows, "profit_growth", field="real_value")
    _y, national = _series(rows, "profit_growth", field="reference")
    _y, tech = _series(rows, "tech_investment")
    _y, share = _series(rows, "tech_investment_share")
    money = money_scale(tech)
    tags = reference_labels()["tag_options"]
    return {
        "productivity": {
            "data": [{**LINE, "x": years, "y": [per_person.number(v) for v in productivity],
                      "name": _("全员劳动生产率")}],
            "layout": {"title": {"text": _("规模以上工业全员劳动生产率")}, "yaxis": plotly_axis(per_person)},
        },
        "profit-growth": {
            "data": [
                {"type": "bar", "x": years, "y": _percent(profit_growth), "name": _("利润增长（名义）")},
                {**LINE, "x": years, "y": _percent(profit_real), "name": _("利润增长（实际）")},
                {**LINE, "x": years, "y": _percent(national), "name": _("全国（国家统计局）"),
                 "line": {"dash": "dot"}},
            ],
            "layout": {"title": {"text": _("规模以上工业利润增长（同口径）")},
                       "yaxis": {**plotly_percent_axis(), "rangemode": "normal"}},
        },
        "tech-investment": {
            "data": [
                {"type": "bar", "x": years, "y": [money.number(v) for v in tech], "name": _("技术改造投资")},
                {**LINE, "x": years, "y": _percent(share), "yaxis": "y2", "name": _("占工业投资比重")},
            ],
            "layout": {"title": {"text": _("技术改造投资及其占工业投资比重")}, "yaxis": plotly_axis(money),
                       "yaxis2": plotly_percent_axis(overlaying="y", side="right", tickmode="auto",
                                                     showgrid=False)},
        },
        "tag-shares": {
            "data": [{**LINE, "x": years, "y": _percent(_series(rows, "added_value_share", code)[1]), "name": name}
                     for code, name in tags],
            "layout": {"title": {"text": _("增加值占规模以上工业比重")}, "yaxis": plotly_percent_axis()},
        },
    }


def stage_chart(shares: dict[int, dict[str, float]]) -> dict[str, Any]:
    """Share of enterprises by stage in each year, stacked."""
    years = list(shares)
    return {
        "data": [{"type": "bar", "x": years, "y": [shares[y].get(s.value) for y in years], "name": str(s.label)}
                 for s in Stage],
        "layout": {"title": {"text": _("各年改造阶段分布（企业占比）")}, "barmode": "stack",
                   "yaxis": {**plotly_percent_axis(), "range": [0, 1]}},
    }
