"""Pass 2 of a large import beside pass 1, on PostgreSQL (importer.py).

Pass 1 is Python's work (reading and checking cells); pass 2 is the writer's (rows, audit entries, COPY)
and the database server's. One after the other, they leave a core of the machine idle; a thread beside the
validation gained nothing (the two share one interpreter lock). Here the write runs in a child process,
forked when the import starts, with its own database connection and its own transaction: pass 1 sends it
each clean chunk as it keeps it, through a pipe that holds about one chunk (memory stays bounded). The
rule stays: nothing is committed unless the whole file is clean. The first error stops the feed and the
child rolls back; should either process die, the child's transaction dies with its connection.

Only where it is right and gains: PostgreSQL (SQLite takes one writer at a time, and the importer records
the job's progress meanwhile); a caller holding no transaction (the child could not see what that
transaction wrote, nor be rolled back with it): the background job and `zhigai import`, not a test inside
a transaction; a system that forks (Linux); and a file large enough for the background worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import signal
import traceback
from collections.abc import Iterator
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

from zhigai.core.models import User

from .import_write import ImportWrite
from .spool import Spool

STAGE_ROWS = 5000  # stage rows a message at the end
STOP_WAIT = 60  # seconds the writer has to roll back once told to stop, before it is ended


class Stop(Exception):
    """The feed ended without a clean file: roll the write back."""


def pipe_possible(*, dry_run: bool, path: Path) -> bool:
    """Whether this import writes beside its validation (a small file is a chunk or two: a process and a
    connection would cost more than they save)."""
    return (not dry_run and settings.IMPORT_PIPELINE and path.stat().st_size >= settings.IMPORT_BACKGROUND_BYTES
            and connection.vendor == "postgresql" and not connection.in_atomic_block
            and "fork" in multiprocessing.get_all_start_methods())


class WritePipe:
    """send() each clean chunk as pass 1 keeps it: ("enterprises", columns, records), ("indicators",
    columns, rows) or ("table_done",); then finish() for the write's results (ImportWrite.results),
    committed, or stop() for none. A failure of the writer comes back from send() or finish()."""

    def __init__(self, *, user: User, filename: str):
        context = multiprocessing.get_context("fork")  # the child starts from this process as it is
        self._feed_end, self._feed = context.Pipe(duplex=False)
        self._results, self._results_end = context.Pipe(duplex=False)
        connections.close_all()  # the child must not share this process's connection: each opens its own
        self._process = context.Process(target=self._child, args=(user, filename), name="zhigai-import-write",
                                        daemon=True)  # ended with this process, should it exit first
        self._process.start()
        self._feed_end.close()
        self._results_end.close()
        self._done = False

    def send(self, item: tuple[Any, ...]) -> None:
        try:
            self._feed.send(item)
        except OSError:  # the writer ended: say why
            self._outcome()

    def finish(self, *, stages: bool, indicator_stages: Iterator[tuple[str, int, str]]) -> dict[str, Any]:
        """The end of a clean file: its indicator tables' stages (`stages`: whether the file gives any), then
        the writer's last steps and its commit; returns what it counted."""
        while chunk := list(islice(indicator_stages, STAGE_ROWS)):
            self.send(("stages", chunk))
        self.send(("end", stages))
        return self._outcome()

    def stop(self) -> None:
        """No write after all (errors, the importer's own failure): the writer rolls back and ends."""
        if self._done:
            return
        self._done = True
        with contextlib.suppress(OSError):
            self._feed.send(("stop",))
        self._feed.close()
        self._process.join(STOP_WAIT)
        if self._process.is_alive():
            self._process.kill()  # its connection ends with it, and the server rolls back
            self._process.join()
        self._results.close()

    def _outcome(self) -> dict[str, Any]:
        """The writer's last word: its results once committed; or its failure, raised here."""
        try:
            outcome = self._results.recv()
        except EOFError:
            outcome = ("failed", RuntimeError("the import's writer process ended early"))
        self._done = True
        self._feed.close()
        self._process.join()
        self._results.close()
        if outcome[0] == "written":
            results: dict[str, Any] = outcome[1]
            return results
        raise outcome[1] if outcome[0] == "failed" else RuntimeError("the import's writer stopped")

    # --- the child process ----------------------------------------------------------------------------

    def _child(self, user: User, filename: str) -> None:
        self._feed.close()  # the parent's ends: the child reads the feed's end of file when the parent is gone
        self._results.close()
        # The signals' own meaning, not what the importing process made of them (the worker's graceful stop):
        # ended by SIGTERM, interrupted by SIGINT, and either way rolled back.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        outcome: tuple[Any, ...]
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    # Foreign keys checked as each statement ends, beside the validation of the next chunk,
                    # instead of all of them at the commit (Django makes PostgreSQL's keys deferred).
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                results = _consume(self._feed_end, ImportWrite(user=user, filename=filename))
            outcome = ("written", results)
        except Stop:
            outcome = ("stopped",)
        except BaseException as exc:
            outcome = ("failed", _portable(exc))
        finally:
            connections.close_all()
        with contextlib.suppress(OSError):
            self._results_end.send(outcome)
        self._results_end.close()


def _consume(feed: Connection, write: ImportWrite) -> dict[str, Any]:
    enterprises, stages = Spool(), Spool()  # what the write's last step reads again
    try:
        while True:
            item = feed.recv()  # EOFError when the importer is gone: rolled back
            kind = item[0]
            if kind == "enterprises":
                write.enterprises(item[1], item[2])
                enterprises.add(item[2])
            elif kind == "indicators":
                write.indicators(item[1], item[2])
            elif kind == "table_done":
                write.table_done()
            elif kind == "stages":
                stages.add(item[1])
            elif kind == "end":
                recorded = write.finish(stages=item[1], indicator_stages=iter(stages), enterprises=enterprises)
                return write.results(recorded)
            else:
                raise Stop
    finally:
        enterprises.close()
        stages.close()


def _portable(exc: BaseException) -> BaseException:
    """The writer's failure as the importer will raise it: itself if it can cross the pipe, with where it
    happened; its name and message otherwise."""
    exc.add_note("in the import's writer process:\n" + traceback.format_exc())
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    return exc
