"""The officer's market at a glance on constructed engagements: its figures, its region scoping, who may
open it, and its Excel export, whose rows are the page's."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.market.test_track_record import engagement, local
from tests.xlsx import sheet_rows, signed_in
from zhigai.base.models import Enterprise, Industry, Region
from zhigai.core.errors import PermissionDenied
from zhigai.core.models import Role, User
from zhigai.market.models import Engagement, EngagementState, Provider, ProviderStatus
from zhigai.market.overview import OverviewFilters, overview_engagements, overview_figures, overview_filters

pytestmark = pytest.mark.django_db


def _provider(name: str, capacity: int, regions: list[str], industries: list[str],
              status: str = ProviderStatus.LISTED) -> Provider:
    p = Provider.objects.create(type="engineering", name=name, home_region=Region.objects.get(code="330102"),
                                capacity=capacity, status=status)
    p.regions.set(Region.objects.filter(code__in=regions))
    p.industries.set(Industry.objects.filter(code__in=industries))
    return p


@pytest.fixture
def market(make_enterprise: Callable[..., Enterprise]) -> dict[str, Any]:
    today = timezone.localdate()
    hz, hz2, nb = (make_enterprise(county="330102", industry="34"), make_enterprise(county="330106", industry="34"),
                   make_enterprise(county="330203", industry="17"))
    p1 = _provider("杭州工程服务", 4, ["330100"], ["34"])
    p2 = _provider("全省工程服务", 2, ["330000"], ["34", "17"])
    _provider("未入库服务商", 9, ["330000"], ["34", "17"], status=ProviderStatus.DRAFT)
    found = {
        # Closed: requested Mon 2 March, answered Wed 4 March (2 working days), closed Fri 20 March (12).
        "closed": engagement(hz, p1, created="2026-03-02 09:00", responded=local("2026-03-04 10:00"),
                             closed=local("2026-03-20 16:00"), accepted_on=datetime.date(2026, 3, 20)),
        "overdue": engagement(hz2, p1, state=EngagementState.REQUESTED, created="2026-03-02 09:00",
                              due=today - datetime.timedelta(days=1)),
        # In research since an answer on Mon 9 March (5 working days), due in the future.
        "research": engagement(hz, p1, state=EngagementState.RESEARCH, created="2026-03-02 09:00",
                               responded=local("2026-03-09 09:00"), due=today + datetime.timedelta(days=10)),
        "ningbo": engagement(nb, p2, state=EngagementState.REQUESTED, created="2026-03-02 09:00",
                             due=today - datetime.timedelta(days=20)),
        # Declined in 2025: Mon 2 June to Tue 3 June, 1 working day.
        "declined": engagement(nb, p2, state=EngagementState.DECLINED, created="2025-06-02 09:00",
                               responded=local("2025-06-03 09:00")),
    }
    return {"e": found, "p1": p1, "p2": p2}


def _rows(figures: dict[str, Any], key: str) -> dict[str, dict[str, Any]]:
    return {r["label"]: r for r in figures[key]}


def test_the_province_sees_demand_capacity_times_and_overdue_work(market: dict[str, Any],
                                                                  province_user: User) -> None:
    f = overview_figures(user=province_user, filters=OverviewFilters())
    assert f["totals"] == {"requests": 5, "open": 3, "overdue": 2, "closed": 1}
    industry = _rows(f, "by_industry")
    # 34: three requests, two open (one overdue); served by both listed providers: capacity 4 + 2, free
    # (4 − 2 open) + (2 − 1 open) = 3. The draft provider counts nowhere.
    assert {k: industry["34 通用设备制造业"][k] for k in ("requests", "open", "overdue", "providers", "capacity",
                                                  "free")} == {"requests": 3, "open": 2, "overdue": 1,
                                                               "providers": 2, "capacity": 6, "free": 3}
    assert {k: industry["17 纺织业"][k] for k in ("requests", "open", "providers", "capacity", "free")} == {
        "requests": 2, "open": 1, "providers": 1, "capacity": 2, "free": 1}
    region = _rows(f, "by_region")
    assert (region["杭州市"]["requests"], region["杭州市"]["capacity"], region["杭州市"]["free"]) == (3, 6, 3)
    assert (region["宁波市"]["requests"], region["宁波市"]["capacity"], region["宁波市"]["free"]) == (2, 2, 1)
    # Response: 2, 5 and 1 working days → median 2; delivery: accepted 4 March → closed 20 March, 12.
    assert f["response"] == {"median": 2, "count": 3} and f["delivery"] == {"median": 12, "count": 1}
    assert f["ranked"] == [], "no provider has five closed engagements"
    assert f["capacity"] == {"providers": 2, "capacity": 6, "free": 3}


def test_a_city_officer_sees_its_region_only(market: dict[str, Any], hangzhou_user: User) -> None:
    f = overview_figures(user=hangzhou_user, filters=OverviewFilters())
    assert f["totals"] == {"requests": 3, "open": 2, "overdue": 1, "closed": 1}
    assert {r["code"] for r in f["by_region"]} == {"330102", "330106"}  # its counties
    assert {e.pk for e in overview_engagements(user=hangzhou_user, filters=OverviewFilters())} == {
        market["e"][k].pk for k in ("closed", "overdue", "research")}
    # A region outside its jurisdiction is dropped, and the page says why.
    filters = overview_filters(user=hangzhou_user, raw={"region": "330200", "year": "20x6", "industry": "99"})
    assert filters == OverviewFilters() and len(filters.ignored) == 3
    page = signed_in(hangzhou_user).get("/market/overview/?region=330200")
    assert page.status_code == 200 and "不在您的管辖范围内" in page.content.decode()
    assert page.context["f"]["totals"]["requests"] == 3


def test_the_filters_by_year_region_and_industry(market: dict[str, Any], province_user: User) -> None:
    def ids(**raw: str) -> set[int]:
        filters = overview_filters(user=province_user, raw=raw)
        assert not filters.ignored
        return {e.pk for e in overview_engagements(user=province_user, filters=filters)}

    e = market["e"]
    assert ids(year="2025") == {e["declined"].pk}
    assert ids(region="330200") == {e["ningbo"].pk, e["declined"].pk}
    assert ids(industry="34", year="2026") == {e[k].pk for k in ("closed", "overdue", "research")}
    f = overview_figures(user=province_user, filters=overview_filters(user=province_user, raw={"region": "330200"}))
    # Looking at Ningbo, the rows are its counties, and the capacity is the providers' serving Ningbo.
    assert f["capacity"] == {"providers": 1, "capacity": 2, "free": 1} and len(f["by_region"]) == 1


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.PROVIDER, Role.EXPERT, Role.INDUSTRY, Role.BANK])
def test_only_province_and_city_officers_open_it(market: dict[str, Any], make_user: Callable[..., User],
                                                 role: str) -> None:
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        overview_engagements(user=user, filters=OverviewFilters())
    client = signed_in(user)
    assert client.get("/market/overview/").status_code == 403
    assert client.get("/market/engagements.xlsx").status_code == 403


def test_the_export_has_the_pages_rows(market: dict[str, Any], hangzhou_user: User, province_user: User) -> None:
    for user, query in ((hangzhou_user, ""), (province_user, "?year=2026"), (province_user, "?region=330200")):
        client = signed_in(user)
        page = client.get(f"/market/overview/{query}")
        shown = [e.pk for e in page.context["page"].object_list]
        rows = sheet_rows(client.get(f"/market/engagements.xlsx{query}"))
        assert rows[0][:3] == ("编号", "企业名称", "统一社会信用代码")
        assert [r[0] for r in rows[1:]] == shown, query
    closed = market["e"]["closed"]
    row = next(r for r in sheet_rows(signed_in(province_user).get("/market/engagements.xlsx")) if r[0] == closed.pk)
    assert row[5:8] == ("杭州工程服务", "已完成", datetime.datetime(2026, 3, 2))


def test_the_page_links_providers_and_lists_overdue_work(market: dict[str, Any], province_user: User) -> None:
    html = signed_in(province_user).get("/market/overview/").content.decode()
    assert f'href="/providers/{market["p1"].pk}/"' in html
    overdue = html[html.index('<table data-testid="overdue">'):].split("</table>")[0]
    # The Ningbo request (20 days late) first, then Hangzhou's (since yesterday).
    assert overdue.count("<tr>") == 3 and overdue.index("全省工程服务") < overdue.index("杭州工程服务")
    assert Engagement.objects.count() == 5
    nav = signed_in(province_user).get("/").content.decode()
    assert 'href="/market/overview/"' in nav
