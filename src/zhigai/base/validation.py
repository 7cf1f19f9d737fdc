"""Validation of enterprise and indicator records, the one rule set for forms, the API and imports.

A validator returns the clean values and a list of (column, message) errors; it never writes.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import compress, count
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_noop

from zhigai.core.errors import InvalidInput
from zhigai.core.phrases import Phrase, reason
from zhigai.core.text import clean_text, text_problem

from .columns import column_label
from .fields import (
    FieldError,
    count_column,
    count_parser,
    float_column,
    float_parser,
    is_blank,
    money_fen_column,
    money_greater,
    money_parser,
    money_text_key,
    money_texts,
    parse_count,
    parse_float,
    parse_money,
    parse_ratio,
    parse_year,
    ratio_parser,
    year_column,
    year_parser,
)
from .models import (
    INDICATOR_FIELDS,
    MONEY_INDICATORS,
    Cluster,
    Industry,
    Region,
    RegionLevel,
    Stage,
    StageSource,
    Tag,
)
from .uscc import USCCError, normalize_uscc

Errors = list[tuple[str, str]]

_PARSERS: dict[str, Callable[[object], Any]] = {
    "money": parse_money,
    "count": parse_count,
    "ratio": parse_ratio,
    "float": parse_float,
    "cloud": lambda raw: parse_count(raw, maximum=3),
}
INDICATOR_PARSERS: dict[str, Callable[[object], Any]] = {
    name: (lambda raw: parse_money(raw, negative=True)) if name == "profit" else _PARSERS[kind]
    for name, kind in INDICATOR_FIELDS
}
INDICATOR_NAMES = [name for name, _kind in INDICATOR_FIELDS]
# The same rules as INDICATOR_PARSERS, with a quick accept of plain cells first (fields.py).
_FAST_PARSERS: dict[str, Callable[[], Callable[[object], Any]]] = {
    "money": money_parser,
    "count": count_parser,
    "ratio": ratio_parser,
    "float": float_parser,
    "cloud": lambda: count_parser(maximum=3),
}
FAST_INDICATOR_PARSERS: dict[str, Callable[[object], Any]] = {
    name: money_parser(negative=True) if name == "profit" else _FAST_PARSERS[kind]() for name, kind in INDICATOR_FIELDS
}

# (smaller, larger): the first may never exceed the second when both are given.
INDICATOR_BOUNDS = [
    ("frontline_employees", "employees"),
    ("tech_investment", "industrial_investment"),
    ("added_value", "output_value"),
]

# stage_year: the year the enterprise table's stage is for (this year when blank), a StageRecord's year.
ENTERPRISE_COLUMNS = ["uscc", "name", "region", "industry", "founded_year", "stage", "stage_year", "tags", "cluster"]
INDICATOR_COLUMNS = ["uscc", "year", "month", *INDICATOR_NAMES]
# An indicator table may also give the enterprise's stage in each row's year (a StageRecord): optional, and
# not a figure of the period, so not in INDICATOR_COLUMNS (the period's stored columns).
INDICATOR_TABLE_COLUMNS = [*INDICATOR_COLUMNS, "stage"]
EARLIEST_YEAR = 1949  # of an indicator period and of a recorded stage


def clean_uscc(raw: object) -> str:
    return normalize_uscc(raw)


def cell_problem(raw: object) -> str | None:
    """What makes a typed or imported cell unreadable before its own rules apply: a control character or
    a lone surrogate (core.text) — spaces, tabs and line breaks around it aside, which the parsers trim.
    Such a cell is reported without its value."""
    return text_problem(raw.strip(" \t\r\n")) if isinstance(raw, str) else None


def _parse_number(parse: Callable[[object], Any], raw: object) -> Any:
    """parse(raw), refusing a number its parser read from characters beyond ASCII: Python's int(),
    float() and Decimal() read fullwidth digits ("１２３"), which nobody checks by eye."""
    value = parse(raw)
    if value is not None and isinstance(raw, str) and not raw.isascii():
        raise FieldError(Phrase(gettext_noop("数字只能用半角（ASCII）数字书写，“%(v)s”不是"), {"v": raw}))
    return value


def _ascii_text(cells: Sequence[object]) -> bool:
    """True unless some cell is text beyond ASCII (those are parsed cell by cell, and refused)."""
    return all(type(c) is not str or c.isascii() for c in cells)


def clean_indicator_values(raw: Mapping[str, object]) -> tuple[dict[str, Any], Errors]:
    """Parse the indicator fields present in raw; check the bounds between them."""
    clean: dict[str, Any] = {}
    errors: Errors = []
    for name, value in raw.items():
        parser = INDICATOR_PARSERS.get(name)
        if parser is None:
            continue
        problem = cell_problem(value)
        if problem:
            errors.append((name, problem))
            continue
        try:
            clean[name] = _parse_number(parser, value)
        except FieldError as exc:
            errors.append((name, reason(exc)))
    for small, large in INDICATOR_BOUNDS:
        if clean.get(small) is not None and clean.get(large) is not None and clean[small] > clean[large]:
            errors.append(
                (
                    small,
                    Phrase(
                        gettext_noop("%(a)s（%(va)s）不能大于%(b)s（%(vb)s）"),
                        {"a": column_label(small), "va": clean[small], "b": column_label(large), "vb": clean[large]},
                    ),
                )
            )
    return clean, errors


def clean_period(year: object, month: object) -> tuple[int | None, int, Errors]:
    errors: Errors = []
    clean_year = clean_month = None
    problems = [(name, p) for name, raw in (("year", year), ("month", month)) if (p := cell_problem(raw))]
    if problems:
        return None, 0, problems
    try:
        clean_year = _parse_number(lambda raw: parse_year(raw, earliest=EARLIEST_YEAR), year)
        if clean_year is None:
            errors.append(("year", Phrase(gettext_noop("年份必填"))))
    except FieldError as exc:
        errors.append(("year", reason(exc)))
    try:
        clean_month = _parse_number(lambda raw: parse_count(raw, maximum=12), month)
    except FieldError as exc:
        errors.append(("month", Phrase(gettext_noop("月份应为0（全年）或1–12：%(e)s"), {"e": reason(exc)})))
    return clean_year, clean_month or 0, errors


@functools.cache
def _stage_names() -> dict[str, str]:
    """Lower-cased text -> stage code: each code, and each stage's name in either language (an import runs in
    the worker, whatever language its file was written in)."""
    names = {s.value: s.value for s in Stage}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names.update({str(s.label).lower(): s.value for s in Stage})
    return names


def parse_stage(raw: object) -> str | None:
    """A stage's code from its code or its name in either language; None for a blank cell."""
    if is_blank(raw):
        return None
    found = _stage_names().get(str(raw).strip().lower())
    if found is None:
        raise FieldError(Phrase(gettext_noop("改造阶段应为 %(v)s 之一"), {"v": ", ".join(s.value for s in Stage)}))
    return found


