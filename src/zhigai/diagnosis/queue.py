"""The expert's work queue: the enterprises assigned to them, each with where its diagnosis stands.

A firm is "to verify" until the expert starts a diagnosis of it, "in progress" while their draft is open,
and "verified" once they have submitted one (a new draft after that puts it back in progress). Oldest
assignment first: the firm waiting longest comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from zhigai.core.policy import require
from zhigai.core.types import Actor

from .errors import DiagnosisError
from .models import Assessment, Assignment, Kind, Status

TO_VERIFY, IN_PROGRESS, VERIFIED = "todo", "progress", "verified"
STATES = {TO_VERIFY: _("待核实"), IN_PROGRESS: _("进行中"), VERIFIED: _("已核实")}


@dataclass(frozen=True)
class QueueFilters:
    q: str = ""
    state: str = ""  # one of STATES, or every state


def assignment_queue(*, user: Actor, filters: QueueFilters | None = None) -> QuerySet[Any]:
    """The user's assignments with `state`, `verified_at` and `changed` (the latest of: assigned, their
    draft started, their diagnosis submitted), oldest assignment first; 403 for a user who has none to
    have (only experts and engineering service companies are assigned)."""
    require(user, "diagnosis.assignment.list_own", message=str(_("只有专家和工程服务公司有待诊断的企业。")),
            code=DiagnosisError.FORBIDDEN)
    f = filters or QueueFilters()
    mine = Assessment.objects.filter(enterprise_id=OuterRef("enterprise_id"), kind=Kind.EXPERT,
                                     created_by_id=user.pk).order_by()
    drafts, done = mine.filter(status=Status.DRAFT), mine.filter(status=Status.SUBMITTED)
    qs = (
        Assignment.objects.filter(user_id=user.pk or 0)
        .select_related("enterprise", "enterprise__region")
        .annotate(
            drafting=Exists(drafts),
            draft_at=Subquery(drafts.order_by("-created").values("created")[:1]),
            verified_at=Subquery(done.order_by("-submitted").values("submitted")[:1]),
        )
        .annotate(
            state=Case(When(drafting=True, then=Value(IN_PROGRESS)),
                       When(verified_at__isnull=False, then=Value(VERIFIED)), default=Value(TO_VERIFY)),
            # Coalesce first: SQLite's MAX() of a NULL is NULL, PostgreSQL's GREATEST skips it.
            changed=Greatest("created", Coalesce("draft_at", "created"), Coalesce("verified_at", "created")),
        )
    )
    q = f.q.strip()
    if q:
        compact = q.replace(" ", "").upper()
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__uscc__startswith=compact))
    if f.state in STATES:
        qs = qs.filter(state=f.state)
    return qs.order_by("created", "id")


def queue_counts(*, user: Actor, q: str = "") -> dict[str, int]:
    """How many of the user's assignments are in each state (the queue's tabs), for the same search."""
    rows = assignment_queue(user=user, filters=QueueFilters(q=q)).order_by().values("state").annotate(n=Count("id"))
    counts = {state: 0 for state in STATES}
    counts.update({r["state"]: r["n"] for r in rows})
    return counts
