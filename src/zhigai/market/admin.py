"""Superusers' view of the market's providers: registrations move only through their workflow (read-only
here); technologies are reference data (`zhigai load-reference`), their names editable."""

from __future__ import annotations

from django.contrib import admin

from zhigai.core.admin import AuditedAdmin, ReadOnlyAdmin

from .models import Provider, ProviderEvent, Technology


@admin.register(Provider)
class ProviderAdmin(ReadOnlyAdmin):
    list_display = ("name", "type", "home_region", "status", "capacity", "price_level")
    list_filter = ("type", "status", "price_level")
    search_fields = ("name",)
    raw_id_fields = ("leader", "created_by", "home_region", "industry_focus")


@admin.register(ProviderEvent)
class ProviderEventAdmin(ReadOnlyAdmin):
    list_display = ("subject", "transition", "source", "target", "by", "at")
    list_filter = ("transition",)
    raw_id_fields = ("subject", "by")


@admin.register(Technology)
class TechnologyAdmin(AuditedAdmin):
    list_display = ("code", "name_zh", "name_en")
    readonly_fields = ("code",)
