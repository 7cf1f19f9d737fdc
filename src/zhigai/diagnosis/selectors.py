"""Every read of the diagnosis data, filtered by what the acting user may see (core.access)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404

from zhigai.base.models import Enterprise
from zhigai.base.selectors import scoped_enterprises
from zhigai.core.access import scope_for
from zhigai.core.cache import cached_figures

from .models import Assessment, Assignment, Evidence, MaturityModel, Status


def assigned_enterprise_ids(user: Any) -> list[int]:
    return list(Assignment.objects.filter(user=user).values_list("enterprise_id", flat=True))


def model_list(*, current_only: bool = True) -> QuerySet[MaturityModel]:
    qs = MaturityModel.objects.all()
    return qs.filter(current=True) if current_only else qs


def model_get(*, ref: int | str) -> MaturityModel:
    """A model by its id, by its code (the current version) or by "code@version"; Http404 when unknown."""
    qs = MaturityModel.objects.all()
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        found = qs.filter(pk=int(ref)).first()
    elif "@" in ref:
        code, version = ref.split("@", 1)
        found = qs.filter(code=code, version=version).first()
    else:
        found = qs.filter(code=ref, current=True).first()
    if found is None:
        raise Http404
    return found


def _visible(user: Any) -> QuerySet[Assessment]:
    return Assessment.objects.filter(enterprise__in=scoped_enterprises(scope_for(user)))


def assessment_get(*, user: Any, assessment_id: int) -> Assessment:
    """The assessment if the user may see its enterprise; Http404 otherwise."""
    found = (
        _visible(user)
        .select_related("enterprise", "enterprise__region", "enterprise__industry", "model", "created_by")
        .filter(pk=assessment_id)
        .first()
    )
    if found is None:
        raise Http404
    return found


def assessment_history(*, user: Any, enterprise: Enterprise) -> QuerySet[Assessment]:
    """Every assessment of an enterprise the user may see, newest first (drafts included)."""
    if not scope_for(user).contains(enterprise):  # the scope's own test: the enterprise is not read again
        raise Http404
    # Drafts (no submitted time) first on every database: SQLite and PostgreSQL put NULLs at opposite ends.
    return (
        Assessment.objects.filter(enterprise=enterprise)
        .select_related("model", "created_by")
        .order_by(F("submitted").desc(nulls_first=True), "-created", "-id")
    )


def submitted_history(*, user: Any, enterprise: Enterprise) -> QuerySet[Assessment]:
    return assessment_history(user=user, enterprise=enterprise).filter(status=Status.SUBMITTED)


def evidence_list(*, assessment: Assessment) -> dict[str, list[Evidence]]:
    """The assessment's files by requirement id (the caller has fetched the assessment through access)."""
    out: dict[str, list[Evidence]] = {}
    for ev in assessment.evidence.all():
        out.setdefault(ev.requirement, []).append(ev)
    return out


def evidence_get(*, user: Any, evidence_id: int) -> Evidence:
    found = Evidence.objects.filter(pk=evidence_id, assessment__in=_visible(user)).first()
    if found is None:
        raise Http404
    return found


def assessment_drafts(*, user: Any) -> QuerySet[Assessment]:
    """The drafts this user started (their work in progress)."""
    return _visible(user).filter(status=Status.DRAFT, created_by=user).select_related("enterprise", "model")


def assignments_for(*, user: Any) -> QuerySet[Assignment]:
    return Assignment.objects.filter(user=user).select_related("enterprise", "enterprise__region")


def assignments_of(*, enterprise: Enterprise) -> QuerySet[Assignment]:
    """Who is assigned to diagnose an enterprise (the caller has fetched the enterprise through access)."""
    return Assignment.objects.filter(enterprise=enterprise).select_related("user")


def submitted_of(*, enterprise: Enterprise) -> QuerySet[Assessment]:
    """An enterprise's submitted assessments, newest first, for a page that has already fetched the
    enterprise through access (enterprise_get): one query instead of checking it again."""
    return (
        Assessment.objects.filter(enterprise=enterprise, status=Status.SUBMITTED)
        .select_related("model")
        .order_by("-submitted", "-id")
    )


def assessed_enterprise_ids() -> frozenset[int]:
    """Ids of the enterprises with a submitted assessment (no scope: callers test one enterprise they
    already fetched through access). Cached until assessments change (every submit does)."""

    def compute() -> frozenset[int]:
        rows = Assessment.objects.filter(status=Status.SUBMITTED).order_by().values_list("enterprise_id", flat=True)
        return frozenset(rows.distinct())

    return cached_figures(("assessed-enterprises",), compute, areas=("assessments",), shared=False)
