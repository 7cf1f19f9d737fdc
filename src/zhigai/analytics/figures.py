"""The figures of docs/figures.md, computed in SQL from enterprises' annual indicator rows.

One query per call sums every level figure by year; same-enterprise growth joins each row of year t to
the same enterprise's row of t−1 (a LEFT JOIN on the unique (enterprise, year, month) index); a second
sums the added value of the enterprises with tags of their own by tag, and with a first year, a third
sums the levels of the year before it that its growth divides by. Money is summed with MoneySum (exact to
the fen on both databases). The raw sums are cached per user scope and filters; values, real values and
references are derived in Python from them. A figure with nothing to compute from is None, never 0. The
dashboard asks for one year (year_figure_rows), so its sums read two years, not all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from zhigai.base.models import Enterprise, Indicator, Industry, MoneyField, MoneySum, Tag
from zhigai.base.policy import EVERYTHING, enterprise_scope
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


def _enterprises(user: Actor, f: FigureFilters) -> QuerySet[Enterprise] | None:
    """The user's enterprises (whose indicators it may read) passing the region, industry and tag filters;
    None for every enterprise (no scope limit, no filter), which spares the query a join."""
    scope = enterprise_scope(user, "base.indicator.view")
    if scope == EVERYTHING and not (f.region or f.industry or f.tag):
        return None
    enterprises = scoped_enterprises(scope)
    if f.region:
        enterprises = enterprises.filter(region_id__in=region_codes_below(f.region))
    if f.industry:
        enterprises = enterprises.filter(industry_id__in=industry_ids_below(f.industry))
    if f.tag:
        enterprises = enterprises.filter(tag_q(f.tag))
    return enterprises.order_by()


def _rows(enterprises: QuerySet[Enterprise] | None, f: FigureFilters) -> QuerySet[Indicator]:
    """Annual rows of S(t) (docs/figures.md): the enterprises' rows, of the size group when one is asked."""
    rows = Indicator.objects.filter(month=0)
    if enterprises is not None:
        rows = rows.filter(enterprise_id__in=enterprises.values("id"))
    if f.size:
        rows = rows.filter(size_q(f.size))
    low = f.year_from - 1 if f.year_from is not None else None  # a growth of year_from needs year_from − 1
    if low is not None:
        rows = rows.filter(year__gte=low)
    if f.year_to is not None:
        rows = rows.filter(year__lte=f.year_to)
    return rows.order_by()


def _with_previous(rows: QuerySet[Indicator], f: FigureFilters) -> QuerySet[Indicator]:
    """Each row (of year_from to year_to) joined to its enterprise's annual row of the year before (`prev`),
    if there is one. The joined rows' years are bounded too: implied by the join's condition, but
    PostgreSQL does not infer it and would hash every year's rows to join two."""
    condition = Q(enterprise__indicators__month=0, enterprise__indicators__year=F("year") - 1)
    if f.year_from is not None:
        condition &= Q(enterprise__indicators__year__gte=f.year_from - 1)
    if f.year_to is not None:
        condition &= Q(enterprise__indicators__year__lte=f.year_to - 1)
    return rows.annotate(prev=FilteredRelation("enterprise__indicators", condition=condition))


ABOVE = Q(revenue__gte=ABOVE_DESIGNATED_REVENUE)
HAS_PREVIOUS = Q(prev__id__isnull=False)
BOTH_ROBOTS = Q(robots__isnull=False, frontline_employees__isnull=False)
SAVED = ExpressionWrapper(F("positions_replaced") * F("frontline_wage"), output_field=MoneyField())


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0))


def _industry_tag_masks() -> dict[int, int]:
    masks: dict[int, int] = {}
    bits = {t: 1 << i for i, t in enumerate(TAGS)}
    for industry_id, code in Industry.tags.through.objects.values_list("industry_id", "tag__code"):
        masks[industry_id] = masks.get(industry_id, 0) | bits.get(code, 0)
    return masks


