"""Before/after audit rows for the existing records an import changes.

New records are audited once per file (the stored file is their "after", kept IMPORT_KEEP_DAYS days);
records that already existed and change get one audit row each with the old and new values of the changed
fields, so an enterprise's history shows what an import did to it. Records are compared BATCH at a time:
an import's rows stream from a temporary file (importer._Spool) and are never all in memory.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Count, Max, Min
from django.utils import timezone

from zhigai.core.audit import jsonable
from zhigai.core.bulk import bulk_insert, in_values
from zhigai.core.models import AuditLog, User

from .fields import money_of_fen
from .models import MONEY_INDICATORS, Cluster, Enterprise, Indicator, Industry, Region

BATCH = 20_000
T = TypeVar("T")


def _batches(items: Iterable[T]) -> Iterator[list[T]]:
    it = iter(items)
    while batch := list(islice(it, BATCH)):
        yield batch


_CREATED_COLUMNS = ["at", "actor_id", "actor_name", "action", "entity", "entity_id", "subject", "summary", "before",
                    "after"]


def _created_rows(user: User, filename: str, entries: Iterable[tuple[str, str, str, dict[str, Any]]]
                  ) -> Iterator[tuple[Any, ...]]:
    """Audit rows, as the database takes them, for records an import created: (entity, entity_id, uscc, after)
    each. Written by core.bulk.bulk_insert: a first load creates them by the hundred thousand."""
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    name, summary = user.username[:150], filename[:255]
    for entity, entity_id, uscc, after in entries:
        yield (at, user.pk, name, "import", entity, entity_id[:64], uscc[:64], summary, "{}",
               json.dumps(after, ensure_ascii=False))


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


def enterprise_changes(*, user: User, records: Iterable[dict[str, Any]], fields: list[str], filename: str) -> int:
    """Audit the enterprises of `records` that exist and whose `fields` change. Call before writing.

    Returns how many of the records exist already.
    """
    names = [f.removesuffix("_id") for f in fields]
    codes = _codes()

    def readable(values: Sequence[Any]) -> list[Any]:
        return [codes[f].get(v, v) if f in codes else v for f, v in zip(fields, values, strict=True)]

    count = 0
    for batch in _batches(records):
        # order_by(): no order needed, and enterprises sort by name.
        found = Enterprise.objects.filter(uscc__in=in_values(r["uscc"] for r in batch)).order_by()
        existing = {row[0]: row[1:] for row in found.values_list("uscc", *fields)}
        count += len(existing)
        rows, created = [], []
        for record in batch:
            old = existing.get(record["uscc"])
            if old is None:  # created by this import: its history starts with it, naming the file
                values = dict(zip(names, (jsonable(v) for v in readable([record[f] for f in fields])), strict=True))
                created.append(("enterprise", record["uscc"], record["uscc"], values))
                continue
            before, after = _diff(names, readable(old), readable([record[f] for f in fields]))
            if after:
                rows.append(_row(user, "enterprise", record["uscc"], record["uscc"], filename, before, after))
        AuditLog.objects.bulk_create(rows, batch_size=2000)
        bulk_insert(table=AuditLog._meta.db_table, columns=_CREATED_COLUMNS,
                    rows=_created_rows(user, filename, created))
    return count


def indicator_changes(
    *,
    user: User,
    rows: Iterable[tuple[str, int, int, Sequence[Any]]],
    columns: list[str],
    ids: dict[str, int],
    filename: str,
) -> int:
    """Audit the existing (enterprise, year, month) records that `rows` change. Call before writing.

    `rows` hold their values as the table stores them (money in whole fen). `ids` maps the codes of `rows`
    (all of them) to their enterprises. Returns how many records of those enterprises exist already; when
    none do, `rows` is not read, and indicator_gains audits what the write brings.
    """
    # order_by(): no order needed, and indicators sort by their enterprise's name (a join and a sort).
    count = Indicator.objects.filter(enterprise_id__in=in_values(ids.values())).order_by().count()
    if not count:
        return 0
    money = [c in MONEY_INDICATORS for c in columns]
    # What this import creates per enterprise, kept small (how many periods, the first and last year): a
    # load of 100,000 enterprises' years must not hold a list per row.
    created: dict[str, list[int]] = defaultdict(lambda: [0, 9999, 0])
    for batch in _batches(rows):
        found = Indicator.objects.filter(enterprise_id__in=in_values({ids[row[0]] for row in batch})).order_by()
        existing = {(r[0], r[1], r[2]): r[3:] for r in found.values_list("enterprise_id", "year", "month", *columns)}
        audits = []
        for uscc, year, month, values in batch:
            old = existing.get((ids[uscc], year, month))
            if old is None:
                gained = created[uscc]
                gained[0], gained[1], gained[2] = gained[0] + 1, min(gained[1], year), max(gained[2], year)
                continue
            new = [money_of_fen(v) if m else v for v, m in zip(values, money, strict=True)]
            before, after = _diff(columns, old, new)
            if after:
                audits.append(_row(user, "indicator", f"{uscc}/{year}/{month}", uscc, filename, before, after))
        AuditLog.objects.bulk_create(audits, batch_size=2000)
    _gains_record(user, filename, ((uscc, n, first, last) for uscc, (n, first, last) in created.items()))
    return count


def indicator_gains(*, user: User, ids: dict[str, int], filename: str) -> None:
    """Audit the periods that enterprises with no records before gained from one write (indicator_changes
    found none): read back from the table in one grouped query, not from the import's rows again."""
    uscc_of = {pk: uscc for uscc, pk in ids.items()}
    gained = (
        Indicator.objects.filter(enterprise_id__in=in_values(ids.values()))
        .order_by()
        .values_list("enterprise_id")
        .annotate(n=Count("id"), first=Min("year"), last=Max("year"))
    )
    _gains_record(user, filename, ((uscc_of[pk], n, first, last) for pk, n, first, last in gained))


def _gains_record(user: User, filename: str, gains: Iterable[tuple[str, int, int, int]]) -> None:
    """One entry per enterprise for the periods it gains: its history shows the import that brought them."""
    bulk_insert(table=AuditLog._meta.db_table, columns=_CREATED_COLUMNS, rows=_created_rows(user, filename, (
        ("indicator", f"{uscc}/import", uscc, {"periods": n, "from": first, "to": last})
        for uscc, n, first, last in gains)))
