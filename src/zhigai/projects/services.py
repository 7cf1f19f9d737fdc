"""Every write of a project's filing and lifecycle: file (under the negative list, the commitment and the
land quota) and move (projects.workflow). Validated, access-checked, audited, all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhigai.base.fields import FieldError, parse_money
from zhigai.base.models import Enterprise, Region
from zhigai.base.selectors import access_enterprise
from zhigai.core.audit import audit_record
from zhigai.core.errors import InvalidInput
from zhigai.core.models import User
from zhigai.core.phrases import reason
from zhigai.core.policy import require
from zhigai.core.text import ascii_int, clean_text
from zhigai.core.workflow import transition_apply

from .commitment import commitment_current
from .decision import decision_data
from .errors import ProjectError
from .models import EquipmentKind, EquipmentLine, Origin, Project, ProjectEvent, ProjectState
from .negative_list import Check, negative_list_check
from .policy import FILE
from .quota import city_of, land_fits, mu_parse
from .workflow import NOTE_REQUIRED, PROJECT_WORKFLOW, move_to

FIELDS = ("enterprise", "title", "description", "start", "end", "investment", "equipment", "land_mu", "expected",
          "commitment")
INVESTMENT_KINDS = ("equipment", "software", "construction", "services")
EXPECTED_KEYS = ("positions_saved", "productivity_gain", "defect_rate_change", "energy_change")
EXPECTED_LABELS = {"positions_saved": gettext_lazy("减少一线岗位（个）"),
                   "productivity_gain": gettext_lazy("劳动生产率提高（比例，如 0.2 即 20%）"),
                   "defect_rate_change": gettext_lazy("不良率变化（比例，负为下降，如 -0.01 即下降 1 个百分点）"),
                   "energy_change": gettext_lazy("能耗变化（比例，负为下降，如 -0.05 即下降 5%）")}
EXPECTED_NAMES = {"positions_saved": gettext_lazy("减少一线岗位（个）"),  # as a project's page shows them
                  "productivity_gain": gettext_lazy("劳动生产率提高"), "defect_rate_change": gettext_lazy("不良率变化"),
                  "energy_change": gettext_lazy("能耗变化")}
EXPECTED_LIMIT = 1_000_000
LINES_MAX, COUNT_MAX = 200, 100_000
LAND_MAX = Decimal("100000")
EARLIEST = dt.date(2000, 1, 1)


class ProjectRefused(InvalidInput):
    """A filing the negative list prohibits (422): nothing stored; `decision` says which entry refused it."""

    def __init__(self, message: str, *, decision: dict[str, Any]):
        super().__init__(message, code=ProjectError.PROHIBITED,
                         details=[{"field": "negative_list", "message": message}])
        self.decision = decision


@dataclass
class Filing:
    """A filing as it will be stored, every field checked."""

    enterprise: Enterprise
    title: str
    description: str
    start: dt.date
    end: dt.date
    investment: dict[str, Decimal]
    lines: list[dict[str, Any]]
    land_mu: Decimal
    expected: dict[str, float]
    signed: bool
    name: str

    def texts(self) -> list[str]:
        return [self.title, self.description, *(line["type"] for line in self.lines)]


def _add(problems: list[dict[str, str]], field: str, message: Any) -> None:
    problems.append({"field": field, "message": str(message)})


def _text(value: Any, field: str, problems: list[dict[str, str]], **rules: Any) -> str:
    try:
        return clean_text(value, field=field, **rules)
    except InvalidInput as exc:
        problems.extend(exc.details)
        return ""


def _date(value: Any, field: str, problems: list[dict[str, str]]) -> dt.date | None:
    try:
        found = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        _add(problems, field, _("应为日期（YYYY-MM-DD）"))
        return None
    if not EARLIEST <= found <= dt.date(2100, 12, 31):
        _add(problems, field, _("日期应在 2000 年到 2100 年之间"))
        return None
    return found


def _money(value: Any, field: str, problems: list[dict[str, str]], *, positive: bool = False) -> Decimal:
    try:
        found = parse_money(value)
    except FieldError as exc:
        _add(problems, field, reason(exc))
        return Decimal(0)
    if found is None:
        if positive:
            _add(problems, field, _("必填"))
        return Decimal(0)
    if positive and found <= 0:
        _add(problems, field, _("应大于零"))
    return found


def _number(value: Any, field: str, problems: list[dict[str, str]]) -> float | None:
    try:
        found = Decimal(str(value).strip()) if not isinstance(value, bool) and str(value).strip().isascii() else None
    except InvalidOperation:
        found = None
    if found is None or not found.is_finite() or abs(found) > EXPECTED_LIMIT:
        _add(problems, field, _("应为绝对值不超过 %(n)s 的数") % {"n": f"{EXPECTED_LIMIT:,}"})
        return None
    return float(found)


def _lines(value: Any, problems: list[dict[str, str]]) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
        _add(problems, "equipment", _("应为设备清单（列表）"))
        return []
    value = list(value)
    if len(value) > LINES_MAX:
        _add(problems, "equipment", _("设备清单最多 %(n)d 行") % {"n": LINES_MAX})
        return []
    out = []
    for i, raw in enumerate(value):
        at = f"equipment[{i}]"
        if not isinstance(raw, Mapping):
            _add(problems, at, _("每行应为 kind、type、origin、count、unit_price"))
            continue
        line = {
            "kind": str(raw.get("kind", "")), "origin": str(raw.get("origin", "")),
            "type": _text(raw.get("type"), f"{at}.type", problems, max_length=100, required=True),
            "count": ascii_int(raw.get("count"), low=1, high=COUNT_MAX),
            "unit_price": _money(raw.get("unit_price"), f"{at}.unit_price", problems, positive=True),
        }
        if line["kind"] not in EquipmentKind.values:
            _add(problems, f"{at}.kind", _("应为 robot（工业机器人）或 other（其他设备）"))
        if line["origin"] not in Origin.values:
            _add(problems, f"{at}.origin", _("应为 domestic（国产）或 imported（进口）"))
        if line["count"] is None:
            _add(problems, f"{at}.count", _("应为 1 到 %(n)s 的整数") % {"n": f"{COUNT_MAX:,}"})
        out.append(line)
    return out


def filing_validate(*, by: User, data: Mapping[str, Any]) -> Filing:
    """The filing checked: the enterprise first (Http404 when the caller may not see it, 403 when it may
    not file for it), then every field; InvalidInput names each bad one."""
    enterprise = access_enterprise(user=by, uscc=str(data.get("enterprise") or ""), action=FILE)
    problems = [{"field": name, "message": _("没有这个字段")} for name in sorted(set(map(str, data)) - set(FIELDS))]
    start, end = _date(data.get("start"), "start", problems), _date(data.get("end"), "end", problems)
    if start and end and end < start:
        _add(problems, "end", _("竣工日期不能早于开工日期"))
    investment = data.get("investment") or {}
    if not isinstance(investment, Mapping):
        _add(problems, "investment", _("应为 equipment、software、construction、services 四项金额"))
        investment = {}
    for name in sorted(set(map(str, investment)) - set(INVESTMENT_KINDS)):
        _add(problems, f"investment.{name}", _("没有这个字段"))
    money = {k: _money(investment.get(k), f"investment.{k}", problems) for k in INVESTMENT_KINDS}
    if not problems and not any(money.values()):
        _add(problems, "investment", _("总投资不能为零"))
    raw_land = data.get("land_mu")
    land = mu_parse(raw_land if raw_land not in (None, "") else "0", maximum=LAND_MAX)
    if land is None:
        _add(problems, "land_mu", _("应为 0 到 %(n)s 亩、最多两位小数") % {"n": f"{LAND_MAX:,}"})
        land = Decimal(0)
    expected_raw = data.get("expected") or {}
    if not isinstance(expected_raw, Mapping):
        _add(problems, "expected", _("应为预期成效（键值对）"))
        expected_raw = {}
    for name in sorted(set(map(str, expected_raw)) - set(EXPECTED_KEYS)):
        _add(problems, f"expected.{name}", _("没有这个字段"))
    expected = {k: v for k in EXPECTED_KEYS if expected_raw.get(k) not in (None, "")
                and (v := _number(expected_raw[k], f"expected.{k}", problems)) is not None}
    commitment = data.get("commitment") or {}
    if not isinstance(commitment, Mapping) or not isinstance(commitment.get("signed", False), bool):
        _add(problems, "commitment", _("应为对象：signed（true 或 false）和 name（签署人）"))
        commitment = {}
    signed = bool(commitment.get("signed", False))
    name = _text(commitment.get("name"), "commitment.name", problems, max_length=100, required=signed)
    filing = Filing(enterprise, _text(data.get("title"), "title", problems, max_length=200, required=True),
                    _text(data.get("description"), "description", problems, max_length=4000, multiline=True),
                    start or EARLIEST, end or EARLIEST, money, _lines(data.get("equipment"), problems),
                    land.quantize(Decimal("0.01")), expected, signed, name if signed else "")
    if problems:
        said = "；".join(f"{p['field']}: {p['message']}" for p in problems[:6])
        raise InvalidInput(_("项目信息有误，未备案：") + said, details=problems)
    return filing


def _state(check: Check, filing: Filing, project: Project) -> str:
    if check.category is not None or not filing.signed:
        return ProjectState.UNDER_REVIEW
    if filing.land_mu and not land_fits(project):
        return ProjectState.WAITING_LAND
    return ProjectState.FILED


def project_file(*, by: User, data: Mapping[str, Any]) -> Project:
    """File a project. The negative list decides first: a prohibited one is refused (ProjectRefused, 422,
    the attempt audited and nothing else stored); a restricted one, or one whose enterprise does not sign
    the commitment, goes under review; otherwise it is filed at once — or waits for land when its city's
    quota has no room for it."""
    filing = filing_validate(by=by, data=data)
    check = negative_list_check(industry_code=filing.enterprise.industry.code, texts=filing.texts())
    if check.category == "prohibited":
        decision = decision_data(check, signed=filing.signed, state="")
        audit_record(actor=by, action="refuse", entity="project_filing", entity_id=filing.enterprise.uscc,
                     summary=f"{check.entry.code if check.entry else ''} {filing.title}"[:255],
                     after={"title": filing.title, "decision": decision})
        raise ProjectRefused(_("负面清单禁止类项目，不予备案：%(entry)s（%(code)s，清单版本 %(v)s）。") % {
            "entry": check.entry.name_zh if check.entry else "", "code": check.entry.code if check.entry else "",
            "v": check.version.version}, decision=decision)
    return _create(by=by, filing=filing, check=check)


@transaction.atomic
def _create(*, by: User, filing: Filing, check: Check) -> Project:
    now, city = timezone.now(), city_of(filing.enterprise.region)
    project = Project(
        enterprise=filing.enterprise, title=filing.title, description=filing.description, start=filing.start,
        end=filing.end, **{f"{k}_investment": v for k, v in filing.investment.items()}, land_mu=filing.land_mu,
        expected=filing.expected, negative_list=check.version, created_by=by, created=now, state_since=now,
        land_city=city if filing.land_mu else None, land_year=now.year if filing.land_mu else None)
    if filing.land_mu:
        Region.objects.select_for_update().filter(pk=city.pk).first()  # no two filings take the same mu
    project.state = _state(check, filing, project)
    project.land_held = bool(filing.land_mu) and project.state == ProjectState.FILED
    if filing.signed:
        project.commitment_name, project.commitment_signed = filing.name, now
        project.commitment_version = commitment_current().version
    project.decision = decision_data(check, signed=filing.signed, state=project.state)
    project.save()
    EquipmentLine.objects.bulk_create(EquipmentLine(project=project, **line) for line in filing.lines)
    ProjectEvent.objects.create(subject=project, transition="file", source="", target=project.state, by=by)
    audit_record(actor=by, action="create", entity="project", entity_id=project.pk,
                 subject=filing.enterprise.uscc, summary=f"{project.state}: {project.title}"[:255],
                 after={"state": project.state, "decision": project.decision,
                        "investment": {k: str(v) for k, v in filing.investment.items()},
                        "land_mu": str(filing.land_mu)})
    return project


def project_update(*, by: User, project: Project, data: Mapping[str, Any]) -> Project:
    """Change a project returned for changes (every field as at filing, under the negative list in force
    now; the enterprise resubmits it after). A change the negative list prohibits is refused as a filing is."""
    require(by, "projects.project.change", project, message=_("只有企业本方用户可以修改，且仅在退回修改时。"),
            code=ProjectError.FORBIDDEN)
    filing = filing_validate(by=by, data={**data, "enterprise": project.enterprise.uscc})
    check = negative_list_check(industry_code=filing.enterprise.industry.code, texts=filing.texts())
    if check.category == "prohibited":
        project_file(by=by, data={**data, "enterprise": project.enterprise.uscc})  # refuses, audited, as filing
    return _rewrite(by=by, project=project, filing=filing, check=check)


@transaction.atomic
def _rewrite(*, by: User, project: Project, filing: Filing, check: Check) -> Project:
    project = Project.objects.select_for_update().get(pk=project.pk)
    require(by, "projects.project.change", project, message=_("只有企业本方用户可以修改，且仅在退回修改时。"),
            code=ProjectError.FORBIDDEN)
    before = {"title": project.title, "investment_total": str(project.investment_total),
              "land_mu": str(project.land_mu), "decision": project.decision}
    for name in ("title", "description", "start", "end", "land_mu", "expected"):
        setattr(project, name, getattr(filing, name))
    for kind, value in filing.investment.items():
        setattr(project, f"{kind}_investment", value)
    project.land_city = city_of(filing.enterprise.region) if filing.land_mu else None
    project.land_year = timezone.now().year if filing.land_mu else None
    project.negative_list = check.version
    project.commitment_name, project.commitment_signed, project.commitment_version = (
        (filing.name, timezone.now(), commitment_current().version) if filing.signed else ("", None, ""))
    project.decision = decision_data(check, signed=filing.signed, state=ProjectState.UNDER_REVIEW)
    project.save()
    project.equipment.all().delete()
    EquipmentLine.objects.bulk_create(EquipmentLine(project=project, **line) for line in filing.lines)
    audit_record(actor=by, action="update", entity="project", entity_id=project.pk, subject=project.enterprise.uscc,
                 summary=f"returned → changed: {project.title}"[:255], before=before,
                 after={"title": project.title, "investment_total": str(project.investment_total),
                        "land_mu": str(project.land_mu), "decision": project.decision})
    return project


@transaction.atomic
def project_move(*, by: User, project: Project, move: str = "", to: str = "", note: Any = "") -> Project:
    """A move of the lifecycle (projects.workflow), named or by its target state (`to`, as the API has it):
    a return, refusal, rectification or breach needs its reason in `note`, a progress report its text."""
    note = clean_text(note if note is not None else "", field="note", max_length=2000, multiline=True)
    if not move:
        if to not in ProjectState.values:
            raise InvalidInput(_("没有这个状态：%(s)s") % {"s": to}, details=[{"field": "to", "message": to}])
        move = move_to(project, to)
    elif move == "approve":
        move = move_to(project, ProjectState.FILED) if project.state == ProjectState.UNDER_REVIEW else move
    elif move == "withdraw":
        move = move_to(project, ProjectState.WITHDRAWN)
    transition = PROJECT_WORKFLOW.transition(move)  # an unknown move is bad input before anything else
    if transition.name in NOTE_REQUIRED and not note and project.state == transition.source:
        require(by, transition.permission, project, message=_("您不能对这个项目进行此操作。"),
                code=ProjectError.FORBIDDEN)
        raise InvalidInput(_("请写明理由或进展内容。"), code=ProjectError.NOTE_REQUIRED,
                           details=[{"field": "note", "message": _("必填")}])
    return cast(Project, transition_apply(workflow=PROJECT_WORKFLOW, obj=project, name=move, by=by, note=note))
