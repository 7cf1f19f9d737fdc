"""The projects' figures in the user's scope (SPEC §5): counts, investment and the land-independent share,
by state, by city and by industry, and the land quota's use by city."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from zhigai.base.models import Industry, MoneySum, Region, RegionLevel
from zhigai.core.types import Actor

from .models import ProjectState
from .quota import land_used, quota_mu, waiting
from .selectors import visible_projects

INVESTMENT = ("equipment_investment", "software_investment", "construction_investment", "services_investment")
# Projects that never went ahead: not in the investment figures.
NOT_GOING = (ProjectState.REFUSED, ProjectState.WITHDRAWN)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    projects: int
    independent: int
    investment: Decimal

    @property
    def independent_share(self) -> float:
        return self.independent / self.projects if self.projects else 0.0


def _sums() -> dict[str, Any]:
    return {"n": Count("id"), "independent": Count("id", filter=Q(land_mu=0)),
            **{f: MoneySum(f) for f in INVESTMENT}}


def _row(r: dict[str, Any], key: str, label: str) -> Row:
    return Row(key, label, r["n"], r["independent"], sum((Decimal(r[f] or 0) for f in INVESTMENT), Decimal(0)))


def _rows(qs: Any, key: str, names: dict[Any, str]) -> list[Row]:
    """The figures grouped by `key`, each labelled from `names` (else by the key itself)."""
    return [_row(r, str(r[key]), names.get(r[key], str(r[key])))
            for r in qs.values(key).annotate(**_sums()).order_by(key)]


def figures(*, user: Actor) -> dict[str, Any]:
    qs = visible_projects(user).exclude(state__in=NOT_GOING).order_by()
    by_state = {r["state"]: r["n"] for r in visible_projects(user).order_by().values("state").annotate(n=Count("id"))}
    cities = {r.code: r.name for r in Region.objects.filter(level=RegionLevel.CITY)}
    industries = {i.code: f"{i.code} {i.name}" for i in Industry.objects.filter(parent__isnull=True)}
    return {
        "total": _row(qs.aggregate(**_sums()), "", ""),
        "states": [(s, by_state.get(s.value, 0)) for s in ProjectState],
        "cities": _rows(qs, "enterprise__region__parent__code", cities),
        "industries": _rows(qs, "enterprise__industry__code", industries),
        "years": _rows(qs, "created__year", {}),
    }


@dataclass(frozen=True)
class CityLand:
    city: Region
    quota: Decimal
    used: Decimal
    waiting: int
    waiting_mu: Decimal

    @property
    def left(self) -> Decimal:
        return self.quota - self.used


def land_table(*, year: int, region_ids: Any = None) -> list[CityLand]:
    cities = Region.objects.filter(level=RegionLevel.CITY).order_by("code")
    out = []
    for city in cities:
        if region_ids is not None and city.pk not in region_ids:
            continue
        queue = waiting(city.pk, year)
        out.append(CityLand(city, quota_mu(city, year), land_used(city.pk, year), len(queue),
                            sum((Decimal(p.land_mu) for p in queue), Decimal(0))))
    return out
