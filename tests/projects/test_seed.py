"""The demo projects: every state, several years, restricted ones reviewed, one prohibited attempt in the
audit only, a land queue, equipment lines in the stated price range; written once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from zhigai.core.models import AuditLog
from zhigai.projects.models import EquipmentLine, Project, ProjectEvent, ProjectState
from zhigai.projects.models_subsidy import Invoice, SubsidyClaim, SubsidyClaimEvent
from zhigai.projects.seed import projects_demo_seed
from zhigai.projects.seed_subsidy import subsidies_seed

pytestmark = pytest.mark.django_db


def test_the_demo_projects(make_enterprise: Any, province_user: Any) -> None:
    for i in range(30):
        make_enterprise(county=["330102", "330203", "330902", "330302"][i % 4], industry=["34", "31", "17"][i % 3])
    made = projects_demo_seed(seed=5)
    assert len(made) == Project.objects.count() > 200
    assert set(Project.objects.values_list("state", flat=True)) == set(ProjectState.values)
    years = set(Project.objects.values_list("created__year", flat=True))
    assert set(range(2014, 2021)) <= years
    assert Project.objects.filter(land_mu=0).count() > Project.objects.filter(land_mu__gt=0).count() > 0
    assert Project.objects.filter(decision__category="restricted").exclude(
        events__transition="approve").exclude(state__in=["under_review", "returned", "refused"]).count() == 0
    prices = [Decimal(p) for p in EquipmentLine.objects.filter(kind="robot").values_list("unit_price", flat=True)]
    assert min(prices) >= 150_000 and max(prices) <= 600_000
    origins = set(EquipmentLine.objects.filter(kind="robot").values_list("origin", flat=True))
    assert origins == {"domestic", "imported"}
    assert AuditLog.objects.filter(entity="project_filing", action="refuse").count() == 1
    assert not Project.objects.filter(decision__category="prohibited").exists()
    accepted = Project.objects.filter(state="accepted").first()
    assert accepted is not None and list(ProjectEvent.objects.filter(subject=accepted).values_list(
        "target", flat=True))[-1] == "accepted"
    assert projects_demo_seed(seed=5) == []


def test_nothing_in_the_demo_happens_after_today(make_enterprise: Any, province_user: Any) -> None:
    for i in range(30):
        make_enterprise(county=["330102", "330203"][i % 2], industry="34")
    projects_demo_seed(seed=7)
    subsidies_seed(list(Project.objects.order_by("id")), officer=province_user)
    now, today = timezone.now(), timezone.localdate()
    assert ProjectEvent.objects.count() > Project.objects.count()
    assert not ProjectEvent.objects.filter(at__gt=now).exists()
    assert not Project.objects.filter(state_since__gt=now).exists()
    assert SubsidyClaim.objects.count() > 10 and not SubsidyClaim.objects.filter(created__gt=now).exists()
    assert not SubsidyClaimEvent.objects.filter(at__gt=now).exists()
    assert not Invoice.objects.filter(date__gt=today).exists()
    for claim in SubsidyClaim.objects.prefetch_related("invoice_links__invoice", "events"):
        submitted = timezone.localtime(claim.created).date()
        assert all(link.invoice.date <= submitted for link in claim.invoice_links.all()), claim.pk
        assert [e.at for e in claim.events.order_by("id")] == sorted(e.at for e in claim.events.all())
    # a claim of an earlier year was decided then, not today
    assert SubsidyClaim.objects.filter(year__lt=today.year, state_since__year__lt=today.year).exists()


def test_no_city_holds_more_land_than_its_quota_and_the_queue_waits(make_enterprise: Any) -> None:
    from zhigai.projects.quota import land_used, quota_mu

    for i in range(20):
        make_enterprise(county=["330902", "330102"][i % 2])
    projects_demo_seed(seed=9)
    for city_id, year in set(Project.objects.filter(land_held=True).values_list("land_city", "land_year")):
        p = Project.objects.filter(land_city_id=city_id, land_year=year).select_related("land_city").first()
        assert p is not None and land_used(city_id, year) <= quota_mu(p.land_city, year)  # type: ignore[arg-type]
    waiting = Project.objects.filter(state="waiting_land")
    assert waiting.count() == 2 and all(p.decision["outcome"] == "waiting_land" for p in waiting)
