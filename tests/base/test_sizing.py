"""Size class and "above designated size": the rule itself, and the fields derived from indicators."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from zhigai.base.models import Enterprise, Indicator
from zhigai.base.services import enterprise_refresh_derived, indicator_put
from zhigai.base.sizing import above_designated_size, size_class

D = Decimal

# (employees, revenue, expected class): each bound of each class, on and just below it.
BOUNDARIES = [
    (1000, D("400000000"), "large"),
    (999, D("400000000"), "medium"),
    (1000, D("399999999.99"), "medium"),
    (300, D("20000000"), "medium"),
    (299, D("20000000"), "small"),
    (300, D("19999999.99"), "small"),
    (20, D("3000000"), "small"),
    (19, D("3000000"), "micro"),
    (20, D("2999999.99"), "micro"),
    (0, D("0"), "micro"),
]

# Meeting only one bound of a class: the enterprise falls to the next class down (or further).
ONE_BOUND_ONLY = [
    (5000, D("20000000"), "medium"),  # large by staff, medium by revenue
    (300, D("9000000000"), "medium"),  # large by revenue, medium by staff
    (1000, D("3000000"), "small"),
    (20, D("400000000"), "small"),
    (5000, D("100"), "micro"),  # huge staff, almost no revenue
    (5, D("900000000"), "micro"),  # huge revenue, almost no staff
]


@pytest.mark.parametrize(("employees", "revenue", "expected"), BOUNDARIES + ONE_BOUND_ONLY)
def test_size_class_at_bounds(employees: int, revenue: Decimal, expected: str) -> None:
    assert size_class(employees, revenue) == expected


@pytest.mark.parametrize(("employees", "revenue"), [
    (None, None), (None, D("900000000")), (5000, None),
])
def test_missing_figures_mean_micro(employees: int | None, revenue: Decimal | None) -> None:
    assert size_class(employees, revenue) == "micro"


@pytest.mark.parametrize(("revenue", "expected"), [
    (D("20000000"), True), (D("20000000.00"), True), (D("19999999.99"), False),
    (D("900000000"), True), (D("0"), False), (D("-5"), False), (None, False),
])
def test_above_designated_size_from_20_million_yuan(revenue: Decimal | None, expected: bool) -> None:
    assert above_designated_size(revenue) is expected


# Through the database: enterprise_refresh_derived computes the same rule in SQL.


def annual(enterprise: Enterprise, year: int, employees: int | None, revenue: Decimal | str | None,
           month: int = 0) -> None:
    Indicator.objects.update_or_create(enterprise=enterprise, year=year, month=month, defaults={
        "employees": employees, "revenue": None if revenue is None else D(revenue)})


def derived(enterprise: Enterprise) -> tuple[str, bool]:
    enterprise.refresh_from_db()
    return enterprise.size_class, enterprise.above_designated_size


@pytest.mark.parametrize(("employees", "revenue", "expected"), BOUNDARIES + ONE_BOUND_ONLY)
def test_refresh_in_sql_agrees_with_the_rule(make_enterprise: Callable[..., Enterprise], employees: int,
                                             revenue: Decimal, expected: str) -> None:
    enterprise = make_enterprise()
    annual(enterprise, 2020, employees, revenue)
    enterprise_refresh_derived(ids=[enterprise.id])
    assert derived(enterprise) == (expected, revenue >= D("20000000"))


@pytest.mark.parametrize(("employees", "revenue"), [(None, None), (None, "900000000"), (5000, None)])
def test_refresh_with_missing_figures(make_enterprise: Callable[..., Enterprise], employees: int | None,
                                      revenue: str | None) -> None:
    enterprise = make_enterprise(employees=2000, revenue="900000000", year=2019)
    assert derived(enterprise) == ("large", True)
    annual(enterprise, 2020, employees, revenue)
    enterprise_refresh_derived(ids=[enterprise.id])
    assert derived(enterprise) == ("micro", revenue is not None)


def test_latest_annual_record_decides(make_enterprise: Callable[..., Enterprise]) -> None:
    enterprise = make_enterprise()
    annual(enterprise, 2020, 25, "5000000")
    annual(enterprise, 2018, 2000, "900000000")  # older, larger: ignored
    annual(enterprise, 2021, 2000, "900000000", month=3)  # monthly, newer: ignored
    enterprise_refresh_derived(ids=[enterprise.id])
    assert derived(enterprise) == ("small", False)
    annual(enterprise, 2021, 400, "30000000")
    enterprise_refresh_derived(ids=[enterprise.id])
    assert derived(enterprise) == ("medium", True)


def test_enterprise_without_annual_record_is_micro(make_enterprise: Callable[..., Enterprise]) -> None:
    enterprise = make_enterprise(size_class="large", above_designated_size=True)
    annual(enterprise, 2020, 2000, "900000000", month=12)
    enterprise_refresh_derived(ids=[enterprise.id])
    assert derived(enterprise) == ("micro", False)


def test_refresh_touches_only_the_given_ids(make_enterprise: Callable[..., Enterprise]) -> None:
    first, second = make_enterprise(), make_enterprise()
    for enterprise in (first, second):
        annual(enterprise, 2020, 2000, "900000000")
    enterprise_refresh_derived(ids=[first.id])
    assert derived(first) == ("large", True)
    assert derived(second) == ("micro", False)
    enterprise_refresh_derived()  # all
    assert derived(second) == ("large", True)


def test_refresh_many_ids_in_chunks(make_enterprise: Callable[..., Enterprise]) -> None:
    enterprise = make_enterprise()
    annual(enterprise, 2020, 300, "20000000")
    enterprise_refresh_derived(ids=[*range(10_000_000, 10_006_000), enterprise.id])
    assert derived(enterprise) == ("medium", True)


def test_indicator_put_derives_size(make_enterprise: Callable[..., Enterprise], hangzhou_user: Any) -> None:
    enterprise = make_enterprise()
    indicator_put(by=hangzhou_user, enterprise=enterprise, year=2020,
                  data={"employees": 1000, "revenue": "400000000"})
    assert derived(enterprise) == ("large", True)
    indicator_put(by=hangzhou_user, enterprise=enterprise, year=2019,
                  data={"employees": 10, "revenue": "100"})  # older year: no effect
    assert derived(enterprise) == ("large", True)
    indicator_put(by=hangzhou_user, enterprise=enterprise, year=2020, month=6,
                  data={"employees": 10, "revenue": "100"})  # a month: no effect
    assert derived(enterprise) == ("large", True)
    indicator_put(by=hangzhou_user, enterprise=enterprise, year=2020,
                  data={"employees": 999, "revenue": "19999999.99"})
    assert derived(enterprise) == ("small", False)
    indicator_put(by=hangzhou_user, enterprise=enterprise, year=2021, data={"employees": 5000})
    assert derived(enterprise) == ("micro", False)
