"""The land quota as read (SPEC §5): a city's quota for a year, the land its projects hold, the room left
and the queue of projects waiting for it. Policy data: data/projects/land_quota.yaml shares the province's
yearly quota among the cities; a provincial officer's LandQuota row for a city and year replaces its share.

Read by the policy (a waiting project moves on when there is room for it), the land service and the pages;
it writes nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Sum

from zhigai.base.models import Region, RegionLevel

from .models import LandQuota, Project, ProjectState

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "projects" / "land_quota.yaml"
MU = Decimal("0.01")
_PLAIN_MU = re.compile(r"[0-9]{1,7}(\.[0-9]{1,2})?")


def mu_parse(value: Any, *, maximum: Decimal) -> Decimal | None:
    """Land in mu written plainly (ASCII digits, at most two places) from 0 to maximum, else None."""
    text = str(value if value is not None else "").strip().replace(",", "")
    if not _PLAIN_MU.fullmatch(text) or Decimal(text) > maximum:
        return None
    return Decimal(text).quantize(MU)


@cache
def quota_defaults() -> tuple[Decimal, dict[str, Decimal]]:
    """(the province's mu a year, each city code's share); ValueError for a file that does not hold."""
    with open(DATA_FILE, encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    if not isinstance(loaded, dict) or not isinstance(loaded.get("cities"), dict):
        raise ValueError(f"{DATA_FILE}: no cities")
    total = Decimal(str(loaded["province_mu_per_year"]))
    shares = {str(code): Decimal(str(share)) for code, share in loaded["cities"].items()}
    if total < 0 or any(s < 0 for s in shares.values()) or sum(shares.values()) > 1:
        raise ValueError(f"{DATA_FILE}: the shares must be positive and add up to at most 1")
    return total, shares


def city_of(region: Region) -> Region:
    """The city a county lies in (a city is its own)."""
    return region.parent if region.level == RegionLevel.COUNTY and region.parent is not None else region


def quota_set_row(city_id: int, year: int) -> LandQuota | None:
    return LandQuota.objects.filter(city_id=city_id, year=year).order_by("-at", "-id").first()


def quota_mu(city: Region, year: int) -> Decimal:
    """The city's quota for the year: the officer's latest, else its share of the province's."""
    row = quota_set_row(city.pk, year)
    if row is not None:
        return Decimal(row.mu).quantize(MU)
    total, shares = quota_defaults()
    return (total * shares.get(city.code, Decimal(0))).quantize(MU)


def land_used(city_id: int, year: int) -> Decimal:
    held = Project.objects.filter(land_city_id=city_id, land_year=year, land_held=True).aggregate(
        mu=Sum("land_mu"))["mu"]
    return Decimal(held or 0).quantize(MU)


def waiting(city_id: int, year: int) -> list[Project]:
    """The projects waiting for the city's land in the year, in filing order (served in this order)."""
    return list(Project.objects.filter(land_city_id=city_id, land_year=year, state=ProjectState.WAITING_LAND)
                .order_by("created", "id"))


def room(city: Region, year: int) -> Decimal:
    return quota_mu(city, year) - land_used(city.pk, year)


def land_fits(project: Any) -> bool:
    """Whether the project's land fits its city's quota now: the room covers it and every project filed
    before it that waits for the same quota (no project overtakes an earlier one)."""
    if not project.land_mu or project.land_city_id is None or project.land_year is None:
        return False
    ahead = [p for p in waiting(project.land_city_id, project.land_year)
             if p.pk != project.pk and (p.created, p.pk or 0) < (project.created, project.pk or 2**62)]
    need = sum((Decimal(p.land_mu) for p in ahead), Decimal(project.land_mu))
    return room(project.land_city, project.land_year) >= need


def land_room_for(project: Any) -> bool:
    """Whether a waiting project gets its land now (the rule of the `land_grant` move)."""
    return bool(project.state == ProjectState.WAITING_LAND and land_fits(project))


@dataclass(frozen=True)
class LandPlace:
    """What a waiting project is told: its city's quota, what is held, what is left, its place."""

    city: Region
    year: int
    quota: Decimal
    used: Decimal
    left: Decimal
    position: int  # 1 = next served; 0 when not waiting
    ahead_mu: Decimal  # the land the projects before it wait for


def land_place(project: Project) -> LandPlace | None:
    city, year = project.land_city, project.land_year
    if not project.land_mu or city is None or year is None:
        return None
    quota, used = quota_mu(city, year), land_used(city.pk, year)
    position, ahead_mu = 0, Decimal(0)
    if project.state == ProjectState.WAITING_LAND:
        ahead = [p for p in waiting(city.pk, year) if (p.created, p.pk) < (project.created, project.pk)]
        position, ahead_mu = len(ahead) + 1, sum((Decimal(p.land_mu) for p in ahead), Decimal(0))
    return LandPlace(city, year, quota, used, quota - used, position, ahead_mu)