def parse_stage_year(raw: object) -> int | None:
    """The year a stage is recorded for: the indicator period's rule (EARLIEST_YEAR to next year)."""
    year: int | None = _parse_number(lambda cell: parse_year(cell, earliest=EARLIEST_YEAR), raw)
    return year


def clean_stage_record(year: object, stage: object, source: object) -> tuple[int | None, str | None, Errors]:
    """A stage record's year, stage and source (services.stage_record), each error naming its field."""
    errors: Errors = [(name, p) for name, raw in (("year", year), ("stage", stage)) if (p := cell_problem(raw))]
    if errors:
        return None, None, errors
    clean_year = clean_stage = None
    try:
        clean_year = parse_stage_year(year)
        if clean_year is None:
            errors.append(("year", Phrase(gettext_noop("年份必填"))))
    except FieldError as exc:
        errors.append(("year", reason(exc)))
    try:
        clean_stage = parse_stage(stage)
        if clean_stage is None:
            errors.append(("stage", Phrase(gettext_noop("改造阶段必填"))))
    except FieldError as exc:
        errors.append(("stage", reason(exc)))
    if source not in StageSource.values:
        sources = ", ".join(StageSource.values)
        errors.append(("source", Phrase(gettext_noop("来源应为 %(v)s 之一"), {"v": sources})))
    return clean_year, clean_stage, errors


