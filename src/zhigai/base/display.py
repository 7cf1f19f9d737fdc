"""Indicator figures as pages and exports show them: each column in one unit chosen from its own figures
(core.numbers), named in its header."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from zhigai.core.numbers import (
    Scale,
    count_scale,
    labelled,
    language,
    money_scale,
    number_text,
    percent_text,
    yuan_exact_text,
)

from .models import indicator_columns

# The field labels name the stored unit, "主营业务收入（元）" / "Main business revenue (yuan)"; a column shown
# in another unit names that one instead.
_STORED_UNIT = re.compile(r"\s*[（(](元|yuan)[）)]\s*$")


def bare_label(label: object) -> str:
    """A field's label without the stored unit of money: 主营业务收入（元） → 主营业务收入."""
    return _STORED_UNIT.sub("", str(label))


@dataclass(frozen=True)
class Column:
    """One indicator column: its field, its header (with the unit) and how a cell reads."""

    name: str
    kind: str
    header: str
    text: Callable[[Any], str]
    scale: Scale | None  # money and counts: the unit its cells are in
    exact: Callable[[Any], str] | None = None  # money: the figure to the fen, for the cell's tooltip


def _percent_cell(value: Any) -> str:
    return percent_text(value).removesuffix("%")


def indicator_display_columns(rows: Sequence[Any], lang: str | None = None) -> list[Column]:
    """The indicator columns for these rows (objects with the indicator fields as attributes)."""
    lang = language(lang)
    out = []
    for name, label, kind in indicator_columns():
        values = [getattr(r, name) for r in rows]
        text = str(label)
        if kind in ("money", "count"):
            scale = (money_scale if kind == "money" else count_scale)(values, lang)
            exact = partial(yuan_exact_text, lang=lang) if kind == "money" and scale.exponent else None
            out.append(Column(name, kind, scale.label(bare_label(text)), scale.text, scale, exact))
        elif kind == "ratio":
            out.append(Column(name, kind, labelled(text, "%", lang), _percent_cell, None))
        else:
            out.append(Column(name, kind, text, number_text, None))
    return out
