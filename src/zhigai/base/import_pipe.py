"""Pass 2 of an import beside pass 1, on PostgreSQL (importer.py).

Pass 1 is Python's work (reading and checking cells); pass 2 is mostly the database server's (COPY, the
upserts, the foreign-key and index work). Run one after the other they leave a core of this machine idle
each time; here the write of each clean chunk starts while the next is validated: a thread, with its own
database connection and its own transaction, takes the chunks from a short queue as pass 1 keeps them. The
rule stays the same: nothing is committed unless the whole file is clean — the first error stops the feed,
and the thread's transaction is rolled back (as is everything it wrote if the process dies).

Only where it can be right: PostgreSQL (SQLite has one writer and the same process would do both), and a
caller holding no transaction of its own (the thread's connection could not see what that transaction
wrote, nor be rolled back with it): the background job and `zhigai import`, not a test inside a transaction;
and a file large enough to go to the background worker.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from zhigai.core.models import User

from .import_write import ImportWrite

WAIT = 0.5  # seconds between looks at the other side while the queue is full or empty


class Stop(Exception):
    """The feed ended without a clean file: roll the write back."""


def pipe_possible(*, dry_run: bool, size: int) -> bool:
    """Whether this import writes beside its validation: a file large enough for the background worker
    (a small one is a chunk or two: a thread and a connection would cost more than they save)."""
    return (not dry_run and settings.IMPORT_PIPELINE and size >= settings.IMPORT_BACKGROUND_BYTES
            and connection.vendor == "postgresql" and not connection.in_atomic_block)


class WritePipe:
    """send() each clean chunk as pass 1 keeps it ("enterprises", columns, records), ("indicators",
    columns, rows) or ("table_done",); then finish(end) with the function that ends the write and returns
    its summary, or stop(). The thread's own error comes back from send() or finish()."""

    def __init__(self, *, user: User, filename: str, depth: int = 4):
        self._queue: queue.Queue[tuple[Any, ...]] = queue.Queue(maxsize=depth)
        self._write = ImportWrite(user=user, filename=filename)
        self._error: BaseException | None = None
        self._summary: dict[str, int] | None = None
        self._thread = threading.Thread(target=self._run, name="import-write", daemon=True)
        self._thread.start()

    def send(self, item: tuple[Any, ...]) -> None:
        while True:
            self._raise_if_failed()
            try:
                self._queue.put(item, timeout=WAIT)
                return
            except queue.Full:
                continue

    def finish(self, end: Callable[[ImportWrite], dict[str, int]]) -> dict[str, int]:
        self.send(("end", end))
        self._thread.join()
        self._raise_if_failed()
        assert self._summary is not None
        return self._summary

    def stop(self) -> None:
        """No write after all (errors, a dry run's end, the caller's own failure): roll back, wait."""
        if self._thread.is_alive():
            while self._thread.is_alive():
                try:
                    self._queue.put(("stop",), timeout=WAIT)
                    break
                except queue.Full:
                    continue
            self._thread.join()

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error
        if not self._thread.is_alive() and self._summary is None:
            raise RuntimeError("the import's write ended early")

    def _run(self) -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # Foreign keys checked as each statement ends (PostgreSQL's deferred ones otherwise wait
                    # for the commit): the checks of a chunk then run beside the validation of the next.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                self._feed()
        except Stop:
            pass
        except BaseException as exc:  # handed to the importer's thread by send() / finish()
            self._error = exc
        finally:
            connection.close()  # this thread's own connection

    def _feed(self) -> None:
        write = self._write
        while True:
            item = self._queue.get()
            kind = item[0]
            if kind == "enterprises":
                write.enterprises(item[1], item[2])
            elif kind == "indicators":
                write.indicators(item[1], item[2])
            elif kind == "table_done":
                write.table_done()
            elif kind == "end":
                self._summary = item[1](write)
                return
            else:
                raise Stop
