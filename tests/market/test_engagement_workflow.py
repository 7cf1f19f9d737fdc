"""The engagement workflow walked whole, from the table (TABLE.md): every move from every state by every
role; the allowed ones leave their event, audit row and what they bring, every forbidden one nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from tests.market.conftest import WALK_TO, needs
from zhigai.core.errors import Conflict, InvalidInput, PermissionDenied
from zhigai.core.models import AuditLog, Notification
from zhigai.core.policy import permitted
from zhigai.core.workflow import transition_apply
from zhigai.market import services_engagement as svc
from zhigai.market.engagements import ENGAGEMENT_WORKFLOW, Brought, bringing, move_to
from zhigai.market.models import (
    OPEN_STATES,
    Engagement,
    EngagementDocument,
    EngagementEvent,
    EngagementPlan,
    EngagementState,
    Outcome,
    ProgressReport,
)

pytestmark = pytest.mark.django_db
S = EngagementState
P, E, EITHER = "provider", "enterprise", "either"

# The table, as TABLE.md has it: (name, from, to, whose).
TABLE = {
    ("accept", S.REQUESTED, S.ACCEPTED, P), ("decline", S.REQUESTED, S.DECLINED, P),
    ("start_research", S.ACCEPTED, S.RESEARCH, P), ("submit_report", S.RESEARCH, S.PLAN_DESIGN, P),
    ("submit_plan", S.PLAN_DESIGN, S.PLAN_REVIEW, P), ("approve_plan", S.PLAN_REVIEW, S.PLAN_APPROVED, E),
    ("return_plan", S.PLAN_REVIEW, S.PLAN_DESIGN, E), ("start_implementation", S.PLAN_APPROVED, S.IMPLEMENTATION, P),
    ("report_progress", S.IMPLEMENTATION, S.IMPLEMENTATION, P),
    ("submit_acceptance", S.IMPLEMENTATION, S.ACCEPTANCE, P), ("reject_work", S.ACCEPTANCE, S.IMPLEMENTATION, E),
    ("accept_work", S.ACCEPTANCE, S.CLOSED, E),
    *{("cancel", state, S.CANCELLED, EITHER) for state in OPEN_STATES},
}
# Who of the fixture's people may make a move of each side: the provider's users, the enterprise's, admin.
MAY = {P: {"provider", "colleague", "admin"}, E: {"owner", "admin"},
       EITHER: {"provider", "colleague", "owner", "admin"}}


def test_the_workflow_is_the_table() -> None:
    declared = {(t.name, t.source, t.target, t.permission) for t in ENGAGEMENT_WORKFLOW.moves}
    assert declared == {(n, s, t, f"market.engagement.{n}") for n, s, t, _w in TABLE}
    assert ENGAGEMENT_WORKFLOW.states() == set(S.values)


def _trace(e: Engagement) -> tuple[Any, ...]:
    e = Engagement.objects.get(pk=e.pk)
    return (e.state, e.due, e.state_since, e.responded, e.closed, e.rating, EngagementEvent.objects.count(),
            AuditLog.objects.count(), Notification.objects.count(), EngagementPlan.objects.count(),
            EngagementDocument.objects.count(), ProgressReport.objects.count(), Outcome.objects.count())


@pytest.mark.parametrize("state", list(WALK_TO))
def test_every_move_from_every_state_by_every_role(parties: dict[str, Any], engagement_in: Callable[[str], Any],
                                                   state: str) -> None:
    e = engagement_in(state)
    users = parties["users"]
    made = set()
    for name in sorted(ENGAGEMENT_WORKFLOW.transitions):
        row = ENGAGEMENT_WORKFLOW.from_state(name, state)
        side = next(w for n, s, _t, w in TABLE if n == name)
        for who, user in users.items():
            allowed = row is not None and who in MAY[side]
            assert allowed == (row is not None and permitted(user, row.permission, e)), (name, who)
            before = _trace(e)
            with transaction.atomic():
                if allowed:
                    assert row is not None
                    moved = svc.engagement_move(by=user, engagement=e, to=row.target, **needs(name))
                    assert moved.state == row.target
                    event = EngagementEvent.objects.filter(subject=e).latest("id")
                    assert (event.transition, event.source, event.target, event.by) == (name, state, row.target, user)
                    assert event.due == e.due  # the deadline of the step it left
                    assert AuditLog.objects.filter(entity="engagement", entity_id=str(e.pk), action=name).exists()
                    made.add((name, who))
                    transaction.set_rollback(True)
                else:
                    with pytest.raises((PermissionDenied, Conflict)), bringing(Brought(note="x")):
                        transition_apply(workflow=ENGAGEMENT_WORKFLOW, obj=e, name=name, by=user, note="x")
            assert _trace(e) == before, (name, who)
    expected = {(n, who) for n, s, _t, w in TABLE if s == state for who in MAY[w]}
    assert made == expected


@pytest.mark.parametrize("name", ["decline", "submit_report", "submit_plan", "return_plan", "report_progress",
                                  "submit_acceptance", "reject_work", "accept_work", "cancel"])
def test_a_move_without_what_it_needs_is_refused_and_leaves_nothing(
        parties: dict[str, Any], engagement_in: Callable[[str], Any], name: str) -> None:
    row = next(t for t in ENGAGEMENT_WORKFLOW.moves if t.name == name)
    e = engagement_in(row.source)
    who = "owner" if row.permission.split(".")[-1] in ("return_plan", "reject_work", "accept_work") else "provider"
    before = _trace(e)
    with pytest.raises(InvalidInput) as refused:
        svc.engagement_move(by=parties["users"][who], engagement=e, to=row.target)
    assert refused.value.details
    assert _trace(e) == before


def test_the_walk_keeps_the_dates_true(parties: dict[str, Any], engagement_in: Callable[[str], Any]) -> None:
    e = engagement_in("closed")
    assert e.responded is not None and e.closed is not None and e.accepted_on is not None
    assert (e.rating, e.rating_comment, e.due) == (5, "按期完成，效果明显", None)
    events = list(EngagementEvent.objects.filter(subject=e))
    assert [ev.transition for ev in events] == ["accept", "start_research", "submit_report", "submit_plan",
                                                "approve_plan", "start_implementation", "submit_acceptance",
                                                "accept_work"]
    assert all(ev.due is not None for ev in events)
    plan = EngagementPlan.objects.get(engagement=e)
    assert (plan.version, str(plan.budget), plan.event.transition) == (1, "1250000.50", "submit_plan")
    assert EngagementDocument.objects.get(engagement=e).event.transition == "submit_report"
    outcomes = {o.indicator: (str(o.expected), str(o.measured)) for o in Outcome.objects.filter(engagement=e)}
    assert outcomes == {"labor_productivity": ("20.0", "24.0"), "defect_rate": ("-30.0", "-33.0")}


def test_a_returned_plan_comes_back_as_a_new_version(parties: dict[str, Any],
                                                     engagement_in: Callable[[str], Any]) -> None:
    users = parties["users"]
    e = engagement_in("plan_review")
    e = svc.engagement_move(by=users["owner"], engagement=e, to="plan_design", note="预算偏高，请调整")
    e = svc.engagement_move(by=users["provider"], engagement=e, to="plan_review",
                            plan={**needs("submit_plan")["plan"], "budget": "980000"})
    assert [(p.version, str(p.budget)) for p in EngagementPlan.objects.filter(engagement=e)] == [
        (1, "1250000.50"), (2, "980000.00")]


def test_progress_names_a_milestone_of_the_plan(parties: dict[str, Any], engagement_in: Callable[[str], Any]) -> None:
    e = engagement_in("implementation")
    with pytest.raises(InvalidInput) as bad:
        svc.engagement_move(by=parties["users"]["provider"], engagement=e, to="implementation", note="进展",
                            progress={"milestone": "不存在的里程碑", "percent": 140})
    assert {d["field"] for d in bad.value.details} == {"progress.milestone", "progress.percent"}
    e = svc.engagement_move(by=parties["users"]["provider"], engagement=e, to="implementation", note="安装完成",
                            progress={"milestone": "设备安装", "percent": 100})
    assert ProgressReport.objects.get(engagement=e).percent == 100


def test_outcomes_cover_exactly_the_plans_benefits(parties: dict[str, Any],
                                                   engagement_in: Callable[[str], Any]) -> None:
    e = engagement_in("implementation")
    with pytest.raises(InvalidInput) as bad:
        svc.engagement_move(by=parties["users"]["provider"], engagement=e, to="acceptance",
                            outcomes={"labor_productivity": 10, "energy_per_output": -5})
    assert {d["field"] for d in bad.value.details} == {"outcomes.defect_rate", "outcomes.energy_per_output"}


def test_a_bad_plan_names_every_bad_field(parties: dict[str, Any], engagement_in: Callable[[str], Any]) -> None:
    e = engagement_in("plan_design")
    with pytest.raises(InvalidInput) as bad:
        svc.engagement_move(by=parties["users"]["provider"], engagement=e, to="plan_review", plan={
            "scope": " ", "budget": "12.345", "equipment": [], "start": "2024-05-01", "end": "2024-04-01",
            "milestones": [{"name": "a", "due": "2025-01-01"}], "benefits": {"profit": 3}})
    fields = {d["field"] for d in bad.value.details}
    assert {"plan.scope", "plan.budget", "plan.equipment", "plan.end", "plan.milestones.0.due",
            "plan.benefits.profit"} <= fields
    assert Engagement.objects.get(pk=e.pk).state == "plan_design" and not EngagementPlan.objects.exists()


def test_the_move_is_resolved_by_the_present_state(parties: dict[str, Any],
                                                   engagement_in: Callable[[str], Any]) -> None:
    assert move_to(S.ACCEPTANCE, S.IMPLEMENTATION).name == "reject_work"  # type: ignore[union-attr]
    assert move_to(S.IMPLEMENTATION, S.IMPLEMENTATION).name == "report_progress"  # type: ignore[union-attr]
    assert move_to(S.REQUESTED, S.CLOSED) is None
    e = engagement_in("requested")
    with pytest.raises(Conflict):
        svc.engagement_move(by=parties["users"]["provider"], engagement=e, to="closed")
    with pytest.raises(InvalidInput):
        svc.engagement_move(by=parties["users"]["provider"], engagement=e, to="finished")
