"""A write that starts before all of its input is known to be clean, and commits only once it is.

An import validates the whole file before anything is written: all or nothing, every error reported. On
PostgreSQL the server works in a process of its own, so while Python validates the rest of a file the
database can already write what was found clean: `WriteAhead` runs the parts it is given (`submit`), in
order, in a thread with its own connection, inside one transaction that it holds open. `finish` runs the
last part and commits; `abandon` rolls everything back, and nothing was written. Others see nothing before
the commit, as with a write after validation.

Only where it can be right and pays (`possible`): PostgreSQL in autocommit. Inside a caller's transaction
(a test's, or a caller's that wants the write in it) another connection could neither see that transaction's
rows nor be undone with it. SQLite has one writer at a time: holding its write lock for the rest of a
validation would stall every other write that long.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections, transaction

QUEUED_PARTS = 4  # parts waiting for the writer at most: what the validation may run ahead of it (memory)


def possible() -> bool:
    return connection.vendor == "postgresql" and transaction.get_autocommit()


class _Abandoned(Exception):
    """Raised inside the write's transaction to roll it back."""


@dataclass(frozen=True)
class _Last:
    part: Callable[[], Any]


class WriteAhead:
    """Parts of one write, run in order in a thread's transaction as they are submitted."""

    def __init__(self) -> None:
        self._parts: queue.Queue[Callable[[], Any] | _Last | None] = queue.Queue(maxsize=QUEUED_PARTS)
        self._result: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="write-ahead", daemon=True)
        self._thread.start()

    @property
    def failed(self) -> bool:
        return self._error is not None

    def submit(self, part: Callable[[], Any]) -> None:
        """Queue a part (waits while QUEUED_PARTS are queued). After a part failed, the rest are skipped."""
        self._parts.put(part)

    def finish(self, last: Callable[[], Any]) -> Any:
        """Run `last` after the queued parts, commit and return its result; the first error of any part is
        raised here (and nothing was written)."""
        self._parts.put(_Last(last))
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result

    def abandon(self) -> None:
        """Roll back what was written and wait until it is; the parts' errors no longer matter."""
        if self._thread.is_alive():
            self._parts.put(None)
            self._thread.join()

    def _run(self) -> None:
        try:
            with transaction.atomic():
                while (part := self._parts.get()) is not None:
                    if isinstance(part, _Last):
                        self._result = part.part()
                        return
                    part()
                    _checks_now()
                raise _Abandoned
        except _Abandoned:
            pass
        except BaseException as exc:  # handed to the thread that waits for the result
            self._error = exc
            while (part := self._parts.get()) is not None and not isinstance(part, _Last):
                pass  # skip the rest, so that submit never waits for a writer that stopped
        finally:
            connections.close_all()  # this thread's own connections


def _checks_now() -> None:
    """Run the deferred foreign-key checks of what a part wrote now, while the other thread is still
    validating, rather than all at the commit (PostgreSQL's SET CONSTRAINTS: Django's foreign keys are
    INITIALLY DEFERRED), then defer the next part's as usual."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
