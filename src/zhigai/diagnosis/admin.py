"""Superusers' view of the diagnosis data. Model files are loaded by `zhigai load-reference`, not edited
here; submitted assessments are read-only (a correction is a new assessment)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from zhigai.core.admin import AuditedAdmin, ReadOnlyAdmin

from .models import Assessment, Assignment, MaturityModel


@admin.register(MaturityModel)
class MaturityModelAdmin(AuditedAdmin):
    list_display = ("code", "version", "name_zh", "current", "loaded")
    list_filter = ("code", "current")
    fields = ("code", "version", "name_zh", "name_en", "current", "digest", "loaded")
    readonly_fields = ("code", "version", "name_zh", "name_en", "digest", "loaded")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "enterprise", "model", "kind", "status", "level", "score", "submitted")
    list_filter = ("kind", "status", "model")
    search_fields = ("enterprise__uscc", "enterprise__name")
    raw_id_fields = ("enterprise", "claims_from", "created_by")


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdmin):
    list_display = ("user", "enterprise", "assigned_by", "created")
    search_fields = ("user__username", "enterprise__uscc", "enterprise__name")
    raw_id_fields = ("user", "enterprise", "assigned_by")
