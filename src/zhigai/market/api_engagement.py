"""The engagements' API: request, list, read, move, upload documents (SPEC §4, issue 12)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from zhigai.base.selectors import access_enterprise
from zhigai.core.errors import InvalidInput
from zhigai.core.types import ApiRequest

from . import selectors, services_engagement
from .deadlines import estimated, is_overdue, local_date
from .engagements import ENGAGEMENT_WORKFLOW
from .models import Engagement
from .schemas_engagement import (
    DocumentOut,
    EngagementDetail,
    EngagementIn,
    EngagementQuery,
    EngagementSummary,
    TransitionIn,
)
from .selectors_engagement import access_engagement, engagement_list, offered_assessments

router = Router(tags=["market"])


def engagement_summary(e: Engagement) -> dict[str, Any]:
    return {
        "id": e.pk, "state": e.state, "state_name": e.get_state_display(),
        "enterprise": {"id": e.enterprise.uscc, "name": e.enterprise.name},
        "provider": {"id": e.provider_id, "name": e.provider.name},
        "need": e.need, "created": e.created, "state_since": e.state_since, "due": e.due,
        "due_estimated": estimated(local_date(e.state_since), e.due), "overdue": is_overdue(e.state, e.due),
    }


def document_out(d: Any) -> dict[str, Any]:
    return {"id": d.pk, "kind": d.kind, "filename": d.filename, "size": d.size, "content_type": d.content_type,
            "uploaded": d.uploaded, "event": d.event_id, "url": reverse("market:engagement_document", args=[d.pk])}


def engagement_detail(e: Engagement, user: Any) -> dict[str, Any]:
    documents = list(e.documents.all())
    by_event: dict[int, list[int]] = {}
    for d in documents:
        if d.event_id:
            by_event.setdefault(d.event_id, []).append(d.pk)
    plans = list(e.plans.order_by("version"))
    latest = plans[-1] if plans else None
    return {
        **engagement_summary(e),
        "assessment": e.assessment_id,
        "events": [{"id": ev.pk, "transition": ev.transition, "source": ev.source, "target": ev.target,
                    "by": (ev.by.get_full_name() or ev.by.username) if ev.by else None, "at": ev.at, "note": ev.note,
                    "due": ev.due, "on_time": None if ev.due is None else local_date(ev.at) <= ev.due,
                    "documents": by_event.get(ev.pk, [])} for ev in e.events.select_related("by")],
        "allowed_transitions": [{"name": t.name, "to": t.target, "label": str(t.label)}
                                for t in ENGAGEMENT_WORKFLOW.available(e, user)],
        "plan": None if latest is None else {
            "version": latest.version, "scope": latest.scope, "budget": str(latest.budget),
            "equipment": latest.equipment, "start": latest.start, "end": latest.end,
            "milestones": latest.milestones, "benefits": latest.benefits},
        "plans": len(plans),
        "progress": [{"milestone": p.milestone, "percent": p.percent, "event": p.event_id} for p in e.progress.all()],
        "outcomes": [{"indicator": o.indicator, "expected": str(o.expected), "measured": str(o.measured),
                      "event": o.event_id} for o in e.outcomes.all()],
        "documents": [document_out(d) for d in documents],
        "responded": e.responded, "accepted_on": e.accepted_on, "closed": e.closed, "rating": e.rating,
        "rating_comment": e.rating_comment,
    }


@router.post("/engagements", response={201: EngagementDetail},
             description="Request an engagement of a listed provider for the caller's own enterprise: "
             "`enterprise` (uscc), `provider` (id), `need`, optional `assessment` (a submitted diagnosis of the "
             "enterprise, which the provider may then read). 201 with the engagement (state `requested`, `due` "
             "the provider's deadline to answer). 404 for an enterprise or a provider the caller may not see; "
             "403 for a caller who may not request for that enterprise (only its own users may); 422 naming the "
             "field for bad input (an empty or hostile `need`, a provider not listed, another enterprise's or an "
             "unsubmitted assessment).")
def engagement_create(request: ApiRequest, body: EngagementIn) -> Status[dict[str, Any]]:
    enterprise = access_enterprise(user=request.auth, uscc=body.enterprise, related=False)
    provider = selectors.access_provider(user=request.auth, provider_id=body.provider)
    assessment = None
    if body.assessment is not None:
        assessment = next((a for a in offered_assessments(enterprise=enterprise) if a.pk == body.assessment), None)
        if assessment is None:
            raise InvalidInput(_("只能提供本企业已提交的诊断。"),
                               details=[{"field": "assessment", "message": str(body.assessment)}])
    e = services_engagement.engagement_request(by=request.auth, enterprise=enterprise, provider=provider,
                                               need=body.need, assessment=assessment)
    return Status(201, engagement_detail(access_engagement(user=request.auth, engagement_id=e.pk), request.auth))


@router.get("/engagements", response=list[EngagementSummary],
            description="The caller's engagements, newest first (at most 500): a provider's, an enterprise's, "
            "those of an officer's region (the province: all). `state` (a state or `open`) and `overdue` "
            "filter; an unknown state is 422.")
def engagements(request: ApiRequest, filters: Query[EngagementQuery]) -> list[dict[str, Any]]:
    return [engagement_summary(e) for e in engagement_list(user=request.auth, state=filters.state,
                                                           overdue=filters.overdue)[:500]]


@router.get("/engagements/{engagement_id}", response=EngagementDetail,
            description="An engagement with its events, plan, progress, outcomes, documents and the moves the "
            "caller may make now. 404 for anyone who may not see it: another provider, another enterprise, an "
            "officer of another region.")
def engagement_get(request: ApiRequest, engagement_id: int) -> dict[str, Any]:
    return engagement_detail(access_engagement(user=request.auth, engagement_id=engagement_id), request.auth)


@router.post("/engagements/{engagement_id}/transitions", response=EngagementDetail,
             description="Move the engagement to `to`, by the table's move from its present state, with `note` "
             "and what the move needs (`plan`, `progress`, `outcomes`, `rating` + `comment`, `documents`). 422 "
             "when `to` is no state or what the move needs is missing or wrong; 409 when the table has no move "
             "from the present state to `to`; 403 when the move is not the caller's; 404 when the caller may "
             "not see the engagement. The state is unchanged on any error.")
def engagement_transition(request: ApiRequest, engagement_id: int, body: TransitionIn) -> dict[str, Any]:
    e = access_engagement(user=request.auth, engagement_id=engagement_id)
    data = body.dict()
    moved = services_engagement.engagement_move(
        by=request.auth, engagement=e, to=body.to, note=body.note, plan=data["plan"], progress=data["progress"],
        outcomes=data["outcomes"], rating=body.rating, comment=body.comment, documents=body.documents)
    return engagement_detail(access_engagement(user=request.auth, engagement_id=moved.pk), request.auth)


@router.post("/engagements/{engagement_id}/documents", response={201: DocumentOut},
             description="Upload a document (multipart `file`, `kind`: report, plan, progress, acceptance or "
             "other) to an open engagement, for a move to bring by its id (`documents`). PDF, PNG, JPEG, XLSX "
             "or DOCX, checked by content and size (422). 403 for a viewer who is not a party or once the "
             "engagement has ended; 404 when the caller may not see it.")
def engagement_document(request: ApiRequest, engagement_id: int, file: File[UploadedFile],
                        kind: Form[str] = "other") -> Status[dict[str, Any]]:
    e = access_engagement(user=request.auth, engagement_id=engagement_id)
    found = services_engagement.engagement_document_add(by=request.auth, engagement=e, upload=file, kind=kind)
    return Status(201, document_out(found))
