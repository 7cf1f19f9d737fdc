"""The analytics data files, loaded through the core reference-loader registry."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from zhigai.analytics.loader import analytics_data_ensure, analytics_data_load
from zhigai.analytics.models import ReferenceValue, Scenario, Series, SeriesPoint
from zhigai.analytics.selectors import series_values
from zhigai.core.reference import reference_loaders

pytestmark = pytest.mark.django_db


def test_analytics_registers_its_loader_with_core() -> None:
    assert "analytics" in [loader.name for loader in reference_loaders()]


def test_the_files_hold_the_series_and_the_study() -> None:
    national = Series.objects.get(code="national_profit_growth")
    assert national.source == "国家统计局" and national.figure == "profit_growth"
    assert dict(national.points.values_list("year", "value"))[2016] == Decimal("8.50")
    assert series_values("ppi")[2017] == Decimal("105.20")
    assert series_values("fai_price")[2013] == Decimal("100.30")
    study = Scenario.objects.get(is_default=True)
    assert study.values.count() == 11
    share = ReferenceValue.objects.get(scenario=study, code="added_value_share", tag="hightech")
    assert (share.year_from, share.year_to, share.value, share.unit) == (2016, 2016, Decimal("42.3"), "%")
    growth = ReferenceValue.objects.get(scenario=study, code="tech_investment", kind="yearly_growth")
    assert (growth.year_from, growth.year_to, growth.value) == (2013, 2016, Decimal("17.7"))


def test_ensure_keeps_an_officers_edit_and_load_restores_the_file(province_user: Any) -> None:
    from zhigai.analytics.services import series_point_set

    ppi = Series.objects.get(code="ppi")
    series_point_set(by=province_user, series_code="ppi", year=2016, value="99.9")
    analytics_data_ensure()
    assert SeriesPoint.objects.get(series=ppi, year=2016).value == Decimal("99.90")
    analytics_data_load()
    assert SeriesPoint.objects.get(series=ppi, year=2016).value == Decimal("98.30")
    assert series_values("ppi")[2016] == Decimal("98.30")  # the cached series follows


def test_loading_twice_changes_nothing() -> None:
    before = (Series.objects.count(), SeriesPoint.objects.count(), ReferenceValue.objects.count())
    analytics_data_load()
    assert (Series.objects.count(), SeriesPoint.objects.count(), ReferenceValue.objects.count()) == before
