"""The dashboard, region and enterprise pages write numbers through core.numbers: money in 万元 / 亿元 with
the unit in the header or axis title, counts with separators, no SI suffix (15k, 40M, 150B) on a chart."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from tests.base.test_pages import chart, login, text
from zhigai.base.models import Indicator
from zhigai.core.models import User

pytestmark = pytest.mark.django_db

CHARTS = ("stages", "sizes", "industries", "productivity", "investment")
UNITS_ZH = ("元", "万元", "亿元")


def _province(make_enterprise: Any) -> None:
    for k in range(3):
        e = make_enterprise(employees=300, revenue="300000000")
        for year in (2019, 2020):
            Indicator.objects.update_or_create(
                enterprise=e, year=year, month=0,
                defaults={"revenue": Decimal("300000000"), "added_value": Decimal("60000000.55"), "employees": 300,
                          "industrial_investment": Decimal("500000000") * (k + 1),
                          "tech_investment": Decimal("150000000.01")})


def _value_axes(spec: dict[str, Any]) -> list[dict[str, Any]]:
    layout = spec["layout"]
    return [axis for name, axis in layout.items() if re.fullmatch(r"[xy]axis\d*", name) and "tickformat" in axis]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dashboard_charts_name_their_unit_and_use_no_si_suffix(client: Client, hangzhou_user: User,
                                                               make_enterprise: Any, language: str) -> None:
    _province(make_enterprise)
    login(client, hangzhou_user)
    client.cookies["django_language"] = language
    page = text(client.get("/"))
    for name in CHARTS:
        axes = _value_axes(chart(page, name))
        assert axes, f"{name}: its value axis has a stated format"
        for axis in axes:
            # d3's "s" type writes 15k, 40M, 150B; Plotly's default exponentformat does the same.
            assert not axis["tickformat"].rstrip("~").endswith("s") and axis.get("exponentformat", "none") == "none"
    investment = chart(page, "investment")
    title = investment["layout"]["yaxis"]["title"]["text"]
    assert title == ("亿元" if language == "zh-hans" else "billion yuan")
    # Industrial investment per year: (5 + 10 + 15) × 10^8 元 = 30 亿元 = 3 billion yuan.
    assert investment["data"][0]["y"] == ([30.0, 30.0] if language == "zh-hans" else [3.0, 3.0])
    productivity = chart(page, "productivity")["layout"]["yaxis"]["title"]["text"]
    assert productivity == ("万元/人" if language == "zh-hans" else "thousand yuan per person")


def test_the_dashboard_kpi_reads_in_wan_yuan(client: Client, hangzhou_user: User, make_enterprise: Any) -> None:
    _province(make_enterprise)
    login(client, hangzhou_user)
    page = text(client.get("/"))
    assert "20 万元" in page  # 180,000,001.65 元 of added value / 900 people = 200,000 元 per person
    assert "200,000" not in page


def test_the_enterprise_table_names_each_columns_unit_in_both_languages(client: Client, hangzhou_user: User,
                                                                        make_enterprise: Any) -> None:
    e = make_enterprise(employees=120_000, revenue="38436449.00")
    Indicator.objects.filter(enterprise=e).update(defect_rate=0.0397, robots=3)
    login(client, hangzhou_user)
    table = re.search(r'<table data-testid="indicators">.*?</table>', text(client.get(f"/enterprises/{e.uscc}/")),
                      re.S).group(0)  # type: ignore[union-attr]
    assert "主营业务收入（万元）" in table and ">3,843.64</td>" in table and 'title="38,436,449 元"' in table
    assert "从业人员（万）" in table and ">12.00</td>" in table
    assert "产品不良率（%）" in table and ">4.0</td>" in table
    assert "38436449" not in table
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        table = text(client.get(f"/enterprises/{e.uscc}/"))
    assert "Main business revenue (million yuan)" in table and ">38.44</td>" in table


def test_the_enterprise_list_writes_its_count_with_separators(client: Client, hangzhou_user: User,
                                                              make_enterprise: Any) -> None:
    from tests.conftest import new_uscc
    from zhigai.base.models import Enterprise

    first = make_enterprise()
    Enterprise.objects.bulk_create(
        Enterprise(uscc=new_uscc("330102"), name=f"批量企业{k}", region=first.region, industry=first.industry)
        for k in range(1000))
    login(client, hangzhou_user)
    assert "共 1,001 家企业" in text(client.get("/enterprises/"))
    client.cookies["django_language"] = "en"
    assert "1,001 enterprises in total" in text(client.get("/enterprises/"))
