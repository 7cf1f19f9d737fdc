"""Money round-trips exactly on both databases (issue 9): the limits, the fen above 1e15, sums.

SQLite has no decimal type: a DecimalField is stored there as a double, which dropped the fen above about
1e15 yuan and turned 9999999999999999.99 into 1e16, a row every later read failed on. Money is stored as
integer fen (zhigai.base.models.MoneyField); these tests hold both databases to the same figures.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.base.test_api import assert_error, send
from tests.base.test_import import INDICATOR_COLUMNS, ind, one_error, run, write_csv
from tests.base.test_pages import field_error, figures_of, login, text
from zhigai.base.fields import MONEY_LIMIT, FieldError, parse_money
from zhigai.base.models import Enterprise, Indicator
from zhigai.base.services import indicator_put
from zhigai.core.models import AuditLog, User

LIMIT = "9000000000000000.00"  # the largest money figure: 9e15 yuan (fen 9e17 in a 64-bit integer)
# Every extreme a money field must keep to the fen: the limit, just below it, the smallest, fen above 1e15.
EXTREMES = [LIMIT, "8999999999999999.99", "0.01", "0.00", "1000000000000000.01", "1234567890123456.78",
            "999999999999999.99"]
PROFITS = [f"-{LIMIT}", "-8999999999999999.99", "-1000000000000000.01", "-0.01"]  # profit may be a loss
TOO_LARGE = ["9000000000000000.01", "9999999999999999.99", "10000000000000000"]
MONEY = ["revenue", "output_value", "added_value", "wage_bill", "industrial_investment", "tech_investment",
         "rd_spending"]


def put(client: Client, uscc: str, year: int, values: dict[str, Any]) -> Any:
    return send(client, "put", f"/api/v1/enterprises/{uscc}/indicators/{year}", values)


def stored(enterprise: Enterprise, *names: str) -> list[str]:
    row = Indicator.objects.get(enterprise=enterprise, year=2020)
    return [str(getattr(row, name)) for name in names]


def test_the_limit_is_the_one_both_databases_hold() -> None:
    assert Decimal(LIMIT) == MONEY_LIMIT
    assert parse_money(LIMIT) == Decimal(LIMIT) and parse_money(f"-{LIMIT}", negative=True) == -Decimal(LIMIT)
    for value in TOO_LARGE:
        with pytest.raises(FieldError, match="金额过大"):
            parse_money(value)
        with pytest.raises(FieldError, match="金额过大"):
            parse_money(f"-{value}", negative=True)


@pytest.mark.parametrize("value", EXTREMES)
def test_extremes_round_trip_through_the_service(province_user: User, make_enterprise: Any, value: str) -> None:
    enterprise = make_enterprise()
    data = {name: value for name in MONEY} | {"profit": value}
    indicator_put(by=province_user, enterprise=enterprise, year=2020, data=data)
    assert stored(enterprise, *MONEY, "profit") == [value] * (len(MONEY) + 1)
    values = Indicator.objects.filter(enterprise=enterprise).values_list("revenue", "profit").get()
    assert values == (Decimal(value), Decimal(value))
    audit = AuditLog.objects.get(entity="indicator", entity_id=f"{enterprise.uscc}/2020/0")
    assert audit.after["revenue"] == value  # what the audit trail records is what is stored


@pytest.mark.parametrize("value", PROFITS)
def test_negative_profit_extremes_round_trip(province_user: User, make_enterprise: Any, value: str) -> None:
    enterprise = make_enterprise()
    indicator_put(by=province_user, enterprise=enterprise, year=2020, data={"profit": value})
    assert stored(enterprise, "profit") == [value]


@pytest.mark.parametrize("value", EXTREMES + PROFITS)
def test_extremes_round_trip_through_the_api(province_user: User, api_client: Any, make_enterprise: Any,
                                             value: str) -> None:
    client, uscc = api_client(province_user), make_enterprise().uscc
    money = {} if value.startswith("-") else {name: value for name in MONEY}
    answer = put(client, uscc, 2020, {**money, "profit": value})
    assert answer.status_code == 200, answer.content
    row = client.get(f"/api/v1/enterprises/{uscc}/indicators").json()[0]
    assert row["profit"] == value and all(row[name] == value for name in money)
    assert answer.json() == row


@pytest.mark.parametrize("value", [*EXTREMES, "98765432109876.54", "543210987654321.01", *PROFITS])
def test_money_sent_as_a_json_number_keeps_its_fen(province_user: User, api_client: Any, make_enterprise: Any,
                                                   value: str) -> None:
    """Defect: a bare JSON number went through a float: 98765432109876.54 was stored as …55, 999999999999999.99
    as 1000000000000000.00, with a 200."""
    client, uscc = api_client(province_user), make_enterprise().uscc
    field = "profit" if value.startswith("-") else "revenue"
    answer = client.put(f"/api/v1/enterprises/{uscc}/indicators/2020", data=f'{{"{field}": {value}}}',
                        content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()[field] == value


@pytest.mark.parametrize("value", TOO_LARGE + [f"-{v}" for v in TOO_LARGE])
def test_the_api_refuses_money_above_the_limit_with_422(province_user: User, api_client: Any, make_enterprise: Any,
                                                        value: str) -> None:
    enterprise = make_enterprise(employees=50, revenue="5000000")
    field = "profit" if value.startswith("-") else "revenue"
    body = assert_error(put(api_client(province_user), enterprise.uscc, 2020, {field: value}), 422, field)
    assert "金额过大" in str(body["details"])
    assert Indicator.objects.get(enterprise=enterprise).revenue == Decimal("5000000")


def test_the_form_refuses_money_above_the_limit(client: Client, hangzhou_user: User, make_enterprise: Any) -> None:
    enterprise = make_enterprise()
    login(client, hangzhou_user)
    page = client.post(f"/enterprises/{enterprise.uscc}/indicators/", {"year": "2020", "revenue": TOO_LARGE[1]})
    assert page.status_code == 422 and "金额过大" in field_error(text(page), "revenue")
    assert not Indicator.objects.filter(enterprise=enterprise).exists()


@pytest.mark.parametrize("spell", ["plain", "commas"], ids=["whole-column", "cell-by-cell"])
def test_extremes_round_trip_through_an_import(hangzhou_user: User, make_enterprise: Any, tmp_path: Path,
                                               spell: str) -> None:
    def cell(value: str) -> str:
        return value if spell == "plain" else f"{Decimal(value):,}"

    firms = [make_enterprise() for _ in EXTREMES]
    rows = [ind(e.uscc, **{name: cell(v) for name in MONEY}, profit=cell(p), employees="10",
                frontline_employees="5")
            for e, v, p in zip(firms, EXTREMES, PROFITS * 2, strict=False)]
    errors, summary = run(hangzhou_user, write_csv(tmp_path / "i.csv", INDICATOR_COLUMNS, rows))
    assert (errors, summary["indicators_created"]) == ([], len(EXTREMES))
    for e, v, p in zip(firms, EXTREMES, PROFITS * 2, strict=False):
        assert stored(e, *MONEY, "profit") == [v] * len(MONEY) + [p]
    # Re-importing the same file changes nothing: the stored fen compare equal to the file's.
    assert run(hangzhou_user, write_csv(tmp_path / "i.csv", INDICATOR_COLUMNS, rows))[1]["indicators_updated"] == 0


@pytest.mark.parametrize("value", TOO_LARGE)
def test_an_import_refuses_money_above_the_limit(hangzhou_user: User, make_enterprise: Any, tmp_path: Path,
                                                 value: str) -> None:
    rows = [ind(make_enterprise().uscc, revenue=value)]
    one_error(run(hangzhou_user, write_csv(tmp_path / "i.csv", INDICATOR_COLUMNS, rows))[0], 2, "revenue", "金额过大")
    assert not Indicator.objects.exists()


def test_the_enterprise_page_shows_every_fen(client: Client, hangzhou_user: User, make_enterprise: Any) -> None:
    enterprise = make_enterprise()
    login(client, hangzhou_user)
    for year, value in (("2019", "1000000000000000.01"), ("2020", LIMIT), ("2021", "8999999999999999.99")):
        form = {"year": year, "revenue": value, "profit": f"-{value}"}
        assert client.post(f"/enterprises/{enterprise.uscc}/indicators/", form).status_code == 302
    page = client.get(f"/enterprises/{enterprise.uscc}/")
    assert page.status_code == 200
    table = re.search(r'<table data-testid="indicators">.*?</table>', text(page), re.S).group(0)  # type: ignore[union-attr]
    # The column reads in 亿元 (one unit for the column); each cell keeps every fen in its tooltip.
    assert "主营业务收入（亿元）" in table and ">10,000,000.00</td>" in table and ">90,000,000.00</td>" in table
    for shown in ("1,000,000,000,000,000.01", "9,000,000,000,000,000", "8,999,999,999,999,999.99",
                  "-1,000,000,000,000,000.01", "-8,999,999,999,999,999.99"):
        assert f'title="{shown} 元"' in table


def test_dashboard_sums_stay_exact(client: Client, hangzhou_user: User, make_enterprise: Any) -> None:
    # 25 figures at the limit: their sum in fen (2.25e19) is beyond a 64-bit integer, where SQLite's SUM
    # stops; the dashboard must still give it to the fen.
    firms = [make_enterprise() for _ in range(27)]
    values = [Decimal(LIMIT)] * 25 + [Decimal("1000000000000000.01"), Decimal("0.01")]
    Indicator.objects.bulk_create(
        Indicator(enterprise=e, year=2020, revenue=v, added_value=v, profit=-v, employees=1) for e, v in
        zip(firms, values, strict=True))
    login(client, hangzhou_user)
    year = figures_of(client, "/")["years"][0]
    total = sum(values)
    assert str(total) == "226000000000000000.02"
    assert (year["revenue"], year["added_value"], year["profit"]) == (total, total, -total)
    above = total - Decimal("0.01")  # the last one is below designated size
    assert isinstance(year["revenue"], Decimal) and year["above_added"] == above
    assert year["productivity"] == float(above / 26)


def test_a_row_stored_before_cannot_break_reads(province_user: User, api_client: Any, client: Client,
                                                make_enterprise: Any) -> None:
    """An old SQLite row holds 9999999999999999.99 as 1e16 (fen 1e18 after the migration): it reads, and a PUT
    repairs it."""
    enterprise = make_enterprise(employees=10, revenue="1")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE base_indicator SET revenue = %s, profit = %s WHERE enterprise_id = %s",
                       [10**18, -(10**18), enterprise.id])
    api = api_client(province_user)
    rows = api.get(f"/api/v1/enterprises/{enterprise.uscc}/indicators")
    assert rows.status_code == 200 and rows.json()[0]["revenue"] == "10000000000000000.00"
    assert rows.json()[0]["profit"] == "-10000000000000000.00"
    login(client, province_user)
    assert client.get(f"/enterprises/{enterprise.uscc}/").status_code == 200
    assert client.get("/").status_code == 200
    assert put(api, enterprise.uscc, 2020, {"revenue": "9999999999999999.99"}).status_code == 422
    assert put(api, enterprise.uscc, 2020, {"revenue": "12.34"}).status_code == 200
    assert stored(enterprise, "revenue", "profit") == ["12.34", "None"]
