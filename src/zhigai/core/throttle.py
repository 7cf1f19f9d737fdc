"""Sign-in throttling: failures counted atomically, before the password is checked, with growing waits.

Three counts, each a `SignInThrottle` row:

- ``pair:<username>|<address>`` — one username from one address (limit ``LOGIN_FAILURE_LIMIT``);
- ``addr:<address>`` — one address over every username (``LOGIN_ADDRESS_FAILURE_LIMIT``), against spraying;
- ``user:<username>`` — one username from every address (``LOGIN_USERNAME_FAILURE_LIMIT``), against guessing
  from many addresses. It is not applied to an address the user signed in from in the last
  ``LOGIN_KNOWN_ADDRESS_DAYS`` days: a stranger's guesses cannot keep a user out from their own address.

Once a count reaches its limit, each further attempt waits ``LOGIN_DELAY_SECONDS`` × 2^(failures − limit)
(at most ``LOGIN_DELAY_MAX_SECONDS``) after the last failure; attempts refused while waiting are not
counted, and a count is forgotten ``LOGIN_FAILURE_WINDOW_SECONDS`` after its wait ends.

An attempt is counted as a failure *before* the password is checked (`attempt_begin`), in one transaction
that locks the rows, and given back if the password is right (`attempt_succeeded`): of concurrent guesses
only as many as the limit allows are checked at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone

from .models import SignInThrottle


@dataclass(frozen=True)
class Attempt:
    """An attempt that was let through: its rows' keys, how many more failures the username may have from
    this address, and the wait that starts if this one is wrong (0 if none)."""

    pair: str
    others: tuple[str, ...]
    failures_left: int
    wait_if_wrong: int


def _limits(username: str, address: str) -> dict[str, int]:
    name = username.strip().lower()[:150]
    return {
        f"pair:{name}|{address}": settings.LOGIN_FAILURE_LIMIT,
        f"addr:{address}": settings.LOGIN_ADDRESS_FAILURE_LIMIT,
        f"user:{name}": settings.LOGIN_USERNAME_FAILURE_LIMIT,
    }


def delay_seconds(failures: int, limit: int) -> int:
    """The wait after the last failure once `failures` have been counted (0 below the limit)."""
    if failures < limit:
        return 0
    return int(min(settings.LOGIN_DELAY_SECONDS * 2 ** min(failures - limit, 32), settings.LOGIN_DELAY_MAX_SECONDS))


def _wait(row: SignInThrottle, limit: int, now: datetime) -> float:
    delay = delay_seconds(row.failures, limit)
    if row.last_failure is None or not delay:  # below the limit: no wait, whenever the last failure was
        return 0.0
    until = row.last_failure + timedelta(seconds=delay)
    return max(0.0, (until - now).total_seconds())


def _forgotten(row: SignInThrottle, limit: int, now: datetime) -> bool:
    if row.last_failure is None:
        return True
    delay = delay_seconds(row.failures, limit) + settings.LOGIN_FAILURE_WINDOW_SECONDS
    return now >= row.last_failure + timedelta(seconds=delay)


def attempt_begin(*, username: str, address: str | None) -> Attempt | int:
    """Count an attempt before its password is checked: an `Attempt` if it may go on, else the whole seconds
    to wait (the longest wait of the counts that apply)."""
    limits = _limits(username, address or "-")
    keys = sorted(limits)  # one order for every writer: no deadlock between two attempts
    pair = next(k for k in keys if k.startswith("pair:"))
    with transaction.atomic():
        SignInThrottle.objects.bulk_create([SignInThrottle(key=k) for k in keys], ignore_conflicts=True)
        rows = {r.key: r for r in SignInThrottle.objects.select_for_update().filter(key__in=keys).order_by("key")}
        # The time once the rows are ours: an attempt that waited for the lock must not find the failure
        # stamped by the one before it "in the future".
        now = timezone.now()
        for key, row in rows.items():
            if row.failures and _forgotten(row, limits[key], now):
                row.failures = 0
        succeeded = rows[pair].last_success
        known = succeeded is not None and succeeded >= now - timedelta(days=settings.LOGIN_KNOWN_ADDRESS_DAYS)
        applied = [k for k in keys if not (known and k.startswith("user:"))]
        wait = max(_wait(rows[k], limits[k], now) for k in applied)
        if wait > 0:
            return math.ceil(wait)
        for row in rows.values():
            row.failures += 1
            row.last_failure = now
        SignInThrottle.objects.bulk_update(list(rows.values()), ["failures", "last_failure"])
    wait_if_wrong = max(delay_seconds(rows[k].failures, limits[k]) for k in applied)
    return Attempt(pair=pair, others=tuple(k for k in keys if k != pair),
                   failures_left=max(0, limits[pair] - rows[pair].failures), wait_if_wrong=wait_if_wrong)


def attempt_succeeded(attempt: Attempt) -> None:
    """The password was right: the pair starts afresh and its address is known; the other counts give back
    this attempt (a success elsewhere does not wipe what a guesser did)."""
    with transaction.atomic():
        SignInThrottle.objects.filter(key=attempt.pair).update(failures=0, last_failure=None,
                                                               last_success=timezone.now())
        SignInThrottle.objects.filter(key__in=attempt.others).update(failures=Greatest(F("failures") - 1, 0))


def throttle_purge() -> int:
    """Delete counts nobody needs: forgotten and not remembering a success. Returns how many."""
    stale = timezone.now() - timedelta(seconds=settings.LOGIN_DELAY_MAX_SECONDS + settings.LOGIN_FAILURE_WINDOW_SECONDS)
    known = timezone.now() - timedelta(days=settings.LOGIN_KNOWN_ADDRESS_DAYS)
    deleted, _ = (SignInThrottle.objects.filter(last_failure__lt=stale) | SignInThrottle.objects.filter(
        last_failure=None)).exclude(last_success__gte=known).delete()
    return deleted
