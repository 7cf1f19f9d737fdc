"""The special fund's API shapes: money as decimal strings (yuan, two places), ids as integers."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from zhigai.core.schemas import InputSchema

Money = str


class RoundIn(InputSchema):
    year: int
    budget: Money | None = Field(None, description="yuan, decimal string; default 200000000.00")
    enterprise_cap: Money | None = Field(None, description="yuan: the most one enterprise is funded; none: no cap")
    city_min_share: str = Field("0", description="0..1 of the budget, at most four places")


class Created(Schema):
    id: int


class ApplicationIn(InputSchema):
    project: int = Field(description="the project's id")
    amount: Money = Field(description="asked, yuan, decimal string")
    benefit: str | None = Field(None, description="a review score replacing the formula's benefit (officers of the "
                                                  "project's region only); none: the published formula's")
    note: str = Field("", description="the review's note")

    multiline = frozenset({"note"})


class ApplicationOut(Schema):
    id: int
    project: int
    enterprise: str = Field(description="the enterprise's USCC")
    city: str = Field(description="the city's region code")
    amount: Money
    benefit: str
    benefit_source: str = Field(description="formula or review")
    funded: bool
    reason: dict[str, Any] = Field(description="why (not) funded by the applied allocation: {code, values}")


class RoundOut(Schema):
    id: int
    year: int
    budget: Money
    enterprise_cap: Money | None
    city_min_share: str
    state: str


class RoundDetail(RoundOut):
    applications: list[ApplicationOut]


class AllocationOut(Schema):
    id: int = Field(description="the run's id")
    status: str = Field(description="optimal (proven), feasible (not proven), infeasible or unsolved")
    applied: bool = Field(description="the run's allocation is the round's (only a proven optimum is applied)")
    funded: list[int]
    total_amount: Money
    total_benefit: str
    objective: float | None
    bound: float | None
    gap: float | None
    proven_optimal: bool
    ranking_funded: list[int]
    ranking_total_benefit: str
    problems: list[dict[str, Any]] = Field(description="the rules that cannot all hold: [{code, values}]")
    reasons: dict[str, dict[str, Any]] = Field(description="application id -> {code, values}")


class PaymentIn(InputSchema):
    application: int
    amount: Money
    idempotency_key: str = Field(description="unique per payment: the same key again is the same payment")


class PaymentOut(Schema):
    id: int
    application: int
    amount: Money
    idempotency_key: str
    state: str
    journal: int | None = Field(description="the ledger entry it booked, once paid")


class MoveIn(InputSchema):
    move: str = Field(description="region_approve, region_return, finance_approve, finance_return, resubmit, pay, "
                                  "fail, cancel_<state>")
    note: str = Field("", description="the reason: required to send back or fail")

    multiline = frozenset({"note"})


class LegOut(Schema):
    account: str
    amount: Money = Field(description="positive debits the account, negative credits it")


class EntryOut(Schema):
    id: int
    kind: str
    at: str
    memo: str
    source: str
    reverses: int | None
    legs: list[LegOut]


class BalanceOut(Schema):
    account: str
    name: str
    kind: str
    never_negative: bool
    balance: Money


class LedgerOut(Schema):
    entries: list[EntryOut]
    balances: list[BalanceOut]