OWN_TAGS = 16  # after the four flags: the enterprise has tags of its own (any code)
INDUSTRY_WEIGHT = OWN_TAGS * 2


def _unpacked(code: int) -> dict[str, Any]:
    industry, bits = divmod(int(code), INDUSTRY_WEIGHT)
    return {"above": bits & 1, "has_prev": bits & 2, "both": bits & 4, "gap": bits & 8, "own": bits & OWN_TAGS,
            "industry": industry}


def _plus(total: Any, value: Any) -> Any:
    """A sum over groups that stays None while no group had a value (an empty sum is "nothing reported")."""
    if value is None:
        return total
    return value if total is None else total + value


def _own_tag_groups(rows: QuerySet[Indicator]) -> tuple[QuerySet[Any], dict[int, str]]:
    """Added value above the line by year, row in t−1 or not, and tag, over the enterprises with tags of
    their own: each row once per own tag (the join with the enterprise's tags), the tags' codes by id."""
    ids = dict(Tag.objects.filter(code__in=TAGS).values_list("id", "code"))
    return rows.filter(ABOVE).annotate(tag=F("enterprise__tags"), has_prev=_flag(HAS_PREVIOUS)).filter(
        tag__in=list(ids)).values("year", "has_prev", "tag").annotate(
        added=MoneySum("added_value"), prev_added=MoneySum("prev__added_value")).order_by(), ids


def _add_tag(tagged: dict[str, dict[int, dict[str, Any]]], tag: str, year: int, has_prev: Any, added: Any,
             prev_added: Any) -> None:
    t = tagged[tag].setdefault(year, {"added": None, "same": None, "same_prev": None})
    t["added"] = _plus(t["added"], added)
    if has_prev:
        t["same"] = _plus(t["same"], added)
        t["same_prev"] = _plus(t["same_prev"], prev_added)


SUM_KEYS = ("rows", "above_added", "above_employees", "above_profit", "same_profit", "same_profit_prev", "saved",
            "gap_yes", "gap_reporting", "tech", "industrial", "robot_sum", "frontline_sum")


def _levels_before(rows: QuerySet[Indicator], year: int) -> dict[int, dict[str, Any]]:
    """{year: its sums} with only the levels a growth of the next year divides by (the rest None); {} when
    the year has no row."""
    y: dict[str, Any] = dict.fromkeys(SUM_KEYS)
    for g in rows.values(above=_flag(ABOVE)).annotate(
            n=Count("id"), added=MoneySum("added_value"), employees_sum=Sum("employees"),
            tech=MoneySum("tech_investment")).order_by():
        y["rows"] = _plus(y["rows"], g["n"])
        y["tech"] = _plus(y["tech"], g["tech"])
        if g["above"]:
            y["above_added"], y["above_employees"] = g["added"], g["employees_sum"]
    return {year: y} if y["rows"] else {}


