"""Loading of reference data (regions, industries, tags, clusters) from the data files.

Another province is another regions file: `zhigai load-reference --regions FILE`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from .models import Cluster, Industry, Region, RegionLevel, Tag

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_REGIONS = DATA_DIR / "regions" / "zhejiang.yaml"


def _read(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
        return loaded


def _upsert(model: Any, code: str, **values: Any) -> Any:
    obj, _created = model.objects.update_or_create(code=code, defaults=values)
    return obj


@transaction.atomic
def reference_data_load(*, regions_file: Path = DEFAULT_REGIONS) -> dict[str, int]:
    """Create or update every reference row from the files; running it twice changes nothing."""
    regions = _read(regions_file)
    industries = _read(DATA_DIR / "industries.yaml")
    clusters = _read(DATA_DIR / "clusters.yaml")
    prov = regions["province"]
    province = _upsert(
        Region,
        prov["code"],
        name_zh=prov["name_zh"],
        name_en=prov["name_en"],
        level=RegionLevel.PROVINCE,
        parent=None,
        share=1.0,
        pinyin=prov.get("pinyin", ""),
    )
    county_count = 0
    for city in regions["cities"]:
        city_obj = _upsert(
            Region,
            city["code"],
            name_zh=city["name_zh"],
            name_en=city["name_en"],
            level=RegionLevel.CITY,
            parent=province,
            pinyin=city["pinyin"],
            share=city["share"],
        )
        for county in city["counties"]:
            _upsert(
                Region,
                county["code"],
                name_zh=county["name_zh"],
                name_en=county["name_en"],
                level=RegionLevel.COUNTY,
                parent=city_obj,
                pinyin=county.get("pinyin", ""),
                share=0,
            )
            county_count += 1
    tags = {t["code"]: _upsert(Tag, t["code"], name_zh=t["name_zh"], name_en=t["name_en"]) for t in industries["tags"]}
    for div in industries["divisions"]:
        industry = _upsert(
            Industry, div["code"], name_zh=div["name_zh"], name_en=div["name_en"], parent=None, share=div["share"]
        )
        industry.tags.set([tags[c] for c in div.get("tags", [])])
    for cl in clusters["clusters"]:
        _upsert(
            Cluster,
            cl["code"],
            name_zh=cl["name_zh"],
            name_en=cl["name_en"],
            region=Region.objects.get(code=cl["county"]),
            industry=Industry.objects.get(code=cl["industry"]),
        )
    return {
        "cities": len(regions["cities"]),
        "counties": county_count,
        "industries": len(industries["divisions"]),
        "clusters": len(clusters["clusters"]),
    }


def reference_data_ensure() -> None:
    if not Region.objects.exists():
        reference_data_load()
