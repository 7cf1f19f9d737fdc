"""A claim's working: the engine (projects.subsidies) applied to what the claim's invoices prove, with what
other claims already hold — computed when the claim is submitted and again when it is approved (the
enterprise's allowance may have been used meanwhile)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from zhigai.core.errors import Conflict

from .errors_subsidy import SubsidyError
from .models import EquipmentKind, Project, ProjectState
from .models_subsidy import ClaimKind, Invoice, SubsidyRule
from .selectors_subsidy import claimed_on_lines, robot_used
from .subsidies import (
    ZERO,
    Purchase,
    post_project_grant,
    post_project_grant_json,
    robot_subsidy,
    robot_subsidy_json,
)
from .subsidy_rules import rules_of


def robot_working(*, project: Project, rule: SubsidyRule, year: int, invoices: Sequence[Invoice],
                  exclude: Sequence[int] = ()) -> dict[str, Any]:
    """Each robot line the invoices back: base = what they prove of it, at most its purchase cost less what
    other live claims already based on it; the per-robot cap less what those claims hold; the enterprise's
    allowance for the year less its approved and paid robot claims."""
    invoiced: dict[int, Decimal] = defaultdict(Decimal)
    for invoice in invoices:
        if invoice.equipment_line_id is not None:
            invoiced[invoice.equipment_line_id] += invoice.amount
    lines = [line for line in project.equipment.order_by("id") if line.pk in invoiced]
    before = claimed_on_lines([line.pk for line in lines], exclude=exclude)
    purchases = []
    for line in lines:
        base_before, amount_before = before.get(line.pk, (ZERO, ZERO))
        cost = min(invoiced[line.pk], max(line.unit_price * line.count - base_before, ZERO))
        purchases.append(Purchase(ref=line.pk, type=line.type, origin=line.origin, count=line.count, cost=cost,
                                  claimed_before=amount_before))
    used = robot_used(enterprise_id=project.enterprise_id, year=year, exclude=exclude)
    result = robot_subsidy_json(robot_subsidy(rules_of(rule), purchases, size_class=project.enterprise.size_class,
                                              used=used))
    result["invoiced"] = {str(k): str(v) for k, v in invoiced.items()}
    result["amount"] = result["robot_subsidy"]
    return result


def grant_working(*, project: Project, rule: SubsidyRule, invoices: Sequence[Invoice]) -> dict[str, Any]:
    """The verified investment: what the invoices prove, by kind (an invoice of an equipment line counts as
    equipment, one of no line as software), each at most what the project declared."""
    if project.state != ProjectState.ACCEPTED:
        raise Conflict(_("项目竣工综合奖补只能在项目验收通过后申领。"), code=SubsidyError.NOT_ACCEPTED,
                       details=[{"field": "kind", "message": project.state}])
    equipment = sum((i.amount for i in invoices if i.equipment_line_id is not None), ZERO)
    software = sum((i.amount for i in invoices if i.equipment_line_id is None), ZERO)
    grant = post_project_grant(rules_of(rule), equipment=min(equipment, project.equipment_investment),
                               software=min(software, project.software_investment), accepted=True)
    return {**post_project_grant_json(grant), "invoiced": {"equipment": str(equipment), "software": str(software)}}


def claim_working(*, project: Project, kind: str, rule: SubsidyRule, year: int, invoices: Sequence[Invoice],
                  exclude: Sequence[int] = ()) -> tuple[dict[str, Any], Decimal]:
    """The working and the amount of a claim; Conflict when it comes to nothing (the caps are used up)."""
    if kind == ClaimKind.ROBOT:
        bad = [i for i in invoices if i.equipment_line is None or i.equipment_line.kind != EquipmentKind.ROBOT]
        if bad:
            raise Conflict(_("机器人购置补贴的每张发票都应对应一条工业机器人设备明细：%(n)s") % {
                "n": "、".join(i.number for i in bad)}, code=SubsidyError.BAD_INVOICE,
                details=[{"field": "invoices", "message": i.number} for i in bad])
        working = robot_working(project=project, rule=rule, year=year, invoices=invoices, exclude=exclude)
    else:
        working = grant_working(project=project, rule=rule, invoices=invoices)
    amount = Decimal(working["amount"])
    if amount <= 0:
        raise Conflict(_("按这些发票计算，可申领金额为 0 元（额度已用完或已被其他申领占用）。"),
                       code=SubsidyError.NOTHING_TO_CLAIM, details=[{"field": "invoices", "message": "0.00"}])
    return working, amount
