"""Load the analytics data files (src/zhigai/data/analytics/): reference series, price indexes, scenarios.

Registered with core.reference (AppConfig.ready): `zhigai load-reference` runs `analytics_data_load`
(the files win, for an operator who edited them), every start runs `analytics_data_ensure` (only what is
missing, so that an officer's edits on the data page stay).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from zhigai.core.cache import areas_changed

from .models import ReferenceValue, Scenario, Series, SeriesKind, SeriesPoint, ValueKind

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "analytics"


class DataFileError(ValueError):
    pass


def _read(name: str) -> dict[str, Any]:
    path = DATA_DIR / name
    with open(path, encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    if not isinstance(loaded, dict):
        raise DataFileError(f"{path}: not a mapping")
    return loaded


def _decimal(value: Any, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise DataFileError(f"{where}: {value!r} is not a number") from None


@transaction.atomic
def _load(*, overwrite: bool) -> dict[str, int]:
    counts = {"series": 0, "points": 0, "scenarios": 0, "reference values": 0}
    for s in _read("series.yaml")["series"]:
        if s["kind"] not in SeriesKind.values:
            raise DataFileError(f"series {s['code']}: kind {s['kind']!r} is not one of {SeriesKind.values}")
        fields = {k: s.get(k, "") for k in ("kind", "figure", "name_zh", "name_en", "source", "source_en", "unit",
                                            "unit_en", "note", "note_en")}
        series, created = Series.objects.get_or_create(code=s["code"], defaults=fields)
        if overwrite and not created:
            Series.objects.filter(pk=series.pk).update(**fields)
            series.refresh_from_db()
        counts["series"] += 1
        for year, value in s["values"].items():
            number = _decimal(value, f"series {s['code']} {year}")
            point, made = SeriesPoint.objects.get_or_create(series=series, year=int(year), defaults={"value": number})
            if overwrite and not made and point.value != number:
                point.value = number
                point.save(update_fields=["value"])
            counts["points"] += 1
    for sc in _read("scenarios.yaml")["scenarios"]:
        fields = {"name_zh": sc["name_zh"], "name_en": sc["name_en"], "description": sc.get("description", ""),
                  "description_en": sc.get("description_en", ""), "is_default": bool(sc.get("default"))}
        if fields["is_default"]:
            Scenario.objects.filter(is_default=True).exclude(code=sc["code"]).update(is_default=False)
        scenario, created = Scenario.objects.get_or_create(code=sc["code"], defaults=fields)
        if overwrite and not created:
            Scenario.objects.filter(pk=scenario.pk).update(**fields)
        counts["scenarios"] += 1
        for v in sc["values"]:
            kind = v.get("kind", ValueKind.LEVEL)
            if kind not in ValueKind.values:
                raise DataFileError(f"scenario {sc['code']}, {v['code']}: kind {kind!r} is not one of "
                                    f"{ValueKind.values}")
            year_from = int(v.get("year_from", v.get("year", 0)))
            year_to = int(v.get("year_to", v.get("year", 0)))
            if not year_from or year_from > year_to:
                raise DataFileError(f"scenario {sc['code']}, {v['code']}: give a year or year_from ≤ year_to")
            value = _decimal(v["value"], f"scenario {sc['code']}, {v['code']}")
            rest = {"value": value, "unit": str(v.get("unit", "")), "note": str(v.get("note", "")),
                    "note_en": str(v.get("note_en", ""))}
            ref, made = ReferenceValue.objects.get_or_create(
                scenario=scenario, code=v["code"], tag=v.get("tag", ""), year_from=year_from, year_to=year_to,
                kind=kind, defaults=rest)
            if overwrite and not made:
                ReferenceValue.objects.filter(pk=ref.pk).update(**rest)
            counts["reference values"] += 1
    areas_changed("reference")  # QuerySet.update() above sends no model signals
    return counts


def analytics_data_load() -> dict[str, int]:
    """Every series, point, scenario and reference value of the files, the files' values winning."""
    return _load(overwrite=True)


def analytics_data_ensure() -> dict[str, int]:
    """What the files hold and the database lacks; values already there (perhaps edited) stay."""
    return _load(overwrite=False)
