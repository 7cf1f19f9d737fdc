""""The study, reproduced": each of the default scenario's reference values beside the platform's figure
computed from the enterprise records the user may see, with the relative difference (docs/figures.md)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from zhigai.base.selectors import reference_labels
from zhigai.core.types import Actor

from .definitions import BY_CODE
from .display import relative_difference, value_text
from .figures import figure_sums, study_figure
from .models import ReferenceValue, ValueKind
from .selectors import FigureFilters, Sample, default_scenario, sample, scenario_values

TOLERANCE = 0.05  # the ±5 % of docs/figures.md


@dataclass(frozen=True)
class StudyLine:
    label: str
    years: str
    study_text: str
    note: str
    platform: Decimal | None  # the figure computed from the records (fraction for a share or growth)
    platform_text: str
    is_total: bool  # a sum whose scale depends on how much of the province the records are
    estimate: Decimal | None  # a total ÷ the sample fraction (the province estimate), else None
    estimate_text: str
    difference: float | None  # compared value ÷ study − 1
    within: bool | None


def _label(v: ReferenceValue) -> str:
    name = str(BY_CODE[v.code].name)
    if v.tag:
        tags = dict(reference_labels()["tag_options"])
        name = f"{name} · {tags.get(v.tag, v.tag)}"
    if v.kind == ValueKind.GROWTH:
        return _("%(name)s：期间增长") % {"name": name}
    if v.kind == ValueKind.YEARLY_GROWTH:
        return _("%(name)s：年均增长") % {"name": name}
    return name


def _years(v: ReferenceValue) -> str:
    return str(v.year_to) if v.year_from == v.year_to else f"{v.year_from}–{v.year_to}"


def study_value(v: ReferenceValue) -> Decimal:
    """The study's value on the platform's scale: per cent as a fraction, yuan as they are."""
    return v.value / 100 if v.unit == "%" else v.value


def study_lines(*, user: Actor) -> tuple[list[StudyLine], Sample]:
    scenario = default_scenario()
    if scenario is None:
        return [], sample()
    portion = sample()
    sums = figure_sums(user=user, filters=FigureFilters())
    lines = []
    for v in scenario_values(scenario):
        figure = BY_CODE.get(v.code)
        if figure is None:
            continue
        kind = figure.kind if v.kind == ValueKind.LEVEL else "ratio"
        platform = study_figure(sums, v.code, v.tag, v.kind, v.year_from, v.year_to)
        is_total = kind == "money"
        estimate = platform / portion.fraction if is_total and portion.is_sample and platform is not None else None
        compared = estimate if estimate is not None else platform
        difference = relative_difference(compared, study_value(v))
        lines.append(StudyLine(
            label=_label(v), years=_years(v), study_text=value_text(kind, study_value(v)), note=v.note_text,
            platform=platform, platform_text=value_text(kind, platform), is_total=is_total, estimate=estimate,
            estimate_text=value_text(kind, estimate) if estimate is not None else "",
            difference=difference, within=None if difference is None else abs(difference) <= TOLERANCE,
        ))
    return lines, portion