def _column_checks() -> dict[str, Callable[[Sequence[object]], Sequence[Any] | None]]:
    kinds: dict[str, Callable[[Sequence[object]], Sequence[Any] | None]] = {
        "money": money_texts,
        "count": count_column,
        "ratio": lambda cells: float_column(cells, low=0.0, high=1.0) if _ascii_text(cells) else None,
        "float": lambda cells: float_column(cells) if _ascii_text(cells) else None,
        "cloud": lambda cells: count_column(cells, maximum=3),
    }
    checks = {name: kinds[kind] for name, kind in INDICATOR_FIELDS}
    checks["profit"] = lambda cells: money_texts(cells, negative=True)
    return checks


# Whole-column versions of INDICATOR_PARSERS (fields.py): the clean values, or None to go cell by cell.
INDICATOR_COLUMN_CHECKS = _column_checks()


class IndicatorTable:
    """clean_period and clean_indicator_values for every row of an imported table at once.

    An import holds up to millions of rows laid out alike, nearly all clean: each column is checked
    in one pass (fields.py), a column that fails that check is parsed cell by cell, and only the rows
    with a problem are cleaned again by the general functions above, so their values and errors are
    exactly theirs. Money may come out as its text (fields.money_texts).
    """

    def __init__(self, columns: list[str], rows: list[list[object]]):
        self.value_columns = [c for c in columns if c in INDICATOR_NAMES]
        self._columns = columns
        self._rows = rows
        # Column by column, transposed in one go (faster than picking each column out of the rows).
        self._by_column = dict(zip(columns, list(zip(*rows, strict=True)) or [()] * len(columns), strict=True))
        self.years, self.months, self.period_errors = self._periods()
        self._bad: set[int] = set()  # rows with a value cell that did not parse or out of bounds
        self._plain: set[str] = set()  # columns that passed their whole-column check
        self._value_lists = [self._column(name) for name in self.value_columns]
        self._bad.update(self._out_of_bounds(self._value_lists))
        self.value_errors = {k: self._recheck(rows[k]) for k in sorted(self._bad)}
        # The stage of the row's year, when the table has the column (None where a cell is blank or bad).
        self.stages: list[str | None] | None = None
        self.stage_errors: dict[int, Errors] = {}
        if "stage" in columns:
            self.stages, self.stage_errors = self._stages()
        self.bad_rows = set(self.period_errors) | set(self.value_errors) | set(self.stage_errors)

    @cached_property
    def values(self) -> list[tuple[Any, ...]]:
        """Each row's clean values in `value_columns` order; money as a Decimal or its text (fields.money_texts)."""
        return self._rows_of(self._value_lists)

    @cached_property
    def stored(self) -> list[tuple[Any, ...]]:
        """Each row's values as the table stores them: money in whole fen (models.MoneyField), converted a
        column at a time, for a bulk write goes round the field's own conversion."""
        return self._rows_of([
            money_fen_column(column) if name in MONEY_INDICATORS else column
            for name, column in zip(self.value_columns, self._value_lists, strict=True)
        ])

    def _rows_of(self, columns: list[Sequence[Any]]) -> list[tuple[Any, ...]]:
        return list(zip(*columns, strict=True)) if columns else [()] * len(self._rows)

    def errors(self, k: int) -> Errors:
        """The errors of row k (its index in the rows given), in the order of clean_period then values."""
        if k in self.bad_rows:
            return self.period_errors.get(k, []) + self.value_errors.get(k, []) + self.stage_errors.get(k, [])
        return []

    def _stages(self) -> tuple[list[str | None], dict[int, Errors]]:
        """The stage column's codes, each distinct cell read once (a column of five names and blanks)."""
        read: dict[object, tuple[str | None, Errors]] = {}
        stages: list[str | None] = []
        errors: dict[int, Errors] = {}
        for k, raw in enumerate(self._cells("stage")):
            known = read.get(raw)
            if known is None:
                problem = cell_problem(raw)
                try:
                    known = (None, [("stage", problem)]) if problem else (parse_stage(raw), [])
                except FieldError as exc:
                    known = (None, [("stage", reason(exc))])
                read[raw] = known
            stages.append(known[0])
            if known[1]:
                errors[k] = known[1]
        return stages, errors

    def _cells(self, name: str) -> Sequence[object]:
        return self._by_column[name]

    def _periods(self) -> tuple[list[int | None], list[int], dict[int, Errors]]:
        n = len(self._rows)
        blank: Sequence[object] = [None] * n
        year_cells = self._cells("year") if "year" in self._columns else blank
        month_cells = self._cells("month") if "month" in self._columns else blank
        years = year_column(year_cells, earliest=EARLIEST_YEAR)
        months = count_column(month_cells, maximum=12) if "month" in self._columns else [0] * n
        if years is not None and months is not None:
            return years, months, {}  # type: ignore[return-value]
        year_of, month_of = year_parser(earliest=EARLIEST_YEAR), count_parser(maximum=12)
        clean_years: list[int | None] = []
        clean_months: list[int] = []
        errors: dict[int, Errors] = {}
        for k, (year, month) in enumerate(zip(year_cells, month_cells, strict=True)):
            try:
                if not _ascii_text((year, month)) or cell_problem(year) or cell_problem(month):
                    raise FieldError  # controls or fullwidth digits: clean_period says what
                clean_year, clean_month = year_of(year), month_of(month)
            except FieldError:
                clean_year = None
            if clean_year is None:  # for the messages
                clean_year, clean_month, problems = clean_period(year, month)
                if problems:
                    errors[k] = problems
            clean_years.append(clean_year)
            clean_months.append(clean_month or 0)
        return clean_years, clean_months, errors

    def _column(self, name: str) -> Sequence[Any]:
        cells = self._cells(name)
        values = INDICATOR_COLUMN_CHECKS[name](cells)
        if values is not None:
            self._plain.add(name)
            return values
        parse = FAST_INDICATOR_PARSERS[name]
        values = []
        for k, raw in enumerate(cells):
            try:
                if type(raw) is str and (not raw.isascii() or cell_problem(raw)):
                    raise FieldError  # fullwidth digits or a control: clean_indicator_values says what
                values.append(parse(raw))
            except FieldError:
                values.append(None)
                self._bad.add(k)
        return values

    def _out_of_bounds(self, values: list[Sequence[Any]]) -> list[int]:
        where = {c: k for k, c in enumerate(self.value_columns)}
        bad: list[int] = []
        for small, large in INDICATOR_BOUNDS:
            if small not in where or large not in where:
                continue
            money = dict(INDICATOR_FIELDS)[small] == "money"
            greater = money_greater if money else operator.gt
            a, b = values[where[small]], values[where[large]]
            if small in self._plain and large in self._plain:  # no empty cell: compare at C speed
                if money:
                    a, b = list(map(money_text_key, a)), list(map(money_text_key, b))
                bad.extend(compress(count(), map(operator.gt, a, b)))
            else:
                pairs = enumerate(zip(a, b, strict=True))
                bad.extend(k for k, (x, y) in pairs if x is not None and y is not None and greater(x, y))
        return bad

    def _recheck(self, cells: list[object]) -> Errors:
        return clean_indicator_values({c: cells[self._columns.index(c)] for c in self.value_columns})[1]


