"""The acceptance's checks of a declared completion (SPEC §5): the commitment as signed, the declared
investment against its equipment lines and the invoices (through hooks.invoice_reconcilers), and the
expected outcomes against the enterprise's indicators (base.selectors) before the project and after it.

Each check is a verdict with its working: `ok`, `short` (below what was declared or expected) or `none`
(nothing to compare). The inspecting officer decides; the checks as they stood are kept with the decision."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from zhigai.base.models import Indicator
from zhigai.base.selectors import indicator_list
from zhigai.core.policy import permitted
from zhigai.core.types import Actor

from .commitment import commitment_of
from .hooks import invoice_reconcilers
from .models import Project

OK, SHORT, NONE = "ok", "short", "none"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Verdict:
    name: str
    label: str
    result: str
    working: str


def equipment_total(project: Project) -> Decimal:
    return sum((line.amount for line in project.equipment.all()), Decimal(0)).quantize(CENT)


def investment_total(project: Project) -> Decimal:
    return project.investment_total


def _commitment(project: Project) -> Verdict:
    label = _("承诺")
    if not project.commitment_signed:
        return Verdict("commitment", label, NONE, _("未签署标准承诺，按审核备案。"))
    text = commitment_of(project.commitment_version)
    if text is None:
        return Verdict("commitment", label, SHORT,
                       _("签署的承诺版本“%(v)s”不存在。") % {"v": project.commitment_version})
    return Verdict("commitment", label, OK,
                   _("%(name)s 于 %(at)s 签署承诺（文本版本 %(v)s）；核查项目是否按承诺建设。") % {
        "name": project.commitment_name, "at": timezone.localtime(project.commitment_signed).strftime("%Y-%m-%d %H:%M"),
        "v": project.commitment_version})


def _equipment(project: Project) -> Verdict:
    declared, lines = Decimal(project.equipment_investment).quantize(CENT), equipment_total(project)
    values = {"declared": f"{declared:,}", "lines": f"{lines:,}", "diff": f"{abs(declared - lines):,}"}
    if declared == lines:
        return Verdict("equipment", _("设备投资与设备清单"), OK,
                       _("申报设备投资 %(declared)s 元，设备清单合计 %(lines)s 元，一致。") % values)
    if lines > declared:
        return Verdict("equipment", _("设备投资与设备清单"), SHORT,
                       _("设备清单合计 %(lines)s 元，超出申报设备投资 %(declared)s 元 %(diff)s 元。") % values)
    return Verdict("equipment", _("设备投资与设备清单"), SHORT,
                   _("申报设备投资 %(declared)s 元，设备清单合计 %(lines)s 元，相差 %(diff)s 元未列明细。") % values)


def _invoices(project: Project) -> Verdict:
    label, declared = _("发票核对"), investment_total(project)
    answers = [a for a in (fn(project) for fn in invoice_reconcilers()) if a]
    if not answers:
        return Verdict("invoices", label, NONE, _("尚无发票记录可核对（申报总投资 %(d)s 元）；按设备清单核对。") % {
            "d": f"{declared:,}"})
    invoiced = sum((Decimal(a["invoiced"]) for a in answers), Decimal(0)).quantize(CENT)
    count = sum(int(a.get("count", 0)) for a in answers)
    values = {"n": count, "i": f"{invoiced:,}", "d": f"{declared:,}", "diff": f"{abs(declared - invoiced):,}"}
    if invoiced >= declared:
        return Verdict("invoices", label, OK, _("发票 %(n)d 张合计 %(i)s 元，不低于申报总投资 %(d)s 元。") % values)
    return Verdict("invoices", label, SHORT,
                   _("发票 %(n)d 张合计 %(i)s 元，比申报总投资 %(d)s 元少 %(diff)s 元。") % values)


def _productivity(row: Indicator) -> float | None:
    if row.added_value is None or not row.employees:
        return None
    return float(row.added_value) / row.employees


# (expected key, label, how the indicators measure it: (before, after) -> the achieved change)
def _measures() -> list[tuple[str, str, Any]]:
    def ratio_change(get: Any) -> Any:
        def measure(a: Indicator, b: Indicator) -> float | None:
            x, y = get(a), get(b)
            return None if x in (None, 0) or y is None else (y - x) / x
        return measure

    return [
        ("positions_saved", _("减少一线岗位"),
         lambda a, b: None if b.positions_replaced is None else b.positions_replaced - (a.positions_replaced or 0)),
        ("productivity_gain", _("劳动生产率提高"), ratio_change(_productivity)),
        ("defect_rate_change", _("不良率变化"),
         lambda a, b: None if a.defect_rate is None or b.defect_rate is None else b.defect_rate - a.defect_rate),
        ("energy_change", _("能耗变化"), ratio_change(lambda r: r.energy_use)),
    ]


def _outcomes(project: Project, user: Actor) -> list[Verdict]:
    expected = project.expected or {}
    if not permitted(user, "base.indicator.view", project.enterprise):
        return [Verdict("outcomes", _("成效"), NONE, _("您看不到该企业的指标，无法核对成效。"))]
    rows = {r.year: r for r in indicator_list(user=user, enterprise=project.enterprise)}
    before = rows.get(project.start.year - 1)
    after = next((rows[y] for y in sorted(rows, reverse=True) if y >= project.end.year), None)
    if before is None or after is None:
        return [Verdict("outcomes", _("成效"), NONE,
                        _("缺少 %(a)d 年（开工前一年）或 %(b)d 年以后的年度指标，无法核对成效。") % {
            "a": project.start.year - 1, "b": project.end.year})]
    out = []
    for key, label, measure in _measures():
        if key not in expected:
            continue
        want, got = float(expected[key]), measure(before, after)
        values = {"want": f"{want:g}", "got": "—" if got is None else f"{got:.4g}", "a": before.year, "b": after.year}
        if got is None:
            out.append(Verdict(key, label, NONE, _("预期 %(want)s；%(a)d、%(b)d 年指标不全，无法计算。") % values))
            continue
        # A fall is the aim for defects and energy: reached when the change is at or below the expected one.
        reached = got <= want if key in ("defect_rate_change", "energy_change") else got >= want
        out.append(Verdict(key, label, OK if reached else SHORT,
                           _("预期 %(want)s，按 %(a)d 年与 %(b)d 年指标实际为 %(got)s。") % values))
    return out or [Verdict("outcomes", _("成效"), NONE, _("项目未填写预期成效。"))]


def acceptance_checks(project: Project, *, user: Actor) -> list[Verdict]:
    return [_commitment(project), _equipment(project), _invoices(project), *_outcomes(project, user)]


def checks_data(checks: list[Verdict]) -> list[dict[str, str]]:
    return [asdict(c) for c in checks]
