"""Every read of the diagnosis data, filtered by what the acting user may see (diagnosis/policy.py)."""

from __future__ import annotations

import re

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from zhigai.base.models import Enterprise
from zhigai.base.policy import enterprise_scope
from zhigai.base.selectors import scoped_enterprises
from zhigai.core.cache import cached_figures
from zhigai.core.policy import DB_ID_MAX, permitted, require, seen_or_404
from zhigai.core.text import clean_text
from zhigai.core.types import Actor

from .errors import DiagnosisError
from .models import Assessment, AssessmentEvent, Assignment, Evidence, Kind, MaturityModel, Status
from .policy import ASSESSMENT_VIEW


def model_list(*, current_only: bool = True) -> QuerySet[MaturityModel]:
    qs = MaturityModel.objects.all()
    return qs.filter(current=True) if current_only else qs


def model_get(*, ref: int | str) -> MaturityModel:
    """A model by its id, by its code (the current version) or by "code@version"; Http404 when unknown."""
    qs = MaturityModel.objects.all()
    if isinstance(ref, str):
        clean_text(ref, field="model", max_length=100)  # InvalidInput (422) for a NUL or a control character
    if isinstance(ref, int) or re.fullmatch(r"[0-9]{1,9}", ref):  # ASCII digits only: not "５", not "5²"
        found = qs.filter(pk=int(ref)).first() if 0 < int(ref) <= DB_ID_MAX else None
    elif "@" in ref:
        code, version = ref.split("@", 1)
        found = qs.filter(code=code, version=version).first()
    else:
        found = qs.filter(code=ref, current=True).first()
    if found is None:
        raise Http404
    return found


def _visible(user: Actor) -> QuerySet[Assessment]:
    """The assessments `user` may view, as the policy's diagnosis.assessment.view says: those of the
    enterprises it reaches for that permission, and its own."""
    reached = Q(enterprise__in=scoped_enterprises(enterprise_scope(user, ASSESSMENT_VIEW)))
    return Assessment.objects.filter(reached | Q(created_by_id=user.pk)) if user.is_authenticated else \
        Assessment.objects.none()


def access_assessment(*, user: Actor, assessment_id: int, action: str = "view") -> Assessment:
    """The assessment if the user may view it and do `action` (an assessment action of the diagnosis
    policy: "change", "submit", "verify"); Http404 when it may not view it, 403 when it may not act."""
    found = seen_or_404(Assessment.objects.select_related("enterprise", "enterprise__region", "enterprise__industry",
                                                          "model", "created_by"), assessment_id, user, ASSESSMENT_VIEW)
    if action != "view":
        require(user, f"diagnosis.assessment.{action}", found, message=_("您不能对这份评估进行此操作。"),
                code=DiagnosisError.LOCKED)
    return found


def assessment_history(*, user: Actor, enterprise: Enterprise) -> QuerySet[Assessment]:
    """Every assessment of an enterprise the user may see, newest first (drafts included)."""
    if not permitted(user, "diagnosis.enterprise.view", enterprise):
        raise Http404
    # Drafts (no submitted time) first on every database: SQLite and PostgreSQL put NULLs at opposite ends.
    return (
        Assessment.objects.filter(enterprise=enterprise)
        .select_related("model", "created_by")
        .order_by(F("submitted").desc(nulls_first=True), "-created", "-id")
    )


def submitted_history(*, user: Actor, enterprise: Enterprise) -> QuerySet[Assessment]:
    return assessment_history(user=user, enterprise=enterprise).filter(status=Status.SUBMITTED)


def evidence_list(*, assessment: Assessment) -> dict[str, list[Evidence]]:
    """The assessment's files by requirement id (the caller has fetched the assessment through access)."""
    out: dict[str, list[Evidence]] = {}
    for ev in assessment.evidence.all():
        out.setdefault(ev.requirement, []).append(ev)
    return out


def evidence_get(*, user: Actor, evidence_id: int) -> Evidence:
    """A file of an assessment the user may view; Http404 otherwise."""
    return seen_or_404(Evidence.objects.select_related("assessment", "assessment__enterprise"), evidence_id, user,
                       ASSESSMENT_VIEW, of=lambda evidence: evidence.assessment)


def assessment_drafts(*, user: Actor) -> QuerySet[Assessment]:
    """The drafts this user started (their work in progress)."""
    return _visible(user).filter(status=Status.DRAFT, created_by_id=user.pk).select_related("enterprise", "model")


def access_assignment(*, user: Actor, assignment_id: int, action: str = "view") -> Assignment:
    """An assignment of an enterprise whose diagnoses the user sees (Http404 otherwise); PermissionDenied
    when it may not do `action` ("delete") to the enterprise's assignments."""
    found = seen_or_404(Assignment.objects.select_related("user", "enterprise"), assignment_id, user,
                        "diagnosis.enterprise.view", of=lambda assignment: assignment.enterprise)
    if action != "view":
        require(user, f"diagnosis.assignment.{action}", found.enterprise,
                message=_("只有该企业所在地区的主管部门可以取消指派。"), code=DiagnosisError.FORBIDDEN)
    return found


def assignments_of(*, enterprise: Enterprise) -> QuerySet[Assignment]:
    """Who is assigned to diagnose an enterprise (the caller has fetched the enterprise through access)."""
    return Assignment.objects.filter(enterprise=enterprise).select_related("user")


def diagnosing_user_ids(*, enterprise: Enterprise) -> frozenset[int]:
    """Who took part in diagnosing an enterprise: the experts assigned to it, the authors of its submitted
    expert diagnoses and whoever verified one (for a page that has fetched the enterprise through access:
    the market flags a provider whose member diagnosed the enterprise it would also serve)."""
    assigned = Assignment.objects.filter(enterprise=enterprise).order_by().values_list("user_id", flat=True)
    authors = Assessment.objects.filter(enterprise=enterprise, kind=Kind.EXPERT, status=Status.SUBMITTED,
                                        created_by__isnull=False).order_by().values_list("created_by_id", flat=True)
    verifiers = AssessmentEvent.objects.filter(subject__enterprise=enterprise, transition="verify",
                                               by__isnull=False).order_by().values_list("by_id", flat=True)
    return frozenset(assigned.union(authors, verifiers))


def submitted_of(*, enterprise: Enterprise) -> QuerySet[Assessment]:
    """An enterprise's submitted assessments, newest first, for a page that has already fetched the
    enterprise through access (access_enterprise): one query instead of checking it again."""
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
