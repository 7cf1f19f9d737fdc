"""The English catalog: complete, compiled, and actually used by the pages.

The UI source strings are Simplified Chinese; src/zhigai/locale/en/LC_MESSAGES/django.po holds the English.
After changing any translatable string run scripts/update_translations.sh and translate the new entries.
"""

from __future__ import annotations

import ast
import re
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext, ngettext, override

CATALOG_DIR = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_PATH = CATALOG_DIR / "django.po"
MO_PATH = CATALOG_DIR / "django.mo"

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # ideographs and full-width punctuation
PLACEHOLDER = re.compile(r"%\(\w+\)[a-z]")
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


class PoEntry:
    def __init__(self) -> None:
        self.flags: set[str] = set()
        self.msgctxt: str | None = None
        self.msgid: str | None = None
        self.msgid_plural: str | None = None
        self.msgstr: dict[int, str] = {}
        self.obsolete = False

    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"


def read_po(path: Path) -> list[PoEntry]:
    """A small reader for the .po files gettext writes (polib is not a dependency)."""
    entries: list[PoEntry] = []
    entry = PoEntry()
    field: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal entry, field
        if entry.msgid is not None:
            entries.append(entry)
        entry, field = PoEntry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#"):
            if entry.msgid is not None:
                finish()
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith('"'):
            assert field is not None, f"{path}:{number}: continuation line outside an entry"
            name, index = field
            text = ast.literal_eval(line)
            if name == "msgstr":
                entry.msgstr[index] += text
            else:
                setattr(entry, name, getattr(entry, name) + text)
            continue
        keyword, _, rest = line.partition(" ")
        text = ast.literal_eval(rest)
        if keyword.startswith("msgstr["):
            field = ("msgstr", int(keyword[7:-1]))
            entry.msgstr[field[1]] = text
        elif keyword == "msgstr":
            field = ("msgstr", 0)
            entry.msgstr[0] = text
        elif keyword in ("msgctxt", "msgid", "msgid_plural"):
            if keyword in ("msgctxt", "msgid") and entry.msgid is not None:
                finish()
            field = (keyword, 0)
            setattr(entry, keyword, text)
        else:
            raise AssertionError(f"{path}:{number}: unexpected line {raw!r}")
    finish()
    return [e for e in entries if not e.obsolete]


