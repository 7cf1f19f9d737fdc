"""An enterprise's change history as its reader reads it: field labels and values in the reader's language.

The trail (core.audit) stores what changed as codes and raw values (`{"employees": 80}`, `"region": "330102"`,
entity "indicator" "<uscc>/2020/0"); this module names the fields, the periods and the referenced records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhigai.core.audit import ACTION_LABELS, audit_changes
from zhigai.core.models import AuditLog
from zhigai.core.numbers import yuan_exact_text

from .display import bare_label
from .models import (
    INDICATOR_FIELDS,
    CloudLevel,
    Cluster,
    Enterprise,
    Indicator,
    Industry,
    Region,
    Stage,
    StageRecord,
    StageSource,
    Tag,
)

ENTERPRISE_ORDER = ["uscc", "name", "region", "industry", "founded_year", "stage", "cluster", "tags"]
# A stage record's entry (services.stage_record); its year is in its id.
STAGE_RECORD_ORDER = ["stage", "source", "reference"]
INDICATOR_ORDER = [name for name, _kind in INDICATOR_FIELDS]
_KIND = dict(INDICATOR_FIELDS)
# What an import's entry for the periods an enterprise gained holds (base.import_audit).
_IMPORT_KEYS = {"periods": gettext_lazy("新增期数"), "from": gettext_lazy("起始年份"), "to": gettext_lazy("截止年份")}


@dataclass
class HistoryEntry:
    at: Any
    actor_name: str
    action: str
    subject: str  # what the entry is about: the profile, a period's indicators
    source: str  # the file of an import, else ""
    changes: list[tuple[str, str, str]]  # (label, before, after)
    created: bool  # nothing before it: the values it starts with, not changes


def _label(key: str) -> Any:
    for model in (Enterprise, Indicator, StageRecord):
        try:
            # Money is written with its unit (元), so the label does not name it again.
            return bare_label(model._meta.get_field(key).verbose_name)  # type: ignore[union-attr]
        except FieldDoesNotExist:
            continue
    return _IMPORT_KEYS.get(key, key)


class _Names:
    """Names of the regions, industries, clusters and tags the entries refer to by code, read at once."""

    def __init__(self, entries: Iterable[AuditLog]):
        codes: dict[str, set[str]] = {"region": set(), "industry": set(), "cluster": set(), "tags": set()}
        for entry in entries:
            for values in (entry.before or {}, entry.after or {}):
                for key, found in codes.items():
                    value = values.get(key) if isinstance(values, dict) else None
                    found.update(map(str, value if isinstance(value, list) else [value] if value else []))
        models: dict[str, Any] = {"region": Region, "industry": Industry, "cluster": Cluster, "tags": Tag}
        # .name is the reader's language (base.models.Bilingual)
        self.names = {
            key: {r.code: r.name for r in model.objects.filter(code__in=codes[key]).only("code", "name_zh", "name_en")}
            for key, model in models.items()
            if codes[key]  # most histories hold indicator entries only: no query then
        }

    def show(self, key: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if key in self.names:
            names = self.names[key]
            if isinstance(value, list):
                return "、".join(names.get(str(v), str(v)) for v in value)
            return f"{names[str(value)]} ({value})" if str(value) in names else str(value)
        if key == "stage":
            return str(dict(Stage.choices).get(value, value))
        if key == "source":
            return str(dict(StageSource.choices).get(value, value))
        kind = _KIND.get(key)
        if kind == "money":
            try:
                return yuan_exact_text(Decimal(str(value)))  # a record: every fen, whatever the size
            except InvalidOperation:
                return str(value)
        if kind == "cloud":
            return f"{value} · {dict(CloudLevel.choices).get(value, '')}".rstrip(" ·")
        if kind == "ratio" and isinstance(value, int | float):
            return f"{value * 100:.2f}%"
        return str(value)


def _subject(entry: AuditLog) -> str:
    if entry.entity == "indicator":
        parts = entry.entity_id.split("/")
        if len(parts) == 3 and parts[1].isdigit():
            year, month = int(parts[1]), int(parts[2]) if parts[2].isdigit() else 0
            if month:
                return _("%(y)d年%(m)d月指标") % {"y": year, "m": month}
            return _("%(y)d年指标") % {"y": year}
        return _("指标")
    if entry.entity == "enterprise":
        return _("企业信息")
    if entry.entity == "stage":
        stage_year = entry.entity_id.partition("/")[2]
        return _("%(y)s年改造阶段") % {"y": stage_year} if stage_year.isdigit() else _("改造阶段")
    return entry.entity


def history_entries(entries: list[AuditLog]) -> list[HistoryEntry]:
    names = _Names(entries)
    out = []
    for entry in entries:
        order = {"indicator": INDICATOR_ORDER, "stage": STAGE_RECORD_ORDER}.get(entry.entity, ENTERPRISE_ORDER)
        changes = audit_changes(entry.before, entry.after, order=order, label=_label, show=names.show)
        out.append(
            HistoryEntry(
                at=entry.at,
                actor_name=entry.actor_name,
                action=str(ACTION_LABELS.get(entry.action, entry.action)),
                subject=_subject(entry),
                source=entry.summary if entry.action == "import" else "",
                changes=changes,
                created=not entry.before,
            )
        )
    return out
