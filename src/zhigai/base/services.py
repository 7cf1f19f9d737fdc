"""Every write to the base data: enterprises, their indicators and the derived size fields."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from zhigai.core.audit import audit_bulk, audit_record, changed_only, snapshot
from zhigai.core.bulk import bulk_insert, in_values
from zhigai.core.cache import areas_changed
from zhigai.core.errors import InvalidInput, PermissionDenied
from zhigai.core.models import User
from zhigai.core.policy import permitted, require
from zhigai.core.text import clean_text
from zhigai.core.types import Actor

from .models import Enterprise, Indicator, StageRecord, StageSource
from .policy import enterprise_scope
from .sizing import ABOVE_DESIGNATED_REVENUE, SIZE_RULE
from .validation import (
    INDICATOR_NAMES,
    Errors,
    Lookups,
    clean_enterprise_values,
    clean_indicator_values,
    clean_period,
    clean_stage_record,
    uscc_error,
)

# The profile's fields by the permission that changes them (base/policy.py): its own users may rename it
# and give its founding year; only officers of its region may classify it.
CHANGE_FIELDS = frozenset({"name", "founded_year"})
CLASSIFY_FIELDS = frozenset({"region", "industry", "stage", "tags", "cluster"})
EDITABLE_FIELDS = CHANGE_FIELDS | CLASSIFY_FIELDS


def enterprise_editable_fields(*, user: Actor, enterprise: Enterprise) -> frozenset[str]:
    """The profile fields `user` may change on `enterprise`, as the base policy says."""
    fields: frozenset[str] = frozenset()
    if permitted(user, "base.enterprise.change", enterprise):
        fields |= CHANGE_FIELDS
    if permitted(user, "base.enterprise.classify", enterprise):
        fields |= CLASSIFY_FIELDS
    return fields


def _raise(errors: Errors) -> None:
    if errors:
        raise InvalidInput(
            _("输入有误：") + "；".join(f"{col}: {msg}" for col, msg in errors),
            details=[{"field": col, "message": msg} for col, msg in errors],
        )


def _writable_lookups(user: Actor) -> Lookups:
    scope = enterprise_scope(user)
    return Lookups.load(writable_region_ids=None if scope.region_ids is None else set(scope.region_ids))


def _enterprise_snapshot(enterprise: Enterprise) -> dict[str, Any]:
    """The profile as people read it: codes of region, industry, cluster and tags, not database ids."""
    return {
        "uscc": enterprise.uscc,
        "name": enterprise.name,
        "region": enterprise.region.code,
        "industry": enterprise.industry.code,
        "founded_year": enterprise.founded_year,
        "stage": enterprise.stage,
        "cluster": enterprise.cluster.code if enterprise.cluster_id and enterprise.cluster else None,
        "tags": sorted(enterprise.tags.values_list("code", flat=True)) if enterprise.pk else [],
    }


@transaction.atomic
def enterprise_create(*, by: User, data: Mapping[str, object]) -> Enterprise:
    require(by, "base.enterprise.create", message=_("您的角色不能登记企业"))
    lookups = _writable_lookups(by)
    errors: Errors = []
    message = uscc_error(data.get("uscc"))
    if message:
        errors.append(("uscc", message))
    for required in ("name", "region", "industry"):
        if required not in data:
            errors.append((required, _("必填")))
    clean, more = clean_enterprise_values({k: v for k, v in data.items() if k != "uscc"}, lookups)
    errors.extend(more)
    uscc = str(data.get("uscc") or "").strip().upper()
    if not message and Enterprise.objects.filter(uscc=uscc).exists():
        errors.append(("uscc", _("统一社会信用代码%(c)s已登记") % {"c": uscc}))
    _raise(errors)
    tag_ids = clean.pop("tag_ids", [])
    stage = clean.pop("stage", None)
    clean.pop("stage_year", None)  # the profile's stage is this year's (a form, the API)
    enterprise = Enterprise.objects.create(uscc=uscc, **clean)
    enterprise.tags.set(tag_ids)
    if stage is not None:  # this year's stage, recorded first: the profile's entry is the act's last
        stage_record(by=by, enterprise=enterprise, year=timezone.localdate().year, stage=stage,
                     source=StageSource.EDIT)
    audit_record(
        actor=by,
        action="create",
        entity="enterprise",
        entity_id=uscc,
        summary=enterprise.name,
        after=_enterprise_snapshot(enterprise),
    )
    return enterprise


@transaction.atomic
def enterprise_update(*, by: User, enterprise: Enterprise, data: Mapping[str, object]) -> Enterprise:
    """Change the given fields; the caller obtained `enterprise` through access_enterprise for `by`."""
    editable = enterprise_editable_fields(user=by, enterprise=enterprise)
    forbidden = set(data) - editable - {"uscc"}
    if not editable or forbidden:
        raise PermissionDenied(_("您不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(forbidden)) or "*"})
    if "uscc" in data and str(data["uscc"]).strip().upper() != enterprise.uscc:
        _raise([("uscc", _("统一社会信用代码不能修改"))])
    clean, errors = clean_enterprise_values({k: v for k, v in data.items() if k != "uscc"}, _writable_lookups(by))
    _raise(errors)
    before = _enterprise_snapshot(enterprise)
    tag_ids = clean.pop("tag_ids", None)
    # A stage is recorded when it changes the current one: a form saved for another field posts the stage
    # it shows, which is no statement about this year.
    stage = clean.pop("stage", None)
    stage = stage if stage != enterprise.stage else None
    clean.pop("stage_year", None)
    for name, value in clean.items():
        setattr(enterprise, name, value)
    enterprise.save()
    if tag_ids is not None:
        enterprise.tags.set(tag_ids)
    if stage is not None:
        # Recorded as this year's stage, which moves the current one unless a later year is recorded; the
        # profile's entry below shows the current stage's change, the record's own entry the year's.
        stage_record(by=by, enterprise=enterprise, year=timezone.localdate().year, stage=stage,
                     source=StageSource.EDIT)
    old, new = changed_only(before, _enterprise_snapshot(enterprise))
    if new or old:
        audit_record(
            actor=by,
            action="update",
            entity="enterprise",
            entity_id=enterprise.uscc,
            summary=enterprise.name,
            before=old,
            after=new,
        )
    return enterprise


@transaction.atomic
def indicator_put(
    *, by: User, enterprise: Enterprise, year: object, month: object = 0, data: Mapping[str, object]
) -> Indicator:
    """Set one period's indicators to exactly `data` (fields not given become empty)."""
    require(by, "base.indicator.change", enterprise, message=_("您不能填报该企业的指标"))
    clean_year, clean_month, errors = clean_period(year, month)
    unknown = [k for k in data if k not in INDICATOR_NAMES]
    errors.extend((k, _("未知指标")) for k in unknown)
    values, more = clean_indicator_values({name: data.get(name) for name in INDICATOR_NAMES})
    errors.extend(more)
    _raise(errors)
    assert clean_year is not None  # _raise stopped a missing year
    existing = Indicator.objects.filter(enterprise=enterprise, year=clean_year, month=clean_month).first()
    before = snapshot(existing, INDICATOR_NAMES) if existing else None
    row, _created = Indicator.objects.update_or_create(
        enterprise=enterprise, year=clean_year, month=clean_month, defaults=values
    )
    old, new = changed_only(before, snapshot(row, INDICATOR_NAMES))
    if old or new:
        audit_record(
            actor=by,
            action="update" if existing else "create",
            entity="indicator",
            entity_id=f"{enterprise.uscc}/{clean_year}/{clean_month}",
            summary=enterprise.name,
            before=old or None,
            after=new,
        )
    enterprise_refresh_derived(ids=[enterprise.id])
    return row


