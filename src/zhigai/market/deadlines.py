"""Deadlines of an engagement's steps, in Chinese working days (SPEC §4, issue 12).

A working day is one the State Council's holiday arrangement makes one: public holidays are skipped and the
weekend days made into working days (调休) are counted, as the maintained `chinese-calendar` package knows
them. The package covers the years whose arrangement has been published (1.11: 2004 to 2026); a day outside
them is counted as Monday to Friday, and `calendar_covers` says so, so that a page can state that such a
deadline is an estimate. The number of working days per step is policy data
(src/zhigai/data/market/deadlines.yaml).
"""

from __future__ import annotations

import datetime
from functools import lru_cache
from pathlib import Path

import chinese_calendar
import yaml
from django.utils import timezone

from .models import EngagementState

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "market" / "deadlines.yaml"
# The states whose deadline is the plan's schedule end, and those that have none.
PLAN_END_STATES = frozenset({EngagementState.IMPLEMENTATION})
NO_DEADLINE = frozenset({EngagementState.CLOSED, EngagementState.DECLINED, EngagementState.CANCELLED})


@lru_cache(maxsize=1)
def working_days_by_state() -> dict[str, int]:
    """The working days each step may take, from the policy file; ValueError for a file that does not say it
    for exactly the states that have a fixed deadline."""
    with open(DATA_FILE, encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    days = loaded.get("working_days") if isinstance(loaded, dict) else None
    wanted = set(EngagementState.values) - NO_DEADLINE - PLAN_END_STATES
    if not isinstance(days, dict) or set(days) != wanted:
        raise ValueError(f"{DATA_FILE}: working_days must name exactly {sorted(wanted)}")
    if any(not isinstance(n, int) or isinstance(n, bool) or not 0 < n <= 250 for n in days.values()):
        raise ValueError(f"{DATA_FILE}: each step's working days are a whole number from 1 to 250")
    return {str(k): int(v) for k, v in days.items()}


def calendar_covers(day: datetime.date) -> bool:
    """Whether the package knows the holiday arrangement of the day's year."""
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=8192)
def is_working_day(day: datetime.date) -> bool:
    """A working day in China: by the holiday arrangement where it is known, else Monday to Friday (kept:
    the package checks each date's range at length, and deadlines ask for the same days over and over)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The day `days` working days after `start` (the day itself not counted: a step begun on a Friday with
    1 working day is due on the next working day)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day, counted = start, 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def estimated(start: datetime.date, due: datetime.date | None) -> bool:
    """Whether a deadline was counted, in part, without the holiday arrangement (Monday to Friday)."""
    return due is not None and not (calendar_covers(start) and calendar_covers(due))


def local_today() -> datetime.date:
    """Today in the province (Asia/Shanghai), the day deadlines are compared with."""
    return timezone.localdate()


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def due_for(state: str, since: datetime.datetime, plan_end: datetime.date | None) -> datetime.date | None:
    """The deadline of a step in `state` begun at `since`: working days from the policy file, the plan's
    schedule end during the implementation, none for an ended engagement."""
    if state in NO_DEADLINE:
        return None
    if state in PLAN_END_STATES:
        return plan_end
    return add_working_days(local_date(since), working_days_by_state()[state])


def is_overdue(state: str, due: datetime.date | None, today: datetime.date | None = None) -> bool:
    """Open and past its deadline: due before today's local date."""
    return state not in NO_DEADLINE and due is not None and due < (today or local_today())
