"""The track record computed from constructed engagements, events and indicators, against figures worked
out by hand in the comments (SPEC §4, issue 12)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from zhigai.base.models import Enterprise, Indicator, Region
from zhigai.core.cache import local_clear
from zhigai.market.models import Engagement, EngagementEvent, EngagementState, Outcome, Provider, ProviderStatus
from zhigai.market.outcomes import OUTCOME_SCALE
from zhigai.market.track_record import track_record, track_records
from zhigai.market.workdays import working_days_between

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def provider(name: str = "测试服务商") -> Provider:
    return Provider.objects.create(type="engineering", name=name, home_region=Region.objects.get(code="330102"),
                                   status=ProviderStatus.LISTED)


def engagement(enterprise: Enterprise, by: Provider, state: str = EngagementState.CLOSED,
               created: str = "2021-03-01 09:00", **fields: Any) -> Engagement:
    """An engagement as its workflow would have left it (auto_now_add dates set afterwards)."""
    if state == EngagementState.CLOSED:
        fields.setdefault("accepted_on", datetime.date(2022, 6, 30))
    e = Engagement.objects.create(enterprise=enterprise, provider=by, need="产线改造", state=state, **fields)
    Engagement.objects.filter(pk=e.pk).update(created=local(created))
    return e


def event(subject: Engagement, source: str, target: str, at: datetime.datetime, due: str | None,
          transition: str = "move") -> None:
    found = EngagementEvent.objects.create(subject=subject, transition=transition, source=source, target=target,
                                           due=datetime.date.fromisoformat(due) if due else None)
    EngagementEvent.objects.filter(pk=found.pk).update(at=at)


def rows(enterprise: Enterprise, **years: dict[str, Any]) -> None:
    for year, values in years.items():
        money = {k: Decimal(v) for k, v in values.items() if k in ("added_value", "output_value")}
        Indicator.objects.create(enterprise=enterprise, year=int(year[1:]), **{**values, **money})


@pytest.fixture
def firm(make_enterprise: Callable[..., Enterprise]) -> Callable[..., Enterprise]:
    """An enterprise of industry 34, small, in Hangzhou (county 330102 or 330106: the same city)."""
    def make(county: str = "330102", size: str = "small", industry: str = "34") -> Enterprise:
        return make_enterprise(county=county, industry=industry, size_class=size)
    return make


def test_fewer_than_five_completed_engagements_give_no_figure_at_all(firm: Callable[..., Enterprise]) -> None:
    p = provider()
    for _ in range(4):
        engagement(firm(), p, rating=5, responded=local("2021-03-02 10:00"))
    record = track_record(provider=p)
    assert record["enough"] is False and record["engagements_completed"] == 4
    assert record["message"] == "完成的服务项目还不够多，暂无业绩记录"
    figures = ("on_time_share", "moves_counted", "response_days", "responses", "rating_mean", "ratings",
               "measured", "measured_at_latest_year", "outcome_score")
    assert all(record[name] is None for name in figures) and record["outcomes"] == []


def test_measured_outcomes_against_comparable_enterprises_by_hand(firm: Callable[..., Enterprise]) -> None:
    p, other = provider(), provider("另一家服务商")
    a, b = firm(), firm("330106")
    # A: created 2021 → before 2020; accepted 2022-06-30 → after 2023 (A has a 2023 row).
    engagement(a, p, created="2021-03-01 09:00", accepted_on=datetime.date(2022, 6, 30))
    # B: created 2021 → before 2020; accepted 2023-02-01 → after 2024, but B's latest row is 2023: after 2023.
    engagement(b, p, created="2021-05-10 09:00", accepted_on=datetime.date(2023, 2, 1))
    for _ in range(3):  # three more closed engagements, of clients without indicators: not measured
        engagement(firm(), p)
    # Labor productivity = added value ÷ employees; energy per output = energy use ÷ output value × 10,000.
    rows(a, y2020={"added_value": "10000000", "employees": 100, "frontline_employees": 60, "defect_rate": 0.05,
                   "energy_use": 500, "output_value": "50000000"},
         y2023={"added_value": "13200000", "employees": 110, "frontline_employees": 45, "defect_rate": 0.03,
                "energy_use": 480, "output_value": "60000000"})
    # A: productivity 100,000 → 120,000: +0.20; frontline 60 → 45: −0.25; defects 0.05 → 0.03: −0.40;
    #    energy 0.1 → 0.08 per 10,000 yuan: −0.20.
    rows(b, y2020={"added_value": "20000000", "employees": 200, "frontline_employees": 100},
         y2023={"added_value": "22000000", "employees": 200, "frontline_employees": 90})
    # B: productivity 100,000 → 110,000: +0.10; frontline 100 → 90: −0.10; no defect rate, no energy.
    x, y, z = firm(), firm("330106"), firm()
    rows(x, y2020={"added_value": "8000000", "employees": 100, "frontline_employees": 50, "defect_rate": 0.04,
                   "energy_use": 400, "output_value": "40000000"},
         y2023={"added_value": "8400000", "employees": 100, "frontline_employees": 50, "defect_rate": 0.04,
                "energy_use": 400, "output_value": "40000000"})
    rows(y, y2020={"added_value": "5000000", "employees": 50, "frontline_employees": 30, "defect_rate": 0.05},
         y2023={"added_value": "5500000", "employees": 50, "frontline_employees": 27, "defect_rate": 0.045})
    rows(z, y2020={"added_value": "5000000", "employees": 100, "frontline_employees": 80, "energy_use": 100,
                   "output_value": "10000000"},
         y2023={"added_value": "5000000", "employees": 100, "frontline_employees": 76, "energy_use": 110,
                "output_value": "10000000"})
    # Comparable X, Y, Z: productivity +0.05, +0.10, 0 → mean +0.05; frontline 0, −0.10, −0.05 → −0.05;
    # defects 0, −0.10 → −0.05; energy 0, +0.10 → +0.05.
    doubled = {"y2020": {"added_value": "1000000", "employees": 10}, "y2023": {"added_value": "2000000",
                                                                             "employees": 10}}
    engaged = firm()  # same cell, but it had an engagement (declined): no comparison
    engagement(engaged, other, state=EngagementState.DECLINED)
    for outsider in (engaged, firm("330203"), firm(size="medium"), firm(industry="17")):
        rows(outsider, **doubled)  # another city, size class or industry: no comparison either
    record = track_record(provider=p)
    assert record["enough"] is True and record["engagements_completed"] == 5
    assert record["measured"] == 2 and record["measured_at_latest_year"] == 1
    got = {o["indicator"]: o for o in record["outcomes"]}
    # Productivity: A 0.20 − 0.05 = 0.15, B 0.10 − 0.05 = 0.05 → the provider is credited (0.15 + 0.05) / 2.
    assert got["labor_productivity"] == {"indicator": "labor_productivity", "name": "劳动生产率",
                                         "higher_is_better": True, "client_change": 0.15, "peer_change": 0.05,
                                         "difference": 0.10, "engagements": 2}
    # Frontline: A −0.25 + 0.05 = −0.20, B −0.10 + 0.05 = −0.05 → −0.125; clients −0.175, comparison −0.05.
    assert (got["frontline_employees"]["difference"], got["frontline_employees"]["client_change"],
            got["frontline_employees"]["peer_change"]) == (-0.125, -0.175, -0.05)
    # Defects and energy: A only: −0.40 + 0.05 = −0.35; −0.20 − 0.05 = −0.25.
    assert (got["defect_rate"]["difference"], got["defect_rate"]["engagements"]) == (-0.35, 1)
    assert got["energy_per_output"]["difference"] == -0.25
    # The score: 0.5 + benefit / 0.4 each, clipped: 0.75, 0.8125, 1 (1.375), 1 (1.125) → mean 0.890625.
    assert OUTCOME_SCALE == 0.20
    assert record["outcome_score"] == 0.8906


def test_on_time_share_counts_the_providers_moves_by_their_local_date(firm: Callable[..., Enterprise]) -> None:
    p = provider()
    done = [engagement(firm(), p) for _ in range(5)]
    e = done[0]
    event(e, "requested", "accepted", local("2026-03-02 10:00"), "2026-03-06")  # on time
    event(e, "accepted", "research", local("2026-03-10 09:00"), "2026-03-09")  # a day late
    event(e, "research", "plan_design", local("2026-03-20 23:30"), "2026-03-20")  # on time: 23:30 in Shanghai
    event(done[1], "research", "plan_design", local("2026-03-21 01:00"), "2026-03-20")  # late (17:00 UTC the 20th)
    # Not the provider's step, no deadline, a progress report, a cancellation: none counted.
    event(e, "plan_review", "plan_approved", local("2026-04-01 09:00"), "2026-03-01")
    event(e, "plan_design", "plan_review", local("2026-04-01 09:00"), None)
    event(e, "implementation", "implementation", local("2026-05-01 09:00"), "2026-01-01")
    event(done[2], "accepted", "cancelled", local("2026-05-01 09:00"), "2026-01-01")
    # An open step past its deadline is late too; one not yet due, and one waiting for the enterprise, are not.
    today = datetime.date.today()
    engagement(firm(), p, state=EngagementState.RESEARCH, due=today - datetime.timedelta(days=3))
    engagement(firm(), p, state=EngagementState.RESEARCH, due=today + datetime.timedelta(days=3))
    engagement(firm(), p, state=EngagementState.PLAN_REVIEW, due=today - datetime.timedelta(days=3))
    record = track_record(provider=p)
    # On time: the first and the third move; counted: four moves and the overdue open step.
    assert (record["on_time_share"], record["moves_counted"]) == (0.4, 5)


def test_response_time_is_the_median_of_chinese_working_days(firm: Callable[..., Enterprise]) -> None:
    # National Day 2026: 1–7 October off, Saturday 10 October a make-up working day.
    assert working_days_between(datetime.date(2026, 9, 28), datetime.date(2026, 10, 9)) == 4  # 29, 30 Sep, 8, 9 Oct
    assert working_days_between(datetime.date(2026, 9, 28), datetime.date(2026, 10, 10)) == 5  # + the make-up day
    assert working_days_between(datetime.date(2026, 3, 6), datetime.date(2026, 3, 9)) == 1  # Friday to Monday
    assert working_days_between(datetime.date(2026, 3, 6), datetime.date(2026, 3, 6)) == 0
    p = provider()
    answered = [("2026-09-28 09:00", "2026-10-10 09:00", 5), ("2026-09-28 09:00", "2026-10-09 18:00", 4),
                ("2026-03-06 09:00", "2026-03-09 09:00", 3), ("2026-03-06 09:00", "2026-03-06 17:00", None),
                ("2026-03-02 09:00", "2026-03-04 09:00", 4)]
    for created, responded, rating in answered:
        engagement(firm(), p, created=created, responded=local(responded), rating=rating)
    engagement(firm(), p, state=EngagementState.REQUESTED)  # not answered yet: not counted
    record = track_record(provider=p)
    # Working days 5, 4, 1, 0, 2 → median 2. Ratings 5, 4, 3, 4 (one not rated) → 4.0 of 4.
    assert (record["response_days"], record["responses"]) == (2, 5)
    assert (record["rating_mean"], record["ratings"]) == (4.0, 4)


def test_a_hundred_records_in_a_fixed_number_of_queries(django_assert_max_num_queries: Any,
                                                        firm: Callable[..., Enterprise]) -> None:
    home = Region.objects.get(code="330102")
    providers = Provider.objects.bulk_create([Provider(type="engineering", name=f"服务商{i}", home_region=home,
                                                       status=ProviderStatus.LISTED) for i in range(100)])
    clients = [firm() for _ in range(10)]
    Engagement.objects.bulk_create([
        Engagement(enterprise=clients[(i + j) % 10], provider=p, need="改造", state=EngagementState.CLOSED,
                   accepted_on=datetime.date(2026, 1, 5), rating=4, responded=local("2026-01-02 09:00"))
        for i, p in enumerate(providers) for j in range(5 + i % 3)])
    for c in clients:
        rows(c, y2025={"added_value": "1000000", "employees": 10}, y2026={"added_value": "1200000", "employees": 10})
    local_clear()
    # Eight reads (engagements, moves, overdue steps, answers, acceptances' outcomes, cells, clients' and
    # comparable rows), the data versions, and the shared cache's read and write (five statements of
    # Django's database cache).
    with django_assert_max_num_queries(15):
        records = track_records(p.pk for p in providers)
    assert len(records) == 100 and all(r["enough"] and r["ratings"] >= 5 for r in records.values())


def test_the_record_is_cached_until_an_engagement_changes(firm: Callable[..., Enterprise],
                                                          django_capture_on_commit_callbacks: Any,
                                                          django_assert_max_num_queries: Any) -> None:
    p = provider()
    assert track_record(provider=p)["engagements_completed"] == 0
    with django_assert_max_num_queries(1):  # the data versions; the figure itself comes from the cache
        assert track_record(provider=p)["engagements_completed"] == 0
    with django_capture_on_commit_callbacks(execute=True):  # the versions change when the write commits
        for _ in range(5):
            engagement(firm(), p)
    assert track_record(provider=p)["engagements_completed"] == 5


def test_the_acceptances_measured_outcomes_against_the_plans(firm: Callable[..., Enterprise]) -> None:
    """Five closed engagements; three acceptances measured labor productivity and two the defect rate.
    Productivity (higher is better): expected +10, +20, +10 → mean 13.3; measured +12, +15, +10 → mean 12.3;
    met where measured ≥ expected: 12 ≥ 10 yes, 15 ≥ 20 no, 10 ≥ 10 yes → 2 of 3. Defect rate (lower is
    better): expected −30, −20 → −25; measured −35, −10 → −22.5; met where measured ≤ expected: yes, no → 1
    of 2. Promises met overall: 3 of 5 = 0.6. An open engagement's outcome is not counted."""
    p = provider()
    closed = [engagement(firm(), p) for _ in range(5)]
    opened = engagement(firm(), p, state=EngagementState.ACCEPTANCE)
    made = [(closed[0], "labor_productivity", "10", "12"), (closed[1], "labor_productivity", "20", "15"),
            (closed[2], "labor_productivity", "10", "10"), (closed[3], "defect_rate", "-30", "-35"),
            (closed[4], "defect_rate", "-20", "-10"), (opened, "defect_rate", "-20", "-90")]
    for subject, indicator, expected, measured in made:
        step = EngagementEvent.objects.create(subject=subject, transition="submit_acceptance",
                                              source="implementation", target="acceptance")
        Outcome.objects.create(engagement=subject, event=step, indicator=indicator, expected=Decimal(expected),
                               measured=Decimal(measured))
    record = track_record(provider=p)
    by = {o["indicator"]: o for o in record["at_acceptance"]}
    assert by["labor_productivity"] | {"name": ""} == {
        "indicator": "labor_productivity", "name": "", "higher_is_better": True, "expected": 13.3, "measured": 12.3,
        "met": 2, "engagements": 3}
    assert (by["defect_rate"]["expected"], by["defect_rate"]["measured"], by["defect_rate"]["met"],
            by["defect_rate"]["engagements"]) == (-25.0, -22.5, 1, 2)
    assert record["plan_met_share"] == 0.6
    assert [o["indicator"] for o in record["at_acceptance"]] == ["labor_productivity", "defect_rate"]
