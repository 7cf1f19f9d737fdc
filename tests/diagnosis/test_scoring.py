"""The level rule at its boundaries, weights, the score, dimension scores, gaps and objective checks."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhigai.diagnosis.definition import Check, ModelDef, parse_model
from zhigai.diagnosis.scoring import check_fulfilment, check_value, evaluate

T = {"zh": "文", "en": "text"}


def model(threshold: float = 0.8) -> ModelDef:
    """Three levels; dimension a has r1 (weight 3) and r1b (weight 1) at level 1; b has r2 at 2, c has r3 at 3."""

    def req(rid: str, dim: str, level: int, weight: float) -> dict[str, Any]:
        return {"id": rid, "dimension": dim, "level": level, "weight": weight, "question": T, "guidance": T}

    return parse_model({
        "schema": "zhigai.maturity-model/1", "code": "t", "version": "1", "name": T, "threshold": threshold,
        "levels": [{"number": n, "code": f"l{n}", "name": T} for n in (1, 2, 3)],
        "dimensions": [{"id": d, "name": T} for d in "abc"],
        "options": [{"id": "no", "name": T, "value": 0}, {"id": "yes", "name": T, "value": 1}],
        "requirements": [req("r1", "a", 1, 3), req("r1b", "a", 1, 1), req("r2", "b", 2, 1), req("r2b", "b", 2, 1),
                         req("r3", "c", 3, 2)],
    })


def test_nothing_fulfilled_is_level_zero_with_score_zero() -> None:
    result = evaluate(model(), {})
    assert (result.level, result.score) == (0, 0.0)
    assert result.gaps == ["r1", "r1b"]  # the heavier first


def test_exactly_at_the_threshold_reaches_the_level() -> None:
    # level 1: (3*0.8 + 1*0.8)/4 = 0.8 exactly
    result = evaluate(model(), {"r1": 0.8, "r1b": 0.8})
    assert result.level == 1
    assert result.level_fulfilment[1] == pytest.approx(0.8)


def test_just_below_the_threshold_does_not() -> None:
    result = evaluate(model(), {"r1": 0.8, "r1b": 0.79})
    assert result.level == 0
    assert result.score == 0.99  # 0.7975 / 0.8 = 0.996…, rounded down and never shown as level 1


def test_weights_count() -> None:
    # r1 weighs 3: fulfilled alone it gives 0.75 (< 0.8); r1b alone gives 0.25.
    assert evaluate(model(), {"r1": 1}).level_fulfilment[1] == 0.75
    assert evaluate(model(), {"r1b": 1}).level_fulfilment[1] == 0.25
    assert evaluate(model(threshold=0.75), {"r1": 1}).level == 1


def test_a_gap_at_a_lower_level_blocks_every_higher_level() -> None:
    result = evaluate(model(), {"r1": 0.5, "r1b": 0.5, "r2": 1, "r2b": 1, "r3": 1})
    assert result.level == 0
    assert result.level_fulfilment == {1: 0.5, 2: 1.0, 3: 1.0}
    assert result.gaps == ["r1", "r1b"]


def test_score_credits_partial_progress_on_the_next_level() -> None:
    # level 1 reached; level 2 half-way: 0.5 / 0.8 = 0.625 -> 1.62
    result = evaluate(model(), {"r1": 1, "r1b": 1, "r2": 1})
    assert (result.level, result.score) == (1, 1.62)
    assert result.gaps == ["r2b"]


def test_the_top_level_scores_its_number_and_has_no_gaps() -> None:
    result = evaluate(model(), {"r1": 1, "r1b": 1, "r2": 1, "r2b": 1, "r3": 1})
    assert (result.level, result.score, result.gaps) == (3, 3.0, [])


def test_dimension_scores_follow_the_same_rule_over_their_own_requirements() -> None:
    result = evaluate(model(), {"r1": 1, "r1b": 1, "r2": 1, "r2b": 0})
    # a: its only level (1) met, levels 2 and 3 have none of its requirements -> 3
    # b: level 1 vacuous, level 2 at 0.5 -> 1 + 0.5/0.8 = 1.62; c: levels 1, 2 vacuous, level 3 at 0 -> 2
    assert result.dimensions == {"a": 3.0, "b": 1.62, "c": 2.0}


@given(st.dictionaries(st.sampled_from(["r1", "r1b", "r2", "r2b", "r3"]), st.floats(0, 1)))
def test_score_lies_between_the_level_and_the_next(fulfilment: dict[str, float]) -> None:
    result = evaluate(model(), fulfilment)
    assert result.level <= result.score < result.level + 1 or result.score == result.level == 3
    # monotone: raising every fulfilment never lowers the score
    assert evaluate(model(), {k: 1.0 for k in fulfilment}).score >= result.score


def _check(**kw: Any) -> Check:
    base: dict[str, Any] = dict(indicator="robots", per=None, scale=1, at_least=None, at_most=None,
                                partial_from=None, unit=None)
    base.update(kw)
    return Check(**base)


def test_robot_density_check() -> None:
    c = _check(per="frontline_employees", scale=100, at_least=2, partial_from=0)
    assert check_value(c, {"robots": 3, "frontline_employees": 100}) == 3
    assert check_fulfilment(c, 3) == 1.0
    assert check_fulfilment(c, 2) == 1.0  # exactly at the bound
    assert check_fulfilment(c, 1) == 0.5
    assert check_value(c, {"robots": 3, "frontline_employees": 0}) is None  # no workers: no figure
    assert check_value(c, {"robots": None, "frontline_employees": 10}) is None


def test_at_most_check_with_partial_credit() -> None:
    c = _check(indicator="defect_rate", at_most=0.02, partial_from=0.05)
    assert check_fulfilment(c, 0.01) == 1.0
    assert check_fulfilment(c, 0.035) == pytest.approx(0.5)
    assert check_fulfilment(c, 0.06) == 0.0
    binary = _check(indicator="cloud_level", at_least=2)
    assert (check_fulfilment(binary, 1), check_fulfilment(binary, 2)) == (0.0, 1.0)
