"""Fast idempotent bulk upsert on SQLite and PostgreSQL.

PostgreSQL: COPY into a temporary table, then one INSERT ... ON CONFLICT DO UPDATE. SQLite: one
executemany of INSERT ... ON CONFLICT DO UPDATE. Both only touch rows whose values really differ, so
re-loading the same data writes nothing; the return value counts inserted plus changed rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models.expressions import RawSQL

from .cache import areas_changed

# Page cache of SQLite while it bulk-writes: inserting into a table and its indexes far larger than the
# default 2 MB cache rereads the same pages over and over (a 100,000-row load took twice as long).
SQLITE_BULK_CACHE_KIB = 64 * 1024
SQLITE_BATCH_ROWS = 20_000


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def in_values(values: Iterable[int] | Iterable[str]) -> RawSQL | list[Any]:
    """The values as a subquery for a `field__in=` filter: one parameter however many there are.

    An IN list of thousands of placeholders has to be chunked and costs the database a long parse and
    plan per chunk; an array (PostgreSQL) or a JSON list (SQLite) is one parameter of one statement.
    No values stay an empty list, which Django's `__in` turns into "nothing" without a query (an empty
    array would have no element type to compare with).
    """
    items = list(values)
    if not items:
        return []
    if connection.vendor == "postgresql":
        kind = "text" if isinstance(items[0], str) else "bigint"
        return RawSQL(f"SELECT unnest(%s::{kind}[])", [items])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(items)])


def bulk_upsert(
    *,
    table: str,
    key: Sequence[str],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    update: Sequence[str] | None = None,
    new_keys: bool = False,
) -> int:
    """Insert rows (tuples in `columns` order); on a key conflict set the `update` columns.

    `update` defaults to every non-key column. Must run inside a transaction. `new_keys`: the caller
    has just found none of the rows' keys in the table, so they go straight in (COPY on PostgreSQL, a plain
    INSERT on SQLite: no conflict handling); should one have appeared meanwhile, that is undone and the
    upsert runs, so `rows` must then be iterable twice.
    """
    # These statements send no model signals: the table's cache areas change on commit from here.
    areas_changed(_model_of(table))
    update = [c for c in (update if update is not None else columns) if c not in key]
    cols = ", ".join(_q(c) for c in columns)
    conflict = ", ".join(_q(c) for c in key)
    if connection.vendor == "postgresql":
        if new_keys:
            copied = _copy_new_rows(table, cols, rows)
            if copied is not None:
                return copied
        return _upsert_postgresql(table, columns, cols, conflict, update, rows)
    if new_keys:
        inserted = _insert_new_rows(table, columns, rows)
        if inserted is not None:
            return inserted
    placeholders = ", ".join(["%s"] * len(columns))
    if update:
        differs = " OR ".join(f"{_q(table)}.{_q(c)} IS NOT excluded.{_q(c)}" for c in update)
        action = "DO UPDATE SET " + ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in update) + f" WHERE {differs}"
    else:
        action = "DO NOTHING"
    sql = f"INSERT INTO {_q(table)} ({cols}) VALUES ({placeholders}) ON CONFLICT ({conflict}) {action}"
    return _sqlite_executemany(sql, rows)


def _sqlite_executemany(sql: str, rows: Iterable[Sequence[Any]]) -> int:
    """One statement over all rows on SQLite, with a large page cache; returns the rows it changed."""
    changed = 0
    with connection.cursor() as cursor, _sqlite_cache(cursor, SQLITE_BULK_CACHE_KIB):
        # In batches: Django's SQLite executemany tees its iterable (to peek at the first row), which keeps
        # every row of one call in memory; a batch bounds that.
        it = iter(rows)
        while batch := list(islice(it, SQLITE_BATCH_ROWS)):
            cursor.executemany(sql, batch)
            changed += max(int(cursor.rowcount), 0)
    return changed


def bulk_insert(*, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert new rows (tuples in `columns` order, values as the database takes them) with no key to clash:
    COPY on PostgreSQL, batched executemany on SQLite. For rows written by the hundred thousand, such as
    an import's audit entries, where building a model instance per row cost more than writing it."""
    areas_changed(_model_of(table))
    cols = ", ".join(_q(c) for c in columns)
    if connection.vendor == "postgresql":
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {_q(table)} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    return _sqlite_executemany(f"INSERT INTO {_q(table)} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


def _insert_new_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int | None:
    """SQLite's side of _copy_new_rows: a plain INSERT, which skips the conflict checks of an upsert; None
    (and nothing written) if a key already exists."""
    cols = ", ".join(_q(c) for c in columns)
    try:
        with transaction.atomic():  # a savepoint, to undo only this
            return _sqlite_executemany(
                f"INSERT INTO {_q(table)} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})", rows
            )
    except IntegrityError:
        return None


def _model_of(table: str) -> Any:
    found = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table == table]
    if not found:
        raise LookupError(f"No model has the table {table!r}.")
    return found[0]


@contextmanager
def _sqlite_cache(cursor: Any, kib: int) -> Iterator[None]:
    """Enlarge SQLite's page cache of this connection for a while (never shrink it)."""
    cursor.execute("PRAGMA cache_size")
    old = cursor.fetchone()[0]
    cursor.execute("PRAGMA page_size")
    old_kib = -old if old < 0 else old * cursor.fetchone()[0] // 1024  # negative: KiB, else pages
    if old_kib >= kib:
        yield
        return
    cursor.execute(f"PRAGMA cache_size = -{kib}")
    try:
        yield
    finally:
        cursor.execute(f"PRAGMA cache_size = {old}")


def _copy_new_rows(table: str, cols: str, rows: Iterable[Sequence[Any]]) -> int | None:
    """COPY rows straight into the table; None (and nothing written) if a key already exists."""
    from psycopg import IntegrityError as CopyIntegrityError  # COPY goes round Django's error wrapping

    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint, to undo only this
            count = 0
            with cursor.cursor.copy(f"COPY {_q(table)} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
    except (IntegrityError, CopyIntegrityError):
        return None


def _upsert_postgresql(
    table: str, columns: Sequence[str], cols: str, conflict: str, update: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    staging = f"_stage_{table}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_q(staging)}")
        cursor.execute(f"CREATE TEMP TABLE {_q(staging)} ON COMMIT DROP AS SELECT {cols} FROM {_q(table)} WITH NO DATA")
        raw = cursor.cursor  # the psycopg cursor, for COPY
        with raw.copy(f"COPY {_q(staging)} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if update:
            target = ", ".join(f"{_q(table)}.{_q(c)}" for c in update)
            source = ", ".join(f"EXCLUDED.{_q(c)}" for c in update)
            action = (
                "DO UPDATE SET "
                + ", ".join(f"{_q(c)} = EXCLUDED.{_q(c)}" for c in update)
                + f" WHERE ({target}) IS DISTINCT FROM ({source})"
            )
        else:
            action = "DO NOTHING"
        cursor.execute(
            f"INSERT INTO {_q(table)} ({cols}) SELECT {cols} FROM {_q(staging)} ON CONFLICT ({conflict}) {action}"
        )
        changed = cursor.rowcount
        cursor.execute(f"DROP TABLE {_q(staging)}")
        return max(int(changed), 0)
