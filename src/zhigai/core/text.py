"""The one check of text typed or sent by people: forms, the API, import cells, search terms, sign-in.

Databases disagree on odd text: PostgreSQL refuses a NUL byte in any string (a server error), SQLite
stores it; neither can store a lone surrogate. Control characters and invisible-only names are never
what someone meant. So every text input goes through `text_problem` (does it contain what no text
field may hold?) or `clean_text` (that, plus trimming, normalisation, emptiness and length), and user
digits go through `ascii_int`, never `str.isdigit()` + `int()` (which accept "１２３" and "²").

Normalisation is NFC only: it unifies the different encodings of the same characters (a decomposed
"é", CJK compatibility ideographs), so that a search term matches a stored name however either was
typed and a duplicate is recognised. NFKC is not applied: it would silently change what was typed
(fullwidth "ＡＢＣ" to "ABC", "²" to "2").
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from .errors import InvalidInput

# C0 controls, DEL and C1 controls; tab, newline and carriage return are allowed in multi-line text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# What no text may consist of alone: characters that show nothing. By Unicode category: spaces and
# separators, controls, formatting characters (zero-width, direction marks and overrides, soft hyphen, tags,
# the Mongolian vowel separator…), combining marks with nothing to mark; and the letters drawn blank: the
# Hangul fillers and the blank Braille pattern.
_UNSEEN_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Mn", "Me"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_ASCII_INT = re.compile(r"[0-9]{1,18}")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """What is wrong with `value` as text anyone may send (None when nothing): a NUL or another control
    character (tab and line breaks allowed when multiline), or a lone surrogate. Never changes it."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    if found:
        return _("不能包含控制字符（如 U+%(code)04X）") % {"code": ord(found.group())}
    if _SURROGATE.search(value):
        return _("包含无效的Unicode字符（单独的代理项）")
    return None


def is_invisible(value: str) -> bool:
    """True when value is empty or shows nothing: only whitespace, zero-width, formatting and other unseen
    characters (all() stops at the first visible one: the first, for a real name)."""
    return all(c in _BLANK_LETTERS or unicodedata.category(c) in _UNSEEN_CATEGORIES for c in value)


def text_error(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", details=[{"field": field, "message": message}])


def clean_text(
    value: object, *, field: str, max_length: int | None = None, multiline: bool = False, required: bool = False
) -> str:
    """`value` as clean text: str() of it, trimmed, NFC-normalised; raises InvalidInput naming `field`
    when it holds a control character (tab and line breaks allowed when multiline) or a lone surrogate,
    when it is longer than max_length, or — when required (a name) — when it shows nothing (is_invisible);
    a text that is not required and shows nothing is the empty string, as None is."""
    text = "" if value is None else str(value)
    problem = text_problem(text, multiline=multiline)
    if problem:
        raise text_error(field, problem)
    text = unicodedata.normalize("NFC", text.strip())
    if is_invisible(text):  # shows nothing, means nothing: a required text is missing, another one empty
        if required:
            raise text_error(field, _("不能为空，也不能只有空白或不可见字符"))
        text = ""
    if max_length is not None and len(text) > max_length:
        raise text_error(field, _("不能超过%(n)d个字符") % {"n": max_length})
    return text


def ascii_int(raw: object, *, low: int = 0, high: int) -> int | None:
    """A whole number written in ASCII digits between low and high, else None ("１２３", "5²", "-1",
    "2**62" and anything longer than 18 digits are not numbers here)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and _ASCII_INT.fullmatch(raw.strip()):
        value = int(raw.strip())
    else:
        return None
    return value if low <= value <= high else None
