"""Django admin for superusers. Changes made here are audited like any other change."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from .audit import audit_record, client_ip
from .models import AuditLog, User


def _fields(obj: models.Model) -> dict[str, Any]:
    from .audit import jsonable

    return {
        f.name: jsonable(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if f.name not in ("password", "last_login")
    }


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Writes an audit row with before and after for every save and delete made in the admin, one by one
    or through "delete selected". (Cached figures follow by themselves: core.cache listens to every ORM
    write of a registered model.)"""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = _fields(type(obj).objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="admin_update" if change else "admin_create",
            entity=obj._meta.label_lower,
            entity_id=obj.pk,
            summary=str(obj)[:200],
            before=before,
            after=_fields(obj),
            ip=client_ip(request),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit = self._deletion_audit(request, obj)
            super().delete_model(request, obj)
            audit_record(**audit)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        """The "delete selected" action: the same audit row for each object as a single delete writes."""
        with transaction.atomic():
            audits = [self._deletion_audit(request, obj) for obj in queryset]
            super().delete_queryset(request, queryset)
            for audit in audits:
                audit_record(**audit)

    def _deletion_audit(self, request: HttpRequest, obj: Any) -> dict[str, Any]:
        return {
            "actor": request.user,
            "action": "admin_delete",
            "entity": obj._meta.label_lower,
            "entity_id": obj.pk,
            "summary": str(obj)[:200],
            "before": _fields(obj),
            "ip": client_ip(request),
        }


@admin.register(User)
class ZhigaiUserAdmin(AuditedAdmin, UserAdmin[User]):
    list_display = ("username", "role", "region", "enterprise", "is_active", "is_superuser")
    list_filter = ("role", "is_active", "is_superuser")
    raw_id_fields = ("enterprise",)
    filter_horizontal = ("industries",)
    fieldsets = (*UserAdmin.fieldsets, ("zhigai", {"fields": ("role", "region", "enterprise", "industries")}))  # type: ignore[misc]


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """For records that are never changed once written (audit trail, submitted assessments)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    """The trail is append-only: it can be read and searched, never changed."""

    list_display = ("at", "actor_name", "action", "entity", "entity_id", "summary")
    list_filter = ("action", "entity")
    search_fields = ("actor_name", "entity_id", "summary")