@transaction.atomic
def enterprise_stage_set(
    *, by: User, enterprise: Enterprise, stage: str, year: int, reason: str,
    source: str = StageSource.DIAGNOSIS, reference: str = "",
) -> bool:
    """Record the enterprise's stage in `year` as another module established it (a verified diagnosis, an
    accepted project): that module's own policy allowed the act, so no base permission is asked of `by`
    here. Audited with the reason; False when that year's stage was already that (nothing written)."""
    latest = _latest_stage(enterprise.pk, year)
    record = stage_record(by=by, enterprise=enterprise, year=year, stage=stage, source=source,
                          reference=reference, reason=reason)
    return latest is None or record.pk != latest.pk


def _latest_stage(enterprise_id: int, year: object) -> StageRecord | None:
    """The record that gives the enterprise's stage in `year`: the latest one made for that year."""
    if not isinstance(year, int):
        return None
    return (StageRecord.objects.filter(enterprise_id=enterprise_id, year=year)
            .order_by("-recorded_at", "-id").first())


@transaction.atomic
def stage_record(
    *, by: User | None, enterprise: Enterprise, year: object, stage: object, source: object,
    reference: str = "", reason: str = "",
) -> StageRecord:
    """Record the enterprise's stage in `year` as `source` established it (SPEC §2: kept by year, never
    overwritten). Append-only: a new record stands beside the year's earlier ones and the latest is the
    year's stage. Idempotent: when the year's latest record already has this stage nothing is written and
    that record is returned (re-importing a file changes nothing).

    The caller's act was allowed by its own policy (editing the profile, a verified diagnosis, an import),
    so no permission is asked here. Enterprise.stage follows the latest year recorded (stage_current_refresh):
    recording an earlier year never moves the current stage back.
    """
    clean_year, clean_stage, errors = clean_stage_record(year, stage, source)
    try:
        clean_text_reference = clean_text(reference, field="reference", max_length=255)
    except InvalidInput as exc:
        errors.extend((d["field"], d["message"]) for d in exc.details)
        clean_text_reference = ""
    _raise(errors)
    assert clean_year is not None and clean_stage is not None  # _raise stopped them missing
    # One writer at a time per enterprise: two records of one year made at once must not both be "new".
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).values_list("pk").first()
    latest = _latest_stage(enterprise.pk, clean_year)
    if latest is not None and latest.stage == clean_stage:
        return latest
    clean_source = StageSource(str(source))  # clean_stage_record checked it
    record = StageRecord.objects.create(enterprise=enterprise, year=clean_year, stage=clean_stage,
                                        source=clean_source, reference=clean_text_reference, recorded_by=by)
    audit_record(
        actor=by,
        action="create" if latest is None else "update",
        entity="stage",
        entity_id=f"{enterprise.uscc}/{clean_year}",
        summary=(reason or clean_text_reference or str(clean_source.label))[:255],
        before=_stage_values(latest.stage, latest.source, latest.reference) if latest else None,
        after=_stage_values(clean_stage, clean_source.value, clean_text_reference),
    )
    stage_current_refresh(ids=[enterprise.pk])
    enterprise.stage = Enterprise.objects.filter(pk=enterprise.pk).values_list("stage", flat=True).get()
    return record


