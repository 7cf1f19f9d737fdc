"""Load the market's reference data (src/zhigai/data/market/technologies.yaml), registered with core.reference:
`zhigai load-reference` runs `technologies_load` (the file wins), every start `technologies_ensure` (only
what is missing)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from .models import Technology

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "market" / "technologies.yaml"


def _entries() -> list[dict[str, Any]]:
    with open(DATA_FILE, encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    entries = loaded.get("technologies") if isinstance(loaded, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{DATA_FILE}: no list of technologies")
    codes = [str(e.get("code", "")) for e in entries]
    if "" in codes or len(set(codes)) != len(codes):
        raise ValueError(f"{DATA_FILE}: every technology needs a code of its own")
    return entries


@transaction.atomic
def _load(*, overwrite: bool) -> dict[str, int]:
    count = 0
    for entry in _entries():
        names = {"name_zh": str(entry["name_zh"]), "name_en": str(entry["name_en"])}
        technology, created = Technology.objects.get_or_create(code=str(entry["code"]), defaults=names)
        if overwrite and not created and (technology.name_zh, technology.name_en) != tuple(names.values()):
            Technology.objects.filter(pk=technology.pk).update(**names)
        count += 1
    return {"technologies": count}


def technologies_load() -> dict[str, int]:
    return _load(overwrite=True)


def technologies_ensure() -> dict[str, int]:
    return _load(overwrite=False)
