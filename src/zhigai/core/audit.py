"""The audit trail: every sign-in and every change to data goes through audit_record."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .bulk import bulk_insert
from .models import AuditLog

ACTION_LABELS = {
    "create": _("新建"),
    "update": _("修改"),
    "import": _("导入"),
    "sign_in": _("登录"),
    "sign_in_failed": _("登录失败"),
    "sign_in_locked": _("登录被锁定"),
    "sign_out": _("退出登录"),
    "admin_create": _("后台新建"),
    "admin_update": _("后台修改"),
    "admin_delete": _("后台删除"),
}
ENTITY_LABELS = {"enterprise": _("企业"), "indicator": _("指标"), "user": _("用户"), "file": _("文件")}
_PLAIN = {str, int, float, bool, type(None)}
# One encoder for entries made in bulk: json.dumps with options builds a new one per call.
_encode = json.JSONEncoder(ensure_ascii=False).encode


def jsonable(value: Any) -> Any:
    if type(value) in _PLAIN:  # most values of an import's entries, by the hundred thousand
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    return value


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    """The named fields of a model instance as JSON-safe values (foreign keys by their id)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = jsonable(getattr(instance, attname))
    return out


def changed_only(before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """Reduce a before/after pair to the keys whose values differ."""
    before, after = before or {}, after or {}
    keys = [k for k in after.keys() | before.keys() if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys if k in before}, {k: after.get(k) for k in keys if k in after}


def audit_subject(entity_id: Any) -> str:
    """The default subject of an entry: its entity_id up to the first "/" (see AuditLog.subject)."""
    return str(entity_id).partition("/")[0]


def audit_record(
    *,
    actor: Any,
    action: str,
    entity: str = "",
    entity_id: Any = "",
    subject: str | None = None,
    summary: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditLog:
    user = actor if getattr(actor, "is_authenticated", False) else None
    # Each text cut to its column (a sign-in names a typed username: 150 characters fit a name, 64 an id),
    # so an entry never overflows on PostgreSQL, which refuses what SQLite would store.
    return AuditLog.objects.create(
        actor=user,
        actor_name=(getattr(user, "username", "") or (str(actor) if isinstance(actor, str) else ""))[:150],
        action=action,
        entity=entity,
        entity_id=str(entity_id)[:64],
        subject=(audit_subject(entity_id) if subject is None else subject)[:64],
        summary=summary[:255],
        before=before,
        after=after,
        ip=ip,
    )


AUDIT_BULK_COLUMNS = ["at", "actor_id", "actor_name", "action", "entity", "entity_id", "subject", "summary", "before",
                      "after"]


def audit_bulk(
    *, actor: Any, action: str, entity: str, summary: str,
    entries: Iterable[tuple[str, str, dict[str, Any] | None, dict[str, Any]]],
) -> int:
    """audit_record for entries made by the hundred thousand (an import): (entity_id, subject, before, after)
    each, all by one actor at one time, written by core.bulk.bulk_insert as the database takes them (building
    a model instance per entry cost a first load as much as the load). Returns how many were written."""
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    user = actor if getattr(actor, "is_authenticated", False) else None
    name = (getattr(user, "username", "") or "")[:150]
    rows = (
        (at, getattr(user, "pk", None), name, action, entity, str(entity_id)[:64], subject[:64], summary[:255],
         _encode(before) if before else "{}", _encode(after))
        for entity_id, subject, before, after in entries
    )
    return bulk_insert(table=AuditLog._meta.db_table, columns=AUDIT_BULK_COLUMNS, rows=rows)


def client_ip(request: Any) -> str | None:
    """The client's address: the connection's, or behind the configured proxy (settings.BEHIND_PROXY) the
    last X-Forwarded-For entry, the one that proxy added (earlier ones are whatever the client sent)."""
    if request is None:
        return None
    if settings.BEHIND_PROXY:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        try:
            return str(ipaddress.ip_address(forwarded[-1])) if forwarded else request.META.get("REMOTE_ADDR")
        except ValueError:
            pass
    address: str | None = request.META.get("REMOTE_ADDR")
    return address


def audit_changes(
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    order: list[str],
    label: Any,
    show: Any,
) -> list[tuple[str, str, str]]:
    """An entry's before/after as (field label, old value, new value) lines for a reader, in `order` (unknown
    keys last, by name). `label(key)` and `show(key, value)` come from the module that owns the fields: the
    trail stores codes and raw values, its reader sees the labels and values of their own language."""
    before, after = before or {}, after or {}
    keys = sorted(before.keys() | after.keys(), key=lambda k: (order.index(k) if k in order else len(order), k))
    return [(str(label(k)), show(k, before.get(k)), show(k, after.get(k))) for k in keys]
