"""The negative list (SPEC §5): versioned policy data, the decision it gives a project, and its publishing.

An entry matches a project when the enterprise's GB/T 4754 industry code starts with one of the entry's
industry codes or prefixes (when it lists any) and the project's title, description or equipment types hold
one of its keywords, Chinese or English, case- and width-insensitively (when it lists any). Prohibited
entries are tried before restricted ones, each in the list's order; the first match decides, and the
decision names it and its version. The defaults are data/projects/negative_list.yaml, loaded as a version
when no version of that name is stored (core.reference); a provincial officer publishes later versions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zhigai.core.audit import audit_record
from zhigai.core.errors import InvalidInput
from zhigai.core.models import User
from zhigai.core.policy import require
from zhigai.core.text import clean_text

from .errors import ProjectError
from .models import NegativeListCategory, NegativeListEntry, NegativeListVersion
from .policy import NEGATIVE_LIST

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "projects" / "negative_list.yaml"
ENTRY_FIELDS = ("code", "category", "name_zh", "name_en", "industries", "keywords_zh", "keywords_en")
ENTRIES_MAX, KEYWORDS_MAX, KEYWORD_LENGTH = 200, 50, 60
_INDUSTRY = re.compile(r"[0-9]{2,4}")
_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    """Text as compared: NFKC (full-width letters and digits as ASCII), case-folded, spaces collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


@dataclass(frozen=True)
class Check:
    """The negative list's answer for a project: `category` None when no entry matches."""

    version: NegativeListVersion
    entry: NegativeListEntry | None
    industry: str = ""  # the industry prefix that matched, if the entry lists any
    keyword: str = ""  # the keyword that matched, if the entry lists any

    @property
    def category(self) -> str | None:
        return self.entry.category if self.entry else None

    def as_data(self) -> dict[str, Any]:
        """As stored in a project's decision (and answered by the API)."""
        entry = None if self.entry is None else {
            "code": self.entry.code, "category": self.entry.category, "name_zh": self.entry.name_zh,
            "name_en": self.entry.name_en, "version": self.version.version,
            "matched": {"industry": self.industry, "keyword": self.keyword}}
        return {"version": self.version.version, "category": self.category, "negative_list_entry": entry}


def version_current() -> NegativeListVersion:
    """The version in force: the latest published (the defaults are loaded on the first call if none is)."""
    found = NegativeListVersion.objects.order_by("-published", "-id").first()
    if found is None:
        negative_list_ensure()
        found = NegativeListVersion.objects.order_by("-published", "-id").first()
    assert found is not None
    return found


def _matches(entry: NegativeListEntry, industry_code: str, text: str) -> tuple[bool, str, str]:
    industry = next((p for p in entry.industries if industry_code.startswith(p)), "")
    if entry.industries and not industry:
        return False, "", ""
    keyword = next((k for k in (*entry.keywords_zh, *entry.keywords_en) if _fold(k) in text), "")
    if (entry.keywords_zh or entry.keywords_en) and not keyword:
        return False, "", ""
    return True, industry, keyword


def negative_list_check(*, industry_code: str, texts: Iterable[str],
                        version: NegativeListVersion | None = None) -> Check:
    """The negative list's answer for a project of an enterprise in `industry_code` whose title, description
    and equipment types are `texts`. The same function answers the filing and the form as it is typed."""
    version = version or version_current()
    text = " \n ".join(_fold(t) for t in texts if t)
    entries = list(version.entries.all())
    for category in (NegativeListCategory.PROHIBITED, NegativeListCategory.RESTRICTED):
        for entry in entries:
            if entry.category != category:
                continue
            hit, industry, keyword = _matches(entry, industry_code, text)
            if hit:
                return Check(version, entry, industry, keyword)
    return Check(version, None)


def entry_name(entry: dict[str, Any] | None) -> str:
    if not entry:
        return ""
    return str(entry["name_en"] if (get_language() or "").startswith("en") else entry["name_zh"])


# --- versions: the defaults, and publishing ----------------------------------------------------------------------

def _joined(problems: list[dict[str, str]]) -> str:
    return "；".join(f"{p['field']}: {p['message']}" for p in problems[:8])


def _problem(problems: list[dict[str, str]], field: str, message: str) -> None:
    problems.append({"field": field, "message": message})


def _words(value: Any, field: str, problems: list[dict[str, str]], *, pattern: re.Pattern[str] | None = None
           ) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence) or len(value) > KEYWORDS_MAX:
        _problem(problems, field, _("应为不超过 %(n)d 项的列表") % {"n": KEYWORDS_MAX})
        return []
    out = []
    for item in value:
        try:
            word = clean_text(item, field=field, max_length=KEYWORD_LENGTH, required=True)
        except InvalidInput as exc:
            problems.extend(exc.details)
            continue
        if pattern is not None and not pattern.fullmatch(word):
            _problem(problems, field, _("“%(v)s”不是 2 至 4 位的国民经济行业代码") % {"v": word})
            continue
        out.append(word)
    return out


