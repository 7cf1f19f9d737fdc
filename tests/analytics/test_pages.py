"""The analytics pages: the figures with their definitions, their export, the study, the data page, the
dashboard's section."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.xlsx import sheet_rows, signed_in
from zhigai.analytics.models import SeriesPoint
from zhigai.analytics.services import sample_fraction_set
from zhigai.base.models import StageRecord
from zhigai.core.models import AuditLog, Role

from .test_figures import world  # noqa: F401  (the hand-built enterprises)

pytestmark = pytest.mark.django_db


def test_figures_page_states_each_definition(world: Any, province_user: Any) -> None:  # noqa: F811
    page = signed_in(province_user).get("/analytics/?year_from=2015&year_to=2016")
    text = page.content.decode()
    assert page.status_code == 200
    assert "规模以上工业企业工业增加值合计 ÷ 年平均从业人员合计" in text
    assert 'data-code="added_value_share:equipment"' in text
    # Profit in one unit for its row, the one its size calls for, named in the row's unit cell.
    profit = text.split('data-code="profit"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="unit">万元</td>' in profit and ">850.00<" in profit


def test_a_bad_filter_on_the_page_is_dropped_with_a_message(world: Any, make_user: Any) -> None:  # noqa: F811
    page = signed_in(make_user(Role.CITY, region="330100")).get("/analytics/?region=330200", follow=True)
    assert page.status_code == 200
    assert "所选地区不在您的辖区内" in page.content.decode()


def test_export_opens_with_the_right_numbers(world: Any, make_user: Any) -> None:  # noqa: F811
    hangzhou = make_user(Role.CITY, region="330100")
    rows = sheet_rows(signed_in(hangzhou).get("/analytics/figures.xlsx?year_from=2016&year_to=2016"))
    header, body = rows[0], rows[1:]
    assert header[0] == "指标代码"
    by = {(r[0], r[2], r[3]): r for r in body}
    assert by["profit", None, 2016][4] == 4_500_000  # Hangzhou's E1 + E2: the same scope as the page
    assert by["profit_growth", None, 2016][4] == pytest.approx(0.5)
    assert by["added_value_share", "装备制造业", 2016][4] == pytest.approx(12 / 17)
    assert signed_in(hangzhou).get("/analytics/figures.xlsx?region=330200").status_code == 422


def test_study_page_compares_and_estimates_the_province_from_a_sample(world: Any,  # noqa: F811
                                                                      province_user: Any) -> None:
    sample_fraction_set(fraction="0.25", label="演示数据：全省约四分之一的企业")
    page = signed_in(province_user).get("/analytics/study/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "研究结论复现" in text and "样本合计" in text and "全省估算" in text
    # Tech investment 2016: 8 million in the sample, 32 million estimated for the province.
    assert "3,200 万元" in text
    assert AuditLog.objects.filter(entity="sample_fraction").exists()


def test_sample_fraction_is_checked() -> None:
    from zhigai.core.errors import InvalidInput

    for bad in ("0", "1.5", "-1", "abc"):
        with pytest.raises(InvalidInput):
            sample_fraction_set(fraction=bad, label="x")


def test_province_officer_edits_a_price_index(province_user: Any, hangzhou_user: Any) -> None:
    client = signed_in(province_user)
    assert "工业生产者出厂价格指数" in client.get("/analytics/data/").content.decode()
    client.post("/analytics/data/", {"series": "ppi", "year": "2016", "value": "99.1"})
    assert SeriesPoint.objects.get(series__code="ppi", year=2016).value == Decimal("99.10")
    signed_in(hangzhou_user).post("/analytics/data/", {"series": "ppi", "year": "2016", "value": "50"})
    assert SeriesPoint.objects.get(series__code="ppi", year=2016).value == Decimal("99.10")  # refused
    client.post("/analytics/data/", {"series": "ppi", "year": "2016", "value": "5000"})  # out of range
    assert SeriesPoint.objects.get(series__code="ppi", year=2016).value == Decimal("99.10")


def test_dashboard_shows_the_chosen_year_and_stages_by_year(world: Any, province_user: Any) -> None:  # noqa: F811
    e1, e2 = world["e1"], world["e2"]
    StageRecord.objects.create(enterprise=e1, year=2015, stage="mechanization", source="demo")
    StageRecord.objects.create(enterprise=e1, year=2016, stage="automation", source="demo")
    StageRecord.objects.create(enterprise=e1, year=2016, stage="digitization", source="edit")  # the latest
    StageRecord.objects.create(enterprise=e2, year=2015, stage="automation", source="demo")  # carried to 2016
    client = signed_in(province_user)
    page = client.get("/?year=2015").content.decode()
    assert 'value="2015" selected' in page and "2015 规模以上工业利润总额" in page
    assert "stages-by-year" in page
    region = client.get("/regions/330100/?year=2016").content.decode()
    assert "2016 规模以上工业利润总额" in region and "增长 50.0%" in region
    assert "sample-total" not in page  # the whole province: its totals are not a sample's


def test_dashboard_totals_of_a_sample_say_so(world: Any, province_user: Any) -> None:  # noqa: F811
    from zhigai.analytics.services import sample_fraction_set

    sample_fraction_set(fraction="0.2", label="zhigai seed")
    page = signed_in(province_user).get("/?year=2016").content.decode()
    # Profit, tech investment and labor cost saved are sums: the sample's; ratios and per-head figures not.
    assert page.count('data-testid="sample-total"') == 3


def test_stages_by_year_carry_forward(world: Any, province_user: Any) -> None:  # noqa: F811
    from zhigai.analytics.selectors import stages_by_year

    e1, e2 = world["e1"], world["e2"]
    StageRecord.objects.create(enterprise=e1, year=2015, stage="mechanization", source="demo")
    StageRecord.objects.create(enterprise=e1, year=2016, stage="automation", source="demo")
    StageRecord.objects.create(enterprise=e1, year=2016, stage="digitization", source="edit")
    StageRecord.objects.create(enterprise=e2, year=2015, stage="automation", source="demo")
    counts = stages_by_year(user=province_user)
    assert counts[2015]["mechanization"] == 1 and counts[2015]["automation"] == 1
    assert counts[2016]["digitization"] == 1 and counts[2016]["automation"] == 1  # E2 carried forward
    assert counts[2016]["mechanization"] == 0


def test_stages_by_year_with_gaps_ties_and_records_beyond_the_rows(make_enterprise: Any, year_row: Any,
                                                                   province_user: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from zhigai.analytics.selectors import stages_by_year

    now = timezone.now()
    # Rows in 2013, 2015 and 2016 (none in 2014); a record before the first row, one in the gap, two in
    # 2016 of which the one recorded later was created first, and one after the last row.
    gap = make_enterprise()
    for year in (2013, 2015, 2016):
        year_row(gap, year, revenue=30)
    StageRecord.objects.create(enterprise=gap, year=2012, stage="mechanization", source="demo")
    StageRecord.objects.create(enterprise=gap, year=2014, stage="automation", source="demo")
    StageRecord.objects.create(enterprise=gap, year=2016, stage="intelligentization", source="edit", recorded_at=now)
    StageRecord.objects.create(enterprise=gap, year=2016, stage="digitization", source="demo",
                               recorded_at=now - timedelta(days=1))
    StageRecord.objects.create(enterprise=gap, year=2018, stage="networking", source="demo")
    # Rows 2013–2016 without a gap, its only record in 2015: not counted before it.
    late = make_enterprise()
    for year in (2013, 2014, 2015, 2016):
        year_row(late, year, revenue=30)
    StageRecord.objects.create(enterprise=late, year=2015, stage="digitization", source="demo")
    counts = stages_by_year(user=province_user)
    assert sorted(counts) == [2013, 2015, 2016]  # 2014: the one enterprise with a known stage has no row
    assert {y: {s: n for s, n in by.items() if n} for y, by in counts.items()} == {
        2013: {"mechanization": 1},
        2015: {"automation": 1, "digitization": 1},
        2016: {"intelligentization": 1, "digitization": 1},
    }


def test_series_edits_are_checked_and_audited(province_user: Any, hangzhou_user: Any) -> None:
    from zhigai.analytics.errors import AnalyticsError
    from zhigai.analytics.services import series_point_set
    from zhigai.core.errors import InvalidInput, PermissionDenied

    with pytest.raises(InvalidInput) as unknown:
        series_point_set(by=province_user, series_code="nope", year=2016, value="1")
    assert unknown.value.code == AnalyticsError.SERIES_UNKNOWN
    with pytest.raises(PermissionDenied):
        series_point_set(by=hangzhou_user, series_code="ppi", year=2016, value="99")
    with pytest.raises(InvalidInput) as bad:
        series_point_set(by=province_user, series_code="ppi", year="20x6", value="x")
    assert {d["field"] for d in bad.value.details} == {"year", "value"}  # each field named
    point = series_point_set(by=province_user, series_code="ppi", year=2021, value="101.5")
    assert point.value == Decimal("101.50")
    assert AuditLog.objects.filter(entity="series_point", entity_id="ppi:2021", action="create").exists()
