"""The subsidy rules as policy data: the defaults of src/zhigai/data/projects/subsidy_rules.yaml, loaded like
every reference file (core.reference: `zhigai load-reference` adds a new version where the file differs from
the latest of its region and year; every start adds only what is missing), and the version that applies.

Which version applies to an enterprise in a year: among the versions of its region and the regions above it
with `from_year` not after the year, the most specific region wins; within it the latest `from_year`; within
that the latest published version. A county's own rules from 2015 thus apply to it in 2021 even if the
province published new ones in 2020 — a region that sets its own rules keeps them until it publishes again.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Max

from zhigai.base.models import Region

from .models_subsidy import SubsidyRule
from .subsidies import Rules, params_normalised, rule_problems, rules_from_params

YEAR_MIN, YEAR_MAX = 2000, 2100


def _file_versions() -> list[dict[str, Any]]:
    text = resources.files("zhigai.data").joinpath("projects", "subsidy_rules.yaml").read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    versions = loaded.get("versions") if isinstance(loaded, dict) else None
    if not isinstance(versions, list) or not versions:
        raise ValueError("data/projects/subsidy_rules.yaml: no list of versions")
    for entry in versions:
        problems = rule_problems({k: entry.get(k) for k in ("robot", "post_project")})
        if problems or not YEAR_MIN <= int(entry.get("from_year", 0)) <= YEAR_MAX:
            raise ValueError(f"data/projects/subsidy_rules.yaml: {entry.get('region')}: {problems or 'from_year'}")
    return versions


def latest_version(region: Region, from_year: int) -> SubsidyRule | None:
    return SubsidyRule.objects.filter(region=region, from_year=from_year).order_by("-version").first()


def next_version(region: Region, from_year: int) -> int:
    top = SubsidyRule.objects.filter(region=region, from_year=from_year).aggregate(v=Max("version"))["v"]
    return int(top or 0) + 1


@transaction.atomic
def _load(*, overwrite: bool) -> dict[str, int]:
    added = 0
    for entry in _file_versions():
        region = Region.objects.get(code=str(entry["region"]))
        year = int(entry["from_year"])
        params = params_normalised({k: entry[k] for k in ("robot", "post_project")})
        latest = latest_version(region, year)
        if latest is None or (overwrite and latest.params != params):
            SubsidyRule.objects.create(region=region, from_year=year, version=next_version(region, year),
                                       params=params, note=str(entry.get("note", ""))[:500], source="file")
            added += 1
    return {"subsidy rule versions": added}


def subsidy_rules_load() -> dict[str, int]:
    return _load(overwrite=True)


def subsidy_rules_ensure() -> dict[str, int]:
    return _load(overwrite=False)


def _ancestry(region: Region | None) -> list[int]:
    """The region's id and those above it, most specific first."""
    ids: list[int] = []
    while region is not None:
        ids.append(region.pk)
        region = region.parent
    return ids


def rule_in_force(region: Region | None, year: int) -> SubsidyRule | None:
    """The version that applies in `region` (and through it, its enterprises) in `year` (module docstring)."""
    chain = _ancestry(region)
    found = list(SubsidyRule.objects.filter(region_id__in=chain, from_year__lte=year).select_related("region")
                 .order_by("-from_year", "-version"))
    for region_id in chain:
        for rule in found:
            if rule.region_id == region_id:
                return rule
    return None


def rules_of(rule: SubsidyRule) -> Rules:
    return rules_from_params(rule.code, rule.params)
