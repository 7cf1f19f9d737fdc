"""Before/after audit rows for the existing records an import changes.

New records are audited once per file (the stored file is their "after"); records that already
existed and change get one audit row each with the old and new values of the changed fields, so an
enterprise's history shows what an import did to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from zhigai.core.audit import jsonable
from zhigai.core.bulk import in_values
from zhigai.core.models import AuditLog, User

from .fields import money_value
from .models import Cluster, Enterprise, Indicator, Industry, Region


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


def enterprise_changes(*, user: User, records: list[dict[str, Any]], fields: list[str], filename: str) -> int:
    """Audit the enterprises of `records` that exist and whose `fields` change. Call before writing.

    Returns how many of the records exist already.
    """
    names = [f.removesuffix("_id") for f in fields]
    codes = _codes()

    def readable(values: Sequence[Any]) -> list[Any]:
        return [codes[f].get(v, v) if f in codes else v for f, v in zip(fields, values, strict=True)]

    # order_by(): no order needed, and enterprises sort by name.
    found = Enterprise.objects.filter(uscc__in=in_values(r["uscc"] for r in records)).order_by()
    existing = {row[0]: row[1:] for row in found.values_list("uscc", *fields)}
    rows = []
    for record in records if existing else ():
        old = existing.get(record["uscc"])
        if old is not None:
            before, after = _diff(names, readable(old), readable([record[f] for f in fields]))
            if after:
                rows.append(_row(user, "enterprise", record["uscc"], record["uscc"], filename, before, after))
    AuditLog.objects.bulk_create(rows, batch_size=2000)
    return len(existing)


def indicator_changes(
    *,
    user: User,
    rows: list[tuple[str, int, int, Sequence[Any]]],
    columns: list[str],
    ids: dict[str, int],
    filename: str,
) -> int:
    """Audit the existing (enterprise, year, month) records that `rows` change. Call before writing.

    Returns how many records of the enterprises of `rows` exist already.
    """
    by_enterprise: dict[int, list[tuple[str, int, int, Sequence[Any]]]] = defaultdict(list)
    for row in rows:
        by_enterprise[ids[row[0]]].append(row)
    # order_by(): no order needed, and indicators sort by their enterprise's name (a join and a sort).
    found = Indicator.objects.filter(enterprise_id__in=in_values(by_enterprise)).order_by()
    existing = {(r[0], r[1], r[2]): r[3:] for r in found.values_list("enterprise_id", "year", "month", *columns)}
    if not existing:
        return 0  # a first load of these enterprises' figures
    audits = []
    for enterprise_id, enterprise_rows in by_enterprise.items():
        for uscc, year, month, values in enterprise_rows:
            old = existing.get((enterprise_id, year, month))
            if old is not None:
                before, after = _diff(columns, old, [money_value(v) for v in values])
                if after:
                    audits.append(_row(user, "indicator", f"{uscc}/{year}/{month}", uscc, filename, before, after))
    AuditLog.objects.bulk_create(audits, batch_size=2000)
    return len(existing)
