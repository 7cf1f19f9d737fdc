"""Numbers as their readers read them: the one formatting helper of templates, charts, exports and PDFs.

- **Money** is shown in 元 / 万元 / 亿元 (English: yuan / thousand / million / billion yuan), the unit chosen
  from the largest figure of what is shown together — one unit per column, per axis, per figure — and named
  once, in the column's header or the axis's title. Money arrives as Decimal yuan (base.models.MoneyField,
  integer fen in the database); it is divided by a power of ten with Decimal.scaleb, exactly, and rounded
  once, half up, to the places shown. Shown in 元 it keeps its fen: no float ever touches it.
- **Counts** are written whole with thousands separators ("20,000", in both languages: one way of writing
  a count everywhere); a column or an axis of large counts is shown in 万 (English: million).
- **Percentages** have one precision, PERCENT_PLACES decimal places, everywhere.

A `Scale` is the unit chosen for a set of figures; `money_scale` and `count_scale` choose it. Text for one
figure on its own (a KPI, an investment range) comes from `money_text`, `count_text`, `percent_text`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import get_language

PERCENT_PLACES = 1
SCALED_PLACES = 2  # 万元 and larger units: two places (to the hundred yuan in 万元)
DASH = "—"

# (smallest magnitude, power of ten, unit) from the largest unit down; the last is the unit of small figures.
_MONEY_UNITS = {
    "zh": [(Decimal(10) ** 8, 8, "亿元"), (Decimal(10) ** 4, 4, "万元"), (Decimal(0), 0, "元")],
    "en": [
        (Decimal(10) ** 9, 9, "billion yuan"), (Decimal(10) ** 6, 6, "million yuan"),
        (Decimal(10) ** 3, 3, "thousand yuan"), (Decimal(0), 0, "yuan"),
    ],
}
# Counts stay exact until they are large: 万 from a hundred thousand (a column of 13,968 enterprises reads
# as it is), 亿 from a billion.
_COUNT_UNITS = {
    "zh": [(Decimal(10) ** 9, 8, "亿"), (Decimal(10) ** 5, 4, "万"), (Decimal(0), 0, "")],
    "en": [(Decimal(10) ** 9, 9, "billion"), (Decimal(10) ** 6, 6, "million"), (Decimal(0), 0, "")],
}


def language(lang: str | None = None) -> str:
    """"zh" or "en": the reading conventions of the page's language (Chinese unless it is English)."""
    return "en" if (lang or get_language() or "zh").lower().startswith("en") else "zh"


def _decimal(value: Any) -> Decimal:
    # str() of a float is its shortest repr (0.1 stays 0.1); an int or a Decimal is taken as it is.
    return value if isinstance(value, Decimal) else Decimal(value if isinstance(value, int) else str(value))


def _grouped(value: Decimal, places: int) -> str:
    """`value` rounded half up to `places`, with thousands separators; never "-0"."""
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    return f"{rounded:,.{places}f}"


@dataclass(frozen=True)
class Scale:
    """The unit a set of figures is shown in: figure / 10^exponent, `places` decimals, named `unit`."""

    exponent: int
    unit: str
    places: int
    lang: str

    def exact(self, value: Any) -> Decimal | None:
        """The figure in this unit, exactly (for a spreadsheet cell: it computes on the number)."""
        return None if value is None else _decimal(value).scaleb(-self.exponent)

    def number(self, value: Any) -> float | None:
        """The figure in this unit as a chart's number: rounded to the places shown, then a float."""
        exact = self.exact(value)
        return None if exact is None else float(exact.quantize(Decimal(1).scaleb(-self.places), ROUND_HALF_UP))

    def text(self, value: Any) -> str:
        """The figure in this unit without the unit (which its header names), or a dash."""
        exact = self.exact(value)
        return DASH if exact is None else _grouped(exact, self.places)

    def label(self, name: str) -> str:
        """A column's header or an axis's title naming the unit: 主营业务收入（万元）, Revenue (million yuan)."""
        return labelled(name, self.unit, self.lang)

    def number_format(self) -> str:
        """The spreadsheet number format showing what `text` shows."""
        return "#,##0" + ("." + "0" * self.places if self.places else "")


def labelled(name: str, unit: str, lang: str | None = None) -> str:
    if not unit:
        return name
    if not name:
        return unit
    return f"{name} ({unit})" if language(lang) == "en" else f"{name}（{unit}）"


def _largest(values: Iterable[Any]) -> tuple[Decimal, bool]:
    """The largest magnitude among the figures (None skipped), and whether any has a fraction."""
    largest, fraction = Decimal(0), False
    for v in values:
        if v is None:
            continue
        d = _decimal(v)
        largest = max(largest, d.copy_abs())
        fraction = fraction or d != d.to_integral_value()
    return largest, fraction


