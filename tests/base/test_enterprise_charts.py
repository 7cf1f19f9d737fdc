"""The enterprise page's charts: one point per year, gaps where a figure is missing, labels per language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from zhigai.base.models import Indicator
from zhigai.base.stats import enterprise_charts

pytestmark = pytest.mark.django_db


def _rows(make_enterprise: Any, robots: list[int | None]) -> list[Indicator]:
    e = make_enterprise()
    rows = []
    for k, count in enumerate(robots):
        rows.append(Indicator.objects.create(
            enterprise=e, year=2018 + k, employees=100 + k, frontline_employees=60,
            revenue=Decimal("1000000.50") if k != 1 else None, added_value=Decimal("300000"), robots=count))
    return rows


def test_series_follow_the_years_with_gaps_for_missing_figures(make_enterprise: Any) -> None:
    charts = enterprise_charts(_rows(make_enterprise, [0, 1, None]))
    revenue = charts["money"]["data"][0]
    assert revenue["x"] == [2018, 2019, 2020]
    # In the axis's unit, chosen from the figures and named in its title: 1,000,000.50 元 = 100.00 万元.
    assert revenue["y"] == [100.0, None, 100.0] and charts["money"]["layout"]["yaxis"]["title"]["text"] == "万元"
    employees, _frontline, robots = charts["people"]["data"]
    assert employees["y"] == [100, 101, 102] and robots["y"] == [0, 1, None]
    productivity = charts["productivity"]
    assert productivity["data"][0]["y"] == [3000.0, 2970.3, 2941.18]  # 300,000 / 101 = 2,970.297 元
    assert productivity["layout"]["yaxis"]["title"]["text"] == "元/人"


def test_a_few_robots_get_whole_number_ticks_and_many_get_plotlys_own(make_enterprise: Any) -> None:
    assert enterprise_charts(_rows(make_enterprise, [0, 1, 1]))["people"]["layout"]["yaxis2"]["dtick"] == 1
    assert "dtick" not in enterprise_charts(_rows(make_enterprise, [10, 40, 80]))["people"]["layout"]["yaxis2"]


def test_labels_are_in_the_active_language(make_enterprise: Any) -> None:
    rows = _rows(make_enterprise, [1])
    with translation.override("zh-hans"):
        assert enterprise_charts(rows)["money"]["layout"]["title"]["text"] == "主要经济指标"
    with translation.override("en"):
        money = enterprise_charts(rows)["money"]["layout"]
    assert money["title"]["text"] != "主要经济指标" and money["title"]["text"].isascii()
    assert money["yaxis"]["title"]["text"] == "million yuan"
    with translation.override("zh-hans"):
        assert enterprise_charts(rows)["money"]["data"][0]["name"] == "主营业务收入"
