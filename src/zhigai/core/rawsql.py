"""Model instances from plain SQL, for the few reads made on every page view.

Building an ORM query (cloning, resolving, compiling) costs more than running it on PostgreSQL, and
Model.objects.raw() still sets up its own machinery per statement. A statement that selects a model's
concrete columns in order (`columns()`) is turned into instances here, with every value converted as
the ORM converts it (SQLite's numbers to Decimal, JSON text to objects, naive to aware datetimes).
Several models may share one row (a join): each takes its slice (`width`).

On PostgreSQL these statements are prepared once per connection (a server-binding cursor; the
connection's prepare_threshold is set in settings): planning them cost more than running them. Every
other query keeps Django's client-side binding, so nothing else changes; DB_PREPARE_THRESHOLD=off turns
prepared statements off, for a transaction-pooling proxy such as PgBouncer before 1.21.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

quote = connection.ops.quote_name


class RawModel:
    def __init__(self, model: Any):
        self.model = model
        self.fields = model._meta.concrete_fields
        self.names = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self.table = quote(model._meta.db_table)
        self._converters: list[tuple[int, list[Any], Any]] | None = None

    def columns(self, alias: str = "") -> str:
        """The model's columns in order, for a SELECT list (prefixed with `alias.` when given)."""
        prefix = f"{alias}." if alias else ""
        return ", ".join(prefix + quote(f.column) for f in self.fields)

    def converters(self) -> list[tuple[int, list[Any], Any]]:
        # Worked out on first use, not at import: the backend's converters need a configured connection.
        if self._converters is None:
            table = self.model._meta.db_table
            found = []
            for k, f in enumerate(self.fields):
                col = f.get_col(table)
                each = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
                if each:
                    found.append((k, each, col))
            self._converters = found
        return self._converters

    def build(self, row: Sequence[Any], start: int = 0) -> Any:
        """The instance whose columns are row[start:start + width]."""
        values = list(row[start:start + self.width])
        for k, each, col in self.converters():
            for convert in each:
                values[k] = convert(values[k], col, connection)
        return self.model.from_db(connection.alias, self.names, values)

    def fetch(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """Instances from a statement selecting columns() and nothing else."""
        return [self.build(row) for row in fetch_rows(sql, params)]


def fetch_rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _cursor() -> Any:
    if connection.vendor != "postgresql":
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        # Django's own wrapping (query logging, execute wrappers, error translation) around a cursor that
        # binds on the server, which psycopg prepares after the connection's prepare_threshold uses.
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))  # type: ignore[attr-defined]
