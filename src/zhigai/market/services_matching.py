"""The matching's one write: a provincial officer sets its weights and conflict-of-interest rule. A new
MatchPolicy row each time (the earlier ones are its history), audited with the rules before and after."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhigai.core.audit import audit_record
from zhigai.core.errors import InvalidInput
from zhigai.core.models import User
from zhigai.core.policy import require
from zhigai.core.text import clean_text

from .errors import MarketError
from .matching_data import PARTS, Rules, rules_current
from .models import MatchPolicy
from .policy import MATCHING_CHANGE

WEIGHT_MAX = Decimal(100)
YES, NO = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def _weight(value: Any, field: str, problems: list[dict[str, str]]) -> Decimal:
    text = str(value if value is not None else "").strip()
    try:
        number = Decimal(text) if text.isascii() and text else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        problems.append({"field": field, "message": _("应为数字")})
        return Decimal(0)
    if number < 0 or number > WEIGHT_MAX or number != number.quantize(Decimal("0.01")):
        problems.append({"field": field, "message": _("应为 0 到 %(max)s 之间、最多两位小数的数") % {
            "max": WEIGHT_MAX}})
        return Decimal(0)
    return number.quantize(Decimal("0.01"))


def _yes_no(value: Any, problems: list[dict[str, str]]) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().lower()
    if text in YES:
        return True
    if text not in NO:
        problems.append({"field": "conflict_allowed", "message": _("应为“是”或“否”")})
    return False


def rules_snapshot(rules: Rules) -> dict[str, Any]:
    return {**{p: str(rules.weights[p]) for p in PARTS}, "conflict_allowed": rules.conflict_allowed}


@transaction.atomic
def match_policy_set(*, by: User, weights: Mapping[str, Any], conflict_allowed: Any, note: Any = "") -> MatchPolicy:
    """Store new rules: every weight a number from 0 to 100 (two places at most), not all zero; whether a
    provider that diagnosed an enterprise may be matched to implement. InvalidInput names each bad field
    and nothing is stored."""
    require(by, MATCHING_CHANGE, message=_("只有省级主管部门可以修改匹配规则。"), code=MarketError.FORBIDDEN)
    problems: list[dict[str, str]] = [{"field": name, "message": _("没有这个字段")}
                                      for name in sorted(set(weights) - set(PARTS))]
    values = {name: _weight(weights.get(name), name, problems) for name in PARTS}
    allowed = _yes_no(conflict_allowed, problems)
    try:
        text = clean_text(note if note is not None else "", field="note", max_length=1000, multiline=True)
    except InvalidInput as exc:
        problems.extend(exc.details or [{"field": "note", "message": exc.message}])
        text = ""
    if not problems and not any(values.values()):
        problems.append({"field": "weights", "message": _("权重不能全部为零")})
    if problems:
        raise InvalidInput(_("匹配规则有误，未保存：") + "；".join(p["message"] for p in problems), details=problems)
    before = rules_snapshot(rules_current())
    row = MatchPolicy.objects.create(**values, conflict_allowed=allowed, note=text, by=by)
    after = rules_snapshot(rules_current())
    audit_record(actor=by, action="update", entity="match_policy", entity_id=row.pk, subject="match_policy",
                 summary=_("修改服务商匹配规则"), before=before, after=after)
    return row
