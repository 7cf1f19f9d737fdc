"""Reads of the analytics module: the figures' filters checked against what the user may see, the
series and scenarios kept as data, the sample fraction, and enterprises' stages by year."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Min, QuerySet
from django.utils.translation import gettext as _

from zhigai.base.models import STAGE_ORDER, Indicator, Industry, Region, SizeClass, StageRecord, Tag
from zhigai.base.policy import EVERYTHING, enterprise_scope
from zhigai.base.selectors import (
    region_codes_below,
    region_filter_allowed,
    region_of,
    region_of_code,
    scoped_enterprises,
)
from zhigai.core.cache import cached_figures
from zhigai.core.errors import InvalidInput
from zhigai.core.policy import require
from zhigai.core.types import Actor

from .models import ReferenceValue, SampleFraction, Scenario, Series, SeriesKind

FIGURES_VIEW = "analytics.figures.view"
YEAR_MIN, YEAR_MAX = 1949, 2100


@dataclass(frozen=True)
class FigureFilters:
    region: str = ""
    industry: str = ""
    tag: str = ""
    size: str = ""
    year_from: int | None = None
    year_to: int | None = None


def _year(raw: str | int | None, field: str, problems: list[dict[str, str]]) -> int | None:
    if raw is None or raw == "":
        return None
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()) or not YEAR_MIN <= int(text) <= YEAR_MAX:
        problems.append({"field": field, "message": _("年份须为 %(low)s–%(high)s 之间的整数。")
                         % {"low": YEAR_MIN, "high": YEAR_MAX}})
        return None
    return int(text)


def figure_filters(*, user: Actor, region: str = "", industry: str = "", tag: str = "", size: str = "",
                   year_from: str | int | None = None, year_to: str | int | None = None) -> FigureFilters:
    """The filters of a figures request, checked: PermissionDenied when the user may not see figures,
    InvalidInput naming each field that is wrong (an unknown code, a region outside the user's
    jurisdiction, year_from after year_to)."""
    require(user, FIGURES_VIEW, message=_("您无权查看统计指标。"))
    problems: list[dict[str, str]] = []
    region, industry, tag, size = (v.strip() for v in (region, industry, tag, size))
    if region and region_of_code(region) is None:
        problems.append({"field": "region", "message": _("没有代码为 %(code)s 的地区。") % {"code": region}})
    elif not region_filter_allowed(user=user, code=region):
        problems.append({"field": "region", "message": _("所选地区不在您的辖区内。")})
    if industry and not industry_ids_below(industry):
        problems.append({"field": "industry", "message": _("没有代码为 %(code)s 的行业。") % {"code": industry}})
    if tag and tag not in tag_codes():
        problems.append({"field": "tag", "message": _("没有代码为 %(code)s 的标签。") % {"code": tag}})
    if size and size not in SizeClass.values:
        problems.append({"field": "size", "message": _("规模须为 %(sizes)s 之一。")
                         % {"sizes": ", ".join(SizeClass.values)}})
    low, high = _year(year_from, "year_from", problems), _year(year_to, "year_to", problems)
    if low is not None and high is not None and low > high:
        problems.append({"field": "year_from", "message": _("起始年份不能晚于截止年份。")})
    if problems:
        raise InvalidInput("; ".join(p["message"] for p in problems), details=problems)
    return FigureFilters(region=region, industry=industry, tag=tag, size=size, year_from=low, year_to=high)


def area_name(*, user: Actor, region_code: str = "") -> str:
    """The name of the region figures cover: the filter's, else the user's jurisdiction, else the
    province (the region at the top of the tree)."""
    region = region_of_code(region_code) if region_code else region_of(getattr(user, "region_id", None))
    if region is None:
        region = cached_figures(("top-region",), lambda: Region.objects.filter(parent=None).order_by("code").first(),
                                areas=("reference",))
    return region.name if region is not None else ""


def industry_ids_below(code: str) -> list[int]:
    """The industry division (or class) with this code and its classes; empty for an unknown code."""
    def compute() -> list[int]:
        found = list(Industry.objects.filter(code=code).values_list("id", flat=True))
        return sorted(found + list(Industry.objects.filter(parent_id__in=found).values_list("id", flat=True)))

    return cached_figures(("industry-below", code), compute, areas=("reference",))


def tag_codes() -> frozenset[str]:
    return cached_figures(("tag-codes",), lambda: frozenset(Tag.objects.values_list("code", flat=True)),
                          areas=("reference",))


# --- data kept as data -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SeriesValues:
    code: str
    name: str
    source: str
    unit: str
    values: dict[int, Decimal]


def _series(code: str) -> SeriesValues | None:
    found = Series.objects.filter(code=code).first()
    if found is None:
        return None
    values = dict(found.points.values_list("year", "value"))
    return SeriesValues(found.code, found.name, found.source_text, found.unit_text, values)


def series_values(code: str) -> dict[int, Decimal]:
    """A series' values by year (a price index: previous year = 100); empty when it is not loaded."""
    found = cached_figures(("series", code, _lang()), lambda: _series(code), areas=("reference",))
    return found.values if found else {}


def reference_series(figure_code: str) -> SeriesValues | None:
    """The reference series a figure is shown against (national profit growth beside profit_growth)."""
    def compute() -> SeriesValues | None:
        code = Series.objects.filter(kind=SeriesKind.REFERENCE, figure=figure_code).values_list("code", flat=True)
        first = code.first()
        return _series(first) if first else None

    return cached_figures(("reference-series", figure_code, _lang()), compute, areas=("reference",))


def _lang() -> str:
    from django.utils.translation import get_language

    return get_language() or ""


