"""The figures of docs/figures.md, computed in SQL from enterprises' annual indicator rows.

One query per call sums every level figure by year; same-enterprise growth joins each row of year t to
the same enterprise's row of t−1 (a LEFT JOIN on the unique (enterprise, year, month) index); one query
per tag sums the tag's added value. Money is summed with MoneySum (exact to the fen on both databases).
The raw sums are cached per user scope and filters; values, real values and references are derived in
Python from them. A figure with nothing to compute from is None, never 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, ExpressionWrapper, F, FilteredRelation, Q, QuerySet, Sum

from zhigai.base.models import Indicator, MoneyField, MoneySum
from zhigai.base.policy import enterprise_scope
from zhigai.base.selectors import region_codes_below, scoped_enterprises, tag_q
from zhigai.base.sizing import ABOVE_DESIGNATED_REVENUE, SIZE_RULE
from zhigai.core.cache import cached_figures
from zhigai.core.types import Actor

from .definitions import BY_CODE, FIGURES, TAGS, FigureDef
from .selectors import FigureFilters, industry_ids_below, reference_series, series_values

AREAS = ("enterprises", "indicators", "reference")
CENT = Decimal("0.01")


def size_q(size: str, prefix: str = "") -> Q:
    """Rows whose enterprise is of this size group in the row's year (base.sizing's rule: a class needs
    both bounds; an empty value counts as 0, as base.sizing.size_class has it)."""
    meets = {name: Q(**{f"{prefix}employees__gte": staff, f"{prefix}revenue__gte": revenue})
             for name, staff, revenue in SIZE_RULE}
    found = Q()
    for name, _staff, _revenue in SIZE_RULE:
        if name == size:
            return found & meets[name]
        found &= ~meets[name]
    return found  # micro: none of the classes above


def _rows(user: Actor, f: FigureFilters) -> QuerySet[Indicator]:
    """Annual rows of S(t) (docs/figures.md): the user's enterprises passing the filters."""
    enterprises = scoped_enterprises(enterprise_scope(user, "base.indicator.view"))
    if f.region:
        enterprises = enterprises.filter(region_id__in=region_codes_below(f.region))
    if f.industry:
        enterprises = enterprises.filter(industry_id__in=industry_ids_below(f.industry))
    if f.tag:
        enterprises = enterprises.filter(tag_q(f.tag))
    rows = Indicator.objects.filter(month=0, enterprise_id__in=enterprises.order_by().values("id"))
    if f.size:
        rows = rows.filter(size_q(f.size))
    low = f.year_from - 1 if f.year_from is not None else None  # a growth of year_from needs year_from − 1
    if low is not None:
        rows = rows.filter(year__gte=low)
    if f.year_to is not None:
        rows = rows.filter(year__lte=f.year_to)
    return rows.order_by()


