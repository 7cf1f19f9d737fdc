"""Tools for work on the base pages: the enterprise list's Excel export (its filters, its scope, text
kept as text), region filters limited to the user's jurisdiction, and an enterprise user's own home."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.xlsx import sheet_rows, signed_in, workbook
from zhigai.base.models import Enterprise, Indicator
from zhigai.core.exports import Column, xlsx_table
from zhigai.core.models import Role, User

pytestmark = pytest.mark.django_db
Make = Callable[..., Any]


@pytest.fixture
def firms(make_enterprise: Make) -> dict[str, Enterprise]:
    return {
        "杭州机械": make_enterprise("330102", "34", "杭州机械", stage="automation"),
        "杭州电子": make_enterprise("330109", "39", "杭州电子"),
        "=HYPERLINK(\"x\")": make_enterprise("330106", "34", "=HYPERLINK(\"x\")"),
        "宁波纺织": make_enterprise("330203", "17", "宁波纺织"),
    }


def test_the_enterprise_export_is_the_list_with_its_filters_and_scope(hangzhou_user: User, firms: Any) -> None:
    client = signed_in(hangzhou_user)
    rows = sheet_rows(client.get("/enterprises/export.xlsx"))
    assert rows[0] == ("企业名称", "统一社会信用代码", "地区", "行业", "规模", "规上", "改造阶段")
    assert sorted(r[0] for r in rows[1:]) == sorted(["杭州机械", "杭州电子", "=HYPERLINK(\"x\")"]), "no Ningbo firm"
    machine = next(r for r in rows if r[0] == "杭州机械")
    assert machine[1] == firms["杭州机械"].uscc and machine[3].startswith("34 ") and machine[6] == "自动化"
    filtered = sheet_rows(client.get("/enterprises/export.xlsx", {"industry": "34", "sort": "-stage"}))
    assert [r[0] for r in filtered[1:]] == ["杭州机械", "=HYPERLINK(\"x\")"]
    # A region outside the jurisdiction widens nothing: it is ignored, as on the page.
    assert len(sheet_rows(client.get("/enterprises/export.xlsx", {"region": "330200"}))) == 4


def test_an_export_writes_text_that_looks_like_a_formula_as_text(hangzhou_user: User, firms: Any) -> None:
    response = signed_in(hangzhou_user).get("/enterprises/export.xlsx", {"q": "HYPERLINK"})
    book = workbook(response)
    cell = book.active["A2"]
    assert cell.value == "=HYPERLINK(\"x\")" and cell.data_type == "s" and cell.quotePrefix
    assert not book.active["B2"].quotePrefix, "other text is not marked"


def test_the_export_is_in_the_readers_language(hangzhou_user: User, firms: Any) -> None:
    client = signed_in(hangzhou_user)
    client.cookies["django_language"] = "en"
    rows = sheet_rows(client.get("/enterprises/export.xlsx", {"q": "杭州机械"}))
    assert rows[0][:3] == ("Enterprise name", "Unified Social Credit Code", "Region")
    assert rows[1][5] in ("No", "Yes") and rows[1][6] == "Automation"


def test_the_list_page_offers_its_export_with_the_filters(hangzhou_user: User, firms: Any) -> None:
    page = signed_in(hangzhou_user).get("/enterprises/", {"industry": "34", "page": "1"}).content.decode()
    link = re.search(r'<a class="button" data-testid="export" href="([^"]+)"', page)
    assert link and link.group(1) == "/enterprises/export.xlsx?industry=34", "filters kept, page left out"


def test_money_cells_are_exact_numbers_in_yuan_and_a_long_export_says_it_was_cut() -> None:
    content = xlsx_table(title="t", columns=[Column("名称"), Column("营业收入", money=True)],
                         rows=[("甲", Decimal("1234567.89")), ("乙", None), ("丙", Decimal("1"))], max_rows=2)
    rows = list(load_workbook(content).active.iter_rows(values_only=True))  # type: ignore[arg-type]
    assert rows[0] == ("名称", "营业收入（元）")
    assert rows[1] == ("甲", 1234567.89) and rows[2] == ("乙", None)
    assert "仅导出前 2 行" in rows[3][0] and len(rows) == 4


# --- region filters: only the user's jurisdiction ---------------------------------------------------------

def region_options(page: str) -> list[str]:
    select = page[page.index('<select name="region"'):]
    return re.findall(r'<option value="(\d+)"', select[:select.index("</select>")])


def test_a_city_officer_is_offered_only_its_own_regions(hangzhou_user: User, province_user: User,
                                                         firms: Any) -> None:
    city = region_options(signed_in(hangzhou_user).get("/enterprises/").content.decode())
    assert "330100" in city and "330102" in city
    assert all(code.startswith("3301") for code in city), "no Ningbo, no other city"
    province = region_options(signed_in(province_user).get("/enterprises/").content.decode())
    assert "330200" in province and len(province) > len(city)


def test_the_not_assessed_list_offers_and_keeps_only_the_jurisdiction(hangzhou_user: User, firms: Any) -> None:
    client = signed_in(hangzhou_user)
    page = client.get("/diagnosis/").content.decode()
    assert all(code.startswith("3301") for code in region_options(page))
    outside = client.get("/diagnosis/", {"region": "330200"}).content.decode()
    assert 'data-testid="region-refused"' in outside and "杭州机械" in outside


# --- an enterprise user's own home -------------------------------------------------------------------------

def test_an_enterprise_user_gets_its_own_home(make_user: Make, firms: Any) -> None:
    firm = firms["杭州机械"]
    Indicator.objects.create(enterprise=firm, year=2021, revenue=Decimal("3500000"), employees=40, robots=2)
    Indicator.objects.create(enterprise=firm, year=2022, revenue=Decimal("4200000.50"), employees=42, robots=3)
    client = signed_in(make_user(Role.ENTERPRISE, enterprise=firm))
    page = client.get("/").content.decode()
    assert 'data-testid="enterprise-home"' in page and "杭州机械" in page
    assert "规模以上企业" not in page, "not the province's dashboard cut down to one firm"
    figures = page[page.index('data-testid="home-figures"'):]
    assert "420 万元" in figures and 'title="4,200,000.50 元"' in figures and "2022" in figures
    assert 'data-testid="home-diagnosis"' in page and "开始自评" in page, "its next step"
    nav = page[page.index("<header"):page.index("</header>")]
    assert 'href="/enterprises/"' not in nav, "no province list in its navigation"


def test_officers_keep_the_dashboard_and_the_list_in_their_navigation(hangzhou_user: User, firms: Any) -> None:
    page = signed_in(hangzhou_user).get("/").content.decode()
    assert 'data-testid="enterprise-home"' not in page
    assert 'href="/enterprises/"' in page[page.index("<header"):page.index("</header>")]


def test_the_api_refuses_a_region_outside_the_jurisdiction(hangzhou_user: User, firms: Any,
                                                           api_client: Callable[[User], Any]) -> None:
    client = api_client(hangzhou_user)
    outside = client.get("/api/v1/enterprises", {"region": "330200"})
    assert outside.status_code == 422 and outside.json()["details"][0]["field"] == "region"
    inside = client.get("/api/v1/enterprises", {"region": "330102"})
    assert inside.status_code == 200 and [e["name"] for e in inside.json()["items"]] == ["杭州机械"]


def test_a_money_header_names_the_unit_in_the_readers_language() -> None:
    from django.utils import translation

    with translation.override("en"):
        content = xlsx_table(title="t", columns=[Column("营业收入", money=True)], rows=[])
    assert next(load_workbook(content).active.iter_rows(values_only=True)) == ("营业收入 (yuan)",)  # type: ignore[arg-type]
