"""An engagement's workflow as data (core.workflow): exactly the table of the engagement workflow (issue 12,
SPEC §4) — who moves it from which state to which, what each move needs, what it sets.

The "needs" column is the guards': a move is refused (422, nothing written) when its note, report, plan,
outcomes or rating are missing. They read what the move brings (`Brought`, set by
services_engagement.engagement_move for the duration of the move), already checked for form there. The
effects keep the engagement's dates true on every move: when its step began, its deadline (deadlines.py),
when the provider answered, when the work was accepted and closed, the rating.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from zhigai.core.errors import InvalidInput
from zhigai.core.workflow import Transition, Workflow

from .deadlines import due_for, local_today
from .errors import MarketError
from .models import OPEN_STATES, DocumentKind, Engagement, EngagementEvent, EngagementPlan
from .models import EngagementState as S


@dataclass
class Brought:
    """What a move brings besides its note, checked for form by the service."""

    note: str = ""
    document_kinds: frozenset[str] = frozenset()
    plan: dict[str, Any] | None = None
    progress: dict[str, Any] | None = None
    outcomes: dict[str, Any] | None = None
    rating: int | None = None
    comment: str = ""


_BROUGHT: ContextVar[Brought] = ContextVar("engagement_brought", default=Brought())  # noqa: B039


@contextmanager
def bringing(brought: Brought) -> Iterator[None]:
    token = _BROUGHT.set(brought)
    try:
        yield
    finally:
        _BROUGHT.reset(token)


def _missing(field_name: str, message: str) -> InvalidInput:
    return InvalidInput(message, details=[{"field": field_name, "message": message}], code=MarketError.NEEDS)


# --- guards: the "needs" column --------------------------------------------------------------------------------

def needs_note(engagement: Engagement) -> None:
    if not _BROUGHT.get().note.strip():
        raise _missing("note", _("请填写说明（原因或意见）。"))


def needs_report(engagement: Engagement) -> None:
    if DocumentKind.REPORT not in _BROUGHT.get().document_kinds:
        raise _missing("documents", _("请附上诊断报告文件。"))


def needs_plan(engagement: Engagement) -> None:
    if _BROUGHT.get().plan is None:
        raise _missing("plan", _("请填写完整的改造方案：范围、预算、设备清单、进度安排和预期效益。"))


def needs_progress(engagement: Engagement) -> None:
    brought = _BROUGHT.get()
    if brought.progress is None or not brought.note.strip():
        raise _missing("progress", _("请选择里程碑，填写进度（%）和说明。"))


def needs_outcomes(engagement: Engagement) -> None:
    if not _BROUGHT.get().outcomes:
        raise _missing("outcomes", _("请按方案的预期效益逐项填写实测结果。"))


def needs_rating(engagement: Engagement) -> None:
    brought = _BROUGHT.get()
    if brought.rating is None or not brought.comment.strip():
        raise _missing("rating", _("请给出 1 到 5 分的评价和评语。"))


# --- effects: the engagement's dates ---------------------------------------------------------------------------

def plan_end(engagement: Engagement) -> Any:
    latest = EngagementPlan.objects.filter(engagement=engagement).order_by("-version").first()
    return latest.end if latest else None


def enter_step(engagement: Engagement, by: Any) -> None:
    """A new step begins now: its deadline from the policy (or the plan's end)."""
    engagement.state_since = timezone.now()
    engagement.due = due_for(engagement.state, engagement.state_since, plan_end(engagement))


def answered(engagement: Engagement, by: Any) -> None:
    engagement.responded = timezone.now()


def rated(engagement: Engagement, by: Any) -> None:
    brought = _BROUGHT.get()
    engagement.accepted_on = local_today()
    engagement.closed = timezone.now()
    engagement.rating = brought.rating
    engagement.rating_comment = brought.comment


def _step_due(engagement: Engagement) -> dict[str, Any]:
    return {"due": engagement.due}


# --- who is told -----------------------------------------------------------------------------------------------

def provider_users(engagement: Engagement) -> list[Any]:
    return [m.user for m in engagement.provider.members.select_related("user") if m.user.is_active]


def enterprise_users(engagement: Engagement) -> list[Any]:
    return list(engagement.enterprise.users.filter(is_active=True))


def both(engagement: Engagement) -> list[Any]:
    return provider_users(engagement) + enterprise_users(engagement)


def _move(name: str, source: str, target: str, label: Any, notice: str, notify: Any, *guards: Any,
          effects: tuple[Any, ...] = (enter_step,)) -> Transition:
    return Transition(name=name, source=source, target=target, permission=f"market.engagement.{name}", label=label,
                      guards=guards, effects=effects, notify=notify, notice=notice,
                      refusal_code=MarketError.FORBIDDEN)


_P, _E = provider_users, enterprise_users
ENGAGEMENT_WORKFLOW = Workflow(
    name="engagement",
    model=Engagement,
    event_model=EngagementEvent,
    state_field="state",
    url=lambda e: reverse("market:engagement", args=[e.pk]),
    describe=lambda e: {"enterprise": e.enterprise.name, "provider": e.provider.name},
    event_fields=_step_due,
    transitions=[
        _move("accept", S.REQUESTED, S.ACCEPTED, gettext_lazy("接受委托"),
              gettext_noop("%(provider)s 接受了 %(enterprise)s 的服务申请。"), _E, effects=(answered, enter_step)),
        _move("decline", S.REQUESTED, S.DECLINED, gettext_lazy("谢绝"),
              gettext_noop("%(provider)s 谢绝了 %(enterprise)s 的服务申请，请查看原因。"), _E, needs_note,
              effects=(answered, enter_step)),
        _move("start_research", S.ACCEPTED, S.RESEARCH, gettext_lazy("开始诊断调研"),
              gettext_noop("%(provider)s 开始为 %(enterprise)s 诊断调研。"), _E),
        _move("submit_report", S.RESEARCH, S.PLAN_DESIGN, gettext_lazy("提交诊断报告"),
              gettext_noop("%(provider)s 提交了 %(enterprise)s 的诊断报告。"), _E, needs_report),
        _move("submit_plan", S.PLAN_DESIGN, S.PLAN_REVIEW, gettext_lazy("提交改造方案"),
              gettext_noop("%(provider)s 提交了改造方案，请 %(enterprise)s 确认。"), _E, needs_plan),
        _move("approve_plan", S.PLAN_REVIEW, S.PLAN_APPROVED, gettext_lazy("确认方案"),
              gettext_noop("%(enterprise)s 确认了改造方案。"), _P),
        _move("return_plan", S.PLAN_REVIEW, S.PLAN_DESIGN, gettext_lazy("退回方案"),
              gettext_noop("%(enterprise)s 退回了改造方案，请查看意见。"), _P, needs_note),
        _move("start_implementation", S.PLAN_APPROVED, S.IMPLEMENTATION, gettext_lazy("开始实施"),
              gettext_noop("%(provider)s 开始在 %(enterprise)s 实施改造。"), _E),
        _move("report_progress", S.IMPLEMENTATION, S.IMPLEMENTATION, gettext_lazy("报告进度"),
              gettext_noop("%(provider)s 报告了 %(enterprise)s 项目的进度。"), _E, needs_progress, effects=()),
        _move("submit_acceptance", S.IMPLEMENTATION, S.ACCEPTANCE, gettext_lazy("申请验收"),
              gettext_noop("%(provider)s 申请验收，请 %(enterprise)s 验收。"), _E, needs_outcomes),
        _move("reject_work", S.ACCEPTANCE, S.IMPLEMENTATION, gettext_lazy("验收不通过"),
              gettext_noop("%(enterprise)s 验收未通过，请查看意见。"), _P, needs_note),
        _move("accept_work", S.ACCEPTANCE, S.CLOSED, gettext_lazy("验收通过并评价"),
              gettext_noop("%(enterprise)s 验收通过并作了评价。"), _P, needs_rating, effects=(rated, enter_step)),
        *[_move("cancel", state, S.CANCELLED, gettext_lazy("取消"),
                gettext_noop("%(enterprise)s 与 %(provider)s 的服务已取消，请查看原因。"), both, needs_note)
          for state in sorted(OPEN_STATES)],
    ],
)

# The moves whose note is required (their reason or comments): the forms mark it.
NOTE_REQUIRED = frozenset({"decline", "return_plan", "reject_work", "cancel", "report_progress"})


def move_to(state: str, to: str) -> Transition | None:
    """The table's move from `state` to `to`, if there is one (one at most: no two rows share both)."""
    return next((t for t in ENGAGEMENT_WORKFLOW.moves if t.source == state and t.target == to), None)


def move_label(name: str) -> Any:
    found = ENGAGEMENT_WORKFLOW.transitions.get(name)
    return found.label if found else name
