"""The projects' filing and lifecycle API: POST/GET /projects, GET /projects/{id},
POST /projects/{id}/transitions."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse
from ninja import Query, Router, Status

from zhigai.core.types import ApiRequest

from . import selectors, services
from .decision import decision_reason
from .models import Project
from .quota import land_place
from .schemas import ProjectCreated, ProjectIn, ProjectList, ProjectOut, ProjectQuery, TransitionIn
from .workflow import PROJECT_WORKFLOW

router = Router(tags=["projects"])
INVESTMENT = ("equipment", "software", "construction", "services")


def decision_out(decision: dict[str, Any], land_mu: Any = 0) -> dict[str, Any]:
    return {"reason": decision_reason(decision, land_mu=land_mu),
            "negative_list_entry": decision.get("negative_list_entry"), "category": decision.get("category"),
            "version": decision.get("version", ""), "commitment_signed": bool(decision.get("commitment_signed"))}


def summary_out(p: Project) -> dict[str, Any]:
    return {"id": p.pk, "enterprise": p.enterprise.uscc, "enterprise_name": p.enterprise.name,
            "region": p.enterprise.region.code, "title": p.title, "state": p.state,
            "state_name": p.get_state_display(), "investment_total": str(p.investment_total),
            "land_mu": str(p.land_mu), "land_independent": p.land_independent, "filed": p.created.isoformat()}


def project_out(p: Project, user: Any) -> dict[str, Any]:
    place = land_place(p)
    return {
        **summary_out(p),
        "description": p.description, "start": p.start.isoformat(), "end": p.end.isoformat(),
        "investment": {k: str(getattr(p, f"{k}_investment")) for k in INVESTMENT},
        "equipment": [{"kind": e.kind, "type": e.type, "origin": e.origin, "count": e.count,
                       "unit_price": str(e.unit_price), "amount": str(e.amount)} for e in p.equipment.all()],
        "expected": p.expected or {},
        "commitment": {"signed": p.commitment_signed is not None, "name": p.commitment_name,
                       "at": p.commitment_signed.isoformat() if p.commitment_signed else None,
                       "version": p.commitment_version},
        "decision": decision_out(p.decision, p.land_mu),
        "land": None if place is None else {
            "city": place.city.code, "year": place.year, "quota": str(place.quota), "used": str(place.used),
            "left": str(place.left), "queue_position": place.position},
        "events": [{"transition": e.transition, "source": e.source, "target": e.target,
                    "by": e.by.username if e.by else None, "at": e.at.isoformat(), "note": e.note}
                   for e in p.events.select_related("by")],
        "transitions": [{"name": t.name, "to": t.target, "label": str(t.label)}
                        for t in PROJECT_WORKFLOW.available(p, user) if t.name != "approve_wait"],
    }


@router.post("/projects", response={201: ProjectCreated},
             description="File a project. The negative list decides first: a prohibited project is refused with "
             "422 `project_prohibited`: the error's shape with the same `decision` beside it (nothing is stored; the "
             "attempt is audited). A restricted "
             "one, or one whose enterprise does not sign the commitment, is `under_review`; otherwise it is "
             "`filed` at once, or `waiting_land` when it needs more land than its city's quota has left. 422 "
             "`invalid` names each bad field; 404 for an enterprise the caller may not see; 403 for a caller "
             "who may not file for it (only its own users).")
def project_create(request: ApiRequest, payload: ProjectIn) -> Any:
    try:
        project = services.project_file(by=request.auth, data=payload.model_dump())
    except services.ProjectRefused as exc:
        # The error's shape, and the decision beside it, as a filed project has it.
        return JsonResponse({"code": exc.code, "message": exc.message, "details": exc.details,
                             "decision": decision_out(exc.decision)}, status=422)
    return Status(201, {"id": project.pk, "state": project.state,
                        "decision": decision_out(project.decision, project.land_mu)})


@router.get("/projects", response=ProjectList,
            description="The projects of the enterprises the caller reaches, newest filed first, filtered. An "
                        "unknown code is 422.")
def project_index(request: ApiRequest, filters: Query[ProjectQuery]) -> dict[str, Any]:
    given = filters.model_dump()
    limit, offset = given.pop("limit"), given.pop("offset")
    found = selectors.project_list(user=request.auth, filters=selectors.ProjectFilters(**given))
    return {"count": found.count(), "items": [summary_out(p) for p in found[offset:offset + limit]]}


@router.get("/projects/{project_id}", response=ProjectOut,
            description="A project the caller may see: its state, decision, equipment, land, events and the "
                        "transitions the caller may make now. 404 for another tenant's.")
def project_detail(request: ApiRequest, project_id: int) -> dict[str, Any]:
    return project_out(selectors.access_project(user=request.auth, project_id=project_id), request.auth)


@router.post("/projects/{project_id}/transitions", response=ProjectOut,
             description="Move the project to the state `to`. 409 `transition_not_allowed` when the lifecycle has "
             "no such move from its state; 403 when the caller's role may not make it; 422 "
             "`project_note_required` when a return, refusal, rectification, breach or progress report has no "
             "`note`. Approving a project under review (`to`: filed) files it, or puts it in the land queue when "
             "its city's quota has no room.")
def project_transition(request: ApiRequest, project_id: int, payload: TransitionIn) -> dict[str, Any]:
    project = selectors.access_project(user=request.auth, project_id=project_id)
    moved = services.project_move(by=request.auth, project=project, to=payload.to, note=payload.note)
    return project_out(selectors.access_project(user=request.auth, project_id=moved.pk), request.auth)
