"""Every write of engagements: the request, the moves of the workflow (market.engagements) with what they
bring — the plan, a progress report, the measured outcomes, the rating, documents — and the documents'
upload. Validated before anything is written, access-checked, audited, all or nothing."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhigai.base.models import Enterprise
from zhigai.core.audit import audit_record
from zhigai.core.errors import Conflict, InvalidInput
from zhigai.core.inbox import inbox_notify
from zhigai.core.models import User
from zhigai.core.policy import DB_ID_MAX, require
from zhigai.core.text import ascii_int, clean_text
from zhigai.core.uploads import document_checked
from zhigai.core.workflow import transition_apply

from .deadlines import due_for
from .engagements import ENGAGEMENT_WORKFLOW, Brought, bringing, move_to, provider_users
from .errors import MarketError
from .models import (
    BenefitIndicator,
    DocumentKind,
    Engagement,
    EngagementDocument,
    EngagementEvent,
    EngagementPlan,
    EngagementState,
    Outcome,
    ProgressReport,
    Provider,
    ProviderStatus,
)

BUDGET_MAX = Decimal("1000000000000")
LIST_MAX = 100
Problems = list[dict[str, str]]


def _bad(problems: Problems, message: str) -> InvalidInput:
    return InvalidInput(message + "；".join(p["message"] for p in problems), details=problems)


def _text(value: Any, field: str, problems: Problems, **rules: Any) -> str:
    try:
        return clean_text(value, field=field, **rules)
    except InvalidInput as exc:
        problems.extend(exc.details or [{"field": field, "message": exc.message}])
        return ""


def _date(value: Any, field: str, problems: Problems) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        problems.append({"field": field, "message": _("%(f)s 应为日期（YYYY-MM-DD）") % {"f": field}})
        return None


def _decimal(value: Any, field: str, problems: Problems, *, low: Decimal, high: Decimal, places: int) -> Decimal:
    try:
        number = Decimal(str(value).strip()) if value is not None and not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not low <= number <= high \
            or number != number.quantize(Decimal(1).scaleb(-places)):
        problems.append({"field": field, "message": _("%(f)s 应为 %(low)s 到 %(high)s 之间、最多 %(p)d 位小数的数")
                         % {"f": field, "low": low, "high": high, "p": places}})
        return Decimal(0)
    return number


def _list(value: Any, field: str, problems: Problems) -> list[Any]:
    if not isinstance(value, list) or not value or len(value) > LIST_MAX:
        problems.append({"field": field, "message": _("%(f)s 应为 1 到 %(n)d 项的列表") % {"f": field, "n": LIST_MAX}})
        return []
    return value


def _benefits(value: Any, field: str, problems: Problems) -> dict[str, Decimal]:
    """indicator -> percent change, for base's four indicators only."""
    if not isinstance(value, Mapping) or not value:
        problems.append({"field": field, "message": _("%(f)s 应逐项列出指标的变化（%%）") % {"f": field}})
        return {}
    out = {}
    for key, number in value.items():
        if key not in BenefitIndicator.values:
            problems.append({"field": f"{field}.{key}", "message": _("没有这个指标：%(k)s") % {"k": key}})
            continue
        out[str(key)] = _decimal(number, f"{field}.{key}", problems, low=Decimal(-100), high=Decimal(1000), places=1)
    return out


def plan_checked(data: Any) -> dict[str, Any]:
    """A complete plan as it will be stored; InvalidInput naming each bad field (plan.scope, plan.budget…)."""
    problems: Problems = []
    if not isinstance(data, Mapping):
        raise InvalidInput(_("请填写改造方案。"), details=[{"field": "plan", "message": _("必填")}])
    plan: dict[str, Any] = {
        "scope": _text(data.get("scope"), "plan.scope", problems, max_length=4000, multiline=True, required=True),
        "budget": _decimal(data.get("budget"), "plan.budget", problems, low=Decimal("0.01"), high=BUDGET_MAX,
                           places=2),
        "start": _date(data.get("start"), "plan.start", problems),
        "end": _date(data.get("end"), "plan.end", problems),
        "benefits": _benefits(data.get("benefits"), "plan.benefits", problems),
    }
    plan["equipment"] = []
    for i, item in enumerate(_list(data.get("equipment"), "plan.equipment", problems)):
        item = item if isinstance(item, Mapping) else {}
        name = _text(item.get("name"), f"plan.equipment.{i}.name", problems, max_length=200, required=True)
        quantity = ascii_int(item.get("quantity"), low=1, high=100000)
        if quantity is None:
            problems.append({"field": f"plan.equipment.{i}.quantity", "message": _("数量应为正整数")})
        plan["equipment"].append({"name": name, "quantity": quantity or 0})
    if plan["start"] and plan["end"] and plan["end"] < plan["start"]:
        problems.append({"field": "plan.end", "message": _("结束日期不能早于开始日期")})
    plan["milestones"] = []
    for i, item in enumerate(_list(data.get("milestones"), "plan.milestones", problems)):
        item = item if isinstance(item, Mapping) else {}
        name = _text(item.get("name"), f"plan.milestones.{i}.name", problems, max_length=200, required=True)
        due = _date(item.get("due"), f"plan.milestones.{i}.due", problems)
        if due and plan["start"] and plan["end"] and not plan["start"] <= due <= plan["end"]:
            problems.append({"field": f"plan.milestones.{i}.due", "message": _("里程碑日期应在方案起止日期之内")})
        plan["milestones"].append({"name": name, "due": due.isoformat() if due else ""})
    names = [m["name"] for m in plan["milestones"]]
    if len(set(names)) != len(names):
        problems.append({"field": "plan.milestones", "message": _("里程碑名称不能重复")})
    if problems:
        raise _bad(problems, _("改造方案不完整，未提交："))
    plan["milestones"].sort(key=lambda m: m["due"])
    plan["benefits"] = {k: str(v) for k, v in plan["benefits"].items()}  # JSON: exact, as text
    return plan


