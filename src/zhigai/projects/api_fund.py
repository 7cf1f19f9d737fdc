"""The special fund's API: rounds, applications, the allocation, payments and the ledger (issue 13)."""

from __future__ import annotations

from typing import Any

from ninja import Router, Status

from zhigai.core.types import ApiRequest
from zhigai.ledger.selectors import balance_list, entry_rows, journal_list, ledger_require

from . import fund, fund_selectors, payments
from .fund_models import AllocationRun, FundRound, Payment
from .schemas_fund import (
    AllocationOut,
    ApplicationIn,
    Created,
    LedgerOut,
    MoveIn,
    PaymentIn,
    PaymentOut,
    RoundDetail,
    RoundIn,
    RoundOut,
)

router = Router(tags=["fund"])


def round_out(r: FundRound) -> dict[str, Any]:
    return {"id": r.pk, "year": r.year, "budget": str(r.budget),
            "enterprise_cap": None if r.enterprise_cap is None else str(r.enterprise_cap),
            "city_min_share": str(r.city_min_share), "state": r.state}


def run_out(run: AllocationRun) -> dict[str, Any]:
    return {"id": run.pk, "status": run.status, "applied": run.applied, "funded": run.funded,
            "total_amount": str(run.total_amount), "total_benefit": str(run.total_benefit),
            "objective": run.objective, "bound": run.bound, "gap": run.gap, "proven_optimal": run.proven_optimal,
            "ranking_funded": run.ranking_funded, "ranking_total_benefit": str(run.ranking_total_benefit),
            "problems": run.problems, "reasons": run.reasons}


def payment_out(p: Payment) -> dict[str, Any]:
    return {"id": p.pk, "application": p.application_id, "amount": str(p.amount),
            "idempotency_key": p.idempotency_key, "state": p.state, "journal": p.journal_id}


@router.post("/fund/rounds", response={201: Created},
             description="Open a year's round (provincial officers): its budget is booked into the fund's "
             "available account. A second round for a year is 409.")
def round_create(request: ApiRequest, payload: RoundIn) -> Status[dict[str, Any]]:
    made = fund.fund_round_create(by=request.auth, year=payload.year, budget=payload.budget,
                                  enterprise_cap=payload.enterprise_cap, city_min_share=payload.city_min_share)
    return Status(201, {"id": made.pk})


@router.get("/fund/rounds", response=list[RoundOut])
def round_list(request: ApiRequest) -> list[dict[str, Any]]:
    return [round_out(r) for r in fund_selectors.round_list(user=request.auth)]


@router.get("/fund/rounds/{round_id}", response=RoundDetail,
            description="A round's budget and rules, and the applications the caller may see (a city's officers: "
            "their city's; an enterprise: its own).")
def round_detail(request: ApiRequest, round_id: int) -> dict[str, Any]:
    found = fund_selectors.access_round(user=request.auth, round_id=round_id)
    rows = fund_selectors.application_rows(fund_selectors.application_list(user=request.auth, fund_round=found))
    apps = [{**row, "amount": str(row["amount"]), "benefit": str(row["benefit"])} for row in rows]
    return {**round_out(found), "applications": apps}


@router.post("/fund/rounds/{round_id}/applications", response={201: Created},
             description="Apply with a project (its enterprise's users, officers of its region). `benefit`, a "
             "review score, replaces the published formula's (officers of the project's region only).")
def application_create(request: ApiRequest, round_id: int, payload: ApplicationIn) -> Status[dict[str, Any]]:
    found = fund_selectors.access_round(user=request.auth, round_id=round_id)
    project = fund_selectors.project_for_fund(user=request.auth, project_id=payload.project)
    made = fund.fund_application_create(by=request.auth, fund_round=found, project=project, amount=payload.amount,
                                        benefit=payload.benefit, note=payload.note)
    return Status(201, {"id": made.pk})


@router.post("/fund/rounds/{round_id}/allocate", response=AllocationOut,
             description="Run the certified allocation (provincial officers) and store the run. Only a proven "
             "optimum is applied (`applied`); an infeasible run names the rules that cannot all hold in `problems`. "
             "409 once payments were asked for.")
def allocate(request: ApiRequest, round_id: int) -> dict[str, Any]:
    found = fund_selectors.access_round(user=request.auth, round_id=round_id)
    return run_out(fund.fund_allocate(by=request.auth, fund_round=found))


@router.post("/payments", response={200: PaymentOut, 201: PaymentOut},
             description="Ask for a payment of an application's allocation: 201 the first time, 200 with the same "
             "payment for a repeated key, 409 for a key used with different content or beyond the allocation.")
def payment_create(request: ApiRequest, payload: PaymentIn) -> Status[dict[str, Any]]:
    application = fund_selectors.access_application(user=request.auth, application_id=payload.application)
    made, created = payments.payment_request(by=request.auth, application=application, amount=payload.amount,
                                             idempotency_key=payload.idempotency_key)
    return Status(201 if created else 200, payment_out(made))


@router.get("/payments/{payment_id}", response=PaymentOut)
def payment_detail(request: ApiRequest, payment_id: int) -> dict[str, Any]:
    return payment_out(fund_selectors.access_payment(user=request.auth, payment_id=payment_id))


@router.post("/payments/{payment_id}/transitions", response=PaymentOut,
             description="Move a payment: the city's approval or sending back, then the finance office's (never the "
             "same person), then made or failed. A sending back and a failure need a `note`.")
def payment_transition(request: ApiRequest, payment_id: int, payload: MoveIn) -> dict[str, Any]:
    found = fund_selectors.access_payment(user=request.auth, payment_id=payment_id)
    return payment_out(payments.payment_move(by=request.auth, payment=found, move=payload.move, note=payload.note))


@router.get("/ledger", response=LedgerOut,
            description="The ledger's entries with their legs, and the balances by account (provincial officers, "
            "finance). `round`: only the accounts of that round's year.")
def ledger(request: ApiRequest, round: int | None = None) -> dict[str, Any]:
    prefix = ""
    if round is not None:
        found = fund_selectors.access_round(user=request.auth, round_id=round)
        prefix = f"fund:{found.year}:"
    ledger_require(request.auth)
    entries = [{**e, "legs": [{"account": leg["account"], "amount": str(leg["amount"])} for leg in e["legs"]]}
               for e in entry_rows(journal_list(user=request.auth, prefix=prefix))]
    return {"entries": entries,
            "balances": [{"account": b.account.code, "name": b.name, "kind": b.account.kind,
                          "never_negative": b.account.never_negative, "balance": str(b.balance)}
                         for b in balance_list(user=request.auth, prefix=prefix)]}
