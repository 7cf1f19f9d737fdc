"""The demo's engagements: every state, every history a walk of the table with the deadlines its steps had,
closed ones on clients that transformed that year, the demo logins' share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest
from django.utils import timezone

from zhigai.base.models import StageRecord
from zhigai.base.seed import seed_province
from zhigai.core.models import Role, User
from zhigai.market.deadlines import due_for, local_date
from zhigai.market.engagements import ENGAGEMENT_WORKFLOW
from zhigai.market.models import Engagement, EngagementState, Membership, Outcome
from zhigai.market.seed import market_demo_seed

pytestmark = pytest.mark.django_db


def test_the_demo_engagements(make_user: Callable[..., User]) -> None:
    seed_province(enterprises=3000, seed=5)
    logins = [make_user(Role.PROVIDER, username="provider"), make_user(Role.PROVIDER, username="provider2")]
    market_demo_seed(seed=5, logins=logins)
    states = Counter(Engagement.objects.values_list("state", flat=True))
    assert set(states) == set(EngagementState.values), states
    table = {(t.name, t.source, t.target) for t in ENGAGEMENT_WORKFLOW.moves}
    now, today = timezone.now(), timezone.localdate()
    stage_rows = list(StageRecord.objects.order_by("enterprise_id", "year", "recorded_at", "id")
                      .values_list("enterprise_id", "year", "stage"))
    steps, last = set(), {}
    for pk, year, stage in stage_rows:
        if pk in last and last[pk] != stage:
            steps.add((pk, year))
        last[pk] = stage
    late = on_time = 0
    for e in Engagement.objects.prefetch_related("events", "plans"):
        state = EngagementState.REQUESTED
        previous = e.created
        plans = sorted(e.plans.all(), key=lambda p: p.version)
        plan = plans[-1] if plans else None
        for ev in e.events.all():
            assert (ev.transition, ev.source, ev.target) in table and ev.source == state, (e.pk, ev.transition)
            assert previous <= ev.at <= now
            assert ev.due == due_for(ev.source, previous, plan.end if plan else None), (e.pk, ev.transition)
            if ev.due:
                late, on_time = late + (local_date(ev.at) > ev.due), on_time + (local_date(ev.at) <= ev.due)
            state, previous = ev.target, ev.at
        assert e.state == state and e.state_since == previous
        if e.state == EngagementState.CLOSED:
            assert (e.enterprise_id, e.accepted_on.year) in steps
            assert e.created.year in (e.accepted_on.year - 1, e.accepted_on.year)
            assert 1 <= e.rating <= 5 and Outcome.objects.filter(engagement=e).exists()
    assert late and on_time > late
    overdue = Engagement.objects.filter(state__in=["requested", "accepted", "research", "plan_design", "plan_review",
                                                   "plan_approved", "implementation", "acceptance"], due__lt=today)
    assert overdue.exists()
    own = Membership.objects.get(user=logins[0]).provider
    assert Engagement.objects.filter(provider=own, state="closed").count() >= 6
    assert Engagement.objects.filter(provider=own, state="requested").exists()
    second = Membership.objects.get(user=logins[1]).provider
    assert Engagement.objects.filter(provider=second, state="closed").count() < 5
