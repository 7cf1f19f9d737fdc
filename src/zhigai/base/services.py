"""Every write to the base data: enterprises, their indicators and the derived size fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from zhigai.core.audit import audit_record, changed_only, snapshot
from zhigai.core.cache import areas_changed
from zhigai.core.errors import InvalidInput, PermissionDenied
from zhigai.core.models import User
from zhigai.core.policy import permitted, require
from zhigai.core.types import Actor

from .models import Enterprise, Indicator, Stage
from .policy import enterprise_scope
from .sizing import ABOVE_DESIGNATED_REVENUE, SIZE_RULE
from .validation import (
    INDICATOR_NAMES,
    Errors,
    Lookups,
    clean_enterprise_values,
    clean_indicator_values,
    clean_period,
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
    if clean.get("stage") is None:
        clean.pop("stage", None)
    enterprise = Enterprise.objects.create(uscc=uscc, **clean)
    enterprise.tags.set(tag_ids)
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
    if "stage" in clean and clean["stage"] is None:
        clean.pop("stage")
    for name, value in clean.items():
        setattr(enterprise, name, value)
    enterprise.save()
    if tag_ids is not None:
        enterprise.tags.set(tag_ids)
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
def enterprise_stage_set(*, by: User, enterprise: Enterprise, stage: str, reason: str) -> bool:
    """Set the enterprise's transformation stage as another module established it (a verified diagnosis):
    that module's own policy allowed the act, so no base permission is asked of `by` here. Audited with
    the reason; False when the stage was already that."""
    if stage not in Stage.values:
        raise InvalidInput(_("未知的改造阶段：%(s)s") % {"s": stage}, details=[{"field": "stage", "message": stage}])
    before = Enterprise.objects.filter(pk=enterprise.pk).values_list("stage", flat=True).first()
    if before == stage:
        return False
    Enterprise.objects.filter(pk=enterprise.pk).update(stage=stage)
    areas_changed(Enterprise)  # update() sends no signals
    enterprise.stage = stage
    audit_record(actor=by, action="update", entity="enterprise", entity_id=enterprise.uscc,
                 summary=reason[:255], before={"stage": before}, after={"stage": stage})
    return True


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

    from zhigai.core.bulk import in_values

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
