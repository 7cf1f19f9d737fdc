"""Each figure of docs/figures.md on hand-built enterprises, worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from zhigai.analytics.figures import FigureRow, data_years, figure_rows, year_figure_rows
from zhigai.analytics.selectors import FigureFilters, figure_filters
from zhigai.core.errors import InvalidInput
from zhigai.core.models import Role

pytestmark = pytest.mark.django_db
PPI_2016 = Decimal("98.3")


@pytest.fixture
def world(make_enterprise: Any, year_row: Any, tag: Any) -> dict[str, Any]:
    # E1: Hangzhou, general machinery (industry default: equipment), above the line both years.
    e1 = make_enterprise(county="330102", industry="34")
    year_row(e1, 2015, revenue=30, added_value=10, employees=100, profit=2, tech_investment=2,
             industrial_investment=3)
    year_row(e1, 2016, revenue=40, added_value=12, employees=100, profit=3, tech_investment=3,
             industrial_investment=4, unfilled_positions=5, positions_replaced=10, frontline_wage=60000,
             robots=10, frontline_employees=50)
    # E2: Hangzhou, textiles (industry default: traditional) but tagged high-tech itself; crosses the line
    # in 2016.
    e2 = make_enterprise(county="330102", industry="17")
    tag(e2, "hightech")
    year_row(e2, 2015, revenue=10, added_value=2, employees=50, profit=1)
    year_row(e2, 2016, revenue=25, added_value=5, employees=50, profit="1.5", unfilled_positions=0,
             positions_replaced=2, frontline_wage=50000)
    # E3: Ningbo, electronics (equipment, high-tech, strategic), only 2016, a medium enterprise.
    e3 = make_enterprise(county="330203", industry="39")
    year_row(e3, 2016, revenue=50, added_value=20, employees=400, profit=4, tech_investment=5,
             industrial_investment=5, robots=5)
    return {"e1": e1, "e2": e2, "e3": e3}


def _value(rows: list[FigureRow], code: str, year: int, tag: str | None = None, field: str = "value") -> Any:
    found = [r for r in rows if r.code == code and r.year == year and r.tag == tag]
    assert len(found) == 1, (code, year, tag)
    return getattr(found[0], field)


def _rows(user: Any, **filters: Any) -> list[FigureRow]:
    return figure_rows(user=user, filters=figure_filters(user=user, **filters))


def test_levels_over_enterprises_above_designated_size_in_the_year(world: Any, province_user: Any) -> None:
    rows = _rows(province_user)
    # 2016: all three above the line (E2 crossed it): (12 + 5 + 20) million ÷ 550 people.
    assert _value(rows, "labor_productivity", 2016) == (Decimal(37_000_000) / 550).quantize(Decimal("0.01"))
    assert _value(rows, "labor_productivity", 2015) == Decimal("100000.00")  # E1 alone (E2 below the line)
    assert _value(rows, "profit", 2016) == Decimal("8500000.00")
    assert _value(rows, "profit", 2015) == Decimal("2000000.00")
    assert _value(rows, "labor_cost_saved", 2016) == Decimal("700000.00")  # 10 × 60,000 + 2 × 50,000
    assert _value(rows, "employment_gap_share", 2016) == 0.5  # E1 of E1, E2 (E3 did not report)
    assert _value(rows, "tech_investment", 2016) == Decimal("8000000.00")
    assert _value(rows, "tech_investment_share", 2016) == pytest.approx(8 / 9)
    assert _value(rows, "robot_density", 2016) == pytest.approx(2000)  # E3 reports no frontline: left out


def test_growth_on_the_same_enterprises_and_real_growth(world: Any, province_user: Any) -> None:
    rows = _rows(province_user)
    # Profit: the enterprises above the line in 2016 with a 2015 row (E1, E2): 4.5 ÷ 3 − 1.
    assert _value(rows, "profit_growth", 2016) == pytest.approx(0.5)
    assert _value(rows, "profit_growth", 2016, field="real_value") == pytest.approx(1.5 / float(PPI_2016 / 100) - 1)
    assert _value(rows, "profit_growth", 2016, field="reference") == pytest.approx(0.085)  # national, data
    assert _value(rows, "profit_growth", 2015) is None  # no 2014 rows: nothing to compare with
    assert _value(rows, "labor_productivity_growth", 2016) == pytest.approx((37_000_000 / 550) / 100_000 - 1)
    assert _value(rows, "tech_investment_growth", 2016) == pytest.approx(8 / 2 - 1)
    assert _value(rows, "tech_investment_growth", 2016, field="real_value") == \
        pytest.approx(4 / 0.994 - 1)  # fixed-asset investment price index 2016: 99.4


def test_tags_an_enterprises_own_before_its_industrys(world: Any, province_user: Any) -> None:
    rows = _rows(province_user)
    assert _value(rows, "added_value_share", 2016, "equipment") == pytest.approx(32 / 37)  # E1, E3
    assert _value(rows, "added_value_share", 2016, "hightech") == pytest.approx(25 / 37)  # E2 (own), E3
    assert _value(rows, "added_value_share", 2016, "traditional") == 0  # E2's own tag replaces textiles'
    assert _value(rows, "added_value_growth", 2016, "equipment") == pytest.approx(0.2)  # E1: 12 ÷ 10
    assert _value(rows, "added_value_growth", 2016, "hightech") == pytest.approx(1.5)  # E2: 5 ÷ 2
    assert _value(rows, "added_value_growth", 2016, "strategic") is None  # E3 has no 2015 row
    tagged = _rows(province_user, tag="hightech")
    assert _value(tagged, "profit", 2016) == Decimal("5500000.00")


def test_one_years_figures_are_the_full_computations_for_that_year(world: Any, province_user: Any,
                                                                   year_row: Any) -> None:
    # The dashboard sums only the chosen year and the one before it: every value, growth, real growth and
    # tag figure of 2016 must come out as computing every year gives them. 2014 and 2017 are there so
    # that a sum reaching outside the two years, or a growth of 2017 read from 2016, would show.
    year_row(world["e1"], 2014, revenue=30, added_value=8, employees=100, profit=1, tech_investment=1)
    year_row(world["e1"], 2017, revenue=40, added_value=13, employees=90, profit=4, tech_investment=2)
    filters = figure_filters(user=province_user)
    full = figure_rows(user=province_user, filters=filters)
    assert data_years(user=province_user, filters=filters) == [2014, 2015, 2016, 2017]
    for year in (2015, 2016, 2017):
        assert year_figure_rows(user=province_user, filters=filters, year=year) == [r for r in full if r.year == year]
    one = year_figure_rows(user=province_user, filters=filters, year=2016)
    # Each kind of growth has a value (so the comparison above is not between two Nones): levels of 2015,
    # the same enterprises' 2015 rows, and a tag's.
    for code, tag in (("labor_productivity_growth", None), ("tech_investment_growth", None),
                      ("profit_growth", None), ("added_value_growth", "equipment")):
        assert _value(one, code, 2016, tag) is not None, code
    region = figure_filters(user=province_user, region="330200")  # E3 alone, only 2016: nothing to grow from
    assert data_years(user=province_user, filters=region) == [2016]
    assert _value(year_figure_rows(user=province_user, filters=region, year=2016), "profit_growth", 2016) is None


def test_a_missing_year_is_null_never_zero(world: Any, province_user: Any) -> None:
    rows = _rows(province_user, year_from=2014, year_to=2016)
    assert {r.year for r in rows} == {2014, 2015, 2016}
    assert all(r.value is None for r in rows if r.year == 2014)
    assert _value(rows, "labor_cost_saved", 2015) is None  # nobody reported replaced positions


def test_filters_size_industry_region(world: Any, province_user: Any) -> None:
    medium = _rows(province_user, size="medium")
    assert _value(medium, "profit", 2016) == Decimal("4000000.00")  # E3 alone
    assert _value(_rows(province_user, industry="34"), "profit", 2016) == Decimal("3000000.00")
    assert _value(_rows(province_user, region="330100"), "profit", 2016) == Decimal("4500000.00")


def test_a_city_officer_sees_its_region_only(world: Any, make_user: Any) -> None:
    hangzhou = make_user(Role.CITY, region="330100")
    rows = _rows(hangzhou)
    assert _value(rows, "profit", 2016) == Decimal("4500000.00")  # E1 + E2, not Ningbo's E3
    with pytest.raises(InvalidInput) as refused:
        figure_filters(user=hangzhou, region="330200")
    assert refused.value.details[0]["field"] == "region"


def test_bad_filters_name_each_field(province_user: Any) -> None:
    with pytest.raises(InvalidInput) as bad:
        figure_filters(user=province_user, region="999999", industry="99", tag="nope", size="huge",
                       year_from="2017", year_to="2016")
    assert [d["field"] for d in bad.value.details] == ["region", "industry", "tag", "size", "year_from"]
    assert figure_filters(user=province_user) == FigureFilters()
