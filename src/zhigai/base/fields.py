"""Parsing and range checks of one cell, shared by forms, the API and the importer.

Each parser takes the raw cell (str, int, float, Decimal or None) and returns the clean value or
raises FieldError with a sentence saying what is wrong. Blank cells become None.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_noop

from zhigai.core.phrases import Phrase

# The largest money figure, in yuan (either sign), inclusive. Stored as fen (models.MoneyField) it is 9e17,
# ten times inside a 64-bit integer (9.22e18), the type both databases keep exactly; and its whole yuan
# stay below 2^53 (9.007e15), so a chart's whole-yuan figures are exact in JavaScript too. Sums of any
# number of rows are exact as well (models.MoneySum).
MONEY_LIMIT = Decimal("9000000000000000.00")
CENT = Decimal("0.01")


class FieldError(ValueError):
    pass


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


# At most 15 digits of yuan: below 1e15, so within MONEY_LIMIT without a comparison.
_PLAIN_MONEY = re.compile(r"-?\d{1,15}(\.\d{1,2})?")


def parse_money(raw: object, *, negative: bool = False) -> Decimal | None:
    if is_blank(raw):
        return None
    if isinstance(raw, str) and _PLAIN_MONEY.fullmatch(raw) and (negative or raw[0] != "-"):
        return Decimal(raw).quantize(CENT)  # the common case of an import, checked by the pattern alone
    if isinstance(raw, float):
        raw = repr(raw)
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise FieldError(Phrase(gettext_noop("“%(v)s”不是金额（元，最多两位小数）"), {"v": raw})) from None
    if not value.is_finite():
        raise FieldError(Phrase(gettext_noop("“%(v)s”不是金额（元，最多两位小数）"), {"v": raw}))
    if value < 0 and not negative:
        raise FieldError(Phrase(gettext_noop("金额不能为负数")))
    # Size before precision: quantize and abs() work in the 28-digit context and raise on a longer
    # result (or a huge exponent), while comparisons and copy_abs are exact at any length.
    if value.copy_abs() > MONEY_LIMIT:
        raise FieldError(Phrase(gettext_noop("金额过大")))
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2 and value != value.quantize(CENT):
        raise FieldError(Phrase(gettext_noop("金额最多两位小数（分），“%(v)s”太精确"), {"v": raw}))
    return value.quantize(CENT)


def parse_count(raw: object, *, maximum: int = 10_000_000) -> int | None:
    if is_blank(raw):
        return None
    try:
        number = float(str(raw).strip().replace(",", "")) if not isinstance(raw, int) else raw
    except ValueError:
        raise FieldError(Phrase(gettext_noop("“%(v)s”不是整数"), {"v": raw})) from None
    if not math.isfinite(number) or number != int(number):
        raise FieldError(Phrase(gettext_noop("“%(v)s”不是整数"), {"v": raw}))
    value = int(number)
    if value < 0:
        raise FieldError(Phrase(gettext_noop("不能为负数")))
    if value > maximum:
        raise FieldError(Phrase(gettext_noop("数值过大（上限%(max)d）"), {"max": maximum}))
    return value


def parse_float(raw: object, *, low: float = 0.0, high: float | None = None) -> float | None:
    if is_blank(raw):
        return None
    try:
        value = float(str(raw).strip().replace(",", ""))
    except ValueError:
        raise FieldError(Phrase(gettext_noop("“%(v)s”不是数字"), {"v": raw})) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise FieldError(Phrase(gettext_noop("“%(v)s”不是数字"), {"v": raw}))
    if value < low or (high is not None and value > high):
        if high is None:
            raise FieldError(Phrase(gettext_noop("应不小于%(low)s"), {"low": low}))
        raise FieldError(Phrase(gettext_noop("应在%(low)s到%(high)s之间"), {"low": low, "high": high}))
    return value


def parse_ratio(raw: object) -> float | None:
    """A share between 0 and 1, written as a fraction (0.0397) or a percentage (3.97%): the forms, the API
    and imports all read it here."""
    if isinstance(raw, str) and raw.strip().endswith("%"):
        number = raw.strip()[:-1].strip()
        try:
            value = Decimal(number.replace(",", "")) / 100 if number else None
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            raise FieldError(Phrase(gettext_noop("“%(v)s”不是百分比"), {"v": raw}))
        if not 0 <= value <= 1:
            raise FieldError(Phrase(gettext_noop("应在0%%到100%%之间（或0到1之间的小数）")))
        return float(value)
    try:
        return parse_float(raw, low=0.0, high=1.0)
    except FieldError:
        raise FieldError(Phrase(gettext_noop("应在0到1之间（或写作百分比，如3.97%%）"))) from None


def parse_year(raw: object, *, earliest: int = 1900) -> int | None:
    value = parse_count(raw, maximum=9999)
    if value is None:
        return None
    latest = dt.date.today().year + 1
    if not earliest <= value <= latest:
        raise FieldError(Phrase(gettext_noop("年份应在%(a)d到%(b)d之间"), {"a": earliest, "b": latest}))
    return value


# --- Fast parsers for bulk imports --------------------------------------------------------------
# An import file holds millions of cells and nearly all are plain ASCII numbers. Each factory below
# returns a one-argument parser that accepts such a cell with a few cheap checks and hands anything
# else - blanks, commas, spaces, Excel numbers, out-of-range or wrong values - to the full parser
# above, so values and error messages are exactly the full parser's (tests/base/test_import_fast_path.py).
# A quick check only ever accepts; it never raises an error of its own.

_INF = float("inf")
_MAX_DIGITS = 15  # int() of a plain digit string this short is exact and far below int()'s length limit


def money_parser(*, negative: bool = False) -> Callable[[object], Decimal | None]:
    plain = _PLAIN_MONEY.fullmatch

    def parse(raw: object) -> Decimal | None:
        if type(raw) is str and plain(raw) and (negative or raw[0] != "-"):
            return Decimal(raw).quantize(CENT)
        return parse_money(raw, negative=negative)

    return parse


def count_parser(*, maximum: int = 10_000_000) -> Callable[[object], int | None]:
    def parse(raw: object) -> int | None:
        # isascii: str.isdigit() also accepts digits like "²" that int() refuses.
        if type(raw) is str and raw.isascii() and raw.isdigit() and len(raw) <= _MAX_DIGITS:
            value = int(raw)
            if value <= maximum:
                return value
        return parse_count(raw, maximum=maximum)

    return parse


def float_parser(*, low: float = 0.0, high: float | None = None) -> Callable[[object], float | None]:
    top = _INF if high is None else high

    def parse(raw: object) -> float | None:
        if type(raw) is str:
            try:
                value = float(raw)  # a cell float() takes as it is needs no comma removal or stripping
            except ValueError:
                pass
            else:
                # NaN fails both comparisons and infinity the second (or the bound): full parser.
                if low <= value <= top and value != _INF:
                    return value
        return parse_float(raw, low=low, high=high)

    return parse


def ratio_parser() -> Callable[[object], float | None]:
    plain = float_parser(low=0.0, high=1.0)

    def parse(raw: object) -> float | None:
        if type(raw) is str and raw.endswith("%"):
            return parse_ratio(raw)
        try:
            return plain(raw)
        except FieldError:
            return parse_ratio(raw)  # for its message

    return parse


def year_parser(*, earliest: int = 1900) -> Callable[[object], int | None]:
    # Today's year is read once per parser, not per cell; it only ever grows, so a stale bound can
    # only send a cell to the full parser, which reads the date again.
    latest = dt.date.today().year + 1

    def parse(raw: object) -> int | None:
        if type(raw) is str and raw.isascii() and raw.isdigit() and len(raw) <= 4:
            value = int(raw)
            if earliest <= value <= latest:
                return value
        return parse_year(raw, earliest=earliest)

    return parse


# --- Whole-column checks --------------------------------------------------------------------------
# Cheaper still: one check over a whole column of an import at C speed. Each returns the clean values
# when every cell passes, else None and the caller parses that column cell by cell.

# Money exactly as str() of the parsed Decimal writes it: no leading zero, two decimals, ASCII digits; at
# most 15 digits of yuan, so within MONEY_LIMIT (longer figures go cell by cell, to parse_money's check).
_MONEY_TEXT = r"(?:0|[1-9][0-9]{0,14})\.[0-9]{2}"
_MONEY_TEXT_ONCE = r"(?:0|[1-9][0-9]{0,14}+)\.[0-9]{2}"  # possessive: no backtracking, twice as fast
_MONEY_TEXTS = re.compile(rf"(?:{_MONEY_TEXT_ONCE}\n)*+{_MONEY_TEXT}")
_SIGNED_MONEY_TEXTS = re.compile(rf"(?:-?{_MONEY_TEXT_ONCE}\n)*+-?{_MONEY_TEXT}")


def _text(cells: Sequence[object], separator: str = "") -> str | None:
    try:
        return separator.join(cells)  # type: ignore[arg-type]
    except TypeError:  # spreadsheet numbers or empty cells: cell by cell
        return None


def money_texts(cells: Sequence[object], *, negative: bool = False) -> Sequence[object] | None:
    """The cells themselves when each is money written the way its Decimal prints (e.g. "1200.50").

    Such text stands for the Decimal parse_money would give (money_value turns it back): exports
    nearly always write money like this, and keeping the text spares a Decimal per cell here and its
    conversion back to text when the database is written.
    """
    joined = _text(cells, "\n")
    if joined is None or joined.count("\n") != len(cells) - 1:  # a cell holding a line break
        return None
    return cells if (_SIGNED_MONEY_TEXTS if negative else _MONEY_TEXTS).fullmatch(joined) else None


def money_value(value: Decimal | str | None) -> Decimal | None:
    """The Decimal that a money value from money_texts or a money parser stands for."""
    return Decimal(value) if isinstance(value, str) else value


def money_fen(value: Decimal | str | None) -> int | None:
    """The whole fen of a money value from money_texts or a money parser, as models.MoneyField stores it.

    For bulk writes, which go round the field: text from money_texts always has two decimals, so its
    digits without the point are the fen.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return int(value.replace(".", ""))
    return int(value.scaleb(2))  # a parsed value is quantized to the fen: exact


