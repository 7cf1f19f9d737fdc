"""The assessment workflow walked whole: every transition from every state by every role, the allowed ones
leaving an event, an audit row and inbox lines, every forbidden one leaving nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from zhigai.base.models import Enterprise
from zhigai.core.errors import Conflict, InvalidInput, PermissionDenied
from zhigai.core.models import AuditLog, Notification, Role, User
from zhigai.core.policy import permitted
from zhigai.core.workflow import transition_apply
from zhigai.diagnosis import services
from zhigai.diagnosis.models import Assessment, AssessmentEvent, Kind, MaturityModel, Status
from zhigai.diagnosis.workflow import ASSESSMENT_WORKFLOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprise(make_enterprise: Callable[..., Enterprise]) -> Enterprise:
    return make_enterprise(county="330102", name="杭州流转测试有限公司")


@pytest.fixture
def people(make_user: Callable[..., User], enterprise: Enterprise, hangzhou_user: User, ningbo_user: User,
           owner: User) -> dict[str, User]:
    expert = make_user(Role.EXPERT)
    services.assignment_add(by=hangzhou_user, expert=expert, enterprise=enterprise)
    return {"owner": owner, "expert": User.objects.get(pk=expert.pk), "hangzhou": hangzhou_user,
            "ningbo": ningbo_user, "bank": make_user(Role.BANK)}


def _complete(by: User, enterprise: Enterprise, model: MaturityModel) -> Assessment:
    draft = services.assessment_start(by=by, enterprise=enterprise, model=model)
    return services.assessment_answer(by=by, assessment=draft, answers={r.id: "full" for r in model.spec.requirements})


def _trace(a: Assessment) -> tuple[Any, ...]:
    a = Assessment.objects.get(pk=a.pk)
    return (a.status, a.level, a.submitted, AssessmentEvent.objects.count(), AuditLog.objects.count(),
            Notification.objects.count(), Enterprise.objects.get(pk=a.enterprise_id).stage)


def test_the_table_is_the_one_the_module_declares() -> None:
    moves = {(t.name, t.source, t.target, t.permission) for t in ASSESSMENT_WORKFLOW.transitions.values()}
    assert moves == {
        ("submit", Status.DRAFT, Status.SUBMITTED, "diagnosis.assessment.submit"),
        ("verify", Status.DRAFT, Status.SUBMITTED, "diagnosis.assessment.verify"),
    }
    assert ASSESSMENT_WORKFLOW.states() == {Status.DRAFT, Status.SUBMITTED}


@pytest.mark.parametrize("kind", [Kind.SELF, Kind.EXPERT])
@pytest.mark.parametrize("state", [Status.DRAFT, Status.SUBMITTED])
def test_every_move_from_every_state_by_every_role(
        people: dict[str, User], enterprise: Enterprise, ladder: MaturityModel, kind: str, state: str) -> None:
    author = people["owner"] if kind == Kind.SELF else people["expert"]
    made = []
    for move in ASSESSMENT_WORKFLOW.transitions.values():
        for who, user in people.items():
            a = _complete(author, enterprise, ladder)
            if state == Status.SUBMITTED:
                a = services.assessment_submit(by=author, assessment=a)
            allowed = state == move.source and permitted(user, move.permission, a)
            before = _trace(a)
            if allowed:
                done = transition_apply(workflow=ASSESSMENT_WORKFLOW, obj=a, name=move.name, by=user, note="ok")
                assert done.status == move.target
                event = AssessmentEvent.objects.get(subject=a)
                assert (event.transition, event.source, event.target, event.by, event.note) == (
                    move.name, move.source, move.target, user, "ok")
                assert AuditLog.objects.filter(entity="assessment", entity_id=str(a.pk), action="submit").exists()
                made.append((move.name, who))
            else:
                with pytest.raises((PermissionDenied, Conflict)):
                    transition_apply(workflow=ASSESSMENT_WORKFLOW, obj=a, name=move.name, by=user)
                assert _trace(a) == before, (move.name, who, state, kind)
            Assessment.objects.filter(pk=a.pk).delete()
    # The allowed moves are exactly: the owner submits their self-assessment, the expert verifies theirs.
    wanted = {(Status.DRAFT, Kind.SELF): [("submit", "owner")], (Status.DRAFT, Kind.EXPERT): [("verify", "expert")]}
    assert made == wanted.get((state, kind), [])


def test_only_the_owner_submits_and_only_the_assigned_author_verifies(
        people: dict[str, User], enterprise: Enterprise, ladder: MaturityModel) -> None:
    own = _complete(people["owner"], enterprise, ladder)
    verified = _complete(people["expert"], enterprise, ladder)
    assert [t.name for t in ASSESSMENT_WORKFLOW.available(own, people["owner"])] == ["submit"]
    assert [t.name for t in ASSESSMENT_WORKFLOW.available(verified, people["expert"])] == ["verify"]
    for who in ("hangzhou", "ningbo", "bank"):
        assert ASSESSMENT_WORKFLOW.available(own, people[who]) == []
        assert ASSESSMENT_WORKFLOW.available(verified, people[who]) == []


def test_a_submit_tells_the_assigned_experts_and_a_verification_tells_the_enterprise(
        people: dict[str, User], enterprise: Enterprise, ladder: MaturityModel) -> None:
    own = services.assessment_submit(by=people["owner"], assessment=_complete(people["owner"], enterprise, ladder))
    line = Notification.objects.get()
    assert line.recipient == people["expert"] and line.url == f"/assessments/{own.pk}/"
    from django.utils import translation

    from zhigai.core.inbox import inbox_line

    assert inbox_line(line) == f"{enterprise.name} 提交了自评，请您诊断核实。"
    with translation.override("en"):
        assert inbox_line(line) == f"{enterprise.name} submitted a self-assessment for you to verify."
    verified = services.assessment_submit(by=people["expert"],
                                          assessment=_complete(people["expert"], enterprise, ladder))
    assert Notification.objects.filter(recipient=people["owner"], url=f"/assessments/{verified.pk}/").exists()
    enterprise.refresh_from_db()
    assert enterprise.stage == "intelligentization", "a verified diagnosis sets the stage"


def test_a_guard_stops_the_move_and_nothing_is_written(
        people: dict[str, User], enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = services.assessment_start(by=people["owner"], enterprise=enterprise, model=ladder)
    before = _trace(draft)
    with pytest.raises(InvalidInput) as caught:
        services.assessment_submit(by=people["owner"], assessment=draft)
    assert caught.value.code == "assessment_incomplete"
    assert _trace(draft) == before


def test_an_unknown_move_is_bad_input(people: dict[str, User], enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = _complete(people["owner"], enterprise, ladder)
    with pytest.raises(InvalidInput) as caught:
        transition_apply(workflow=ASSESSMENT_WORKFLOW, obj=draft, name="approve", by=people["owner"])
    assert caught.value.code == "unknown_transition"


def test_a_second_submit_of_the_same_draft_is_refused(
        people: dict[str, User], enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = _complete(people["owner"], enterprise, ladder)
    services.assessment_submit(by=people["owner"], assessment=draft)
    stale = Assessment.objects.get(pk=draft.pk)
    stale.status = Status.DRAFT  # a copy read before the first submit committed
    with pytest.raises(PermissionDenied):
        services.assessment_submit(by=people["owner"], assessment=stale)
    assert AssessmentEvent.objects.filter(subject=draft).count() == 1


def test_evidence_cannot_change_once_the_diagnosis_is_verified(
        people: dict[str, User], enterprise: Enterprise, ladder: MaturityModel) -> None:
    """Review finding: a copy read before the verification (a second tab) could still add or remove files."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhigai.diagnosis.models import Evidence

    expert = people["expert"]
    draft = _complete(expert, enterprise, ladder)
    kept = services.evidence_add(by=expert, assessment=draft, requirement="EQ-1a",
                                 upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n"))
    stale = Assessment.objects.get(pk=draft.pk)
    stale_evidence = Evidence.objects.get(pk=kept.pk)
    services.assessment_submit(by=expert, assessment=Assessment.objects.get(pk=draft.pk))
    with pytest.raises(PermissionDenied):
        services.evidence_add(by=expert, assessment=stale, requirement="EQ-1a",
                              upload=SimpleUploadedFile("b.pdf", b"%PDF-1.4\n"))
    with pytest.raises(PermissionDenied):
        services.evidence_delete(by=expert, evidence=stale_evidence)
    assert list(Evidence.objects.filter(assessment=draft).values_list("pk", flat=True)) == [kept.pk]


def test_an_officer_ends_an_assignment_and_the_expert_loses_the_enterprise(
        people: dict[str, User], enterprise: Enterprise, ladder: MaturityModel, hangzhou_user: User,
        django_capture_on_commit_callbacks: Any) -> None:
    from django.test import Client

    from zhigai.diagnosis.models import Assignment

    expert = people["expert"]
    draft = _complete(expert, enterprise, ladder)
    assignment = Assignment.objects.get(user=expert, enterprise=enterprise)
    with pytest.raises(PermissionDenied):
        services.assignment_remove(by=people["ningbo"], assignment=assignment)
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_remove(by=hangzhou_user, assignment=assignment)
    entry = AuditLog.objects.get(entity="assignment", action="delete")
    assert entry.before == {"expert": expert.username, "role": expert.role, "enterprise": enterprise.uscc}
    created = AuditLog.objects.get(entity="assignment", action="create")
    assert created.after == entry.before and created.subject == enterprise.uscc
    client = Client()
    client.force_login(User.objects.get(pk=expert.pk))
    assert client.get(f"/enterprises/{enterprise.uscc}/").status_code == 404
    assert not permitted(User.objects.get(pk=expert.pk), "diagnosis.assessment.verify",
                         Assessment.objects.get(pk=draft.pk))
