"""Plotly figure specs for the diagnosis pages (drawn by core/app.js)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhigai.core.numbers import count_scale, plotly_axis

from .models import Assessment, Kind


def radar(dimensions: list[dict[str, Any]], top: int, *, compare: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Dimension scores on a radar; `compare` (the self-assessment beside a verified diagnosis) dotted."""
    names = [_two_lines(d["name"]) for d in dimensions]

    def trace(dims: list[dict[str, Any]], label: str, dash: str) -> dict[str, Any]:
        scores = [d["score"] for d in dims]
        return {
            "type": "scatterpolar", "r": scores + scores[:1], "theta": names + names[:1], "fill": "toself",
            "name": label, "line": {"dash": dash},
        }

    data = [trace(dimensions, _("得分"), "solid")]
    if compare:
        data.append(trace(compare, _("企业自评"), "dot"))
    return {
        "data": data,
        "layout": {
            "polar": {"radialaxis": {"range": [0, top], "dtick": 1}},
            "showlegend": bool(compare),
            "legend": {"orientation": "h", "x": 0, "y": 1.08, "yanchor": "bottom"},  # above: below, it leaves the card
            "margin": {"t": 50, "b": 30, "l": 110, "r": 110},  # room for long English axis names
            "height": 380,
        },
    }


def _two_lines(name: str, longest: int = 12) -> str:
    """A long axis name of words (English) on two lines, broken at the space nearest its middle: on one line
    a radar in a half-width card cuts it at the card's edge. Chinese names are short and have no spaces."""
    if len(name) <= longest or " " not in name:
        return name
    spaces = [k for k, c in enumerate(name) if c == " "]
    cut = min(spaces, key=lambda k: abs(k - len(name) / 2))
    return name[:cut] + "<br>" + name[cut + 1:]


# Legends above the plot: below it they run into the category labels and cover them. A horizontal legend
# wraps within the plot's width, so charts with long labels take a whole row of the page (overview.html).
LEGEND_ABOVE = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1.02, "yanchor": "bottom"}
MIN_DATE_SPAN = timedelta(days=14)


def _date_axis(dates: list[date]) -> dict[str, Any]:
    """A date axis that never ticks hours: assessments a few days apart (or on one day) get a range of at
    least two weeks around them; Plotly draws at most ten ticks, so they stay a day or more apart."""
    # Tick labels come from the page's Plotly locale (app.js): 12月1日 / Dec 1 under the year.
    axis: dict[str, Any] = {"type": "date", "hoverformat": "%Y-%m-%d"}
    if dates and max(dates) - min(dates) < MIN_DATE_SPAN:
        middle = min(dates) + (max(dates) - min(dates)) / 2
        axis["range"] = [(middle - MIN_DATE_SPAN / 2).isoformat(), (middle + MIN_DATE_SPAN / 2).isoformat()]
    return axis


def progress(history: Iterable[Assessment]) -> dict[str, Any]:
    """Score over time, one line per model and kind of assessment, by the local date of submission."""
    lines: dict[tuple[str, str], dict[str, Any]] = {}
    dates: list[date] = []
    for a in sorted(history, key=lambda a: a.submitted or a.created):
        key = (a.model.name, a.kind)
        line = lines.setdefault(key, {
            "type": "scatter", "mode": "lines+markers", "x": [], "y": [],
            "name": f"{a.model.name} · {Kind(a.kind).label}",
        })
        day = timezone.localdate(a.submitted or a.created)
        dates.append(day)
        line["x"].append(day.isoformat())
        line["y"].append(a.score)
    return {
        "data": list(lines.values()),
        "layout": {
            "xaxis": _date_axis(dates),
            "yaxis": {"title": {"text": _("得分")}, "rangemode": "tozero", "hoverformat": ".2f"},
            "legend": LEGEND_ABOVE, "height": 320, "margin": {"t": 20},
        },
    }


def stacked_levels(rows: list[tuple[str, dict[int, int]]], levels: list[tuple[int, str]]) -> dict[str, Any]:
    """Counts of enterprises per level (stacked) for each group (region, industry, size): horizontal bars,
    so that long region and industry names read in full beside their bar instead of rotated under it, and
    the legend above them, in level order."""
    labels = [name for name, _counts in rows]
    totals = [sum(counts.values()) for _name, counts in rows]
    scale = count_scale(totals)
    data = [
        {"type": "bar", "orientation": "h", "name": name, "y": labels,
         "x": [scale.number(counts.get(number, 0)) for _n, counts in rows]}
        for number, name in levels
    ]
    axis = plotly_axis(scale, _("企业数"))
    if max(totals, default=0) <= 5:
        axis["dtick"] = 1
    return {
        "data": data,
        "layout": {
            "barmode": "stack", "height": max(300, 120 + 24 * len(rows)), "margin": {"t": 10},
            "legend": {**LEGEND_ABOVE, "traceorder": "normal"},
            "xaxis": axis,
            # The first group on top, as in a table.
            "yaxis": {"autorange": "reversed", "automargin": True, "dtick": 1},  # every group named
        },
    }
