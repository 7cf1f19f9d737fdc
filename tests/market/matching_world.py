"""Constructed providers, engagements and diagnoses for the matching's tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from zhigai.base.models import Enterprise, Industry, Region
from zhigai.core.models import User
from zhigai.diagnosis.evaluation import assessment_score
from zhigai.diagnosis.models import Assessment, Kind, MaturityModel, Status
from zhigai.market.models import Engagement, Membership, Provider, ProviderStatus, Technology


def provider(name: str, *, technologies: Sequence[str] = ("robot",), industries: Sequence[str] = ("34",),
             regions: Sequence[str] = ("330100",), home: str = "330102", capacity: int = 3, price: int = 2,
             status: str = ProviderStatus.LISTED, type: str = "engineering", focus: str | None = None) -> Provider:
    p = Provider.objects.create(type=type, name=name, home_region=Region.objects.get(code=home), capacity=capacity,
                                price_level=price, status=status,
                                industry_focus=Industry.objects.get(code=focus) if focus else None)
    p.technologies.set(Technology.objects.filter(code__in=technologies))
    p.industries.set(Industry.objects.filter(code__in=industries))
    p.regions.set(Region.objects.filter(code__in=regions))
    return p


def engage(p: Provider, enterprise: Enterprise, state: str = "requested", n: int = 1) -> list[Engagement]:
    return [Engagement.objects.create(enterprise=enterprise, provider=p, need="改造", state=state) for _ in range(n)]


def member(p: Provider, user: User) -> User:
    Membership.objects.create(user=user, provider=p)
    return user


def diagnosis(enterprise: Enterprise, *, answers: dict[str, str] | None = None, kind: str = Kind.SELF,
              by: User | None = None) -> Assessment:
    """A submitted ladder assessment: every answer "full" but those given (so its gaps are theirs)."""
    model = MaturityModel.objects.get(code="ladder", current=True)
    filled = {r.id: "full" for r in model.spec.requirements}
    filled.update(answers or {})
    a = Assessment(enterprise=enterprise, model=model, kind=kind, created_by=by, answers=filled)
    assessment_score(a, model.spec, [])
    a.status, a.submitted = Status.SUBMITTED, timezone.now()
    a.save()
    return a


def level_one_gaps(enterprise: Enterprise, **kw: Any) -> Assessment:
    """Level 1 missed on its equipment alone: the gaps are EQ-1a/EQ-1b (powered equipment renewal: CNC,
    automated lines)."""
    return diagnosis(enterprise, answers={"EQ-1a": "none", "EQ-1b": "none"}, **kw)
