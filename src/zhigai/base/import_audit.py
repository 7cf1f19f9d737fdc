"""Before/after audit rows for the existing records an import changes.

New records are audited once per file (the stored file is their "after", kept IMPORT_KEEP_DAYS days);
records that already existed and change get one audit row each with the old and new values of the changed
fields, so an enterprise's history shows what an import did to it. Records are compared BATCH at a time:
an import's rows stream from a temporary file (importer._Spool) and are never all in memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from zhigai.core.audit import jsonable
from zhigai.core.bulk import in_values
from zhigai.core.models import AuditLog, User

from .fields import money_value
from .models import Cluster, Enterprise, Indicator, Industry, Region

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
        rows = []
        for record in batch:
            old = existing.get(record["uscc"])
            if old is None:  # created by this import: its history starts with it, naming the file
                created = dict(zip(names, (jsonable(v) for v in readable([record[f] for f in fields])), strict=True))
                rows.append(_row(user, "enterprise", record["uscc"], record["uscc"], filename, {}, created))
                continue
            before, after = _diff(names, readable(old), readable([record[f] for f in fields]))
            if after:
                rows.append(_row(user, "enterprise", record["uscc"], record["uscc"], filename, before, after))
        AuditLog.objects.bulk_create(rows, batch_size=2000)
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

    `ids` maps the codes of `rows` (all of them) to their enterprises. Returns how many records of those
    enterprises exist already; `rows` is read only when some do.
    """
    # order_by(): no order needed, and indicators sort by their enterprise's name (a join and a sort).
    count = Indicator.objects.filter(enterprise_id__in=in_values(ids.values())).order_by().count()
    # What this import creates per enterprise, kept small (how many periods, the first and last year): a
    # first load of 100,000 enterprises' years must not hold a list per row.
    created: dict[str, list[int]] = defaultdict(lambda: [0, 9999, 0])
    for batch in _batches(rows):
        existing: dict[tuple[int, int, int], Sequence[Any]] = {}
        if count:
            found = Indicator.objects.filter(enterprise_id__in=in_values({ids[row[0]] for row in batch})).order_by()
            existing = {(r[0], r[1], r[2]): r[3:]
                        for r in found.values_list("enterprise_id", "year", "month", *columns)}
        audits = []
        for uscc, year, month, values in batch:
            old = existing.get((ids[uscc], year, month))
            if old is None:
                gained = created[uscc]
                gained[0], gained[1], gained[2] = gained[0] + 1, min(gained[1], year), max(gained[2], year)
                continue
            before, after = _diff(columns, old, [money_value(v) for v in values])
            if after:
                audits.append(_row(user, "indicator", f"{uscc}/{year}/{month}", uscc, filename, before, after))
        AuditLog.objects.bulk_create(audits, batch_size=2000)
    # One entry per enterprise for the periods it gains: its history shows the import that brought them.
    AuditLog.objects.bulk_create([
        _row(user, "indicator", f"{uscc}/import", uscc, filename, {},
             {"periods": n, "from": first, "to": last})
        for uscc, (n, first, last) in created.items()
    ], batch_size=2000)
    return count
