"""The special fund's error codes (the API's `code`)."""

from __future__ import annotations

from enum import StrEnum


class FundError(StrEnum):
    FORBIDDEN = "fund_forbidden"  # the user may not do this to the round, application or payment
    ROUND_EXISTS = "fund_round_exists"  # a year has one round
    ROUND_CLOSED = "fund_round_closed"  # payments were asked against its allocation: the round is final
    APPLIED = "fund_applied"  # the project already applied in this round
    PROJECT_STATE = "fund_project_state"  # a project refused, under review or in breach does not apply
    INFEASIBLE = "fund_infeasible"  # the round's rules cannot all hold: nothing allocated
    NOT_PROVEN = "fund_not_proven"  # the run found an allocation but could not prove it optimal: not applied
    NOT_FUNDED = "fund_not_funded"  # a payment for an application the allocation did not fund
    OVER_ALLOCATED = "fund_over_allocated"  # the payments would add up to more than was allocated
    KEY_REUSED = "fund_key_reused"  # an idempotency key already used for a different payment
    SAME_APPROVER = "fund_same_approver"  # the two approvals of a payment by one person
    CLAWED_BACK = "fund_clawed_back"  # the application's money was clawed back: nothing more is paid
