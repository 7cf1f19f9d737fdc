"""Unified Social Credit Code (GB 32100-2015): what is accepted, what is refused and what the refusal says."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhigai.base.uscc import ALPHABET, WEIGHTS, USCCError, check_character, make_uscc, normalize_uscc

# Written out from the standard, independently of the module under test.
GB_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Published codes of real enterprises, with the check character worked out by hand:
#   Alibaba (China) Co., Ltd.   91330100799655058B
#     9·1+1·3+3·9+3·27+0·19+1·26+0·16+0·17+7·20+9·29+9·25+6·13+5·8+5·24+0·10+5·30+8·28 = 1384
#     1384 mod 31 = 20 → 31−20 = 11 → "B"
#   Huawei Technologies Co., Ltd.   914403001922038216
#     9+3+36+108+0+78+0+0+20+261+50+26+0+72+80+60+28 = 831; 831 mod 31 = 25 → 6 → "6"
#   Tencent Technology (Shenzhen) Co., Ltd.   9144030071526726XG   (X = 29)
#     9+3+36+108+0+78+0+0+140+29+125+26+48+168+20+180+812 = 1782; 1782 mod 31 = 15 → 16 → "G"
REAL_CODES = ["91330100799655058B", "914403001922038216", "9144030071526726XG"]


def gb_check(body: str) -> str:
    total = sum(GB_ALPHABET.index(c) * w for c, w in zip(body, GB_WEIGHTS, strict=True))
    return GB_ALPHABET[(31 - total % 31) % 31]


def refusal(raw: object) -> str:
    with pytest.raises(USCCError) as info:
        normalize_uscc(raw)
    return str(info.value)


def test_alphabet_and_weights_are_those_of_the_standard() -> None:
    assert (ALPHABET, WEIGHTS) == (GB_ALPHABET, GB_WEIGHTS)
    assert len(set(ALPHABET)) == 31
    assert not set("IOSVZ") & set(ALPHABET)


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_published_codes_are_valid(code: str) -> None:
    assert gb_check(code[:17]) == code[17]
    assert check_character(code[:17]) == code[17]
    assert normalize_uscc(code) == code


@pytest.mark.parametrize("body", [
    "91330102MA2H3B4C5",  # company registered with the market regulator in Hangzhou
    "12330000470001234",  # public institution
    "52330106MA27XYPQR",  # social organisation
    "93330782MA2DUWTY0",  # farmers' cooperative
])
def test_made_codes_are_valid_and_agree_with_the_standard(body: str) -> None:
    code = make_uscc(body)
    assert code[17] == gb_check(body)
    assert normalize_uscc(code) == code


def test_sum_divisible_by_31_gives_check_character_zero() -> None:
    # Σ = 0 → 31 − 0 = 31 → "0" (not an index error, not "31").
    assert make_uscc("0" * 17) == "0" * 18
    assert normalize_uscc("0" * 18) == "0" * 18
    # 4·1 + 9·3 = 31 ≡ 0 (mod 31) → "0"
    assert make_uscc("49" + "0" * 15) == "49" + "0" * 16


def test_lower_case_and_surrounding_spaces_are_normalised() -> None:
    code = REAL_CODES[2]
    assert normalize_uscc(code.lower()) == code
    assert normalize_uscc(f"  {code.lower()}\t\n") == code


@pytest.mark.parametrize(("raw", "length"), [
    ("", 0), (None, 0), ("9133010079965505", 16), ("91330100799655058", 17),
    ("91330100799655058B0", 19), ("9133 0100799655058B", 19),
])
def test_wrong_length_is_refused_with_the_length(raw: object, length: int) -> None:
    message = refusal(raw)
    assert "18" in message
    assert f"实际为{length}位" in message


@pytest.mark.parametrize("position", [1, 9, 17, 18])
@pytest.mark.parametrize("char", ["I", "O", "S", "V", "Z", "-", "*", "。", "#"])
def test_forbidden_character_is_refused_naming_position_and_character(position: int, char: str) -> None:
    code = REAL_CODES[0]
    bad = code[:position - 1] + char + code[position:]
    message = refusal(bad)
    assert f"第{position}位" in message
    assert f"“{char}”" in message


def test_forbidden_lower_case_letter_is_named_in_upper_case() -> None:
    code = REAL_CODES[0]
    message = refusal("o" + code[1:])
    assert "第1位" in message and "“O”" in message


def test_first_forbidden_character_is_the_one_reported() -> None:
    message = refusal("9I3301007996550S8B")
    assert "第2位" in message and "“I”" in message


@pytest.mark.parametrize("code", REAL_CODES)
def test_wrong_check_character_is_refused_naming_expected_and_actual(code: str) -> None:
    wrong = "A" if code[17] != "A" else "B"
    message = refusal(code[:17] + wrong)
    assert f"应为“{code[17]}”" in message
    assert f"实际为“{wrong}”" in message


def test_transposed_digits_are_caught() -> None:
    code = REAL_CODES[0]
    swapped = code[:8] + code[9] + code[8] + code[10:]
    assert swapped != code
    refusal(swapped)


bodies = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


@given(body=bodies)
def test_any_body_with_its_check_character_is_valid(body: str) -> None:
    code = make_uscc(body)
    assert len(code) == 18
    assert code[17] == gb_check(body)
    assert normalize_uscc(code) == code
    assert normalize_uscc(code.lower()) == code


@given(body=bodies, position=st.integers(min_value=0, max_value=17), shift=st.integers(min_value=1, max_value=30))
def test_changing_any_single_character_makes_the_code_invalid(body: str, position: int, shift: int) -> None:
    # Every weight is in 1..30 and 31 is prime, so a change of one character by d ≠ 0 changes Σ by
    # weight·d ≢ 0 (mod 31): the check character no longer matches, at every one of the 18 positions.
    code = make_uscc(body)
    new_char = ALPHABET[(ALPHABET.index(code[position]) + shift) % 31]
    changed = code[:position] + new_char + code[position + 1:]
    assert changed != code
    with pytest.raises(USCCError, match="校验位"):
        normalize_uscc(changed)


def test_every_weight_is_invertible_mod_31() -> None:
    # The reason the property above holds for every position.
    for weight in GB_WEIGHTS:
        assert weight % 31 != 0
        assert {weight * d % 31 for d in range(31)} == set(range(31))


def test_space_inside_the_code_is_a_forbidden_character() -> None:
    message = refusal("91330100 99655058B")
    assert "第9位" in message and "“ ”" in message
