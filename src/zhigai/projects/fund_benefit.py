"""The special fund's published benefit formula (data/projects/fund_benefit.yaml, docs/fund.md): a project's
expected outcomes, each times its weight, summed, never below zero, rounded half up to two places."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PLACES = Decimal("0.01")
_FILE = Path(__file__).resolve().parent.parent / "data" / "projects" / "fund_benefit.yaml"


@cache
def benefit_formula() -> dict[str, Any]:
    data = yaml.safe_load(_FILE.read_text("utf-8"))
    return {"version": str(data["version"]), "unit": str(data["unit"]),
            "weights": {name: Decimal(str(o["weight"])) for name, o in data["outcomes"].items()}}


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None:
        return Decimal(0)
    try:
        found = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)
    return found if found.is_finite() else Decimal(0)


def formula_benefit(expected: dict[str, Any]) -> tuple[Decimal, dict[str, Any]]:
    """The benefit of a project's expected outcomes, and its working (version, each term)."""
    formula = benefit_formula()
    terms = []
    total = Decimal(0)
    for name, weight in formula["weights"].items():
        value = _number((expected or {}).get(name))
        points = value * weight
        total += points
        terms.append({"outcome": name, "value": str(value), "weight": str(weight), "points": str(points)})
    benefit = max(total, Decimal(0)).quantize(PLACES, rounding=ROUND_HALF_UP)
    return benefit, {"version": formula["version"], "unit": formula["unit"], "terms": terms, "sum": str(total)}