@dataclass
class Lookups:
    """Codes a record may refer to, loaded once per import or request."""

    counties: dict[str, int]  # county code -> id, only the counties the acting user may write in
    all_counties: set[str]
    industries: dict[str, int]
    tags: dict[str, int]
    clusters: dict[str, int]

    @classmethod
    def load(cls, *, writable_region_ids: set[int] | None) -> Lookups:
        counties = dict(Region.objects.filter(level=RegionLevel.COUNTY).values_list("code", "id"))
        writable = (
            counties
            if writable_region_ids is None
            else {code: pk for code, pk in counties.items() if pk in writable_region_ids}
        )
        return cls(
            counties=writable,
            all_counties=set(counties),
            industries=dict(Industry.objects.values_list("code", "id")),
            tags=dict(Tag.objects.values_list("code", "id")),
            clusters=dict(Cluster.objects.values_list("code", "id")),
        )


def clean_enterprise_values(raw: Mapping[str, object], lookups: Lookups) -> tuple[dict[str, Any], Errors]:
    """Parse the enterprise fields present in raw (uscc handled by the caller)."""
    clean: dict[str, Any] = {}
    errors: Errors = []
    # Every cell's text first: a field with a control character or a lone surrogate is reported and
    # not read further (its value would reach the database or an error message).
    problems = {name: p for name, value in raw.items() if (p := cell_problem(value))}
    errors.extend(problems.items())
    raw = {name: value for name, value in raw.items() if name not in problems}
    if "name" in raw:
        try:
            name = clean_text(raw["name"] or "", field="name", required=True)
        except InvalidInput:
            name = ""
        if not str(raw["name"] or "").strip():
            errors.append(("name", Phrase(gettext_noop("企业名称必填"))))
        elif not name:
            errors.append(("name", Phrase(gettext_noop("企业名称不能只有空白或不可见字符"))))
        elif len(name) > 200:
            errors.append(("name", Phrase(gettext_noop("企业名称不能超过200个字符"))))
        clean["name"] = name
    if "region" in raw:
        code = str(raw["region"] or "").strip()
        if code in lookups.counties:
            clean["region_id"] = lookups.counties[code]
        elif code in lookups.all_counties:
            errors.append(("region", Phrase(gettext_noop("县（市、区）%(c)s不在您的管辖范围内"), {"c": code})))
        else:
            errors.append(("region", Phrase(gettext_noop("“%(c)s”不是县级行政区划代码（6位，如330102）"), {"c": code})))
    if "industry" in raw:
        code = str(raw["industry"] or "").strip()
        if code in lookups.industries:
            clean["industry_id"] = lookups.industries[code]
        else:
            errors.append(
                (
                    "industry",
                    Phrase(gettext_noop("“%(c)s”不是国民经济行业分类（GB/T 4754-2017）制造业代码13–43"), {"c": code}),
                )
            )
    if "founded_year" in raw:
        try:
            clean["founded_year"] = _parse_number(parse_year, raw["founded_year"])
        except FieldError as exc:
            errors.append(("founded_year", reason(exc)))
    if "stage" in raw:
        try:
            clean["stage"] = parse_stage(raw["stage"])
        except FieldError as exc:
            clean["stage"] = None
            errors.append(("stage", reason(exc)))
    if "stage_year" in raw:
        try:
            clean["stage_year"] = parse_stage_year(raw["stage_year"])
        except FieldError as exc:
            errors.append(("stage_year", reason(exc)))
        else:
            if clean["stage_year"] is not None and is_blank(raw.get("stage")) and "stage" not in problems:
                errors.append(("stage_year", Phrase(gettext_noop("填写了改造阶段的年份，却没有填写改造阶段"))))
    if "tags" in raw:
        codes = [c.strip() for c in str(raw["tags"] or "").replace(",", ";").split(";") if c.strip()]
        unknown = [c for c in codes if c not in lookups.tags]
        if unknown:
            errors.append(
                (
                    "tags",
                    Phrase(
                        gettext_noop("未知标签：%(t)s（可用：%(all)s）"),
                        {"t": ", ".join(unknown), "all": ", ".join(sorted(lookups.tags))},
                    ),
                )
            )
        clean["tag_ids"] = sorted({lookups.tags[c] for c in codes if c in lookups.tags})
    if "cluster" in raw:
        code = str(raw["cluster"] or "").strip()
        if code and code not in lookups.clusters:
            errors.append(("cluster", Phrase(gettext_noop("未知产业集群代码“%(c)s”"), {"c": code})))
        clean["cluster_id"] = lookups.clusters.get(code) if code else None
    return clean, errors


def uscc_error(raw: object) -> str | None:
    try:
        normalize_uscc(raw)
    except USCCError as exc:
        return reason(exc)
    return None
