"""Figures for officers: levels by region, industry and size; cohorts moving between assessments;
enterprises not yet assessed. Computed over the user's scope, cached until assessments, enterprises or
reference data change."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zhigai.base.models import Enterprise, Industry, Region, SizeClass
from zhigai.base.policy import enterprise_scope
from zhigai.base.selectors import region_codes_below, scoped_enterprises
from zhigai.core.cache import cached_figures
from zhigai.core.types import Actor

from .models import Assessment, MaturityModel, Status
from .results import current_rows


def _rows(user: Actor, model: MaturityModel) -> list[tuple[Any, ...]]:
    return list(
        Assessment.objects.filter(
            model__code=model.code, status=Status.SUBMITTED, enterprise__in=scoped_enterprises(enterprise_scope(user))
        )
        .order_by()
        .values_list(
            "enterprise_id", "kind", "submitted", "level", "enterprise__region_id", "enterprise__industry_id",
            "enterprise__size_class",
        )
    )


def _compute(user: Actor, model: MaturityModel) -> dict[str, Any]:
    rows = _rows(user, model)
    current = current_rows(rows)
    timeline: dict[int, list[tuple[Any, int]]] = {}
    for ent, _kind, submitted, level, *_rest in rows:
        timeline.setdefault(ent, []).append((submitted, level))
    parent = dict(Region.objects.values_list("id", "parent_id"))
    by_region: dict[int, dict[int, int]] = {}
    by_industry: dict[int, dict[int, int]] = {}
    by_size: dict[str, dict[int, int]] = {}
    for _ent, _kind, _sub, level, region_id, industry_id, size in current.values():
        for table, key in ((by_region, region_id), (by_industry, industry_id), (by_size, size)):
            table.setdefault(key, {}).setdefault(level, 0)
            table[key][level] += 1
        city = parent.get(region_id)
        if city is not None:
            by_region.setdefault(-city, {}).setdefault(level, 0)  # cities kept under negative ids
            by_region[-city][level] += 1
    cohorts: dict[tuple[int, int], int] = {}
    for points in timeline.values():
        if len(points) >= 2:
            points.sort(key=lambda p: p[0])
            move = (points[0][1], points[-1][1])
            cohorts[move] = cohorts.get(move, 0) + 1
    return {
        "assessed": len(current),
        "by_region": by_region,
        "by_industry": by_industry,
        "by_size": by_size,
        "cohorts": cohorts,
    }


def level_figures(*, user: Actor, model: MaturityModel) -> dict[str, Any]:
    """Distribution of current levels and T0 → T1 cohort movement for the user's scope and this model."""
    scope = enterprise_scope(user)
    figures = cached_figures(("diagnosis-levels", scope.key, model.code), lambda: _compute(user, model),
                             areas=("assessments", "enterprises", "reference"))
    lang = get_language()
    spec = model.spec
    levels = [(0, _("未达到一级"))] + [(lv.number, lv.name.get(lang)) for lv in spec.levels]
    regions = {r.id: r for r in Region.objects.all()}
    industries = {i.id: i for i in Industry.objects.filter(id__in=figures["by_industry"].keys())}
    # One row per city for the province, per county for a city or county officer.
    cities = {k: v for k, v in figures["by_region"].items() if k < 0}
    region_rows = (
        [(regions[-k].name, v) for k, v in sorted(cities.items(), key=lambda kv: regions[-kv[0]].code)]
        if len(cities) > 1
        else [(regions[k].name, v) for k, v in sorted(
            ((k, v) for k, v in figures["by_region"].items() if k > 0), key=lambda kv: regions[kv[0]].code)]
    )
    industry_rows = sorted(
        ((f"{industries[k].code} {industries[k].name[:8]}", v) for k, v in figures["by_industry"].items()),
        key=lambda row: -sum(row[1].values()),
    )[:15]
    size_rows = [(label, figures["by_size"].get(value, {})) for value, label in SizeClass.choices]
    top = spec.top_level
    matrix = [[figures["cohorts"].get((a, b), 0) for b in range(top + 1)] for a in range(top + 1)]
    return {
        "assessed": figures["assessed"],
        "levels": levels,
        "by_region": region_rows,
        "by_industry": industry_rows,
        "by_size": size_rows,
        "cohort_matrix": matrix,
        "cohort_total": sum(figures["cohorts"].values()),
        "improved": sum(n for (a, b), n in figures["cohorts"].items() if b > a),
    }


def unassessed(*, user: Actor, region_code: str = "") -> QuerySet[Enterprise]:
    """Enterprises in the user's scope (and under `region_code`, when given) with no submitted assessment
    of any model, by name."""
    done = Assessment.objects.filter(enterprise=OuterRef("pk"), status=Status.SUBMITTED)
    qs = scoped_enterprises(enterprise_scope(user)).filter(~Exists(done))
    if region_code:
        qs = qs.filter(region_id__in=region_codes_below(region_code))
    return qs.select_related("region", "industry").order_by("name", "id")
