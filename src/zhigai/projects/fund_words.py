"""The allocation's reasons and problems in words, in the reader's language (projects.allocation gives codes
and values; a run stores them, so a page reads them in whatever language its reader has)."""

from __future__ import annotations

from contextlib import suppress
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhigai.base.models import Region
from zhigai.core.numbers import money_text

REASONS = {
    "funded": gettext_noop(
        "获得资助：按每元效益排第 %(rank)s 位（共 %(of)s 项），在预算和规则内总效益最大的组合包含它。"),
    "funded_for_city": gettext_noop(
        "获得资助：为使%(city)s达到最低份额 %(minimum)s（虽然按每元效益排第 %(rank)s 位）。"),
    "over_cap": gettext_noop("未获资助：申请金额本身超过每家企业上限 %(cap)s。"),
    "cap_used": gettext_noop("未获资助：该企业已获 %(used)s，再加本项会超过每家企业上限 %(cap)s。"),
    "budget_left": gettext_noop("未获资助：预算只剩 %(left)s，不足以资助本项；总效益更大的组合不含它。"),
    "no_benefit": gettext_noop("未获资助：预期效益为零。"),
    "not_chosen": gettext_noop(
        "未获资助：在预算和规则内，总效益最大的组合不含它（按每元效益排第 %(rank)s 位，共 %(of)s 项）。"),
}
PROBLEMS = {
    "minimums_over_budget": gettext_noop("各市最低份额合计 %(total)s，超过预算 %(budget)s：请降低最低份额或增加预算。"),
    "city_unreachable": gettext_noop("%(city)s在每家企业上限下最多只能获得 %(most)s，达不到其最低份额 %(minimum)s。"),
    "together": gettext_noop(
        "各项规则单独都能满足，但无法同时满足：预算不足以同时满足各市的最低份额和每家企业上限。"),
}
MONEY = frozenset({"minimum", "cap", "used", "left", "total", "budget", "most"})


def _values(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for key in MONEY & out.keys():
        with suppress(InvalidOperation, ValueError):
            out[key] = money_text(Decimal(str(out[key])))
    if "city" in out:
        region = Region.objects.filter(code=str(out["city"])).first()
        out["city"] = region.name if region is not None else str(out["city"])
    return out


def reason_text(reason: dict[str, Any] | None) -> str:
    """{code, values} as a sentence; empty when there is none."""
    if not reason or reason.get("code") not in REASONS:
        return ""
    return _(REASONS[reason["code"]]) % _values(reason.get("values", {}))


def problem_text(problem: dict[str, Any]) -> str:
    code = problem.get("code", "")
    return _(PROBLEMS[code]) % _values(problem.get("values", {})) if code in PROBLEMS else str(code)