def _scale(units: dict[str, list[tuple[Decimal, int, str]]], values: Iterable[Any], lang: str | None,
           small_places: int | None) -> Scale:
    lang = language(lang)
    largest, fraction = _largest(values)
    ladder = units[lang]

    def places_of(exponent: int) -> int:
        return SCALED_PLACES if exponent else (small_places if small_places is not None else 2 * fraction)

    for k, (smallest, exponent, unit) in enumerate(ladder):
        # Compared as the next smaller unit would show it: 999,999.999 yuan reads "1,000,000" there, so it
        # takes the larger unit ("1 million"), never "1,000 thousand".
        below = ladder[k + 1][1] if k + 1 < len(ladder) else None
        shown = largest if below is None else largest.scaleb(-below).quantize(
            Decimal(1).scaleb(-places_of(below)), rounding=ROUND_HALF_UP).scaleb(below)
        if shown >= smallest:
            return Scale(exponent, unit, places_of(exponent), lang)
    raise AssertionError("the last unit takes every magnitude")


def money_scale(values: Iterable[Any], lang: str | None = None) -> Scale:
    """The unit for these money figures (Decimal yuan): 亿元 from 10^8, 万元 from 10^4, else 元 (to the fen
    when any figure has fen); in English billion / million / thousand yuan from 10^9 / 10^6 / 10^3."""
    return _scale(_MONEY_UNITS, values, lang, None)


def yuan_scale(lang: str | None = None) -> Scale:
    """Money in 元 to the fen, whatever its size: exports' money columns (exact numbers a spreadsheet sums)."""
    lang = language(lang)
    return Scale(0, _MONEY_UNITS[lang][-1][2], 2, lang)


def count_scale(values: Iterable[Any], lang: str | None = None) -> Scale:
    """The unit for these counts: whole numbers, 万 from 10^5 (亿 from 10^9); million / billion in English."""
    return _scale(_COUNT_UNITS, values, lang, 0)


def _trimmed(text: str) -> str:
    """25.80 → 25.8, 30.00 → 30: one figure standing alone reads without trailing zeros."""
    return text.rstrip("0").rstrip(".") if "." in text else text


def _joined(number: str, unit: str, lang: str) -> str:
    if not unit:
        return number
    return f"{number} {unit}"


def money_text(value: Any, lang: str | None = None) -> str:
    """One money figure with its own unit: 258,000 → "25.8 万元" / "258 thousand yuan"; 12.30 → "12.30 元"."""
    if value is None:
        return DASH
    scale = money_scale([value], lang)
    number = scale.text(value)
    return _joined(_trimmed(number) if scale.exponent else number, scale.unit, scale.lang)


def yuan_exact_text(value: Any, lang: str | None = None) -> str:
    """A money figure in 元 to the fen, whatever its size ("1,000,000,000,000,000.01 元"): what a cell shown
    in 万元 or 亿元 holds exactly (its tooltip), never through a float."""
    if value is None:
        return DASH
    d = _decimal(value)
    return f"{_grouped(d, 0 if d == d.to_integral_value() else 2)} {_MONEY_UNITS[language(lang)][-1][2]}"


def money_range_text(low: Any, high: Any, lang: str | None = None) -> str:
    """A range in one unit, chosen from its larger end: "20–50 万元"."""
    scale = money_scale([low, high], lang)
    ends = [_trimmed(scale.text(v)) if scale.exponent else scale.text(v) for v in (low, high)]
    return _joined("–".join(ends), scale.unit, scale.lang)


def count_text(value: Any) -> str:
    """A count, whole, with thousands separators: 20000 → "20,000" (the same in both languages)."""
    return DASH if value is None else _grouped(_decimal(value), 0)


def number_text(value: Any, places: int = 2) -> str:
    """A measured figure (a ratio per hundred workers, tonnes of coal): up to `places` decimals, separated."""
    return DASH if value is None else _trimmed(_grouped(_decimal(value), places))


def percent_text(value: Any) -> str:
    """A share (0.0397) as a percentage with the one precision: "4.0%"."""
    return DASH if value is None else _grouped(_decimal(value) * 100, PERCENT_PLACES) + "%"


# Plotly (core/static/core/app.js draws the specs) --------------------------------------------------

# d3-format: thousands separated, trailing zeros trimmed, never an SI suffix (k, M, B): the axis's title
# names the unit instead.
PLOTLY_TICKFORMAT = ",~r"
PLOTLY_PERCENT_TICKFORMAT = f",.{PERCENT_PLACES}~%"
PLOTLY_PERCENT_HOVERFORMAT = f",.{PERCENT_PLACES}%"


def plotly_axis(scale: Scale, title: str = "", **extra: Any) -> dict[str, Any]:
    """A value axis in `scale`'s unit, its title naming the unit."""
    hover = ",." + str(scale.places) + "f"
    return {"title": {"text": scale.label(title)}, "tickformat": PLOTLY_TICKFORMAT, "hoverformat": hover,
            "exponentformat": "none", "rangemode": "tozero", **extra}


def plotly_percent_axis(title: str = "", **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title}, "tickformat": PLOTLY_PERCENT_TICKFORMAT,
            "hoverformat": PLOTLY_PERCENT_HOVERFORMAT, "rangemode": "tozero", **extra}
