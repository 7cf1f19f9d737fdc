"""The level rule, the score, dimension scores, gaps and objective checks — pure functions over a ModelDef.

Level rule (every built-in model): a level is reached when the weighted mean fulfilment of its requirements
is at least the model's threshold and every lower level is reached; level 0 when level 1 is not reached.

Score: N + F(N+1) / threshold, where N is the level reached and F(N+1) the weighted mean fulfilment of the
next level. F(N+1) is below the threshold (else N+1 would be reached), so the score stays below N+1 and
counts partial progress towards it; at the top level the score is the top level's number. Rounded down to
two decimals, so a score never shows a level that was not reached.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from .definition import Check, ModelDef, Requirement


@dataclass(frozen=True)
class Evaluation:
    level: int
    score: float
    level_fulfilment: dict[int, float]  # level number -> weighted mean fulfilment
    dimensions: dict[str, float]  # dimension id -> score on the same scale
    gaps: list[str]  # unmet requirements of the next level, heaviest first


def weighted_mean(requirements: list[Requirement], fulfilment: Mapping[str, float]) -> float:
    total = sum(r.weight for r in requirements)
    return sum(r.weight * fulfilment.get(r.id, 0.0) for r in requirements) / total if total else 1.0


def _level_and_score(
    requirements: list[Requirement], fulfilment: Mapping[str, float], levels: list[int], threshold: float
) -> tuple[int, float, dict[int, float]]:
    """The rule over a set of requirements; a level without requirements in the set counts as reached."""
    by_level = {n: weighted_mean([r for r in requirements if r.level == n], fulfilment) for n in levels}
    reached = 0
    for n in levels:
        # A tiny tolerance so that answers exactly at the threshold (0.8 from 0.5 and 1.0 answers) count.
        if by_level[n] + 1e-9 < threshold:
            break
        reached = n
    if reached == levels[-1]:
        return reached, float(reached), by_level
    partial = math.floor(by_level[reached + 1] / threshold * 100 + 1e-6) / 100
    # Capped: a fulfilment a hair below the threshold must not show as the next level.
    return reached, round(reached + min(partial, 0.99), 2), by_level


def evaluate(model: ModelDef, fulfilment: Mapping[str, float]) -> Evaluation:
    """Level, score, per-dimension scores and gaps for a fulfilment per requirement id (0..1; missing = 0)."""
    levels = [lv.number for lv in model.levels]
    reqs = list(model.requirements)
    level, score, by_level = _level_and_score(reqs, fulfilment, levels, model.threshold)
    dimensions = {
        d.id: _level_and_score([r for r in reqs if r.dimension == d.id], fulfilment, levels, model.threshold)[1]
        for d in model.dimensions
    }
    gaps = []
    if level < levels[-1]:
        nxt = [r for r in reqs if r.level == level + 1 and fulfilment.get(r.id, 0.0) < 1.0]
        nxt.sort(key=lambda r: (-r.weight, fulfilment.get(r.id, 0.0), r.id))
        gaps = [r.id for r in nxt]
    return Evaluation(level, score, {n: round(v, 4) for n, v in by_level.items()}, dimensions, gaps)


def check_value(check: Check, figures: Mapping[str, float | None]) -> float | None:
    """The checked figure (indicator / per × scale), or None when the data needed are missing."""
    value = figures.get(check.indicator)
    if value is None:
        return None
    if check.per is None:
        return float(value) * check.scale
    per = figures.get(check.per)
    if not per:
        return None
    return float(value) / float(per) * check.scale


def check_fulfilment(check: Check, value: float) -> float:
    """1 when the bound is met, rising linearly from partial_from to the bound, otherwise 0."""
    if check.at_least is not None:
        bound, start, better = check.at_least, check.partial_from, value >= check.at_least
        if better:
            return 1.0
        if start is not None and value > start:
            return (value - start) / (bound - start)
        return 0.0
    assert check.at_most is not None
    bound, start = check.at_most, check.partial_from
    if value <= bound:
        return 1.0
    if start is not None and value < start:
        return (start - value) / (start - bound)
    return 0.0
