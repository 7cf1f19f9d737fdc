"""Deadlines in Chinese working days: public holidays skipped, make-up working days counted, a plain
Monday-to-Friday count (and saying so) outside the calendar's years; overdue flags."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from zhigai.market import deadlines
from zhigai.market.deadlines import add_working_days, calendar_covers, due_for, estimated, is_overdue, is_working_day
from zhigai.market.models import Engagement
from zhigai.market.selectors_engagement import engagement_list, waiting_for

D = datetime.date


def test_national_day_2024_is_skipped_and_its_make_up_days_counted() -> None:
    # 2024: 1–7 October off; Sunday 29 September and Saturday 12 October are working days.
    assert is_working_day(D(2024, 9, 29)) and is_working_day(D(2024, 10, 12))
    assert not any(is_working_day(D(2024, 10, d)) for d in range(1, 8))
    # From Friday 27 September: 29 Sep (Sun, make-up) and 30 Sep, then 8, 9, 10 October.
    assert add_working_days(D(2024, 9, 27), 1) == D(2024, 9, 29)
    assert add_working_days(D(2024, 9, 27), 2) == D(2024, 9, 30)
    assert add_working_days(D(2024, 9, 27), 5) == D(2024, 10, 10)
    # 11 October (Fri), 12 October (Sat, make-up), then Monday 14.
    assert add_working_days(D(2024, 10, 10), 2) == D(2024, 10, 12)
    assert add_working_days(D(2024, 10, 10), 3) == D(2024, 10, 14)
    # 20 working days (a report): 29, 30 Sep, 8–12 Oct (the 12th a Saturday), 14–18, 21–25, 28–30 Oct; a
    # Monday-to-Friday count would have said 25 October.
    assert add_working_days(D(2024, 9, 27), 20) == D(2024, 10, 30)


def test_spring_festival_is_skipped() -> None:
    # 2024: 10–17 February off; Sunday 4 and Sunday 18 February worked.
    assert add_working_days(D(2024, 2, 8), 1) == D(2024, 2, 9)
    assert add_working_days(D(2024, 2, 9), 1) == D(2024, 2, 18)


def test_outside_the_calendar_the_count_is_monday_to_friday_and_says_so() -> None:
    later = D(2099, 9, 30)  # a Wednesday
    assert not calendar_covers(later)
    assert add_working_days(later, 5) == D(2099, 10, 7)  # National Day unknown: weekdays only
    assert estimated(later, D(2099, 10, 7)) and not estimated(D(2024, 9, 27), D(2024, 10, 10))


def test_the_policy_file_names_every_step_with_a_fixed_deadline() -> None:
    days = deadlines.working_days_by_state()
    assert days == {"requested": 5, "accepted": 5, "research": 20, "plan_design": 15, "plan_review": 10,
                    "plan_approved": 10, "acceptance": 10}
    since = timezone.make_aware(datetime.datetime(2024, 9, 27, 9))
    assert due_for("requested", since, None) == D(2024, 10, 10)
    assert due_for("implementation", since, D(2024, 12, 31)) == D(2024, 12, 31)
    assert due_for("closed", since, None) is None


def test_the_local_date_decides_shanghai_time() -> None:
    # 23:30 UTC on 26 September is already the 27th in Shanghai.
    since = datetime.datetime(2024, 9, 26, 23, 30, tzinfo=datetime.UTC)
    assert due_for("requested", since, None) == D(2024, 10, 10)


def test_overdue_is_open_and_past_its_deadline() -> None:
    today = D(2024, 10, 10)
    assert is_overdue("research", D(2024, 10, 9), today)
    assert not is_overdue("research", D(2024, 10, 10), today)
    assert not is_overdue("closed", D(2024, 1, 1), today)
    assert not is_overdue("research", None, today)


@pytest.mark.django_db
def test_overdue_engagements_are_flagged_to_the_provider_and_the_regions_officers(
        parties: dict[str, Any], engagement_in: Callable[[str], Any]) -> None:
    late, on_time = engagement_in("research"), engagement_in("accepted")
    Engagement.objects.filter(pk=late.pk).update(due=D(2020, 1, 3))
    users = parties["users"]
    for who in ("provider", "hangzhou", "province"):
        assert [e.pk for e in engagement_list(user=users[who], overdue=True)] == [late.pk], who
        assert any(w.url.endswith("overdue=1") and w.count == 1 for w in waiting_for(users[who])), who
    for who in ("ningbo", "other_provider"):
        assert not engagement_list(user=users[who], overdue=True).exists()
        assert not any(w.url.endswith("overdue=1") for w in waiting_for(users[who]))
    assert on_time.pk not in [e.pk for e in engagement_list(user=users["provider"], overdue=True)]
