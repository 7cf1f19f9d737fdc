"""A filing's decision as stored with the project and said to its reader: what the negative list (which
entry, which version), the commitment and the land quota made of it. Stored as data, worded when read, so
each reader has it in their own language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .models import ProjectState
from .negative_list import Check, entry_name


def decision_data(check: Check, *, signed: bool, state: str) -> dict[str, Any]:
    return {**check.as_data(), "commitment_signed": signed, "outcome": state}


def decision_reason(decision: dict[str, Any], *, land_mu: Any = 0) -> str:
    """The decision in a sentence: the entry (and version) that caused it, or why it was filed at once."""
    entry, version = decision.get("negative_list_entry"), decision.get("version", "")
    values = {"name": entry_name(entry), "code": (entry or {}).get("code", ""), "v": version}
    if decision.get("category") == "prohibited":
        return _("负面清单禁止类“%(name)s”（%(code)s，清单版本 %(v)s）：不予备案。") % values
    if decision.get("category") == "restricted":
        return _("负面清单限制类“%(name)s”（%(code)s，清单版本 %(v)s）：须经地区主管部门全面审核。") % values
    if not decision.get("commitment_signed"):
        return _("不在负面清单（版本 %(v)s）之内，但企业未签署标准承诺：须经审核后备案。") % values
    said = _("不在负面清单（版本 %(v)s）之内，企业已签署标准承诺：承诺制备案，无需事前审批。") % values
    if decision.get("outcome") == ProjectState.WAITING_LAND:
        return said + _("新增用地 %(mu)s 亩超出本市年度用地指标余量：等待用地指标。") % {"mu": land_mu}
    if land_mu:
        return said + _("新增用地 %(mu)s 亩，占用本市年度用地指标。") % {"mu": land_mu}
    return said + _("不新增用地的技术改造：快速通道。")
