"""The import's fast paths give exactly what the general parsers give: the same values, the same errors.

The importer checks whole columns at once and accepts plain cells with cheap tests (fields.py,
validation.IndicatorTable); anything else goes to the general parsers that forms and the API use. These
tests hold the fast paths to the general ones on random cells, and check the writes that skip work
(direct COPY of new keys, refresh of changed rows only) against the results of the ordinary path.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.base.test_import import counts, ind, run, tables, write_csv
from tests.conftest import new_uscc
from zhigai.base import fields
from zhigai.base.fields import parse_count, parse_float, parse_money, parse_year
from zhigai.base.models import Enterprise, Indicator
from zhigai.base.validation import (
    INDICATOR_COLUMN_CHECKS,
    INDICATOR_COLUMNS,
    INDICATOR_NAMES,
    INDICATOR_PARSERS,
    IndicatorTable,
    clean_indicator_values,
    clean_period,
)
from zhigai.core.bulk import bulk_upsert
from zhigai.core.models import AuditLog, User

# Cells as imports bring them: plain numbers, numbers written oddly, blanks, words, and spreadsheet values.
PLAIN_NUMBERS = st.one_of(
    st.integers(min_value=0, max_value=10**17).map(str),
    st.decimals(min_value=-(10**17), max_value=10**17, places=2, allow_nan=False).map(str),
    st.decimals(min_value=0, max_value=10**5, places=4, allow_nan=False).map(str),
    st.floats(min_value=0, max_value=2, allow_nan=False).map(repr),
    st.integers(min_value=1900, max_value=2200).map(str),
    st.integers(min_value=0, max_value=14).map(str),
)
ODD_TEXT = st.text(alphabet="0123456789.-+,_ eE \t٣²一nainfNa", max_size=22)
SPREADSHEET_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
)
CELLS = st.one_of(PLAIN_NUMBERS, PLAIN_NUMBERS.map(lambda s: f" {s}"), ODD_TEXT, SPREADSHEET_VALUES)
TRICKY = ["", " ", "0", "00", "007.50", "-0.00", "-0", "1e3", "1_000", "1,000.00", "²", "٣", "nan", "inf", "1e400",
          "12345678901234567.00", "9999999999999999.99", "10000000000000000", "0.5", ".5", "5.", "1.234", "1.230",
          "1.00\n2.00", "20000000", "2030", "1948", "99999999999999999999", "4" * 5000,
          "99999999999999999999999999.995", "1234567890123456789012345678.123", "-1234567890123456789012345678.123",
          "9" * 40 + ".001", "1e1000000", "-1e1000000", "1e-1000000"]


def outcome(parse: Callable[[object], Any], raw: object) -> tuple[Any, ...]:
    """What a parser makes of a cell, compared exactly: the type and digits of a value, or the error."""
    try:
        value = parse(raw)
    except Exception as exc:  # FieldError, and whatever else the general parser lets through
        return ("error", type(exc).__name__, str(exc))
    return ("ok", type(value).__name__, str(value))


FAST_AND_FULL: dict[str, tuple[Callable[[object], Any], Callable[[object], Any]]] = {
    "money": (fields.money_parser(), parse_money),
    "signed money": (fields.money_parser(negative=True), lambda raw: parse_money(raw, negative=True)),
    "count": (fields.count_parser(), parse_count),
    "cloud level": (fields.count_parser(maximum=3), lambda raw: parse_count(raw, maximum=3)),
    "month": (fields.count_parser(maximum=12), lambda raw: parse_count(raw, maximum=12)),
    "ratio": (fields.float_parser(low=0.0, high=1.0), lambda raw: parse_float(raw, low=0.0, high=1.0)),
    "float": (fields.float_parser(), parse_float),
    "year": (fields.year_parser(), parse_year),
    "indicator year": (fields.year_parser(earliest=1949), lambda raw: parse_year(raw, earliest=1949)),
}


@pytest.mark.parametrize("kind", list(FAST_AND_FULL))
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=CELLS)
def test_fast_cell_parser_equals_the_full_parser(kind: str, raw: object) -> None:
    fast, full = FAST_AND_FULL[kind]
    assert outcome(fast, raw) == outcome(full, raw)


@pytest.mark.parametrize("raw", TRICKY)
@pytest.mark.parametrize("kind", list(FAST_AND_FULL))
def test_fast_cell_parser_on_tricky_cells(kind: str, raw: str) -> None:
    fast, full = FAST_AND_FULL[kind]
    assert outcome(fast, raw) == outcome(full, raw)


LONG_NUMBERS = st.builds(lambda sign, whole, point, tail: f"{sign}{whole}{point}{tail}",
                         st.sampled_from(["", "-"]), st.text("0123456789", min_size=1, max_size=60),
                         st.sampled_from(["", "."]), st.text("0123456789", max_size=40))


@pytest.mark.parametrize("kind", list(FAST_AND_FULL))
@settings(max_examples=300, deadline=None)
@given(raw=st.one_of(CELLS, LONG_NUMBERS))
@example(raw="1234567890123456789012345678.123")
def test_a_bad_cell_is_a_field_error_never_a_crash(kind: str, raw: object) -> None:
    fast, full = FAST_AND_FULL[kind]
    for parse in (fast, full):
        with contextlib.suppress(fields.FieldError):
            parse(raw)


def column_outcomes(name: str, cells: list[object]) -> list[tuple[Any, ...]] | None:
    """What the whole-column check makes of the cells, as outcome() of each, or None if it declines."""
    values = INDICATOR_COLUMN_CHECKS[name](cells)
    if values is None:
        return None
    return [("ok", type(fields.money_value(v)).__name__, str(fields.money_value(v))) for v in values]


COLUMNS_OF_CELLS = st.lists(st.one_of(PLAIN_NUMBERS, CELLS, LONG_NUMBERS, st.sampled_from(TRICKY)), max_size=8)


@pytest.mark.parametrize("name", INDICATOR_NAMES)
@settings(max_examples=200, deadline=None)
@given(cells=COLUMNS_OF_CELLS)
@example(cells=["1.00", "2.00"])
@example(cells=["1.00\n2.00"])
@example(cells=["1.00", ""])
@example(cells=["0.10", "0.2"])
def test_column_check_equals_the_full_parser_cell_by_cell(name: str, cells: list[object]) -> None:
    got = column_outcomes(name, cells)
    if got is not None:  # a column check may decline anything; what it accepts must be the parser's
        assert got == [outcome(INDICATOR_PARSERS[name], raw) for raw in cells]


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(PLAIN_NUMBERS, min_size=1, max_size=6))
def test_money_kept_as_text_is_what_the_decimal_prints(cells: list[str]) -> None:
    for negative in (False, True):
        texts = fields.money_texts(list(cells), negative=negative)
        if texts is not None:
            for text in texts:
                assert isinstance(text, str)
                parsed = parse_money(text, negative=negative)
                assert str(parsed) == text and fields.money_value(text) == parsed


def test_plain_exported_money_is_kept_as_text() -> None:
    assert fields.money_texts(["25000000.00", "0.50", "1200000.05"]) == ["25000000.00", "0.50", "1200000.05"]
    assert fields.money_texts(["-5.00", "1.00"], negative=True) == ["-5.00", "1.00"]
    for declined in (["-5.00"], ["5"], ["5.0"], ["05.00"], ["1.00\n2.00"], ["1.00", None], []):
        assert fields.money_texts(declined) is None  # type: ignore[arg-type]


MONEY = st.decimals(min_value=0, max_value=Decimal("9999999999999999.99"), places=2, allow_nan=False)


@settings(max_examples=500, deadline=None)
@given(a=MONEY, b=MONEY)
@example(a=Decimal("10.00"), b=Decimal("9.99"))
@example(a=Decimal("0.00"), b=Decimal("0.01"))
def test_money_text_compares_like_its_number(a: Decimal, b: Decimal) -> None:
    a, b = a.quantize(fields.CENT), b.quantize(fields.CENT)
    assert fields.money_greater(str(a), str(b)) is (a > b)
    assert fields.money_greater(str(a), b) is (a > b)
    assert (fields.money_text_key(str(a)) > fields.money_text_key(str(b))) is (a > b)


# --- whole tables: the same values and the same errors as clean_period + clean_indicator_values -------


def cell_for(name: str) -> st.SearchStrategy[object]:
    good = {
        "year": st.integers(min_value=1940, max_value=2030).map(str),
        "month": st.integers(min_value=0, max_value=13).map(str),
    }.get(name, PLAIN_NUMBERS)
    return st.one_of(good, good, good, CELLS, LONG_NUMBERS)


@st.composite
def indicator_tables(draw: st.DrawFn) -> tuple[list[str], list[list[object]]]:
    names = draw(st.lists(st.sampled_from(INDICATOR_COLUMNS[1:]), unique=True, min_size=1))
    if "year" not in names:
        names.insert(0, "year")
    columns = ["uscc", *names]
    rows = draw(st.lists(st.tuples(*(cell_for(c) for c in names)), min_size=1, max_size=6))
    return columns, [["91330102MA2H3B4C5D", *row] for row in rows]


def _expected(columns: list[str], cells: list[object]) -> tuple[Any, ...]:
    raw = dict(zip(columns, cells, strict=True))
    year, month, period_errors = clean_period(raw.get("year"), raw.get("month"))
    values, value_errors = clean_indicator_values({c: raw[c] for c in columns if c in INDICATOR_NAMES})
    return year, month, period_errors + value_errors, values


@settings(max_examples=300, deadline=None)
@given(table=indicator_tables())
def test_indicator_table_equals_the_row_by_row_rules(table: tuple[list[str], list[list[object]]]) -> None:
    columns, rows = table
    expected = [_expected(columns, cells) for cells in rows]
    clean = IndicatorTable(columns, rows)
    for k, (year, month, errors, values) in enumerate(expected):
        assert (clean.years[k], clean.months[k], clean.errors(k)) == (year, month, errors)
        if not errors:
            got = [fields.money_value(v) for v in clean.values[k]]
            assert [(type(v), str(v)) for v in got] == [(type(values[c]), str(values[c])) for c in clean.value_columns]


def test_a_number_too_long_for_decimal_is_an_error_of_its_cell() -> None:
    columns = ["uscc", "year", "revenue", "profit", "employees"]
    rows: list[list[object]] = [
        ["x", "2020", "100.00", "-5.00", "10"],
        ["x", "2020", "1234567890123456789012345678.123", "-1234567890123456789012345678.123", "10"],
    ]
    clean = IndicatorTable(columns, rows)
    assert clean.bad_rows == {1}
    assert [c for c, _m in clean.errors(1)] == ["revenue", "profit"]
    assert clean.errors(1) == clean_indicator_values(dict(zip(columns[2:], rows[1][2:], strict=True)))[1]


def test_bounds_checked_on_text_money_and_counts() -> None:
    columns = ["uscc", "year", "output_value", "added_value", "employees", "frontline_employees"]
    rows: list[list[object]] = [
        ["x", "2020", "100.00", "99.99", "10", "10"],
        ["x", "2020", "100.00", "100.01", "10", "11"],
        ["x", "2020", "9.00", "10.00", "10", "9"],
    ]
    clean = IndicatorTable(columns, rows)
    assert clean.bad_rows == {1, 2}
    assert [c for c, _m in clean.errors(1)] == ["frontline_employees", "added_value"]
    assert [c for c, _m in clean.errors(2)] == ["added_value"]


# --- through the importer ------------------------------------------------------------------------


def test_text_money_and_decimal_money_store_the_same(hangzhou_user: User, make_enterprise: Callable[..., Any],
                                                     tmp_path: Path) -> None:
    from django.db import connection

    first, second = make_enterprise(), make_enterprise()
    # Money written as its Decimal prints is kept as text; any other form of it is parsed to Decimals.
    for enterprise, revenue, profit in ((first, "25000000.00", "-1200.50"), (second, "25000000", "-1200.5")):
        path = write_csv(tmp_path / "i.csv", INDICATOR_COLUMNS,
                         [ind(enterprise.uscc, revenue=revenue, profit=profit, year="2020")])
        assert run(hangzhou_user, path)[0] == []
    with connection.cursor() as cursor:  # as stored, below the ORM's conversions
        cursor.execute("SELECT revenue, profit FROM base_indicator WHERE enterprise_id IN (%s, %s) AND year = 2020 "
                       "ORDER BY enterprise_id", [first.id, second.id])
        stored = cursor.fetchall()
    assert len(stored) == 2 and stored[0] == stored[1]
    assert Indicator.objects.get(enterprise=first, year=2020).profit == Decimal("-1200.50")


def test_reimport_with_text_money_audits_decimals(hangzhou_user: User, make_enterprise: Callable[..., Any],
                                                  tmp_path: Path) -> None:
    enterprise = make_enterprise()
    write = lambda revenue: write_csv(tmp_path / "i.csv", INDICATOR_COLUMNS,  # noqa: E731
                                      [ind(enterprise.uscc, revenue=revenue, year="2020")])
    assert run(hangzhou_user, write("25000000.00"))[0] == []
    assert run(hangzhou_user, write("25000000.00"))[1]["indicators_updated"] == 0
    assert run(hangzhou_user, write("26000000.50"))[1]["indicators_updated"] == 1
    audit = AuditLog.objects.exclude(before={}).get(entity="indicator")  # the change, not the creation
    assert (audit.before, audit.after) == ({"revenue": "25000000.00"}, {"revenue": "26000000.50"})


def test_second_import_of_the_same_rows_writes_nothing(hangzhou_user: User, tmp_path: Path) -> None:
    from tests.base.test_import import ENTERPRISE_COLUMNS, ent

    codes = [new_uscc() for _ in range(3)]
    enterprises = write_csv(tmp_path / "e.csv", ENTERPRISE_COLUMNS, [ent(c) for c in codes])
    indicators = write_csv(tmp_path / "i.csv", INDICATOR_COLUMNS, [ind(c) for c in codes])
    for path in (enterprises, indicators):
        assert run(hangzhou_user, path)[0] == []
    state = tables(), counts()
    for path in (enterprises, indicators):
        errors, summary = run(hangzhou_user, path)
        assert errors == [] and summary.get("enterprises_updated", 0) == summary.get("indicators_updated", 0) == 0
    assert tables() == state[0]
    assert counts()[:2] == state[1][:2]


def test_new_keys_that_exist_after_all_fall_back_to_the_upsert(make_enterprise: Callable[..., Any]) -> None:
    from django.db import transaction

    enterprise = make_enterprise(name="旧名称")
    rows = [[code, name, enterprise.region_id, enterprise.industry_id, "automation", "micro", False]
            for code, name in ((enterprise.uscc, "新名称"), (new_uscc(), "新企业"))]
    columns = ["uscc", "name", "region_id", "industry_id", "stage", "size_class", "above_designated_size"]
    before = Enterprise.objects.count()
    with transaction.atomic():  # new_keys wrongly claims that none exists: the upsert must run after all
        written = bulk_upsert(table="base_enterprise", key=["uscc"], columns=columns, rows=rows, update=["name"],
                              new_keys=True)
    assert written == 2
    assert Enterprise.objects.get(id=enterprise.id).name == "新名称"
    assert Enterprise.objects.count() == before + 1


@pytest.mark.parametrize("was_enabled", [True, False])
def test_import_leaves_the_cycle_collector_as_it_found_it(was_enabled: bool, hangzhou_user: User,
                                                          tmp_path: Path) -> None:
    path = write_csv(tmp_path / "i.csv", INDICATOR_COLUMNS, [ind("wrong")])
    (gc.enable if was_enabled else gc.disable)()
    try:
        assert run(hangzhou_user, path)[0]
        assert gc.isenabled() is was_enabled
    finally:
        gc.enable()


# --- a clean indicator table is taken in one go; the row loop gives the same plan -------------------


def plans(user: User, path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, list[bool]]:
    """The plan of a file with the one-go path for clean tables and without it, and what that path did."""
    from zhigai.base import importer
    from zhigai.base.tabular import read_tables

    def plan() -> Any:
        result = importer._Validator(user, lambda _p: None).run(read_tables(path, path.name))
        return result.errors, result.indicator_tables, result.rows

    taken: list[bool] = []
    one_go = importer._Validator._all_clean
    monkeypatch.setattr(importer._Validator, "_all_clean", lambda *args: taken.append(one_go(*args)) or taken[-1])
    fast = plan()
    monkeypatch.setattr(importer._Validator, "_all_clean", lambda *_args: False)
    return fast, plan(), taken


@pytest.mark.parametrize("case", ["clean", "same period twice", "unknown enterprise", "bad code", "bad cell",
                                  "blank month", "enterprise of the same file"])
def test_clean_table_in_one_go_equals_the_row_loop(case: str, hangzhou_user: User,
                                                   make_enterprise: Callable[..., Any], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import Workbook

    from tests.base.test_import import ENTERPRISE_COLUMNS, ent

    codes = [make_enterprise().uscc for _ in range(3)]
    rows = [ind(code, year=str(year)) for code in codes for year in (2019, 2020)]
    enterprises: list[list[Any]] = []
    if case == "same period twice":
        rows.append(ind(codes[0], year="2019", revenue="1.00"))
    elif case == "unknown enterprise":
        rows.append(ind(new_uscc(), year="2019"))
    elif case == "bad code":
        rows.insert(2, ind(codes[0][:17] + "?", year="2018"))
    elif case == "bad cell":
        rows.insert(1, ind(codes[1], year="2018", robots="many"))
    elif case == "blank month":
        rows.append(ind(codes[2], year="2021", month=""))
    elif case == "enterprise of the same file":
        code = new_uscc()
        enterprises.append(ent(code))
        rows.append(ind(code, year="2020"))
    book = Workbook()
    book.remove(book.active)
    for title, header, data in (("enterprises", ENTERPRISE_COLUMNS, enterprises),
                                ("indicators", INDICATOR_COLUMNS, rows)):
        if data:
            sheet = book.create_sheet(title)
            for row in [header, *data]:
                sheet.append([str(v) for v in row])  # text cells, as a CSV brings them
    book.save(tmp_path / "f.xlsx")
    fast, slow, taken = plans(hangzhou_user, tmp_path / "f.xlsx", monkeypatch)
    assert fast == slow
    has_errors = case in ("same period twice", "unknown enterprise", "bad code", "bad cell")
    assert bool(fast[0]) is has_errors
    assert taken == [not has_errors]


def test_in_values_of_codes_ids_and_nothing(make_enterprise: Callable[..., Any]) -> None:
    from zhigai.base.services import enterprise_refresh_derived
    from zhigai.core.bulk import in_values

    first, second = make_enterprise(), make_enterprise()
    assert set(Enterprise.objects.filter(uscc__in=in_values([first.uscc, "nobody"]))) == {first}
    assert set(Enterprise.objects.filter(id__in=in_values([first.id, second.id]))) == {first, second}
    assert list(Enterprise.objects.filter(uscc__in=in_values([]))) == []
    enterprise_refresh_derived(ids=[])  # nothing to do, and no error
