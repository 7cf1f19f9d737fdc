"""The demo province generator: a seeded, reproducible synthetic province written to the database.

The enterprises' economics are simulated by seed_economics (docs/demo-economics.md); nothing here or there
rescales a total to a target. `zhigai seed --scale province` writes the whole province; the default demo
is a balanced sample of it (`sample_fraction` in the result), whose ratios and per-capita figures are the
province's and whose totals are the sample's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from django.db import connection, transaction
from django.utils import timezone

from zhigai.core.bulk import bulk_insert, bulk_upsert, in_values

from .models import (
    INDICATOR_FIELDS,
    STAGE_ORDER,
    Cluster,
    Enterprise,
    Indicator,
    Industry,
    Region,
    RegionLevel,
    StageRecord,
    StageSource,
    Tag,
)
from .seed_economics import Economy, sample, simulate
from .services import enterprise_refresh_derived
from .uscc import ALPHABET, make_uscc

CALIBRATION = Path(__file__).resolve().parent.parent / "data" / "demo_calibration.yaml"
BRANDS = [
    "宏达",
    "恒信",
    "金马",
    "华美",
    "永盛",
    "新力",
    "天成",
    "东方",
    "鑫源",
    "瑞丰",
    "正泰",
    "立信",
    "海天",
    "光明",
    "福星",
    "长城",
    "嘉禾",
    "中联",
    "万通",
    "精工",
    "博远",
    "凯利",
    "中恒",
    "德力",
    "宇航",
    "飞龙",
    "荣昌",
    "华信",
    "兴隆",
    "汇丰",
    "锦程",
    "天翔",
    "亚通",
    "红星",
    "银河",
    "卓越",
    "富春",
    "钱江",
    "越美",
]
TRADES = {
    "13": "食品",
    "14": "食品",
    "15": "饮品",
    "16": "烟草",
    "17": "纺织",
    "18": "服饰",
    "19": "皮革",
    "20": "木业",
    "21": "家具",
    "22": "纸业",
    "23": "印务",
    "24": "文体用品",
    "25": "能源",
    "26": "化工",
    "27": "制药",
    "28": "化纤",
    "29": "塑胶",
    "30": "建材",
    "31": "钢铁",
    "32": "有色金属",
    "33": "五金",
    "34": "机械",
    "35": "装备",
    "36": "汽车部件",
    "37": "船舶",
    "38": "电气",
    "39": "电子",
    "40": "仪器仪表",
    "41": "工艺品",
    "42": "再生资源",
    "43": "设备维修",
}


def _pick(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(p), size=n, p=p / p.sum())


def calibration() -> dict[str, Any]:
    return dict(yaml.safe_load(CALIBRATION.read_text(encoding="utf-8")))


def province_size() -> int:
    return int(calibration()["province"]["enterprises"])


def generate(*, enterprises: int | None = None, seed: int = 2013) -> dict[str, Any]:
    """Build the synthetic province, or a balanced sample of `enterprises` of it, in memory (no writes)."""
    cal = calibration()
    total = int(cal["province"]["enterprises"])
    n = total if enterprises is None else enterprises
    if not 0 < n <= total:
        raise ValueError(f"--enterprises must be between 1 and the province's {total} (got {n})")
    rng = np.random.default_rng(seed + 1)

    cities = list(Region.objects.filter(level=RegionLevel.CITY).order_by("code"))
    counties = {c.id: list(Region.objects.filter(parent=c).order_by("code")) for c in cities}
    industries = list(Industry.objects.filter(parent__isnull=True).order_by("code").prefetch_related("tags"))
    if not cities or not industries:
        raise ValueError("no regions or industries: run `zhigai load-reference` first")
    clusters = list(Cluster.objects.select_related("region", "industry"))
    codes = [i.code for i in industries]
    economy = simulate(cal, codes, np.array([i.share for i in industries]), total, seed)
    default_tags = [frozenset(t.code for t in i.tags.all()) for i in industries]
    equipment = np.array(["equipment" in t for t in default_tags])
    chosen = sample(economy, n, equipment)

    city_idx = _pick(rng, np.array([c.share for c in cities]), n)
    county_of = np.empty(n, dtype=object)
    for ci, city in enumerate(cities):
        members = np.flatnonzero(city_idx == ci)
        options = counties[city.id]
        weights = rng.dirichlet(np.full(len(options), 2.0))  # some counties are industrial hubs
        county_of[members] = [options[k] for k in _pick(rng, weights, len(members))]

    usccs: set[str] = set()
    records = []
    stage = economy.stage[:, chosen]
    alive = economy.alive[:, chosen]
    last = alive.shape[0] - 1 - np.argmax(alive[::-1], axis=0)  # each enterprise's last reporting year
    for j, i in enumerate(chosen):
        county = county_of[j]
        while True:
            body = "91" + county.code + "".join(ALPHABET[k] for k in rng.integers(0, 31, 9))
            code = make_uscc(body)
            if code not in usccs:
                usccs.add(code)
                break
        industry = industries[economy.division[i]]
        place = county.name_zh.rstrip("区县市") if len(county.name_zh) > 2 else county.name_zh[:-1]
        brand = BRANDS[rng.integers(len(BRANDS))] + BRANDS[rng.integers(len(BRANDS))][0]
        matching = [c for c in clusters if c.region_id == county.id and c.industry_id == industry.id]
        records.append(
            {
                "uscc": code,
                "name": f"{place}{brand}{TRADES.get(industry.code, '实业')}有限公司",
                "region_id": county.id,
                "industry_id": industry.id,
                "founded_year": int(economy.founded[i]),
                "stage": STAGE_ORDER[stage[last[j], j]],
                "cluster_id": matching[0].id if matching and rng.random() < 0.6 else None,
                "tags": _own_tags(economy, i, default_tags[economy.division[i]]),
            }
        )
    return {
        "enterprises": records,
        "economy": economy,
        "chosen": chosen,
        "sample_fraction": n / total,
        "seed": seed,
    }


def _own_tags(economy: Economy, i: int, default: frozenset[str]) -> list[str]:
    """The enterprise's own tags when the statistics office's lists put it elsewhere than its division's
    default (docs/figures.md: own tags replace the default); none when the default describes it."""
    own = set(default) - {"hightech", "strategic"}
    if economy.hightech[i]:
        own.add("hightech")
    if economy.strategic[i]:
        own.add("strategic")
    return [] if own == default else sorted(own)


INDICATOR_COLUMNS = [name for name, _kind in INDICATOR_FIELDS]
FEN = {name for name, kind in INDICATOR_FIELDS if kind == "money"}  # columns written in whole fen
ROUNDING = {"defect_rate": 4, "energy_use": 1}


def _indicator_rows(data: dict[str, Any], ids: list[int]) -> list[tuple[Any, ...]]:
    economy, chosen = data["economy"], data["chosen"]
    rows: list[tuple[Any, ...]] = []
    for k, year in enumerate(economy.years):
        alive = np.flatnonzero(economy.alive[k, chosen])
        cells = chosen[alive]
        per_col = []
        for name in INDICATOR_COLUMNS:
            values = economy.columns[name][k, cells]
            if name in ROUNDING:
                col: list[Any] = np.round(values, ROUNDING[name]).tolist()
            else:
                col = (np.rint(values).astype(np.int64) * (100 if name in FEN else 1)).tolist()
            if name == "unfilled_positions":
                reported = economy.reports_gap[k, cells]
                col = [v if r else None for v, r in zip(col, reported, strict=True)]
            per_col.append(col)
        for j, a in enumerate(alive):
            rows.append((ids[a], int(year), 0, *(c[j] for c in per_col)))
    return rows


STAGE_COLUMNS = ["enterprise_id", "year", "stage", "source", "reference", "recorded_at"]


def _stage_rows(data: dict[str, Any], ids: list[int], skip: set[int]) -> list[tuple[Any, ...]]:
    """A demo record for each enterprise's first reported year and each year its stage changed (in
    STAGE_COLUMNS order), for the enterprises not in `skip`."""
    economy, chosen = data["economy"], data["chosen"]
    stage, alive = economy.stage[:, chosen], economy.alive[:, chosen]
    first = alive & ~np.vstack([np.zeros_like(alive[:1]), alive[:-1]])
    changed = alive & np.vstack([np.zeros_like(alive[:1]), stage[1:] != stage[:-1]])
    reference = f"zhigai seed {data['seed']}"
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    years, members = np.nonzero(first | changed)
    return [
        (ids[j], int(economy.years[k]), STAGE_ORDER[stage[k, j]], StageSource.DEMO.value, reference, now)
        for k, j in zip(years, members, strict=True)
        if ids[j] not in skip
    ]


def seed_province(
    *,
    enterprises: int | None = None,
    scale: str = "sample",
    seed: int = 2013,
    progress: Callable[[str], None] = lambda _m: None,
) -> dict[str, Any]:
    """Generate and write the demo province (scale "province") or a sample of it: `enterprises`, by
    default the calibration's default sample. Deterministic for a seed; re-running writes nothing new."""
    cal = calibration()
    if scale not in ("sample", "province"):
        raise ValueError(f"unknown scale {scale!r}: use 'sample' or 'province'")
    if scale == "province":
        enterprises = int(cal["province"]["enterprises"])
    elif enterprises is None:
        enterprises = int(cal["province"]["default_sample"])
    data = generate(enterprises=enterprises, seed=seed)
    progress(f"generated {enterprises} enterprises (a {data['sample_fraction']:.0%} sample of the province)")
    records = data["enterprises"]
    fields = ["uscc", "name", "region_id", "industry_id", "founded_year", "stage", "cluster_id"]
    with transaction.atomic():
        bulk_upsert(
            table=Enterprise._meta.db_table,
            key=["uscc"],
            columns=[*fields, "size_class", "above_designated_size"],
            rows=([r[f] for f in fields] + ["micro", False] for r in records),
            update=fields[1:],
        )
        keys = in_values([r["uscc"] for r in records])
        by_code = dict(Enterprise.objects.filter(uscc__in=keys).values_list("uscc", "id"))
        ids = [by_code[r["uscc"]] for r in records]
        progress("enterprises written")
        rows = _indicator_rows(data, ids)
        bulk_upsert(
            table=Indicator._meta.db_table,
            key=["enterprise_id", "year", "month"],
            columns=["enterprise_id", "year", "month", *INDICATOR_COLUMNS],
            rows=rows,
        )
        progress(f"{len(rows)} indicator rows written")
        stages = _stages_write(data, ids)
        tagged = _tags_write(records, ids)
        progress(f"{stages} stage records, {tagged} enterprises with tags of their own")
        enterprise_refresh_derived()
    return {"enterprises": len(records), "indicators": len(rows), "stage_records": stages,
            "sample_fraction": data["sample_fraction"]}


def _stages_write(data: dict[str, Any], ids: list[int]) -> int:
    """Demo stage records, once: a re-run finds its own records and adds none (the table is append-only).
    Written by COPY / executemany: 200,000 model instances for the province cost more than the writes."""
    reference = f"zhigai seed {data['seed']}"
    done = set(StageRecord.objects.filter(source=StageSource.DEMO, reference=reference,
                                          enterprise_id__in=in_values(ids)).values_list("enterprise_id", flat=True))
    return bulk_insert(table=StageRecord._meta.db_table, columns=STAGE_COLUMNS, rows=_stage_rows(data, ids, done))


def _tags_write(records: list[dict[str, Any]], ids: list[int]) -> int:
    """The enterprises' own tags, replacing what a previous run wrote for them."""
    tags = dict(Tag.objects.values_list("code", "id"))
    through = Enterprise.tags.through
    own = [(pk, r["tags"]) for pk, r in zip(ids, records, strict=True) if r["tags"]]
    through.objects.filter(enterprise_id__in=in_values(ids)).delete()
    bulk_insert(table=through._meta.db_table, columns=["enterprise_id", "tag_id"],
                rows=[(pk, tags[t]) for pk, codes in own for t in codes])
    return len(own)
