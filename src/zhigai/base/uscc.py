"""Unified Social Credit Code (GB 32100-2015): normalisation, validation and the check character."""

from __future__ import annotations

import re
from operator import mul

from django.utils.translation import gettext_noop

from zhigai.core.phrases import Phrase
from zhigai.core.text import text_problem

# The 31 characters of the code, in value order: digits then capitals without I, O, S, V, Z.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# 18 characters of ALPHABET: checked at C speed, as an import checks every code of its file.
WELL_FORMED = re.compile(f"[{re.escape(ALPHABET)}]{{18}}")


class USCCError(ValueError):
    """A code that is not a valid USCC; the message says what is wrong and where."""


def check_character(first17: str) -> str:
    if len(first17) != len(WEIGHTS):
        raise ValueError("a USCC has 17 characters before its check character")
    total = sum(map(mul, map(VALUE.__getitem__, first17), WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(raw: object) -> str:
    """Return the code upper-cased and trimmed, or raise USCCError saying what is wrong."""
    code = str(raw if raw is not None else "").strip().upper()
    # Spaces, tabs and line breaks around the code are trimmed; strip() would drop a NEL (U+0085) too.
    problem = text_problem(raw.strip(" \t\r\n")) if isinstance(raw, str) else None
    if problem:
        raise USCCError(Phrase(gettext_noop("统一社会信用代码%(p)s"), {"p": problem}))
    if len(code) != 18:
        raise USCCError(Phrase(gettext_noop("统一社会信用代码应为18位，实际为%(n)d位"), {"n": len(code)}))
    for position, char in enumerate(code if not WELL_FORMED.fullmatch(code) else "", start=1):
        if char not in VALUE:
            raise USCCError(
                Phrase(
                    gettext_noop(
                        "统一社会信用代码第%(pos)d位字符“%(char)s”不允许（只能是数字和除I、O、S、V、Z外的大写字母）"
                    ),
                    # An invisible or control character is named by its code point, never echoed.
                    {"pos": position, "char": char if char.isprintable() else f"U+{ord(char):04X}"},
                )
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise USCCError(
            Phrase(
                gettext_noop("统一社会信用代码校验位错误：第18位应为“%(expected)s”，实际为“%(actual)s”"),
                {"expected": expected, "actual": code[17]},
            )
        )
    return code


def make_uscc(body17: str) -> str:
    """Complete 17 valid characters with their check character (used by the demo generator)."""
    return body17 + check_character(body17)
