"""core.numbers: money in 元/万元/亿元 (yuan/thousand/million/billion) by magnitude, one unit per set of
figures, counts and percentages written one way, exact to the fen up to the money limit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from zhigai.base.fields import MONEY_LIMIT
from zhigai.core.numbers import (
    PLOTLY_TICKFORMAT,
    count_scale,
    count_text,
    money_range_text,
    money_scale,
    money_text,
    number_text,
    percent_text,
    plotly_axis,
    yuan_exact_text,
)


@pytest.mark.parametrize(("value", "zh", "en"), [
    (Decimal("0"), "0 元", "0 yuan"),
    (Decimal("12.30"), "12.30 元", "12.30 yuan"),
    (Decimal("999"), "999 元", "999 yuan"),
    (Decimal("1000"), "1,000 元", "1 thousand yuan"),
    (Decimal("9999.99"), "9,999.99 元", "10 thousand yuan"),
    (Decimal("10000"), "1 万元", "10 thousand yuan"),
    (Decimal("258000"), "25.8 万元", "258 thousand yuan"),
    # Just below a boundary the figure takes the unit it rounds to: never "1,000 thousand".
    (Decimal("999999.99"), "100 万元", "1 million yuan"),
    (Decimal("38436449.00"), "3,843.64 万元", "38.44 million yuan"),
    (Decimal("99999999"), "1 亿元", "100 million yuan"),
    (Decimal("100000000"), "1 亿元", "100 million yuan"),
    (Decimal("1500000000"), "15 亿元", "1.5 billion yuan"),
    (Decimal("-258000"), "-25.8 万元", "-258 thousand yuan"),
    (Decimal("-0.001"), "0.00 元", "0.00 yuan"),  # never "-0.00"
    (MONEY_LIMIT, "90,000,000 亿元", "9,000,000 billion yuan"),
    (-MONEY_LIMIT, "-90,000,000 亿元", "-9,000,000 billion yuan"),
    (None, "—", "—"),
])
def test_money_text_chooses_the_unit_by_magnitude_in_both_languages(value: Decimal | None, zh: str, en: str) -> None:
    assert (money_text(value, "zh-hans"), money_text(value, "en")) == (zh, en)


def test_the_language_defaults_to_the_active_one() -> None:
    with translation.override("en"):
        assert money_text(Decimal("258000")) == "258 thousand yuan"
    with translation.override("zh-hans"):
        assert money_text(Decimal("258000")) == "25.8 万元"


def test_a_column_has_one_unit_chosen_from_its_largest_figure() -> None:
    column = [Decimal("12.34"), Decimal("258000"), None, Decimal("-38436449.00")]
    scale = money_scale(column, "zh")
    assert (scale.unit, scale.label("主营业务收入")) == ("万元", "主营业务收入（万元）")
    assert [scale.text(v) for v in column] == ["0.00", "25.80", "—", "-3,843.64"]
    en = money_scale(column, "en")
    assert (en.unit, en.label("Revenue")) == ("million yuan", "Revenue (million yuan)")
    assert [en.text(v) for v in column] == ["0.00", "0.26", "—", "-38.44"]
    assert money_scale([None, None], "zh").unit == "元"


def test_a_yuan_column_keeps_every_fen_and_whole_yuan_stay_whole() -> None:
    fen = money_scale([Decimal("5"), Decimal("9999.99")], "zh")
    assert [fen.text(v) for v in (Decimal("5"), None)] == ["5.00", "—"]
    whole = money_scale([Decimal("5"), Decimal("9000")], "zh")
    assert (whole.places, whole.text(Decimal("9000"))) == (0, "9,000")


def test_money_is_exact_to_the_fen_at_the_limit_without_floats() -> None:
    # 8,999,999,999,999,999.99 is not a float: float() would give 9e15. Shown in 元 every fen stays.
    value = MONEY_LIMIT - Decimal("0.01")
    assert yuan_exact_text(value, "zh") == "8,999,999,999,999,999.99 元"
    assert yuan_exact_text(Decimal("1000000000000000.01"), "en") == "1,000,000,000,000,000.01 yuan"
    scale = money_scale([value], "zh")
    assert scale.exact(value) == Decimal("89999999.9999999999")  # divided by 10^8 exactly
    assert scale.text(value) == "90,000,000.00"  # rounded once, half up, to what is shown
    assert scale.number(value) == 90000000.0


def test_rounding_is_half_up_once() -> None:
    scale = money_scale([Decimal("10000")], "zh")
    assert (scale.text(Decimal("12345")), scale.text(Decimal("12355"))) == ("1.23", "1.24")  # 1.2345, 1.2355
    assert scale.text(Decimal("12350")) == "1.24"  # 1.235: half up, not to even


def test_a_range_has_one_unit_from_its_larger_end() -> None:
    assert money_range_text(Decimal("200000"), Decimal("500000"), "zh") == "20–50 万元"
    assert money_range_text(Decimal("150000"), Decimal("800000"), "zh") == "15–80 万元"
    assert money_range_text(Decimal("300000"), Decimal("3000000"), "en") == "0.3–3 million yuan"


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (999, "999"), (20000, "20,000"), (13968, "13,968"), (-5, "-5"), (9 * 10**15, "9,000,000,000,000,000"),
    (None, "—"),
])
def test_counts_are_written_one_way_in_both_languages(value: int | None, text: str) -> None:
    assert count_text(value) == text


def test_large_count_columns_are_in_wan_or_million() -> None:
    assert count_scale([99_999], "zh").unit == "" and count_scale([99_999], "zh").text(99_999) == "99,999"
    wan = count_scale([100_000, 150_000], "zh")
    assert (wan.unit, wan.text(150_000), wan.label("企业数")) == ("万", "15.00", "企业数（万）")
    assert count_scale([999_999], "en").unit == "" and count_scale([1_000_000], "en").unit == "million"
    assert count_scale([2 * 10**9], "zh").unit == "亿"


@pytest.mark.parametrize(("value", "text"), [
    (0.0397, "4.0%"), (0.03, "3.0%"), (0.8, "80.0%"), (1, "100.0%"), (0, "0.0%"), (-0.125, "-12.5%"),
    (0.00049, "0.0%"), (None, "—"),
])
def test_percentages_have_one_precision(value: float | None, text: str) -> None:
    assert percent_text(value) == text


def test_measured_figures_read_with_at_most_two_places() -> None:
    assert [number_text(v) for v in (0.8333333, 3, 1234.5, None)] == ["0.83", "3", "1,234.5", "—"]


def test_a_chart_axis_names_its_unit_and_never_uses_si_suffixes() -> None:
    axis = plotly_axis(money_scale([Decimal("1500000000")], "zh"))
    assert axis["title"]["text"] == "亿元"
    assert axis["tickformat"] == PLOTLY_TICKFORMAT and "s" not in axis["tickformat"]
    assert axis["exponentformat"] == "none"
    assert plotly_axis(count_scale([3], "zh"), "企业数")["title"]["text"] == "企业数"


def test_plotly_draws_in_the_pages_language_from_files_served_here() -> None:
    """The Chinese locale (month names, date formats, separators) is this platform's own file, loaded after
    Plotly from the same static folder: nothing is fetched from elsewhere at run time."""
    from pathlib import Path

    static = Path(__file__).parents[2] / "src/zhigai/core/static/core"
    locales, app = (static / "plotly-locales.js").read_text(), (static / "app.js").read_text()
    assert 'name: "zh-CN"' in locales and '"1月"' in locales and 'dayMonthYear: "%Y年%-m月%-d日"' in locales
    assert "http" not in locales and "plotly-locales.js" in app
    assert "locale: pageLocale()" in app and 'separators: ".,"' in app


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (Decimal("999999.999"), "en", "1 million yuan"),
    (Decimal("999994.99"), "en", "999.99 thousand yuan"),
    (Decimal("99999999.999"), "zh", "1 亿元"),
    (Decimal("9999.996"), "zh", "1 万元"),
    (Decimal("9999.99"), "zh", "9,999.99 元"),
])
def test_a_figure_just_below_a_boundary_takes_the_unit_it_rounds_to(value: Decimal, lang: str, expected: str) -> None:
    assert money_text(value, lang) == expected
