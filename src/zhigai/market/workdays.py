"""Chinese working days between two dates, for the market's response and delivery times (issue 12).

The calendar is the chinese-calendar package's (public holidays and the make-up working days on weekends,
kept up to date by its maintainers); for a year it does not know yet, Monday to Friday — the days the
engagement deadlines count (market.deadlines.is_working_day).
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable

from .deadlines import is_working_day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """The working days after `start` up to and including `end`: counted as deadlines are, from the day
    a step began, so an answer on the same day took 0 and one on the next working day 1."""
    days, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        days += is_working_day(day)
    return days


def median(values: Iterable[float]) -> float | None:
    """The median, or None for no values (a figure with nothing to compute from is absent, never 0)."""
    found = list(values)
    return float(statistics.median(found)) if found else None