def latest_plan(engagement: Engagement) -> EngagementPlan | None:
    return EngagementPlan.objects.filter(engagement=engagement).order_by("-version").first()


def _progress(data: Any, plan: EngagementPlan | None) -> dict[str, Any]:
    problems: Problems = []
    data = data if isinstance(data, Mapping) else {}
    milestone = str(data.get("milestone") or "").strip()
    if plan is None or milestone not in [m["name"] for m in plan.milestones]:
        problems.append({"field": "progress.milestone", "message": _("请选择方案中的一个里程碑")})
    percent = ascii_int(data.get("percent"), low=0, high=100)
    if percent is None:
        problems.append({"field": "progress.percent", "message": _("进度应为 0 到 100 的整数")})
    if problems:
        raise _bad(problems, _("进度报告有误："))
    return {"milestone": milestone, "percent": percent}


def _outcomes(data: Any, plan: EngagementPlan | None) -> dict[str, Any]:
    problems: Problems = []
    measured = _benefits(data, "outcomes", problems)
    expected = dict(plan.benefits) if plan else {}
    for key in expected:
        if key not in measured:
            problems.append({"field": f"outcomes.{key}", "message": _("请填写方案预期效益的实测结果：%(k)s")
                             % {"k": BenefitIndicator(key).label}})
    for key in measured:
        if key not in expected:
            problems.append({"field": f"outcomes.{key}", "message": _("方案没有这项预期效益：%(k)s")
                             % {"k": BenefitIndicator(key).label}})
    if problems:
        raise _bad(problems, _("验收结果有误："))
    return {k: (Decimal(str(expected[k])), v) for k, v in measured.items()}


def _documents(engagement: Engagement, ids: Sequence[Any]) -> list[EngagementDocument]:
    """The engagement's uploaded documents a move brings (not brought by another move yet)."""
    wanted = [ascii_int(i, low=1, high=DB_ID_MAX) for i in ids]
    found = {d.pk: d for d in EngagementDocument.objects.select_for_update()
             .filter(engagement=engagement, event__isnull=True, pk__in=[i for i in wanted if i])}
    if None in wanted or len(found) != len(set(wanted)):
        raise InvalidInput(_("附件不属于这项服务，或已随其他操作提交。"),
                           details=[{"field": "documents", "message": ",".join(map(str, ids))}])
    return list(found.values())


def state_checked(to: Any) -> str:
    if str(to) not in EngagementState.values:
        raise InvalidInput(_("没有这个状态：%(s)s") % {"s": to}, details=[{"field": "to", "message": str(to)}])
    return str(to)


@transaction.atomic
def engagement_move(*, by: User, engagement: Engagement, to: str, note: str = "", plan: Any = None,
                    progress: Any = None, outcomes: Any = None, rating: Any = None, comment: str = "",
                    documents: Sequence[Any] = (), uploads: Sequence[tuple[UploadedFile, str]] = ()) -> Engagement:
    """The table's move from the engagement's present state to `to`, as `by`, with what it brings:
    `documents` uploaded before (ids), `uploads` (file, kind) sent with the move (a page's form).

    422 when `to` is no state or what the move brings is wrong or missing; 409 when the table has no move
    from the present state to `to`; 403 when the move is not the caller's. Nothing is written then."""
    to = state_checked(to)
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    move = move_to(engagement.state, to)
    if move is None:
        raise Conflict(_("当前状态为“%(state)s”，不能转为“%(to)s”。")
                       % {"state": engagement.get_state_display(), "to": EngagementState(to).label},
                       code=MarketError.NO_SUCH_MOVE, details=[{"field": "to", "message": to}])
    require(by, move.permission, engagement, message=_("您不能对此执行“%(move)s”。") % {"move": move.label},
            code=MarketError.FORBIDDEN)
    problems: Problems = []
    brought = Brought(note=_text(note, "note", problems, max_length=2000, multiline=True),
                      comment=_text(comment, "comment", problems, max_length=2000, multiline=True))
    if problems:
        raise _bad(problems, _("输入有误："))
    attached = _documents(engagement, documents) + [
        engagement_document_add(by=by, engagement=engagement, upload=f, kind=kind) for f, kind in uploads]
    brought.document_kinds = frozenset(d.kind for d in attached)
    current = latest_plan(engagement)
    if move.name == "submit_plan" and plan is not None:
        brought.plan = plan_checked(plan)
    if move.name == "report_progress" and progress is not None:
        brought.progress = _progress(progress, current)
    if move.name == "submit_acceptance" and outcomes is not None:
        brought.outcomes = _outcomes(outcomes, current)
    if move.name == "accept_work" and rating is not None:
        stars = ascii_int(rating, low=1, high=5)
        if stars is None:
            raise InvalidInput(_("评价应为 1 到 5 分。"), details=[{"field": "rating", "message": str(rating)}])
        brought.rating = stars
    if brought.plan is not None:
        # The new version first, so that the review step's deadline and the implementation's end read it.
        version = (current.version + 1) if current else 1
        current = EngagementPlan.objects.create(engagement=engagement, version=version, **brought.plan)
    with bringing(brought):
        moved: Engagement = transition_apply(workflow=ENGAGEMENT_WORKFLOW, obj=engagement, name=move.name, by=by,
                                             note=brought.note, files=[d.file.name for d in attached])
    event = EngagementEvent.objects.filter(subject=moved).order_by("-id").first()
    _record(moved, event, brought, attached, current)
    return moved


