"""Figures as the pages show them: the figure × year table and each value's text (core.numbers)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.utils.translation import gettext as _

from zhigai.base.selectors import reference_labels
from zhigai.core.numbers import DASH, money_scale, money_text, number_text, percent_text

from .figures import FigureRow


def value_text(kind: str, value: Any) -> str:
    if value is None:
        return DASH
    if kind == "money":
        return money_text(value)
    if kind == "per_person":
        return _("%(money)s/人") % {"money": money_text(value)}
    if kind == "ratio":
        return percent_text(value)
    return number_text(value, 1)


def unit_text(kind: str) -> str:
    return {"money": _("元"), "per_person": _("元/人"), "ratio": "%", "density": _("台/万人")}[kind]


@dataclass
class TableLine:
    code: str
    name: str
    tag: str
    tag_name: str
    unit: str
    definition: str
    kind: str
    cells: list[tuple[str, str, str]] = field(default_factory=list)  # value, real value, reference


def figure_table(rows: list[FigureRow]) -> tuple[list[int], list[TableLine]]:
    """The years and one line per figure (and tag), each cell (value, real value, reference) as text.

    A money line is in one unit, chosen for its largest figure and named in its unit cell (元, 万元, 亿元),
    so that a row reads like a column of the platform's other tables: numbers only, comparable at a glance.
    """
    years = sorted({r.year for r in rows})
    tag_names = {code: name for code, name in reference_labels()["tag_options"]}
    grouped: dict[tuple[str, str], list[FigureRow]] = {}
    for r in rows:
        grouped.setdefault((r.code, r.tag or ""), []).append(r)
    lines = []
    for (code, tag), line_rows in grouped.items():
        first = line_rows[0]
        unit = unit_text(first.kind)
        text: Callable[[Any], str] = partial(value_text, first.kind)
        if first.kind in ("money", "per_person"):
            scale = money_scale([r.value for r in line_rows if r.value is not None])
            unit = scale.unit if first.kind == "money" else _("%(money)s/人") % {"money": scale.unit}
            text = scale.text
        elif first.kind == "ratio":
            text = percent_text
        line = TableLine(code, first.name, tag, tag_names.get(tag, tag), unit, first.definition, first.kind)
        line.cells = [(DASH if r.value is None else text(r.value),
                       "" if r.real_value is None else percent_text(r.real_value),
                       "" if r.reference is None else percent_text(r.reference)) for r in line_rows]
        lines.append(line)
    return years, lines


def relative_difference(platform: Decimal | float | None, study: Decimal | float | None) -> float | None:
    """platform ÷ study − 1, or None when either is missing or the study's value is 0."""
    if platform is None or study is None or Decimal(str(study)) == 0:
        return None
    return float(Decimal(str(platform)) / Decimal(str(study)) - 1)
