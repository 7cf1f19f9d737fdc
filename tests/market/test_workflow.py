"""The registration workflow walked whole: every move from every state by every role, the allowed ones
leaving an event, an audit row and inbox lines, every forbidden one leaving nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from zhigai.core.errors import Conflict, PermissionDenied
from zhigai.core.models import AuditLog, Notification, User
from zhigai.core.policy import permitted
from zhigai.core.workflow import transition_apply
from zhigai.market.models import Provider, ProviderEvent
from zhigai.market.models import ProviderStatus as S
from zhigai.market.workflow import PROVIDER_WORKFLOW

from .conftest import PATH_TO

pytestmark = pytest.mark.django_db


def _trace(p: Provider) -> tuple[Any, ...]:
    return (Provider.objects.get(pk=p.pk).status, ProviderEvent.objects.filter(subject=p).count(),
            AuditLog.objects.count(), Notification.objects.count())


def test_the_table_is_the_one_the_issue_names() -> None:
    moves = {(t.name, t.source, t.target, t.permission) for t in PROVIDER_WORKFLOW.transitions.values()}
    review, submit = "market.provider.review", "market.provider.submit"
    assert moves == {
        ("submit", S.DRAFT, S.SUBMITTED, submit), ("resubmit", S.RETURNED, S.SUBMITTED, submit),
        ("approve", S.SUBMITTED, S.LISTED, review), ("return", S.SUBMITTED, S.RETURNED, review),
        ("refuse", S.SUBMITTED, S.REFUSED, review), ("suspend", S.LISTED, S.SUSPENDED, review),
        ("relist", S.SUSPENDED, S.LISTED, review),
    }
    assert PROVIDER_WORKFLOW.states() == set(S.values)


# Who may make each move (from its source state): the provider's own users submit, the province reviews.
ALLOWED = {
    "submit": {"owner", "colleague", "admin"}, "resubmit": {"owner", "colleague", "admin"},
    **{move: {"province", "admin"} for move in ("approve", "return", "refuse", "suspend", "relist")},
}


@pytest.mark.parametrize("state", S.values)
def test_every_move_from_every_state_by_every_role(
        people: dict[str, User], provider_in: Callable[[str], Provider], state: str) -> None:
    made = set()
    for move in PROVIDER_WORKFLOW.transitions.values():
        for who, user in people.items():
            p = provider_in(state)
            may = who in ALLOWED[move.name]
            assert permitted(user, move.permission, p) is may, (move.name, who)
            before = _trace(p)
            if may and state == move.source:
                done = transition_apply(workflow=PROVIDER_WORKFLOW, obj=p, name=move.name, by=user, note="意见")
                assert done.status == move.target
                event = ProviderEvent.objects.filter(subject=p).latest("id")
                assert (event.transition, event.source, event.target, event.by, event.note) == (
                    move.name, move.source, move.target, user, "意见")
                assert AuditLog.objects.filter(entity="provider", entity_id=str(p.pk), action=move.name).exists()
                made.add((move.name, who))
            else:
                # Refused by the policy (403) before the state is looked at; by the table (409) otherwise.
                expected = Conflict if may else PermissionDenied
                with pytest.raises(expected):
                    transition_apply(workflow=PROVIDER_WORKFLOW, obj=p, name=move.name, by=user)
                assert _trace(p) == before, (move.name, who, state)
    assert made == {(m.name, who) for m in PROVIDER_WORKFLOW.transitions.values() if m.source == state
                    for who in ALLOWED[m.name]}


def test_the_inbox_tells_the_reviewers_of_a_submission_and_the_provider_of_the_decision(
        people: dict[str, User], provider_in: Callable[[str], Provider]) -> None:
    p = provider_in(S.SUBMITTED)
    assert Notification.objects.filter(recipient=people["province"], url=f"/providers/{p.pk}/").exists()
    assert not Notification.objects.filter(recipient=people["city"]).exists(), "only provincial officers review"
    transition_apply(workflow=PROVIDER_WORKFLOW, obj=p, name="approve", by=people["province"])
    told = set(Notification.objects.filter(url=f"/providers/{p.pk}/", text__contains="已通过审核")
               .values_list("recipient__username", flat=True))
    assert told == {people["owner"].username, people["colleague"].username}


def test_a_path_reaches_every_state() -> None:
    assert set(PATH_TO) == set(S.values)