def _record(engagement: Engagement, event: Any, brought: Brought, attached: list[EngagementDocument],
            plan: EngagementPlan | None) -> None:
    """What the move brought, kept with its event."""
    if attached:
        EngagementDocument.objects.filter(pk__in=[d.pk for d in attached]).update(event=event)
    if brought.plan is not None and plan is not None:
        EngagementPlan.objects.filter(pk=plan.pk).update(event=event)
    if brought.progress is not None:
        ProgressReport.objects.create(engagement=engagement, event=event, **brought.progress)
    if brought.outcomes is not None:
        Outcome.objects.bulk_create([
            Outcome(engagement=engagement, event=event, indicator=k, expected=expected, measured=v)
            for k, (expected, v) in sorted(brought.outcomes.items())])


@transaction.atomic
def engagement_request(*, by: User, enterprise: Enterprise, provider: Provider, need: str,
                       assessment: Any = None) -> Engagement:
    """An enterprise's request to a listed provider: its own users only, for their enterprise; `need` in
    their words (clean text); `assessment` a submitted diagnosis of that enterprise, given to the provider."""
    require(by, "market.engagement.request", enterprise, message=_("只有企业本方用户可以为本企业申请服务。"),
            code=MarketError.FORBIDDEN)
    problems: Problems = []
    text = _text(need, "need", problems, max_length=4000, multiline=True, required=True)
    if provider.status != ProviderStatus.LISTED:
        problems.append({"field": "provider", "message": _("只能向已入库的服务商申请服务")})
    if assessment is not None and (assessment.enterprise_id != enterprise.pk or assessment.status != "submitted"):
        problems.append({"field": "assessment", "message": _("只能提供本企业已提交的诊断")})
    if problems:
        raise _bad(problems, _("服务申请有误，未提交："))
    now = timezone.now()
    found = Engagement.objects.create(enterprise=enterprise, provider=provider, need=text, assessment=assessment,
                                      requested_by=by, state=EngagementState.REQUESTED, state_since=now,
                                      due=due_for(EngagementState.REQUESTED, now, None))
    audit_record(actor=by, action="request", entity="engagement", entity_id=found.pk, subject=enterprise.uscc,
                 summary=f"{enterprise.uscc} → {provider.pk}"[:255], after={"state": found.state})
    inbox_notify(recipients=provider_users(found),
                 text=gettext_noop("%(enterprise)s 向 %(provider)s 申请服务，请响应。"),
                 params={"enterprise": enterprise.name, "provider": provider.name},
                 url=ENGAGEMENT_WORKFLOW.url(found))
    return found


@transaction.atomic
def engagement_document_add(*, by: User, engagement: Engagement, upload: UploadedFile,
                            kind: str = DocumentKind.OTHER) -> EngagementDocument:
    """A document for a move to bring (checked by content and size: core.uploads); the engagement's parties,
    while it is open."""
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    require(by, "market.engagement.attach", engagement, message=_("只有服务双方可以在服务进行中上传文件。"),
            code=MarketError.FORBIDDEN)
    if kind not in DocumentKind.values:
        raise InvalidInput(_("没有这种文件类别：%(k)s") % {"k": kind}, details=[{"field": "kind", "message": kind}])
    name, content_type, size = document_checked(upload)
    found = EngagementDocument.objects.create(engagement=engagement, kind=kind, file=upload, filename=name[:255],
                                              size=size, content_type=content_type, uploaded_by=by)
    audit_record(actor=by, action="create", entity="engagement_document", entity_id=found.pk,
                 subject=str(engagement.pk), summary=f"{engagement.pk} {kind} {name}"[:255])
    return found
