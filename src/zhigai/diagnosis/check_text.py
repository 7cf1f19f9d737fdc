"""A data check's figures as readers read them (core.numbers): a defect rate as a percentage, money in its
unit, a cloud level by its name, other ratios with the model's unit, and the year the figure is from."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from zhigai.base.models import INDICATOR_FIELDS, CloudLevel
from zhigai.core.numbers import language, money_scale, money_text, number_text, percent_text

from .definition import Check

_KINDS = dict(INDICATOR_FIELDS)


def plain_kind(check: Check) -> str | None:
    """The indicator's kind when the check compares the indicator itself (no divisor, no scale)."""
    return _KINDS.get(check.indicator) if check.per is None and check.scale == 1 else None


def check_number(check: Check, value: float, lang: str | None = None) -> str:
    """A figure of the check (its value or a threshold) with the unit it reads in: "2.0%", "25.8 万元", "3"."""
    kind = plain_kind(check)
    if kind == "ratio":
        return percent_text(value)
    if kind == "money":
        return money_text(value, lang)
    text = number_text(value)
    unit = check.unit.get(language(lang)) if check.unit is not None and kind != "cloud" else ""
    if not unit:
        return text
    return text + unit if unit.startswith("%") else f"{text} {unit}"


def check_unit(check: Check, lang: str | None = None) -> str:
    """The unit of the check's value as a spreadsheet column beside it states it: %, 元, or the model's."""
    kind = plain_kind(check)
    if kind in ("ratio", "money"):
        return "%" if kind == "ratio" else money_scale([], lang).unit  # the unit of plain yuan
    return check.unit.get(language(lang)) if check.unit is not None else ""


def check_value_text(check: Check | None, value: float | None, year: Any, lang: str | None = None) -> str:
    """The checked figure, its unit and its year: "3.0%（2020 年）", "0.8 台/百名一线工人（2020 年）",
    "1 · 基础设施上云（2020 年）"; a dash when there is no figure."""
    if value is None:
        return "—"
    if check is None:
        shown = number_text(value)
    elif plain_kind(check) == "cloud":
        level = round(value)
        shown = f"{level} · {CloudLevel(level).label}" if level in CloudLevel.values else number_text(value)
    else:
        shown = check_number(check, value, lang)
    if not year:
        return shown
    return _("%(figure)s（%(year)s 年）") % {"figure": shown, "year": year}