def stage_records_bulk(
    *, by: User | None, rows: Iterable[tuple[int, str, int, str, str]], source: str, summary: str = "",
    audited: bool = True, unaudited: Collection[str] = (),
) -> int:
    """stage_record for many enterprises at once (an import, the demo's diagnoses): rows of (enterprise id, its
    code, year, stage, reference), at most one per enterprise and year and each already valid (the caller
    checked them). Idempotent the same way: a row whose year's latest record has its stage writes nothing.

    One query reads the records of the rows' enterprises, one bulk write adds the new records and one their
    audit entries (`summary` theirs; none unless `audited` — the demo generator's, like its other records —
    nor for the codes in `unaudited`, enterprises the same act created and audited), and at most one
    statement per stage moves the current stages that change; returns how many were recorded. Must run
    inside the caller's transaction."""
    wanted = list(rows)
    if not wanted:
        return 0
    ids = sorted({row[0] for row in wanted})
    latest: dict[tuple[int, int], tuple[str, str, str]] = {}  # (enterprise, year) -> its stage, source, reference
    # In record order, so the last one seen of each year is its latest.
    found = StageRecord.objects.filter(enterprise_id__in=in_values(ids)).order_by("enterprise_id", "year",
                                                                                  "recorded_at", "id")
    for enterprise_id, year, *values in found.values_list("enterprise_id", "year", "stage", "source", "reference"
                                                          ).iterator(chunk_size=20000):
        latest[(enterprise_id, year)] = (values[0], values[1], values[2])
    new = [row for row in wanted if latest.get((row[0], row[2]), ("",))[0] != row[3]]
    if not new:
        return 0
    at = connection.ops.adapt_datetimefield_value(timezone.now())  # as the ORM would write it
    by_id = by.pk if by is not None else None
    bulk_insert(
        table=StageRecord._meta.db_table,
        columns=["enterprise_id", "year", "stage", "source", "reference", "recorded_at", "recorded_by_id"],
        rows=((e, year, stage, source, reference[:255], at, by_id) for e, _uscc, year, stage, reference in new),
    )
    if audited:
        audit_bulk(actor=by, action="import", entity="stage", summary=summary, entries=(
            (f"{uscc}/{year}", uscc, _stage_values(*latest[(e, year)]) if (e, year) in latest else None,
             _stage_values(stage, source, reference[:255]))
            for e, uscc, year, stage, reference in new if uscc not in unaudited))
    # The current stage, from what was just read and written (stage_current_refresh's rule): the latest
    # year's, where a new record is its year's latest.
    final: dict[int, tuple[int, str]] = {}
    for (e, year), (stage, _source, _reference) in latest.items():
        if e not in final or year > final[e][0]:
            final[e] = (year, stage)
    for e, _uscc, year, stage, _reference in new:
        if e not in final or year >= final[e][0]:
            final[e] = (year, stage)
    moved: dict[str, list[int]] = defaultdict(list)
    for e in {row[0] for row in new}:
        moved[final[e][1]].append(e)
    changed = sum(Enterprise.objects.filter(id__in=in_values(sorted(ids))).exclude(stage=stage).update(stage=stage)
                  for stage, ids in moved.items())
    if changed:
        areas_changed(Enterprise)  # update() sends no signals
    return len(new)


