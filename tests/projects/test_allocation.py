"""The special fund's allocation against brute force, on infeasible rules, and its explanations."""

from __future__ import annotations

from decimal import Decimal
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhigai.projects.allocation import Application, Rules, allocate, ranking_allocation, rules_kept

D = Decimal


def brute_force(apps: list[Application], rules: Rules) -> Decimal | None:
    """The greatest benefit of any subset that keeps the rules (None: no subset does)."""
    best = None
    for choice in product((0, 1), repeat=len(apps)):
        funded = {a.id for a, x in zip(apps, choice, strict=True) if x}
        if not rules_kept(apps, funded, rules):
            total = sum((a.benefit for a in apps if a.id in funded), D(0))
            best = total if best is None or total > best else best
    return best


application = st.builds(
    lambda e, c, fen, b: (e, c, D(fen) / 100, D(b)),
    st.integers(0, 3), st.integers(0, 2), st.integers(1, 500_000), st.integers(0, 1000),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.lists(application, min_size=0, max_size=9), st.integers(0, 2_000_000), st.one_of(st.none(),
       st.integers(1, 1_500_000)), st.sampled_from(["0", "0.05", "0.1", "0.3"]))
def test_the_optimum_is_what_brute_force_finds(rows: list, budget_fen: int, cap_fen: int | None, share: str) -> None:
    apps = [Application(k + 1, f"e{e}", f"c{c}", amount, benefit) for k, (e, c, amount, benefit) in enumerate(rows)]
    rules = Rules(budget=D(budget_fen) / 100, enterprise_cap=None if cap_fen is None else D(cap_fen) / 100,
                  city_min_share=D(share))
    result = allocate(apps, rules)
    best = brute_force(apps, rules)
    if best is None:
        assert result.status == "infeasible" and result.problems and result.funded == []
        return
    assert result.status == "optimal" and result.proven_optimal
    assert result.total_benefit == best
    assert rules_kept(apps, set(result.funded), rules) == []
    assert result.gap is not None and result.gap <= 1e-9
    if result.ranking_feasible:
        assert result.total_benefit >= result.ranking_total_benefit
    assert set(result.reasons) == {a.id for a in apps}


def test_a_better_combination_beats_the_ranking() -> None:
    # Benefit per yuan ranks A first; A alone leaves no room for B and C, which together give more.
    apps = [Application(1, "a", "x", D("60"), D("66")), Application(2, "b", "x", D("50"), D("50")),
            Application(3, "c", "x", D("50"), D("50"))]
    result = allocate(apps, Rules(budget=D("100")))
    assert result.funded == [2, 3] and result.total_benefit == D("100") and result.proven_optimal
    assert result.ranking_funded == [1] and result.ranking_total_benefit == D("66")
    assert result.reasons[1][0] == "budget_left"


def test_the_enterprise_cap_counts_all_its_applications() -> None:
    apps = [Application(1, "a", "x", D("40"), D("40")), Application(2, "a", "x", D("40"), D("40")),
            Application(3, "b", "x", D("40"), D("10")), Application(4, "a", "x", D("90"), D("900"))]
    result = allocate(apps, Rules(budget=D("1000"), enterprise_cap=D("50")))
    assert result.funded in ([1, 3], [2, 3])
    unfunded = 2 if result.funded == [1, 3] else 1
    assert result.reasons[unfunded] == ("cap_used", {**result.reasons[unfunded][1], "used": D("40")})
    assert result.reasons[4][0] == "over_cap"


def test_a_city_minimum_funds_a_weaker_application() -> None:
    apps = [Application(1, "a", "rich", D("80"), D("800")), Application(2, "b", "poor", D("20"), D("20")),
            Application(3, "c", "rich", D("20"), D("100"))]
    result = allocate(apps, Rules(budget=D("100"), city_min_share=D("0.2")))
    assert result.city_minimums == {"rich": D("20.00"), "poor": D("20.00")}
    assert result.funded == [1, 2] and result.proven_optimal
    assert result.reasons[2][0] == "funded_for_city"


def test_rules_that_cannot_hold_are_named() -> None:
    apps = [Application(1, "a", "x", D("60"), D("1")), Application(2, "b", "y", D("60"), D("1"))]
    over = allocate(apps, Rules(budget=D("100"), city_min_share=D("0.6")))
    assert over.status == "infeasible" and over.problems[0][0] == "minimums_over_budget"
    capped = allocate(apps, Rules(budget=D("200"), enterprise_cap=D("50"), city_min_share=D("0.1")))
    assert {code for code, _ in capped.problems} == {"city_unreachable"}
    assert capped.problems[0][1]["most"] == D(0)
    # Each city can reach its minimum (50) alone, not both: 60 + 60 > 100.
    together = allocate(apps, Rules(budget=D("100"), city_min_share=D("0.5")))
    assert together.status == "infeasible" and together.problems == [("together", {})]


def test_bad_rules_are_refused() -> None:
    with pytest.raises(ValueError):
        allocate([], Rules(budget=D("-1")))
    with pytest.raises(ValueError):
        allocate([], Rules(budget=D("1"), city_min_share=D("1.5")))
    with pytest.raises(ValueError):
        allocate([Application(1, "a", "x", D("0.001"), D(1))], Rules(budget=D("1")))
    with pytest.raises(ValueError):
        allocate([Application(1, "a", "x", D("1"), D(1))] * 2, Rules(budget=D("1")))


def test_the_ranking_keeps_the_rules() -> None:
    apps = [Application(k, f"e{k % 3}", f"c{k % 2}", D(10 + k), D(100 - k)) for k in range(1, 20)]
    rules = Rules(budget=D("120"), enterprise_cap=D("40"), city_min_share=D("0.3"))
    funded, ok = ranking_allocation(apps, rules, allocate(apps, rules).city_minimums)
    assert ok and rules_kept(apps, funded, rules) == []