def _with_previous(rows: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """Each row joined to its enterprise's annual row of the year before (`prev`), if there is one."""
    return rows.annotate(prev=FilteredRelation(
        "enterprise__indicators",
        condition=Q(enterprise__indicators__month=0, enterprise__indicators__year=F("year") - 1),
    ))


ABOVE = Q(revenue__gte=ABOVE_DESIGNATED_REVENUE)
HAS_PREVIOUS = Q(prev__id__isnull=False)
BOTH_ROBOTS = Q(robots__isnull=False, frontline_employees__isnull=False)
SAVED = ExpressionWrapper(F("positions_replaced") * F("frontline_wage"), output_field=MoneyField())


def _sums(user: Actor, f: FigureFilters) -> dict[str, Any]:
    rows = _with_previous(_rows(user, f))
    same = ABOVE & HAS_PREVIOUS
    years = {
        y.pop("year"): y
        for y in rows.values("year").annotate(
            rows=Count("id"),
            above_added=MoneySum("added_value", filter=ABOVE),
            above_employees=Sum("employees", filter=ABOVE),
            above_profit=MoneySum("profit", filter=ABOVE),
            same_profit=MoneySum("profit", filter=same),
            same_profit_prev=MoneySum("prev__profit", filter=same),
            saved=MoneySum(SAVED),
            gap_yes=Count("id", filter=Q(unfilled_positions__gt=0)),
            gap_reporting=Count("id", filter=Q(unfilled_positions__isnull=False)),
            tech=MoneySum("tech_investment"),
            industrial=MoneySum("industrial_investment"),
            # Named apart from the fields: an annotation named "robots" would be what BOTH_ROBOTS reads.
            robot_sum=Sum("robots", filter=BOTH_ROBOTS),
            frontline_sum=Sum("frontline_employees", filter=BOTH_ROBOTS),
        ).order_by("year")
    }
    tagged: dict[str, dict[int, dict[str, Any]]] = {}
    for tag in TAGS:
        per_year = (
            rows.filter(ABOVE & tag_q(tag, prefix="enterprise__")).values("year")
            .annotate(added=MoneySum("added_value"), same=MoneySum("added_value", filter=HAS_PREVIOUS),
                      same_prev=MoneySum("prev__added_value", filter=HAS_PREVIOUS))
            .order_by("year")
        )
        tagged[tag] = {y.pop("year"): y for y in per_year}
    return {"years": years, "tags": tagged}


def figure_sums(*, user: Actor, filters: FigureFilters) -> dict[str, Any]:
    """The raw sums by year (cached per scope and filters)."""
    key = ("analytics-sums", enterprise_scope(user, "base.indicator.view").key, tuple(asdict(filters).items()))
    return cached_figures(key, lambda: _sums(user, filters), areas=AREAS)


# --- values from the sums -------------------------------------------------------------------------------------

def _ratio(part: Any, whole: Any) -> Decimal | None:
    if part is None or whole is None or whole == 0:
        return None
    return Decimal(part) / Decimal(whole)


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def _growth(now: Any, before: Any) -> Decimal | None:
    ratio = _ratio(now, before)
    return None if ratio is None else ratio - 1


def _level(code: str, y: dict[str, Any] | None) -> Decimal | None:
    if not y:
        return None
    if code == "labor_productivity":
        return _ratio(y["above_added"], y["above_employees"])
    if code == "profit":
        return _money(y["above_profit"])  # None when no enterprise above the line reports a profit
    if code == "labor_cost_saved":
        return _money(y["saved"])
    if code == "employment_gap_share":
        return _ratio(y["gap_yes"], y["gap_reporting"])
    if code == "tech_investment":
        return _money(y["tech"])
    if code == "tech_investment_share":
        return _ratio(y["tech"], y["industrial"])
    if code == "robot_density":
        ratio = _ratio(y["robot_sum"], y["frontline_sum"])
        return None if ratio is None else ratio * 10000
    raise KeyError(code)


def level_value(sums: dict[str, Any], code: str, year: int, tag: str = "") -> Decimal | None:
    """A level figure (not a growth) in a year, exact (Decimal), from the sums."""
    years = sums["years"]
    if code == "added_value_share":
        part = sums["tags"][tag].get(year)
        whole = years.get(year)
        return _ratio(part["added"] if part else (0 if whole and whole["above_added"] is not None else None),
                      whole["above_added"] if whole else None)
    return _level(code, years.get(year))


def growth_value(sums: dict[str, Any], code: str, year: int, tag: str = "") -> Decimal | None:
    years = sums["years"]
    if code == "labor_productivity_growth":
        return _growth(level_value(sums, "labor_productivity", year), level_value(sums, "labor_productivity", year - 1))
    if code == "tech_investment_growth":
        return _growth(level_value(sums, "tech_investment", year), level_value(sums, "tech_investment", year - 1))
    if code == "profit_growth":
        y = years.get(year)
        return _growth(y["same_profit"], y["same_profit_prev"]) if y else None
    if code == "added_value_growth":
        t = sums["tags"][tag].get(year)
        return _growth(t["same"], t["same_prev"]) if t else None
    raise KeyError(code)


def deflated(nominal: Decimal | None, index: Decimal | None) -> Decimal | None:
    """Real growth: the nominal ratio divided by the price ratio of t to t−1 (a chain index, previous year
    = 100, is that ratio × 100)."""
    if nominal is None or index is None or index == 0:
        return None
    return (1 + nominal) / (index / 100) - 1


def figure_value(sums: dict[str, Any], figure: FigureDef, year: int, tag: str = "") -> Decimal | None:
    if figure.deflator:
        return growth_value(sums, figure.code, year, tag)
    return level_value(sums, figure.code, year, tag)


def shown(figure: FigureDef, value: Decimal | None) -> Decimal | float | None:
    """The value as the API and pages give it: money and money per person as Decimal yuan to the fen,
    ratios and densities as floats."""
    if value is None:
        return None
    if figure.kind in ("money", "per_person"):
        return value.quantize(CENT)
    return float(value)


@dataclass(frozen=True)
class FigureRow:
    code: str
    name: str
    tag: str | None
    year: int
    value: Decimal | float | None
    real_value: float | None
    reference: float | None
    reference_source: str | None
    unit: str
    definition: str
    kind: str


def figure_years(sums: dict[str, Any], filters: FigureFilters) -> list[int]:
    present = sorted(sums["years"])
    low = filters.year_from if filters.year_from is not None else (present[0] if present else None)
    high = filters.year_to if filters.year_to is not None else (present[-1] if present else None)
    if low is None or high is None:
        return []
    return list(range(low, high + 1))


def figure_rows(*, user: Actor, filters: FigureFilters) -> list[FigureRow]:
    """Every figure × tag × year of the filters (years with no data are listed with value None)."""
    sums = figure_sums(user=user, filters=filters)
    years = figure_years(sums, filters)
    indexes = {code: series_values(code) for code in {f.deflator for f in FIGURES if f.deflator}}
    references = {f.code: reference_series(f.code) for f in FIGURES}
    out = []
    for figure in FIGURES:
        for tag in (TAGS if figure.per_tag else ("",)):
            for year in years:
                value = figure_value(sums, figure, year, tag)
                real = deflated(value, indexes[figure.deflator].get(year)) if figure.deflator else None
                ref = references[figure.code]
                reference = ref.values.get(year) if ref else None
                out.append(FigureRow(
                    code=figure.code, name=str(figure.name), tag=tag or None, year=year,
                    value=shown(figure, value), real_value=None if real is None else float(real),
                    reference=None if reference is None else float(reference / 100),
                    reference_source=ref.source if ref and reference is not None else None,
                    unit=figure.unit, definition=str(figure.definition), kind=figure.kind,
                ))
    return out


def study_figure(sums: dict[str, Any], code: str, tag: str, kind: str, year_from: int, year_to: int) \
        -> Decimal | None:
    """A figure as the study states it: its level in a year, its growth over the years, or the compound
    yearly growth (docs/figures.md, "Growth over several years")."""
    figure = BY_CODE[code]
    if kind == "level":
        return figure_value(sums, figure, year_to, tag)
    start, end = level_value(sums, code, year_from, tag), level_value(sums, code, year_to, tag)
    ratio = _ratio(end, start)
    if ratio is None:
        return None
    if kind == "growth":
        return ratio - 1
    if ratio <= 0 or year_to <= year_from:
        return None
    return Decimal(float(ratio) ** (1 / (year_to - year_from))) - 1