def entries_validate(raw: Any) -> list[dict[str, Any]]:
    """Entries as they will be stored, every field checked; InvalidInput naming each bad one (field
    `entries[i].name`)."""
    problems: list[dict[str, str]] = []
    if not isinstance(raw, list) or not raw or len(raw) > ENTRIES_MAX:
        raise InvalidInput(_("负面清单应为 1 至 %(n)d 个条目的列表。") % {"n": ENTRIES_MAX},
                           code=ProjectError.NEGATIVE_LIST_INVALID,
                           details=[{"field": "entries", "message": _("应为条目列表")}])
    out, codes = [], set()
    for i, item in enumerate(raw):
        at = f"entries[{i}]"
        if not isinstance(item, dict):
            _problem(problems, at, _("每个条目应为键值对（code、category、name_zh …）"))
            continue
        for name in sorted(set(map(str, item)) - set(ENTRY_FIELDS)):
            _problem(problems, f"{at}.{name}", _("没有这个字段"))
        row: dict[str, Any] = {"position": i}
        for name, length in (("code", 20), ("name_zh", 200), ("name_en", 200)):
            try:
                row[name] = clean_text(item.get(name), field=f"{at}.{name}", max_length=length, required=True)
            except InvalidInput as exc:
                problems.extend(exc.details)
        if row.get("code") in codes:
            _problem(problems, f"{at}.code", _("条目编号重复：%(c)s") % {"c": row["code"]})
        codes.add(row.get("code"))
        row["category"] = str(item.get("category", ""))
        if row["category"] not in NegativeListCategory.values:
            _problem(problems, f"{at}.category", _("应为 prohibited（禁止类）或 restricted（限制类）"))
        row["industries"] = _words(item.get("industries"), f"{at}.industries", problems, pattern=_INDUSTRY)
        row["keywords_zh"] = _words(item.get("keywords_zh"), f"{at}.keywords_zh", problems)
        row["keywords_en"] = _words(item.get("keywords_en"), f"{at}.keywords_en", problems)
        if not (row["industries"] or row["keywords_zh"] or row["keywords_en"]):
            _problem(problems, at, _("条目须列出行业代码或关键词，否则会匹配所有项目"))
        out.append(row)
    if problems:
        raise InvalidInput(_("负面清单有误，未发布：") + _joined(problems), code=ProjectError.NEGATIVE_LIST_INVALID,
                           details=problems)
    return out


def _store(*, version: str, note: str, entries: list[dict[str, Any]], by: User | None) -> NegativeListVersion:
    row = NegativeListVersion.objects.create(version=version, note=note, published_by=by)
    NegativeListEntry.objects.bulk_create(NegativeListEntry(version=row, **e) for e in entries)
    return row


def entries_yaml(version: NegativeListVersion) -> str:
    """A version's entries as the publishing form's text (YAML), to start the next version from."""
    rows = [{k: v for k, v in {"code": e.code, "category": e.category, "name_zh": e.name_zh, "name_en": e.name_en,
                               "industries": e.industries, "keywords_zh": e.keywords_zh,
                               "keywords_en": e.keywords_en}.items() if v}
            for e in version.entries.all()]
    return yaml.safe_dump(rows, allow_unicode=True, sort_keys=False, width=200)


@transaction.atomic
def negative_list_publish(*, by: User, version: Any, entries: Any, note: Any = "") -> NegativeListVersion:
    """Publish a new version (in force at once; projects filed before keep theirs). `entries` is a list of
    entries or their YAML text. InvalidInput names each bad field; nothing is stored then."""
    require(by, NEGATIVE_LIST, message=_("只有省级主管部门可以发布负面清单。"), code=ProjectError.FORBIDDEN)
    problems: list[dict[str, str]] = []
    try:
        name = clean_text(version, field="version", max_length=40, required=True)
    except InvalidInput as exc:
        problems.extend(exc.details)
        name = ""
    if name and NegativeListVersion.objects.filter(version=name).exists():
        _problem(problems, "version", _("版本号“%(v)s”已发布过，请另起一个") % {"v": name})
    try:
        text = clean_text(note, field="note", max_length=2000, multiline=True)
    except InvalidInput as exc:
        problems.extend(exc.details)
        text = ""
    if isinstance(entries, str):
        try:
            entries = yaml.safe_load(clean_text(entries, field="entries", max_length=200_000, multiline=True))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = _("第 %(n)d 行") % {"n": mark.line + 1} if mark else ""
            _problem(problems, "entries", _("不是有效的 YAML %(where)s") % {"where": where})
            entries = None
    cleaned: list[dict[str, Any]] = []
    if entries is not None or not problems:
        try:
            cleaned = entries_validate(entries)
        except InvalidInput as exc:
            problems.extend(exc.details)
    if problems:
        raise InvalidInput(_("负面清单有误，未发布：") + _joined(problems), code=ProjectError.NEGATIVE_LIST_INVALID,
                           details=problems)
    before = version_current()
    row = _store(version=name, note=text, entries=cleaned, by=by)
    audit_record(actor=by, action="publish", entity="negative_list", entity_id=row.pk, subject="negative_list",
                 summary=f"{before.version} → {row.version} ({len(cleaned)})",
                 before={"version": before.version}, after={"version": row.version, "entries": cleaned})
    return row


def _file_version() -> tuple[str, str, list[dict[str, Any]]]:
    with open(DATA_FILE, encoding="utf-8") as handle:
        loaded = yaml.safe_load(handle)
    if not isinstance(loaded, dict) or "version" not in loaded:
        raise ValueError(f"{DATA_FILE}: no version")
    return str(loaded["version"]), str(loaded.get("note", "")), entries_validate(loaded.get("entries"))


@transaction.atomic
def negative_list_ensure() -> dict[str, int]:
    """The file's version, stored unless a version of that name is (versions are never rewritten)."""
    name, note, entries = _file_version()
    if not NegativeListVersion.objects.filter(version=name).exists():
        _store(version=name, note=note, entries=entries, by=None)
    return {"negative_list_entries": len(entries)}
