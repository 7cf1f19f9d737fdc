"""Fast idempotent bulk upsert on SQLite and PostgreSQL.

PostgreSQL: COPY into a temporary table, then one INSERT ... ON CONFLICT DO UPDATE. SQLite: one
executemany of INSERT ... ON CONFLICT DO UPDATE. Both only touch rows whose values really differ, so
re-loading the same data writes nothing; the return value counts inserted plus changed rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def bulk_upsert(
    *,
    table: str,
    key: Sequence[str],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    update: Sequence[str] | None = None,
) -> int:
    """Insert rows (tuples in `columns` order); on a key conflict set the `update` columns.

    `update` defaults to every non-key column. Must run inside a transaction.
    """
    update = [c for c in (update if update is not None else columns) if c not in key]
    cols = ", ".join(_q(c) for c in columns)
    conflict = ", ".join(_q(c) for c in key)
    if connection.vendor == "postgresql":
        return _upsert_postgresql(table, columns, cols, conflict, update, rows)
    placeholders = ", ".join(["%s"] * len(columns))
    if update:
        differs = " OR ".join(f"{_q(table)}.{_q(c)} IS NOT excluded.{_q(c)}" for c in update)
        action = "DO UPDATE SET " + ", ".join(f"{_q(c)} = excluded.{_q(c)}" for c in update) + f" WHERE {differs}"
    else:
        action = "DO NOTHING"
    sql = f"INSERT INTO {_q(table)} ({cols}) VALUES ({placeholders}) ON CONFLICT ({conflict}) {action}"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)  # type: ignore[arg-type]  # any iterable works; avoids a copy
        return max(cursor.rowcount, 0)


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
        return max(changed, 0)
