"""Plotly figure specs for the diagnosis pages (drawn by core/app.js)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from .models import Assessment, Kind


def radar(dimensions: list[dict[str, Any]], top: int, *, compare: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Dimension scores on a radar; `compare` (the self-assessment beside a verified diagnosis) dotted."""
    names = [d["name"] for d in dimensions]

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
            "margin": {"t": 30, "b": 30, "l": 60, "r": 60},
            "height": 380,
        },
    }


def progress(history: Iterable[Assessment]) -> dict[str, Any]:
    """Score over time, one line per model and kind of assessment."""
    lines: dict[tuple[str, str], dict[str, Any]] = {}
    for a in sorted(history, key=lambda a: a.submitted or a.created):
        key = (a.model.name, a.kind)
        line = lines.setdefault(key, {
            "type": "scatter", "mode": "lines+markers", "x": [], "y": [],
            "name": f"{a.model.name} · {Kind(a.kind).label}",
        })
        line["x"].append(a.submitted.date().isoformat() if a.submitted else "")
        line["y"].append(a.score)
    return {
        "data": list(lines.values()),
        "layout": {"yaxis": {"title": _("得分"), "rangemode": "tozero"}, "height": 300, "margin": {"t": 20}},
    }


def stacked_levels(rows: list[tuple[str, dict[int, int]]], levels: list[tuple[int, str]]) -> dict[str, Any]:
    """Counts of enterprises per level (stacked) for each group (region, industry, size)."""
    labels = [name for name, _counts in rows]
    data = [
        {"type": "bar", "name": name, "x": labels, "y": [counts.get(number, 0) for _n, counts in rows]}
        for number, name in levels
    ]
    return {"data": data, "layout": {"barmode": "stack", "height": 340, "margin": {"t": 20}}}