def read_mo(path: Path) -> dict[str, list[str]]:
    """Original string (with context, without the plural) -> translations, read from a compiled .mo."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _revision, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    catalog: dict[str, list[str]] = {}
    for i in range(count):
        olen, ooff = struct.unpack(order + "2I", data[originals + 8 * i : originals + 8 * i + 8])
        tlen, toff = struct.unpack(order + "2I", data[translations + 8 * i : translations + 8 * i + 8])
        original = data[ooff : ooff + olen].decode("utf-8").split("\x00")[0]
        catalog[original] = data[toff : toff + tlen].decode("utf-8").split("\x00")
    return catalog


@pytest.fixture(scope="module")
def po_entries() -> list[PoEntry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing; run scripts/update_translations.sh"
    return read_po(PO_PATH)


def _messages(entries: list[PoEntry]) -> list[PoEntry]:
    return [e for e in entries if e.msgid]


# (a) the catalog -------------------------------------------------------------------------------


def test_catalog_is_complete(po_entries: list[PoEntry]) -> None:
    messages = _messages(po_entries)
    assert len(messages) > 100
    untranslated = [e.msgid for e in messages if not all(e.msgstr.values()) or not e.msgstr]
    assert not untranslated, f"entries without an English msgstr: {untranslated}"
    fuzzy = [e.msgid for e in po_entries if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries (check the translation, then remove the flag): {fuzzy}"
    plural_gaps = [e.msgid for e in messages if e.msgid_plural is not None and sorted(e.msgstr) != [0, 1]]
    assert not plural_gaps, f"plural entries need msgstr[0] and msgstr[1]: {plural_gaps}"
    still_chinese = [e.msgid for e in messages if any(CJK.search(s) for s in e.msgstr.values())]
    assert not still_chinese, f"msgstr still contains Chinese: {still_chinese}"


def test_catalog_keeps_placeholders(po_entries: list[PoEntry]) -> None:
    wrong = []
    for e in _messages(po_entries):
        expected = sorted(PLACEHOLDER.findall(e.msgid))
        forms = [e.msgstr[k] for k in sorted(e.msgstr)]
        if e.msgid_plural is None:
            ok = sorted(PLACEHOLDER.findall(forms[0])) == expected
        else:  # a singular form may spell out the number; the plural form must keep all
            ok = set(PLACEHOLDER.findall(forms[0])) <= set(expected) and sorted(
                PLACEHOLDER.findall(forms[-1])
            ) == sorted(PLACEHOLDER.findall(e.msgid_plural))
        if not ok:
            wrong.append((e.msgid, forms))
    assert not wrong, f"placeholders differ between msgid and msgstr: {wrong}"


def test_catalog_header(po_entries: list[PoEntry]) -> None:
    header = next(e for e in po_entries if e.msgid == "").msgstr[0]
    assert "Language: en\n" in header
    assert "charset=UTF-8" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header


def test_compiled_catalog_matches_po(po_entries: list[PoEntry]) -> None:
    assert MO_PATH.exists(), f"{MO_PATH} is missing; run scripts/update_translations.sh"
    compiled = read_mo(MO_PATH)
    compiled.pop("", None)
    expected = {e.key(): [e.msgstr[k] for k in sorted(e.msgstr)] for e in _messages(po_entries)}
    stale = sorted(set(expected) ^ set(compiled)) + sorted(
        k for k in set(expected) & set(compiled) if expected[k] != compiled[k]
    )
    assert not stale, f"django.mo is out of date with django.po (run scripts/update_translations.sh): {stale[:10]}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext msgfmt is not installed")
def test_po_passes_msgfmt_check() -> None:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt is not None
    result = subprocess.run(
        [msgfmt, "--check", "-o", "/dev/null", str(PO_PATH)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_gettext_uses_the_catalog() -> None:
    with override("en"):
        assert gettext("改造阶段") == "Transformation stage"
        assert gettext("规模以上") == "Above designated size"
        assert gettext("统一社会信用代码") == "Unified Social Credit Code"
        assert ngettext("共 %(n)s 家企业", "共 %(n)s 家企业", 1) % {"n": 1} == "1 enterprise in total"
        assert ngettext("共 %(n)s 家企业", "共 %(n)s 家企业", 7) % {"n": 7} == "7 enterprises in total"
    with override("zh-hans"):
        assert gettext("改造阶段") == "改造阶段"


# (b) and (c) the pages -------------------------------------------------------------------------


def _h1(response: Any) -> str:
    match = H1.search(response.content.decode())
    assert match, "page has no <h1>"
    return match.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["cookie", "accept-language"])
def test_login_page_in_english(how: str) -> None:
    if how == "cookie":
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    else:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(reverse("core:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Sign in to the Intelligent Transformation Platform" in _h1(response)
    assert not CJK.search(_h1(response))
    assert "Password" in html
    assert "密码" not in html


@pytest.mark.django_db
def test_login_page_defaults_to_chinese() -> None:
    response = Client().get(reverse("core:login"))
    assert _h1(response) == "登录智改平台"


@pytest.mark.django_db
def test_set_language_switches_the_page() -> None:
    client = Client()
    login = reverse("core:login")

    response = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert response.status_code == 302
    assert response["Location"] == login
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = client.get(login)
    assert "Sign in" in _h1(english)
    assert not CJK.search(_h1(english))
    assert 'data-testid="lang-switch">中文<' in english.content.decode()

    client.post(reverse("set_language"), {"language": "zh-hans", "next": login})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    chinese = client.get(login)
    assert _h1(chinese) == "登录智改平台"
    assert 'data-testid="lang-switch">English<' in chinese.content.decode()
