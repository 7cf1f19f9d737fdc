"""An assessment's result from its answers and, for an expert diagnosis, the enterprise's own data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zhigai.base.selectors import indicator_list
from zhigai.core.types import Actor

from .definition import ModelDef
from .models import Assessment, Kind
from .scoring import check_fulfilment, check_value, evaluate


def annual_figures(*, user: Actor, enterprise: Any) -> list[dict[str, Any]]:
    """The enterprise's annual indicator rows, newest first, as {field: value} (year included), read
    through the base selector as the acting user (an assigned expert may read them)."""
    rows = indicator_list(user=user, enterprise=enterprise).order_by("-year").values()
    return [dict(row) for row in rows]


def checks_outcome(
    spec: ModelDef, years: list[dict[str, Any]], answers: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """For each checked requirement: the figure from the latest year that has the data, its fulfilment,
    and the answer's fulfilment beside it (None everywhere when the enterprise has no such data)."""
    out: dict[str, dict[str, Any]] = {}
    for req in spec.requirements:
        if req.check is None:
            continue
        row = next((y for y in years if all(y.get(f) is not None for f in req.check.indicators)), None)
        value = check_value(req.check, row) if row else None
        option = spec.option(answers.get(req.id, ""))
        out[req.id] = {
            "year": row["year"] if row and value is not None else None,
            "value": None if value is None else round(value, 4),
            "fulfilment": None if value is None else round(check_fulfilment(req.check, value), 4),
            "answered": option.value if option else None,
        }
    return out


def assessment_score(assessment: Assessment, spec: ModelDef, years: list[dict[str, Any]]) -> None:
    """Fill the result fields from the answers (and, for an expert diagnosis, the data checks): the
    workflow's effect when an assessment is submitted (its state is the workflow's to set)."""
    options = {o.id: o.value for o in spec.options}
    fulfilment = {rid: options[oid] for rid, oid in assessment.answers.items() if oid in options}
    if assessment.kind == Kind.EXPERT:
        assessment.checks = checks_outcome(spec, years, assessment.answers)
        for rid, outcome in assessment.checks.items():
            if outcome["fulfilment"] is not None:
                fulfilment[rid] = outcome["fulfilment"]
    result = evaluate(spec, fulfilment)
    assessment.fulfilment = fulfilment
    assessment.level, assessment.score = result.level, result.score
    assessment.dimension_scores = result.dimensions
    assessment.level_fulfilment = {str(k): v for k, v in result.level_fulfilment.items()}
    assessment.gaps = result.gaps


def missing_answers(assessment: Assessment) -> list[str]:
    return [r.id for r in assessment.model.spec.requirements if r.id not in assessment.answers]
