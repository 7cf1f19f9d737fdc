"""The matching's data (issue 12): which technologies close which gaps (data/market/gap_technologies.yaml), the
defaults of its weights and scales (data/market/matching.yaml), and the rules in force (the latest
MatchPolicy an officer stored, or those defaults). docs/market.md, "Matching", explains the formula."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from .models import MatchPolicy

# The score's parts, in the order pages and the API show them.
PARTS = ("technology", "industry", "region", "capacity", "outcome", "cost")


def _data(name: str) -> dict[str, Any]:
    text = resources.files("zhigai.data").joinpath("market", name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = yaml.safe_load(text)
    return loaded


@cache
def gap_map() -> dict[str, Any]:
    return _data("gap_technologies.yaml")


@cache
def defaults() -> dict[str, Any]:
    return _data("matching.yaml")


@dataclass(frozen=True)
class Rules:
    """The weights and the conflict rule in force, with the parts' scales (always the file's)."""

    weights: dict[str, Decimal]
    conflict_allowed: bool
    policy: MatchPolicy | None = None  # the stored row they come from; None: the defaults
    scales: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return sum(self.weights.values(), Decimal(0))


def default_rules() -> Rules:
    d = defaults()
    cent = Decimal("0.01")
    return Rules({p: Decimal(str(d["weights"][p])).quantize(cent) for p in PARTS}, bool(d["conflict_allowed"]),
                 None, d)


def rules_current() -> Rules:
    """The latest stored rules, or the defaults while an officer has stored none."""
    row = MatchPolicy.objects.select_related("by").order_by("-at", "-id").first()
    if row is None:
        return default_rules()
    return Rules({p: getattr(row, p) for p in PARTS}, row.conflict_allowed, row, defaults())


def requirement_technologies(spec: Any, requirement: Any) -> list[str]:
    """The technology codes that close a requirement's gap (the file's order of precedence, see its head)."""
    m = gap_map()
    own = (m.get("requirements") or {}).get(spec.code, {}).get(requirement.id)
    if own is not None:
        return list(own)
    measures = m.get("measures") or {}
    found = [t for mid in requirement.measures for t in measures.get(mid, [])]
    if found:
        return list(dict.fromkeys(found))
    return list((m.get("dimensions") or {}).get(spec.code, {}).get(requirement.dimension, []))


@dataclass
class Need:
    """What the enterprise needs, as technology weights summing to 1, and where that comes from."""

    technologies: dict[str, float]
    source: str  # "diagnosis" or "profile"
    assessment: Any = None  # the diagnosis it comes from, if any


def _normalised(weights: dict[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {t: w / total for t, w in weights.items()} if total > 0 else {}


def need_from_gaps(assessment: Any) -> Need:
    """From a diagnosis: each gap weighs its requirement's weight times what is missing (1 − fulfilment),
    shared equally among the technologies that close it."""
    spec = assessment.model.spec
    weights: dict[str, float] = {}
    for rid in assessment.gaps:
        req = spec.requirement(rid)
        if req is None:
            continue
        techs = requirement_technologies(spec, req)
        missing = req.weight * (1.0 - float(assessment.fulfilment.get(rid, 0.0)))
        for t in techs:
            weights[t] = weights.get(t, 0.0) + missing / len(techs)
    return Need(_normalised(weights), "diagnosis", assessment)


def need_from_profile(stage: str, division_code: str) -> Need:
    """Without a diagnosis: the technologies of the enterprise's next stage and of its industry, equally."""
    m = gap_map()
    techs = [*(m.get("stages") or {}).get(stage, []), *(m.get("industries") or {}).get(division_code, [])]
    return Need(_normalised(dict.fromkeys(techs, 1.0)), "profile")
