"""The officer's market at a glance (SPEC §4, issue 12), over the engagements of the enterprises of the
officer's region (base.policy.enterprise_scope), filtered by year, region and industry:

- demand against capacity, by industry division and by region (the level below the region looked at):
  requests (engagements created), those still open and overdue; listed providers serving the row (its
  industry, and a region served that is the row's, above it or inside it), their capacity, and their free
  capacity Σ max(0, capacity − the provider's open engagements anywhere). A provider serving several rows
  counts in each;
- response and delivery times: the median Chinese working days (market.workdays) from request to answer
  (accepted or declined) and from the provider's acceptance to closing;
- providers ranked by measured outcomes: those with engagements here and enough closed engagements for a
  track record (market.track_record), by outcome score;
- overdue work: open engagements whose step's deadline (Engagement.due) is before today (Asia/Shanghai).

The page's engagement list and its Excel export read `overview_engagements`, with the same filters.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from zhigai.base.models import Region, RegionLevel
from zhigai.base.policy import enterprise_scope
from zhigai.base.selectors import (
    industry_list,
    reference_labels,
    region_codes_below,
    region_filter_allowed,
    region_list,
    region_of,
    scoped_enterprises,
)
from zhigai.core.policy import require
from zhigai.core.types import Actor

from .errors import MarketError
from .models import OPEN_STATES, Engagement, EngagementState, Provider, ProviderStatus
from .track_record import track_records
from .workdays import median, working_days_between

OVERVIEW = "market.overview.view"
YEAR_MIN, YEAR_MAX = 2000, 2100


@dataclass(frozen=True)
class OverviewFilters:
    year: int | None = None
    region: str = ""  # a region code inside the officer's jurisdiction
    industry: str = ""  # a division code
    ignored: tuple[str, ...] = field(default=(), compare=False)  # why a filter given was dropped


def overview_filters(*, user: Actor, raw: Mapping[str, str]) -> OverviewFilters:
    """The filters as asked, each one the page cannot honour dropped with the reason (shown on the page)."""
    ignored = []
    text = (raw.get("year") or "").strip()
    year = int(text) if text.isascii() and text.isdigit() and YEAR_MIN <= int(text) <= YEAR_MAX else None
    if text and year is None:
        ignored.append(_("年份应为 %(low)d 到 %(high)d 之间的整数，已忽略。") % {"low": YEAR_MIN, "high": YEAR_MAX})
    region = (raw.get("region") or "").strip()[:12]
    if region and (not region_filter_allowed(user=user, code=region) or not region_codes_below(region)):
        ignored.append(_("地区 %(code)s 不在您的管辖范围内，已忽略。") % {"code": region})
        region = ""
    industry = (raw.get("industry") or "").strip()[:8]
    if industry and not industry_list().filter(code=industry, parent__isnull=True).exists():
        ignored.append(_("没有这个行业门类：%(code)s，已忽略。") % {"code": industry})
        industry = ""
    return OverviewFilters(year, region, industry, tuple(ignored))


def overview_engagements(*, user: Actor, filters: OverviewFilters) -> QuerySet[Engagement]:
    """The engagements of the enterprises in the officer's scope that match the filters, newest first
    (the page's list and the export); 403 for a user who may not see the overview."""
    require(user, OVERVIEW, message=_("只有省级和市县主管部门可以查看服务市场概览。"), code=MarketError.FORBIDDEN)
    scope = enterprise_scope(user)
    qs = Engagement.objects.all()
    if scope.region_ids is not None or scope.industry_ids is not None or scope.enterprise_ids is not None:
        qs = qs.filter(enterprise_id__in=scoped_enterprises(scope).values("id"))
    if filters.year:
        start = datetime.datetime(filters.year, 1, 1, tzinfo=timezone.get_current_timezone())
        qs = qs.filter(created__gte=start, created__lt=start.replace(year=filters.year + 1))
    if filters.region:
        qs = qs.filter(enterprise__region_id__in=region_codes_below(filters.region))
    if filters.industry:
        qs = qs.filter(Q(enterprise__industry__code=filters.industry)
                       | Q(enterprise__industry__parent__code=filters.industry))
    return qs.select_related("enterprise", "provider").order_by("-created", "-id")


def _focus(user: Actor, filters: OverviewFilters) -> Region | None:
    """The region looked at: the filter's, else the officer's own (None: the whole tree)."""
    if filters.region:
        return Region.objects.filter(code=filters.region).first()
    return region_of(getattr(user, "region_id", None))


class _Tree:
    """The region tree, read once: parents, and each region's row below the focus."""

    def __init__(self) -> None:
        self.regions = {r.id: r for r in region_list()}

    def ancestors(self, region_id: int | None) -> list[int]:
        out = []
        while region_id is not None and region_id in self.regions:
            out.append(region_id)
            region_id = self.regions[region_id].parent_id
        return out

    def row_of(self, region_id: int, focus: Region | None) -> int | None:
        """The child of the focus (a province's city, a city's county) that holds the region, or the focus
        itself when it is a county."""
        path = self.ancestors(region_id)
        if focus is None:
            return next((r for r in path if self.regions[r].level == RegionLevel.CITY), None)
        if focus.level == RegionLevel.COUNTY:
            return focus.id if focus.id in path else None
        if focus.id not in path:
            return None
        below = path[: path.index(focus.id)]
        return below[-1] if below else None


def _providers(tree: _Tree) -> list[dict[str, Any]]:
    """Listed providers: what they serve, their capacity and their open engagements (anywhere)."""
    open_counts = dict(Engagement.objects.filter(state__in=OPEN_STATES).values("provider_id")
                       .annotate(n=Count("id")).values_list("provider_id", "n"))
    out = []
    for p in Provider.objects.filter(status=ProviderStatus.LISTED).prefetch_related("industries", "regions"):
        served = {r.id for r in p.regions.all()}
        out.append({"id": p.pk, "capacity": p.capacity, "open": open_counts.get(p.pk, 0),
                    "industries": {i.id for i in p.industries.all()}, "served": served})
    return out


def _serves_region(tree: _Tree, provider: dict[str, Any], region_id: int) -> bool:
    """The provider serves the region, a region above it, or one inside it."""
    return any(region_id in tree.ancestors(s) or s in tree.ancestors(region_id) for s in provider["served"])


def _capacity(providers: list[dict[str, Any]]) -> dict[str, int]:
    return {"providers": len(providers), "capacity": sum(p["capacity"] for p in providers),
            "free": sum(max(0, p["capacity"] - p["open"]) for p in providers)}


def _tally(rows: list[dict[str, Any]], today: datetime.date) -> dict[str, int]:
    return {"requests": len(rows), "open": sum(r["state"] in OPEN_STATES for r in rows),
            "overdue": sum(r["state"] in OPEN_STATES and r["due"] is not None and r["due"] < today for r in rows)}


def overview_figures(*, user: Actor, filters: OverviewFilters) -> dict[str, Any]:
    """The figures of the page (the module's docstring says how each is computed)."""
    qs = overview_engagements(user=user, filters=filters)
    today = timezone.localdate()
    values = qs.values("id", "state", "created", "responded", "closed", "due", "provider_id",
                       "enterprise__region_id", "enterprise__industry_id", "enterprise__industry__parent_id")
    rows: list[dict[str, Any]] = [dict(r) for r in values]
    tree, labels, focus = _Tree(), reference_labels(), _focus(user, filters)
    providers = _providers(tree)
    focus_ids = set(region_codes_below(focus.code)) | set(tree.ancestors(focus.id)) if focus else None
    in_focus = [p for p in providers if focus_ids is None or p["served"] & focus_ids]

    by_industry: dict[int, list[dict[str, Any]]] = {}
    by_region: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        by_industry.setdefault(r["enterprise__industry__parent_id"] or r["enterprise__industry_id"], []).append(r)
        row = tree.row_of(r["enterprise__region_id"], focus)
        if row is not None:
            by_region.setdefault(row, []).append(r)
    industry_rows = [{"label": labels["industry_labels"].get(pk, ""), **_tally(found, today),
                      **_capacity([p for p in in_focus if pk in p["industries"]])}
                     for pk, found in by_industry.items()]
    division = industry_list().filter(code=filters.industry).first() if filters.industry else None
    region_rows = [{"label": tree.regions[pk].name, "code": tree.regions[pk].code, **_tally(found, today),
                    **_capacity([p for p in providers if _serves_region(tree, p, pk)
                                 and (division is None or division.pk in p["industries"])])}
                   for pk, found in by_region.items()]

    response = [working_days_between(timezone.localdate(r["created"]), timezone.localdate(r["responded"]))
                for r in rows if r["responded"] is not None]
    delivery = [working_days_between(timezone.localdate(r["responded"]), timezone.localdate(r["closed"]))
                for r in rows if r["state"] == EngagementState.CLOSED and r["responded"] and r["closed"]]
    records = track_records({r["provider_id"] for r in rows})
    names = dict(Provider.objects.filter(pk__in=[pk for pk, rec in records.items() if rec["enough"]])
                 .values_list("pk", "name"))
    ranked = sorted(({"id": pk, "name": names[pk], **rec} for pk, rec in records.items() if rec["enough"]),
                    key=lambda x: (x["outcome_score"] is None, -(x["outcome_score"] or 0),
                                   -x["engagements_completed"], x["name"]))
    return {
        "totals": {**_tally(rows, today), "closed": sum(r["state"] == EngagementState.CLOSED for r in rows)},
        "by_industry": sorted(industry_rows, key=lambda x: (-x["requests"], x["label"])),
        "by_region": sorted(region_rows, key=lambda x: (-x["requests"], x["code"])),
        "capacity": _capacity(in_focus),
        "response": {"median": median(response), "count": len(response)},
        "delivery": {"median": median(delivery), "count": len(delivery)},
        "ranked": ranked,
        "focus": focus,
        "today": today,
    }


def overdue_engagements(*, user: Actor, filters: OverviewFilters) -> list[tuple[Engagement, int]]:
    """The open engagements past their step's deadline, longest overdue first, with the working days
    they are late."""
    today = timezone.localdate()
    found = (overview_engagements(user=user, filters=filters)
             .filter(state__in=OPEN_STATES, due__lt=today).order_by("due", "id"))
    return [(e, working_days_between(e.due, today)) for e in found if e.due is not None]


def engagement_years(*, user: Actor) -> list[int]:
    """The years in which engagements of the officer's scope were created, newest first (the year filter)."""
    qs = overview_engagements(user=user, filters=OverviewFilters()).order_by()
    return sorted({d.year for d in qs.datetimes("created", "year")}, reverse=True)
