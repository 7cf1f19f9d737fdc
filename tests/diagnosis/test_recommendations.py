"""Recommended measures come from the model data, and other modules can hang suggestions on each gap."""

from __future__ import annotations

from typing import Any

import pytest

from zhigai.diagnosis import results
from zhigai.diagnosis.results import Gap, assessment_result, gap_suggester_register
from zhigai.diagnosis.services import assessment_record


@pytest.fixture
def submitted(make_enterprise: Any, make_user: Any) -> Any:
    enterprise = make_enterprise()
    user = make_user("enterprise", enterprise=enterprise)
    # Level 1 fully in place, nothing above: the gaps are level 2's requirements.
    from zhigai.diagnosis.selectors import model_get

    spec = model_get(ref="ladder").spec
    answers = {r.id: ("full" if r.level == 1 else "none") for r in spec.requirements}
    return assessment_record(by=user, enterprise=enterprise, model_ref="ladder", answers=answers, submit=True)


def test_each_gap_carries_its_measures_with_technologies_and_investment(submitted: Any) -> None:
    result = assessment_result(submitted)
    assert submitted.level == 1
    assert [g.requirement.level for g in result.gaps] == [2] * len(result.gaps)
    weights = [g.requirement.weight for g in result.gaps]
    assert weights == sorted(weights, reverse=True)
    for gap in result.gaps:
        assert gap.measures, gap.requirement.id
        for m in gap.measures:
            assert m.technologies and 0 < m.investment_min <= m.investment_max


def test_other_modules_can_add_suggestions_to_gaps(submitted: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "_SUGGESTERS", [])

    def providers(assessment: Any, gap: Gap) -> list[str]:
        return [f"provider for {tag}" for m in gap.measures for tag in m.tags[:1]]

    gap_suggester_register(providers)
    gap_suggester_register(providers)  # registering twice adds it once
    result = assessment_result(submitted)
    first = result.gaps[0]
    assert first.suggestions == [f"provider for {m.tags[0]}" for m in first.measures if m.tags]