def _stage_values(stage: str, source: str, reference: str) -> dict[str, str]:
    """A stage record as its audit entry keeps it (base.history reads it)."""
    return {"stage": stage, "source": str(source), "reference": reference}


def stage_current_refresh(*, ids: Iterable[int]) -> None:
    """Set each enterprise's current stage (Enterprise.stage, for lists and filters) to the stage of the
    latest year it has a record of, writing only those that differ: one statement for any number."""
    chosen = in_values(sorted(set(ids)))
    if isinstance(chosen, list):
        return
    latest = Subquery(StageRecord.objects.filter(enterprise_id=OuterRef("pk"))
                      .order_by("-year", "-recorded_at", "-id").values("stage")[:1])
    has_records = Exists(StageRecord.objects.filter(enterprise_id=OuterRef("pk")))
    changed = Enterprise.objects.filter(has_records, id__in=chosen).exclude(stage=latest).update(stage=latest)
    if changed:
        areas_changed(Enterprise)  # update() sends no signals


def _fen(yuan: Decimal) -> int:
    """A bound in yuan as raw SQL compares it with a money column: whole fen (models.MoneyField)."""
    fen = Indicator._meta.get_field("revenue").get_prep_value(yuan)
    assert isinstance(fen, int)
    return fen


def _size_case_sql(alias: str) -> str:
    """The size rule (sizing.SIZE_RULE) as one SQL CASE, so bulk refreshes follow the same table."""
    whens = " ".join(
        f"WHEN {alias}.employees >= {staff} AND {alias}.revenue >= {_fen(revenue)} THEN '{name}'"
        for name, staff, revenue in SIZE_RULE
    )
    return f"CASE {whens} ELSE 'micro' END"


def enterprise_refresh_derived(*, ids: Iterable[int] | None = None) -> None:
    """Recompute size class and the above-designated-size flag from each latest annual record.

    One statement, writing only the rows whose values change: a refresh after an import changes few of
    them, and rewriting every row also rewrote its indexes (size class is indexed).
    """
    from django.db.models.expressions import RawSQL

    only, params = "", []
    if ids is not None:
        chosen = in_values(ids)
        if not isinstance(chosen, RawSQL):
            return  # no ids
        only, params = f"WHERE e.id IN ({chosen.sql})", list(chosen.params)
    # Each latest annual record by the (enterprise, year, month) index, found once for both fields:
    # PostgreSQL joins it laterally (its planner would rather hash the whole indicator table for a
    # join on a subquery); SQLite has no LATERAL but runs the join on the subquery row by row.
    latest = "FROM base_indicator i WHERE i.enterprise_id = e.id AND i.month = 0 ORDER BY i.year DESC LIMIT 1"
    if connection.vendor == "postgresql":
        join = f"LEFT JOIN LATERAL (SELECT i.employees, i.revenue {latest}) l ON TRUE"
    else:
        join = f"LEFT JOIN base_indicator l ON l.id = (SELECT i.id {latest})"
    flag = f"CASE WHEN l.revenue >= {_fen(ABOVE_DESIGNATED_REVENUE)} THEN TRUE ELSE FALSE END"
    derived = f"SELECT e.id, {_size_case_sql('l')} AS size_class, {flag} AS above FROM base_enterprise e {join} {only}"
    sql = (
        f"UPDATE base_enterprise SET size_class = d.size_class, above_designated_size = d.above FROM ({derived}) d "
        "WHERE base_enterprise.id = d.id AND (base_enterprise.size_class <> d.size_class "
        "OR base_enterprise.above_designated_size <> d.above)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    areas_changed(Enterprise)  # raw SQL sends no model signals
