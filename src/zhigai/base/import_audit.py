"""Audit rows for what an import does to each record, so that an enterprise's history names the file.

A record that existed and changes gets one row with the old and new values of the changed fields
(compared BATCH at a time, before the write: an import's rows stream from a temporary file, importer._Spool,
and are never all in memory). A created enterprise gets one row with its values, and an enterprise that
gains periods one row saying how many and which years, both built from the rows being written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from zhigai.core.audit import audit_bulk, jsonable
from zhigai.core.bulk import in_values
from zhigai.core.models import AuditLog, User

from .fields import money_of_fen
from .models import MONEY_INDICATORS, Cluster, Enterprise, Indicator, Industry, Region

BATCH = 20_000
T = TypeVar("T")


def _batches(items: Iterable[T]) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(islice(it, BATCH)):
        yield batch


def _row(user: User, entity: str, entity_id: str, uscc: str, summary: str, before: dict[str, Any],
         after: dict[str, Any]) -> AuditLog:
    return AuditLog(
        actor=user,
        actor_name=user.username,
        action="import",
        entity=entity,
        entity_id=entity_id,
        subject=uscc,
        summary=summary[:255],
        before=before,
        after=after,
    )


def _diff(names: Sequence[str], old: Sequence[Any], new: Sequence[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    before, after = {}, {}
    for name, a, b in zip(names, old, new, strict=True):
        if a != b:
            before[name], after[name] = jsonable(a), jsonable(b)
    return before, after


def _codes() -> dict[str, dict[int, str]]:
    """id -> code of the tables an enterprise refers to, so audits read like the import file did."""
    return {
        "region_id": dict(Region.objects.values_list("id", "code")),
        "industry_id": dict(Industry.objects.values_list("id", "code")),
        "cluster_id": dict(Cluster.objects.values_list("id", "code")),
    }


def enterprise_changes(*, user: User, records: Iterable[dict[str, Any]], fields: list[str], filename: str
                       ) -> list[str]:
    """Audit the enterprises of `records` that exist and whose `fields` change. Call before writing.

    Returns the codes of the records that do not exist yet: enterprise_gains audits them after the write.
    """
    names = [f.removesuffix("_id") for f in fields]
    codes = _codes()

    def readable(values: Sequence[Any]) -> list[Any]:
        return [codes[f].get(v, v) if f in codes else v for f, v in zip(fields, values, strict=True)]

    new: list[str] = []
    for batch in _batches(records):
        # order_by(): no order needed, and enterprises sort by name.
        found = Enterprise.objects.filter(uscc__in=in_values(r["uscc"] for r in batch)).order_by()
        existing = {row[0]: row[1:] for row in found.values_list("uscc", *fields)}
        rows = []
        for record in batch:
            old = existing.get(record["uscc"])
            if old is None:
                new.append(record["uscc"])
                continue
            before, after = _diff(names, readable(old), readable([record[f] for f in fields]))
            if after:
                rows.append(_row(user, "enterprise", record["uscc"], record["uscc"], filename, before, after))
        AuditLog.objects.bulk_create(rows, batch_size=2000)
    return new


def enterprise_gains(*, user: User, records: Iterable[dict[str, Any]], fields: list[str], filename: str) -> None:
    """Audit the enterprises an import created (`records`, as written): their history starts with the file.

    Built from the rows the write already holds, codes for ids as the file gave them, and written as the
    database takes rows in bulk (COPY): reading a hundred thousand of them back from the table cost more."""
    names = [f.removesuffix("_id") for f in fields]
    codes = _codes()
    coded = [codes.get(f) for f in fields]
    audit_bulk(actor=user, action="import", entity="enterprise", summary=filename, entries=(
        (r["uscc"], r["uscc"], None,
         {n: jsonable(r[f] if c is None else c.get(r[f], r[f])) for n, f, c in zip(names, fields, coded, strict=True)})
        for r in records))


class Gains(defaultdict[str, list[int]]):
    """What an import creates per enterprise, kept small (how many periods, the first and last year): a
    load of 100,000 enterprises' years must not hold a list per row."""

    def __init__(self) -> None:
        super().__init__(lambda: [0, 9999, 0])

    def add(self, rows: Iterable[tuple[str, int, int, Any]]) -> None:
        """Count the periods `rows` (uscc, year, month, values) create."""
        for uscc, year, _month, _values in rows:
            periods = self[uscc]
            periods[0] += 1
            if year < periods[1]:
                periods[1] = year
            if year > periods[2]:
                periods[2] = year

    def record(self, user: User, filename: str) -> None:
        _gains_record(user, filename, ((uscc, n, first, last) for uscc, (n, first, last) in self.items()))
        self.clear()


def indicator_diffs(*, user: User, rows: Iterable[tuple[str, int, int, Sequence[Any]]], columns: list[str],
                    ids: dict[str, int], filename: str, gained: Gains) -> None:
    """Audit the existing (enterprise, year, month) records that `rows` change (values as the table stores
    them: money in whole fen), before the write; the periods they add are counted in `gained`, whose record()
    writes their entries. `ids` maps the codes of `rows` to their enterprises, which have records."""
    money = [c in MONEY_INDICATORS for c in columns]
    for batch in _batches(rows):
        found = Indicator.objects.filter(enterprise_id__in=in_values({ids[row[0]] for row in batch})).order_by()
        existing = {(r[0], r[1], r[2]): r[3:] for r in found.values_list("enterprise_id", "year", "month", *columns)}
        audits = []
        for uscc, year, month, values in batch:
            old = existing.get((ids[uscc], year, month))
            if old is None:
                gained.add([(uscc, year, month, values)])
                continue
            new = [money_of_fen(v) if m else v for v, m in zip(values, money, strict=True)]
            before, after = _diff(columns, old, new)
            if after:
                audits.append(_row(user, "indicator", f"{uscc}/{year}/{month}", uscc, filename, before, after))
        AuditLog.objects.bulk_create(audits, batch_size=2000)


def _gains_record(user: User, filename: str, gains: Iterable[tuple[str, int, int, int]]) -> None:
    """One entry per enterprise for the periods it gains: its history shows the import that brought them."""
    audit_bulk(actor=user, action="import", entity="indicator", summary=filename, entries=(
        (f"{uscc}/import", uscc, None, {"periods": n, "from": first, "to": last}) for uscc, n, first, last in gains))