def _sums(user: Actor, f: FigureFilters) -> dict[str, Any]:
    """One scan: the rows grouped by year and by the conditions the definitions filter on (above the
    line, a row in t−1, both robot figures reported, a gap, tags of its own, its industry), each group's
    plain sums; the figures' sums are then added up from the groups. Plain sums, not one CASE per figure:
    SQLite evaluates every filtered aggregate on every row. A tag is the enterprise's own, else its
    industry's (docs/figures.md): the enterprises without tags of their own take their industry's from
    the groups; those with them are summed by tag in a second query (a join with their tags), instead of
    a subquery per row for their tags. Of year_from − 1 only the levels that the growth of year_from is
    computed from are summed (productivity's and tech investment's), in a lighter query."""
    rows = _rows(_enterprises(user, f), f)
    years: dict[int, dict[str, Any]] = {}
    if f.year_from is not None:
        years.update(_levels_before(rows.filter(year=f.year_from - 1), f.year_from - 1))
        rows = rows.filter(year__gte=f.year_from)
    rows = _with_previous(rows, f)
    through: QuerySet[Any] = Enterprise.tags.through.objects.values("enterprise_id")
    # The conditions packed into one integer: one group key instead of six, which the databases group by
    # hashing instead of sorting every row.
    code = (_flag(ABOVE) + _flag(HAS_PREVIOUS) * 2 + _flag(BOTH_ROBOTS) * 4 + _flag(Q(unfilled_positions__gt=0)) * 8
            + _flag(Q(enterprise_id__in=through)) * OWN_TAGS + F("enterprise__industry_id") * INDUSTRY_WEIGHT)
    industry_masks = _industry_tag_masks()
    groups = rows.annotate(code=ExpressionWrapper(code, output_field=IntegerField())).values("year", "code").annotate(
        n=Count("id"), added=MoneySum("added_value"), employees_sum=Sum("employees"), profit_sum=MoneySum("profit"),
        prev_profit=MoneySum("prev__profit"), prev_added=MoneySum("prev__added_value"), saved=MoneySum(SAVED),
        gap_reporting=Count("unfilled_positions"), tech=MoneySum("tech_investment"),
        industrial=MoneySum("industrial_investment"), robot_sum=Sum("robots"),
        frontline_sum=Sum("frontline_employees"),
    ).order_by()
    tagged: dict[str, dict[int, dict[str, Any]]] = {tag: {} for tag in TAGS}
    for g in groups:
        g.update(_unpacked(g["code"]))
        y = years.setdefault(g["year"], dict.fromkeys(SUM_KEYS))
        y["rows"] = _plus(y["rows"], g["n"])
        y["gap_yes"] = _plus(y["gap_yes"], g["n"] if g["gap"] else 0)
        y["gap_reporting"] = _plus(y["gap_reporting"], g["gap_reporting"])
        for key, name in (("saved", "saved"), ("tech", "tech"), ("industrial", "industrial")):
            y[key] = _plus(y[key], g[name])
        if g["both"]:
            y["robot_sum"] = _plus(y["robot_sum"], g["robot_sum"])
            y["frontline_sum"] = _plus(y["frontline_sum"], g["frontline_sum"])
        if not g["above"]:
            continue
        y["above_added"] = _plus(y["above_added"], g["added"])
        y["above_employees"] = _plus(y["above_employees"], g["employees_sum"])
        y["above_profit"] = _plus(y["above_profit"], g["profit_sum"])
        if g["has_prev"]:
            y["same_profit"] = _plus(y["same_profit"], g["profit_sum"])
            y["same_profit_prev"] = _plus(y["same_profit_prev"], g["prev_profit"])
        mask = 0 if g["own"] else industry_masks.get(g["industry"], 0)
        for bit, tag in enumerate(TAGS):
            if mask & (1 << bit):
                _add_tag(tagged, tag, g["year"], g["has_prev"], g["added"], g["prev_added"])
    own_groups, tag_codes = _own_tag_groups(rows)
    for g in own_groups:
        _add_tag(tagged, tag_codes[g["tag"]], g["year"], g["has_prev"], g["added"], g["prev_added"])
    return {"years": dict(sorted(years.items())), "tags": tagged}


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


def data_years(*, user: Actor, filters: FigureFilters) -> list[int]:
    """The years in which S(t) has an annual row (the filters' years ignored): the years a page offers to
    choose from. One pass over an index, where figure_rows would sum every year to find them."""
    f = replace(filters, year_from=None, year_to=None)
    key = ("analytics-years", enterprise_scope(user, "base.indicator.view").key, tuple(asdict(f).items()))
    return cached_figures(key, lambda: sorted(_rows(_enterprises(user, f), f).values_list("year", flat=True)
                                              .distinct()), areas=AREAS)


def year_figure_rows(*, user: Actor, filters: FigureFilters, year: int) -> list[FigureRow]:
    """The figures of one year with their growth, as figure_rows over any years gives them for that year:
    the sums read only the year and the one before it (the dashboard's tiles)."""
    return figure_rows(user=user, filters=replace(filters, year_from=year, year_to=year))


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
