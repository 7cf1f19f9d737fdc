"""Superusers' view of the analytics data: series (with their points) and scenarios are edited here or
by a provincial officer on /analytics/data/; every save is audited (core.admin.AuditedAdmin)."""

from __future__ import annotations

from django.contrib import admin

from zhigai.core.admin import AuditedAdmin, ReadOnlyAdmin

from .models import ReferenceValue, SampleFraction, Scenario, Series, SeriesPoint


class SeriesPointInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SeriesPoint
    extra = 1
    fields = ("year", "value")


@admin.register(Series)
class SeriesAdmin(AuditedAdmin):
    list_display = ("code", "kind", "name_zh", "source", "unit")
    inlines = [SeriesPointInline]


class ReferenceValueInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ReferenceValue
    extra = 0


@admin.register(Scenario)
class ScenarioAdmin(AuditedAdmin):
    list_display = ("code", "name_zh", "is_default")
    inlines = [ReferenceValueInline]


@admin.register(SampleFraction)
class SampleFractionAdmin(ReadOnlyAdmin):  # set by services.sample_fraction_set
    list_display = ("fraction", "label", "set_at")