def money_of_fen(fen: int | None) -> Decimal | None:
    """The yuan of a whole number of fen, as models.MoneyField reads it from the database."""
    return None if fen is None else Decimal(fen).scaleb(-2)


def money_fen_column(values: Sequence[Decimal | str | None]) -> list[int | None]:
    """money_fen of each value; a column of money_texts at C speed."""
    joined = _text(values, "\n")
    if joined is not None:  # text from money_texts: no line break in a cell, two decimals in each
        return list(map(int, joined.replace(".", "").split("\n")))
    return list(map(money_fen, values))


def money_greater(a: Decimal | str, b: Decimal | str) -> bool:
    """a > b for two non-negative money values, either Decimals or text from money_texts."""
    if isinstance(a, str) and isinstance(b, str):
        return bool(money_text_key(a) > money_text_key(b))
    return money_value(a) > money_value(b)  # type: ignore[operator]


# Non-negative money text from money_texts padded with zeros to one width (16 digits, the point and
# 2 decimals): such texts compare as their numbers do, with no Decimal made.
money_text_key = operator.methodcaller("zfill", 19)


def count_column(cells: Sequence[object], *, maximum: int = 10_000_000, minimum: int = 0) -> list[int] | None:
    joined = _text(cells)
    if not joined or not (joined.isascii() and joined.isdigit()):
        return None
    try:
        values = list(map(int, cells))  # type: ignore[arg-type]
    except ValueError:  # an empty cell, or digits beyond int()'s length limit
        return None
    return values if minimum <= min(values) and max(values) <= maximum else None


def year_column(cells: Sequence[object], *, earliest: int = 1900) -> list[int] | None:
    return count_column(cells, minimum=earliest, maximum=dt.date.today().year + 1)


def float_column(cells: Sequence[object], *, low: float = 0.0, high: float | None = None) -> list[float] | None:
    if not cells or _text(cells) is None:  # not all text: the full parser reads numbers its own way
        return None
    try:
        values = list(map(float, cells))  # type: ignore[arg-type]
    except ValueError:
        return None
    if not all(map(math.isfinite, values)):
        return None
    return values if low <= min(values) and (high is None or max(values) <= high) else None
