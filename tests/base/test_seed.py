"""The demo province: reproducible, and its aggregates behave like the study's (SPEC §9)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Count, F, Sum

from zhigai.base.models import Enterprise, Indicator, Region
from zhigai.base.seed import generate, seed_province

N = 3000


@pytest.fixture
def province(db):
    return seed_province(enterprises=N, seed=2013)


def _productivity(year: int) -> Decimal:
    above = Indicator.objects.filter(year=year, month=0, revenue__gte=20_000_000)
    sums = above.aggregate(added=Sum("added_value"), staff=Sum("employees"))
    return sums["added"] / sums["staff"]


def _investment(year: int) -> tuple[Decimal, Decimal]:
    sums = Indicator.objects.filter(year=year, month=0).aggregate(
        tech=Sum("tech_investment"), total=Sum("industrial_investment")
    )
    return sums["tech"], sums["total"]


def test_labour_productivity_rises_by_a_third_2013_to_2016(province):
    growth = _productivity(2016) / _productivity(2013) - 1
    assert abs(growth - Decimal("0.332")) < Decimal("0.02")
    assert abs(_productivity(2016) - 206_000) < 206_000 * Decimal("0.05")


def test_tech_investment_grows_17_7_percent_and_reaches_78_percent(province):
    tech_2013, _ = _investment(2013)
    tech_2016, total_2016 = _investment(2016)
    yearly = (tech_2016 / tech_2013) ** (Decimal(1) / 3) - 1
    assert abs(yearly - Decimal("0.177")) < Decimal("0.01")
    assert abs(tech_2016 / total_2016 - Decimal("0.783")) < Decimal("0.015")


def test_the_province_is_spread_realistically(province):
    assert province["enterprises"] == N
    assert Indicator.objects.filter(year=2012).count() > 0.85 * N
    assert Indicator.objects.filter(year=2020).count() == N
    per_city = dict(
        Enterprise.objects.values_list("region__parent__pinyin").annotate(n=Count("id")).order_by()
    )
    assert set(per_city) == set(Region.objects.filter(level=2).values_list("pinyin", flat=True))
    assert per_city["ningbo"] > per_city["zhoushan"] * 5
    sizes = dict(Enterprise.objects.values_list("size_class").annotate(n=Count("id")).order_by())
    assert sizes["small"] > sizes.get("large", 0)
    above = Enterprise.objects.filter(above_designated_size=True).count()
    assert 0.15 * N < above < 0.7 * N
    stages = dict(Enterprise.objects.values_list("stage").annotate(n=Count("id")).order_by())
    assert len(stages) == 5, "by 2020 every stage is populated"
    # Indicators obey the import's own range rules.
    assert not Indicator.objects.filter(frontline_employees__gt=F("employees")).exists()


def test_same_seed_same_province_and_rerun_changes_nothing(province):
    first = generate(enterprises=200, seed=5)
    again = generate(enterprises=200, seed=5)
    other = generate(enterprises=200, seed=6)
    assert first["enterprises"] == again["enterprises"]
    assert first["enterprises"] != other["enterprises"]
    before = (Enterprise.objects.count(), Indicator.objects.count(), Indicator.objects.aggregate(s=Sum("revenue")))
    seed_province(enterprises=N, seed=2013)
    after = (Enterprise.objects.count(), Indicator.objects.count(), Indicator.objects.aggregate(s=Sum("revenue")))
    assert before == after


def test_generated_codes_are_valid_and_in_their_county(province):
    from zhigai.base.uscc import normalize_uscc

    for code, county in Enterprise.objects.values_list("uscc", "region__code")[:500]:
        assert normalize_uscc(code) == code
        assert code[2:8] == county
