"""The subsidy engine at every boundary (projects.subsidies): pure, no database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhigai.projects.subsidies import (
    Purchase,
    params_normalised,
    post_project_grant,
    robot_subsidy,
    rule_problems,
    rules_from_params,
)

D = Decimal
DEFAULTS = {"robot": {"base_rate": "0.10", "small_micro_points": "0.05", "domestic_points": "0.05",
                      "max_rate": "0.20", "per_robot_cap": "100000.00", "per_enterprise_year_cap": "5000000.00"},
            "post_project": {"rate": "0.10", "per_project_cap": "5000000.00"}}
RULES = rules_from_params("330000/2013/v1", DEFAULTS)


def one(origin: str, size: str, price: str, count: int = 1, used: str = "0") -> tuple[D, D, list[str]]:
    result = robot_subsidy(RULES, [Purchase(1, "焊接机器人", origin, count, D(price) * count)], size_class=size,
                           used=D(used))
    line = result.lines[0]
    return line.rate.value, line.amount, [c["cap"] for c in line.caps_applied]


def test_base_rate_is_exactly_ten_percent_for_a_large_enterprise_buying_imported() -> None:
    assert one("imported", "large", "200000.00") == (D("0.10"), D("20000.00"), [])
    assert one("imported", "medium", "200000.00")[:2] == (D("0.10"), D("20000.00"))


def test_five_points_for_small_or_micro_and_five_for_domestic_capped_at_twenty() -> None:
    assert one("imported", "small", "200000.00")[:2] == (D("0.15"), D("30000.00"))
    assert one("imported", "micro", "200000.00")[:2] == (D("0.15"), D("30000.00"))
    assert one("domestic", "large", "200000.00")[:2] == (D("0.15"), D("30000.00"))
    assert one("domestic", "small", "200000.00")[:2] == (D("0.20"), D("40000.00"))


def test_the_ceiling_bites_when_points_add_past_it() -> None:
    rules = rules_from_params("x", {**DEFAULTS, "robot": {**DEFAULTS["robot"], "small_micro_points": "0.08"}})
    line = robot_subsidy(rules, [Purchase(1, "t", "domestic", 1, D("100000.00"))], size_class="micro",
                         used=D(0)).lines[0]
    assert line.rate.uncapped == D("0.23") and line.rate.value == D("0.20")
    assert line.caps_applied[0]["cap"] == "max_rate" and line.amount == D("20000.00")


def test_per_robot_cap_exactly_and_a_fen_over() -> None:
    # 20 % of 500,000.00 is exactly 100,000.00: no cap applied.
    assert one("domestic", "small", "500000.00") == (D("0.20"), D("100000.00"), [])
    # 20 % of 500,000.05 is 100,000.01: the cap takes it back to 100,000.00.
    assert one("domestic", "small", "500000.05") == (D("0.20"), D("100000.00"), ["per_robot"])
    # Per robot: three robots may hold three times the cap.
    assert one("domestic", "small", "600000.00", count=3)[1:] == (D("300000.00"), ["per_robot"])


def test_rounded_once_at_the_end_of_the_line_half_up() -> None:
    # 3 robots of 10.03 at 15 %: 30.09 × 0.15 = 4.5135 → 4.51; rounding each robot's 1.5045 first gives 4.50.
    assert one("domestic", "large", "10.03", count=3)[1] == D("4.51")
    # Half a fen goes up: 0.15 × 0.03 × 1 = 0.0045 → 0.00; 0.10 × 0.05 = 0.005 → 0.01.
    assert one("imported", "large", "0.05")[1] == D("0.01")


def test_enterprise_year_cap_applied_last_in_line_order() -> None:
    purchases = [Purchase(1, "a", "domestic", 20, D("10000000.00")), Purchase(2, "b", "domestic", 20, D("2000000.00")),
                 Purchase(3, "c", "imported", 1, D("100000.00"))]
    result = robot_subsidy(RULES, purchases, size_class="small", used=D("2700000.00"))
    # Lines: 2,000,000.00 (20 × the per-robot cap), 400,000.00, 15,000.00; 2,300,000.00 left of the year's cap:
    # the first line keeps all, the second what is left (300,000.00), the third nothing.
    assert result.subtotal == D("2415000.00")
    assert [line.amount for line in result.lines] == [D("2000000.00"), D("300000.00"), D("0.00")]
    assert result.total == D("2300000.00") and result.left_after == D("0.00")
    assert result.lines[1].caps_applied[-1] == {"cap": "per_enterprise_year", "limit": D("5000000.00"),
                                                "used": D("2700000.00"), "left": D("300000.00"),
                                                "cut": D("100000.00"), "before": D("400000.00")}
    assert result.lines[2].caps_applied[-1]["cut"] == D("15000.00")
    # Exactly at the cap: nothing cut.
    exact = robot_subsidy(RULES, purchases[:1], size_class="small", used=D("3000000.00"))
    assert exact.total == D("2000000.00") and exact.lines[0].caps_applied == []  # and exactly the per-robot cap


def test_a_fen_over_the_enterprise_year_cap_is_cut() -> None:
    result = robot_subsidy(RULES, [Purchase(1, "a", "imported", 1, D("200000.10"))], size_class="large",
                           used=D("4980000.00"))
    assert result.lines[0].amount == D("20000.00") and result.lines[0].caps_applied[-1]["cut"] == D("0.01")


def test_post_project_grant_cap_and_only_after_acceptance() -> None:
    grant = post_project_grant(RULES, equipment=D("30000000.00"), software=D("20000000.00"), accepted=True)
    assert grant.amount == D("5000000.00") and grant.caps_applied == ()  # exactly the cap
    over = post_project_grant(RULES, equipment=D("30000000.00"), software=D("20000000.10"), accepted=True)
    assert over.amount == D("5000000.00") and over.caps_applied[0]["cap"] == "per_project"
    before = post_project_grant(RULES, equipment=D("1000.05"), software=D("0"), accepted=False)
    assert before.amount == D("0.00") and not before.eligible and before.exact == D("100.005")
    assert post_project_grant(RULES, equipment=D("1000.05"), software=D("0"), accepted=True).amount == D("100.01")


@pytest.mark.parametrize(("change", "code"), [
    ({"robot": {**DEFAULTS["robot"], "base_rate": "1.5"}}, "rate"),
    ({"robot": {**DEFAULTS["robot"], "base_rate": "abc"}}, "number"),
    ({"robot": {**DEFAULTS["robot"], "per_robot_cap": "100.001"}}, "yuan"),
    ({"robot": {**DEFAULTS["robot"], "max_rate": "0.05"}}, "ceiling"),
    ({"post_project": {"rate": "0.1"}}, "missing"),
    ({"post_project": {**DEFAULTS["post_project"], "bonus": "1"}}, "unknown"),
])
def test_rule_problems_name_each_bad_parameter(change: dict[str, object], code: str) -> None:
    assert code in [p["message"] for p in rule_problems({**DEFAULTS, **change})]


def test_the_defaults_have_no_problem_and_normalise_to_strings() -> None:
    assert rule_problems(DEFAULTS) == []
    assert params_normalised(DEFAULTS)["robot"]["base_rate"] == "0.1"
    assert params_normalised(DEFAULTS)["robot"]["per_robot_cap"] == "100000.00"


money = st.decimals(min_value=D("0.01"), max_value=D("9000000.00"), places=2, allow_nan=False, allow_infinity=False)
purchase = st.builds(lambda i, o, c, p: Purchase(i, "t", o, c, p * c), st.integers(1, 99),
                     st.sampled_from(["domestic", "imported"]), st.integers(1, 30), money)


@settings(max_examples=300, deadline=None)
@given(st.lists(purchase, max_size=8), st.sampled_from(["large", "medium", "small", "micro"]),
       st.decimals(min_value=D("0.00"), max_value=D("6000000.00"), places=2))
def test_every_line_and_the_total_keep_the_caps_and_sum_exactly(purchases: list[Purchase], size: str,
                                                                 used: D) -> None:
    result = robot_subsidy(RULES, purchases, size_class=size, used=used)
    assert result.total == sum((line.amount for line in result.lines), D(0)), "the total is the sum of the lines"
    assert result.total <= max(D("5000000.00") - used, D(0)), "never past the enterprise-year cap"
    for line in result.lines:
        assert line.amount == line.amount.quantize(D("0.01")) and line.amount >= 0
        assert D("0.10") <= line.rate.value <= D("0.20")
        assert line.amount <= min(line.base * line.rate.value + D("0.005"), D("100000.00") * line.purchase.count)
    # In line order: a line is cut only when every line after it gets nothing.
    cut = [i for i, line in enumerate(result.lines) if line.amount < line.before_enterprise_cap]
    if cut:
        assert all(line.amount == 0 for line in result.lines[cut[0] + 1:])
