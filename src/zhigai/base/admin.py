from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from zhigai.core.admin import AuditedAdmin

from .models import Cluster, Enterprise, ImportJob, Indicator, Industry, Region, StageRecord, Tag
from .services import enterprise_refresh_derived


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name_zh", "name_en", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Industry)
class IndustryAdmin(AuditedAdmin):
    list_display = ("code", "name_zh", "name_en")
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Tag)
class TagAdmin(AuditedAdmin):
    list_display = ("code", "name_zh", "name_en")


@admin.register(Cluster)
class ClusterAdmin(AuditedAdmin):
    list_display = ("code", "name_zh", "region", "industry")


@admin.register(Enterprise)
class EnterpriseAdmin(AuditedAdmin):
    list_display = ("uscc", "name", "region", "industry", "size_class", "stage")
    list_filter = ("size_class", "stage", "above_designated_size")
    search_fields = ("uscc", "name")
    raw_id_fields = ("region", "industry", "cluster")
    # Size is derived from indicators, never typed in; the stage is the latest year's stage record, set by
    # recording one (the profile form, an import, a verified diagnosis), never over the history.
    readonly_fields = ("size_class", "above_designated_size", "stage")


@admin.register(StageRecord)
class StageRecordAdmin(admin.ModelAdmin[StageRecord]):
    """The stage by year, to read: records are only added, by base.services (SPEC §2, never overwritten)."""

    list_display = ("enterprise", "year", "stage", "source", "reference", "recorded_at", "recorded_by")
    list_filter = ("year", "stage", "source")
    search_fields = ("enterprise__uscc", "enterprise__name", "reference")
    raw_id_fields = ("enterprise", "recorded_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting stays as for every model: an enterprise removed takes its records with it


@admin.register(Indicator)
class IndicatorAdmin(AuditedAdmin):
    list_display = ("enterprise", "year", "month", "revenue", "employees")
    list_filter = ("year",)
    search_fields = ("enterprise__uscc", "enterprise__name")
    raw_id_fields = ("enterprise",)

    def save_model(self, request: HttpRequest, obj: Indicator, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        enterprise_refresh_derived(ids=[obj.enterprise_id])

    def delete_model(self, request: HttpRequest, obj: Indicator) -> None:
        enterprise_id = obj.enterprise_id
        super().delete_model(request, obj)
        enterprise_refresh_derived(ids=[enterprise_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Indicator]) -> None:
        enterprise_ids = set(queryset.values_list("enterprise_id", flat=True))
        super().delete_queryset(request, queryset)
        enterprise_refresh_derived(ids=enterprise_ids)  # their size may follow from an earlier year now


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin[ImportJob]):
    list_display = ("created", "filename", "created_by", "status", "dry_run")
    readonly_fields = ("errors", "summary")
