"""The subsidies' API: a project's quote, its invoices and claims, and the claims' moves."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router, Status

from zhigai.core.types import ApiRequest

from . import selectors_subsidy as selectors
from . import services_subsidy as services
from .models_subsidy import Invoice, SubsidyClaim
from .schemas_subsidy import ClaimIn, ClaimOut, InvoiceIn, InvoiceOut, QuoteOut, QuoteQuery, TransitionIn

router = Router(tags=["subsidies"])


def invoice_out(i: Invoice) -> dict[str, Any]:
    return {"id": i.pk, "number": i.number, "issuer_tax_id": i.issuer_tax_id, "date": i.date.isoformat(),
            "amount": str(i.amount), "equipment_line": i.equipment_line_id}


def claim_out(c: SubsidyClaim) -> dict[str, Any]:
    return {"id": c.pk, "project": c.project_id, "kind": c.kind, "program": c.program, "year": c.year,
            "state": c.state, "amount": str(c.amount), "rule_version": c.rule.code,
            "invoices": sorted(c.invoice_links.values_list("invoice_id", flat=True)),
            "working": {**c.working, "lines": selectors.claim_lines(c)} if c.working.get("lines") is not None
            else c.working}


@router.get("/projects/{project_id}/subsidy-quote", response=QuoteOut,
            description="The robot purchase subsidy of the project's robot lines under the rules in force for its "
            "enterprise's region in `year`, every line with its working; the post-project grant once accepted. "
            "404 for a project the caller may not see; 422 (subsidy_bad_year) for a bad year, subsidy_no_rule "
            "when no rule applies.")
def subsidy_quote(request: ApiRequest, project_id: int, query: Query[QuoteQuery]) -> dict[str, Any]:
    return selectors.project_quote(user=request.auth, project_id=project_id, year=query.year)


@router.post("/projects/{project_id}/invoices", response={201: InvoiceOut},
             description="Register an invoice of the project (its enterprise's users). 409 "
             "subsidy_invoice_duplicate: the same issuer and number already on the project; 422: a bad field.")
def invoice_create(request: ApiRequest, project_id: int, payload: InvoiceIn) -> Status[dict[str, Any]]:
    project = selectors.access_subsidy_project(user=request.auth, project_id=project_id, action="claim")
    return Status(201, invoice_out(services.invoice_add(by=request.auth, project=project, data=payload.dict())))


@router.get("/projects/{project_id}/invoices", response=list[InvoiceOut],
            description="The project's invoices (those who see its subsidies).")
def invoice_list(request: ApiRequest, project_id: int) -> list[dict[str, Any]]:
    project = selectors.access_subsidy_project(user=request.auth, project_id=project_id)
    return [invoice_out(i) for i in project.invoices.order_by("id")]


@router.post("/projects/{project_id}/subsidy-claims", response={201: ClaimOut},
             description="Claim a subsidy with the project's invoices; the amount is computed (its working "
             "stored). 409 subsidy_invoice_taken names the claim an invoice already backs (in any program); "
             "409 subsidy_not_accepted for a post-project grant before acceptance; 409 subsidy_nothing_to_claim "
             "when the caps are used up; 422: a bad field.")
def claim_create(request: ApiRequest, project_id: int, payload: ClaimIn) -> Status[dict[str, Any]]:
    project = selectors.access_subsidy_project(user=request.auth, project_id=project_id, action="claim")
    return Status(201, claim_out(services.claim_submit(by=request.auth, project=project, data=payload.dict())))


@router.get("/projects/{project_id}/subsidy-claims", response=list[ClaimOut],
            description="The project's subsidy claims, newest first.")
def claim_list(request: ApiRequest, project_id: int) -> list[dict[str, Any]]:
    project = selectors.access_subsidy_project(user=request.auth, project_id=project_id)
    return [claim_out(c) for c in selectors.claim_list(user=request.auth, project=project)]


@router.get("/subsidy-claims/{claim_id}", response=ClaimOut, description="One subsidy claim with its working.")
def claim_detail(request: ApiRequest, claim_id: int) -> dict[str, Any]:
    return claim_out(selectors.access_claim(user=request.auth, claim_id=claim_id))


@router.post("/subsidy-claims/{claim_id}/transitions", response=ClaimOut,
             description="Move a claim: approve (recomputed), reject (note), pay (posts to the ledger once), "
             "claw_back (note). 403 subsidy_forbidden: not an officer of the project's region; 409 "
             "transition_not_allowed from the wrong state, ledger_overdrawn when the program's budget is short.")
def claim_transition(request: ApiRequest, claim_id: int, payload: TransitionIn) -> dict[str, Any]:
    claim = selectors.access_claim(user=request.auth, claim_id=claim_id)
    return claim_out(services.claim_move(by=request.auth, claim=claim, move=payload.transition, note=payload.note))