def series_list() -> list[Series]:
    """Every series with its points (public reference data: the data page lists them)."""
    return list(Series.objects.prefetch_related("points").order_by("kind", "code"))


def default_scenario() -> Scenario | None:
    return Scenario.objects.filter(is_default=True).first()


def scenario_values(scenario: Scenario) -> list[ReferenceValue]:
    return list(scenario.values.order_by("id"))


@dataclass(frozen=True)
class Sample:
    fraction: Decimal
    label: str

    @property
    def is_sample(self) -> bool:
        return self.fraction < 1


def sample() -> Sample:
    """The share of the province the data set is (1 when never set)."""
    def compute() -> Sample:
        row = SampleFraction.objects.order_by("-id").first()
        return Sample(row.fraction, row.label) if row else Sample(Decimal(1), "")

    return cached_figures(("sample-fraction",), compute, areas=("reference",))


# --- stages by year --------------------------------------------------------------------------------------------

def stages_by_year(*, user: Actor, region_code: str = "") -> dict[int, dict[str, int]]:
    """{year: {stage: enterprises}} over the enterprises with an annual row in the year (S(t)), each at
    its stage of the year: the latest StageRecord of the year, or the last earlier one carried forward.
    Enterprises without any record up to the year are left out (their stage is not known)."""
    scope = enterprise_scope(user)
    key = ("stages-by-year", scope.key, region_code)
    return cached_figures(key, lambda: _stages(user, region_code), areas=("enterprises", "indicators", "reference"))


def _stages(user: Actor, region_code: str) -> dict[int, dict[str, int]]:
    """Two ordered reads and a pass in Python, where one SQL join of every annual row to its stage span
    cost the dashboard most of a second at the province's size: each enterprise's years with a row (first,
    last, how many: most have no gap), and its stage records in order; each span of a stage (from its
    year to the next record's) adds 1 from the first to the last year it covers with rows, as a change
    of the count at both ends, summed up year by year. Enterprises whose rows have gaps are counted year
    by year from their rows."""
    scope = enterprise_scope(user)
    rows = Indicator.objects.filter(month=0)
    records = StageRecord.objects.all()
    if scope != EVERYTHING or region_code:
        enterprises = scoped_enterprises(scope)
        if region_code:
            enterprises = enterprises.filter(region_id__in=region_codes_below(region_code))
        ids = enterprises.order_by().values("id")
        rows, records = rows.filter(enterprise_id__in=ids), records.filter(enterprise_id__in=ids)
    present = {e: (first, last, n) for e, first, last, n in rows.order_by("enterprise_id").values("enterprise_id")
               .annotate(first=Min("year"), last=Max("year"), n=Count("*")).values_list("enterprise_id", "first",
                                                                                          "last", "n")}
    gaps = _years_with_rows(rows, [e for e, (first, last, n) in present.items() if n != last - first + 1])
    change: Counter[tuple[int, str]] = Counter()  # (year, stage): count from this year on, minus the year before
    direct: Counter[tuple[int, str]] = Counter()  # counted year by year (enterprises with gaps)
    ordered = records.order_by("enterprise_id", "year", "recorded_at", "id").values_list(
        "enterprise_id", "year", "stage")
    for enterprise_id, year, following, stage in _spans(ordered.iterator(chunk_size=10_000)):
        found = present.get(enterprise_id)
        if found is None:
            continue
        first, last, _n = found
        end = last if following is None or following > last else following - 1
        if enterprise_id in gaps:
            direct.update((y, stage) for y in gaps[enterprise_id] if year <= y <= end)
            continue
        start = year if year > first else first
        if start <= end:
            change[(start, stage)] += 1
            change[(end + 1, stage)] -= 1
    return _counts_by_year(change, direct)


def _spans(records: Iterable[tuple[int, int, str]]) -> Iterator[tuple[int, int, int | None, str]]:
    """(enterprise, year, the year of its next record or None, stage) of each year's latest record, from
    the records ordered by enterprise, year and recording: the last of a year is its latest."""
    held: tuple[int, int, str] | None = None
    for record in records:
        if held is not None and (record[0] != held[0] or record[1] != held[1]):
            yield held[0], held[1], record[1] if record[0] == held[0] else None, held[2]
        held = record
    if held is not None:
        yield held[0], held[1], None, held[2]


def _years_with_rows(rows: QuerySet[Indicator], enterprise_ids: list[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for i in range(0, len(enterprise_ids), 1000):
        for e, year in rows.filter(enterprise_id__in=enterprise_ids[i:i + 1000]).values_list("enterprise_id", "year"):
            found.setdefault(e, []).append(year)
    return found


def _counts_by_year(change: Counter[tuple[int, str]], direct: Counter[tuple[int, str]]) -> dict[int, dict[str, int]]:
    """{year: {stage: n}} from the changes of the counts and the counts made year by year; a year in which
    no enterprise is counted is left out."""
    years = {y for y, _s in change} | {y for y, _s in direct}
    if not years:
        return {}
    stages = list(STAGE_ORDER) + sorted({s for _y, s in change + direct} - set(STAGE_ORDER))
    running = dict.fromkeys(stages, 0)
    out: dict[int, dict[str, int]] = {}
    for year in range(min(years), max(years) + 1):
        for stage in stages:
            running[stage] += change[(year, stage)]
        counts = {stage: running[stage] + direct[(year, stage)] for stage in stages}
        if any(counts.values()):
            out[year] = {s: n for s, n in counts.items() if n or s in STAGE_ORDER}
    return out


def stage_shares(counts: dict[int, dict[str, int]]) -> dict[int, dict[str, float]]:
    return {year: {s: n / total for s, n in by.items()} if (total := sum(by.values())) else {}
            for year, by in counts.items()}


