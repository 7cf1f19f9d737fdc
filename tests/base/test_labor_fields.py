"""The indicators issue 11's figures need (docs/figures.md): unfilled positions (the employment gap), frontline
positions replaced and the frontline wage (labor cost saved) — in the form, the page, the history, the API and
the import, with the same rules as every count and sum of money."""

from __future__ import annotations

import html
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from zhigai.base.models import Enterprise, Indicator
from zhigai.core.models import User

Make = Callable[..., Enterprise]
LABOR = {"unfilled_positions": "6", "positions_replaced": "4", "frontline_wage": "62000.50"}


def test_the_form_offers_them_with_their_help_and_saves_them(client: Client, hangzhou_user: User,
                                                             make_enterprise: Make) -> None:
    e = make_enterprise()
    client.force_login(hangzhou_user)
    form = client.get(f"/enterprises/{e.uscc}/indicators/?year=2020").content.decode()
    for name in LABOR:
        assert f'name="{name}"' in form
    assert "用工缺口（人）" in form and "年末招不到人的空缺岗位数" in form
    assert "一线生产人员全年平均每人工资" in form
    assert client.post(f"/enterprises/{e.uscc}/indicators/", {"year": "2020", **LABOR}).status_code == 302
    row = Indicator.objects.get(enterprise=e, year=2020)
    assert (row.unfilled_positions, row.positions_replaced, row.frontline_wage) == (6, 4, Decimal("62000.50"))
    page = html.unescape(client.get(f"/enterprises/{e.uscc}/").content.decode())
    table = page.split('data-testid="indicators"')[1].split("</table>")[0]
    assert "用工缺口" in table and "机器换人减少一线岗位" in table and "一线人员年平均工资" in table
    assert "62,000.50" in table or "6.2" in table  # in 元 or 万元, as the column's unit says
    changes = page.split('data-testid="history"')[1]
    assert "<li><b>用工缺口（人）</b> 6</li>" in changes
    assert "<li><b>一线人员年平均工资</b> 62,000.50 元</li>" in changes


@pytest.mark.parametrize(("name", "value", "fragment"), [
    ("unfilled_positions", "-1", "不能为负数"),
    ("positions_replaced", "2.5", "不是整数"),
    ("positions_replaced", "-3", "不能为负数"),
    ("frontline_wage", "-100", "金额不能为负数"),
    ("frontline_wage", "1.234", "两位小数"),
])
def test_they_are_counts_and_money_at_least_zero(client: Client, hangzhou_user: User, make_enterprise: Make,
                                                 api_client: Any, name: str, value: str, fragment: str) -> None:
    e = make_enterprise()
    client.force_login(hangzhou_user)
    response = client.post(f"/enterprises/{e.uscc}/indicators/", {"year": "2020", **LABOR, name: value})
    assert response.status_code == 422 and fragment in response.content.decode()
    api = api_client(hangzhou_user).put(f"/api/v1/enterprises/{e.uscc}/indicators/2020",
                                        data=f'{{"{name}": "{value}"}}', content_type="application/json")
    assert api.status_code == 422 and name in [d["field"] for d in api.json()["details"]]
    assert not Indicator.objects.filter(enterprise=e).exists()


def test_the_api_reads_and_writes_them(api_client: Any, hangzhou_user: User, make_enterprise: Make) -> None:
    e = make_enterprise()
    token = api_client(hangzhou_user)
    put = token.put(f"/api/v1/enterprises/{e.uscc}/indicators/2021",
                    data='{"unfilled_positions": 3, "positions_replaced": 0, "frontline_wage": "58000"}',
                    content_type="application/json")
    assert put.status_code == 200, put.content
    row = token.get(f"/api/v1/enterprises/{e.uscc}/indicators").json()[0]
    assert (row["unfilled_positions"], row["positions_replaced"], Decimal(row["frontline_wage"])) == (
        3, 0, Decimal("58000"))
