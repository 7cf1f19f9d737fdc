"""The market module's error codes (the API's `code`)."""

from __future__ import annotations

from enum import StrEnum


class MarketError(StrEnum):
    FORBIDDEN = "market_forbidden"  # not the provider's own user, nor a provincial officer
    LOCKED = "provider_locked"  # submitted or listed: its profile changes only after a return
    REGISTERED = "provider_registered"  # the user already acts for a provider
    NOTE_REQUIRED = "provider_note_required"  # a return, refusal or suspension without its reason
    NEEDS = "engagement_needs"  # a move without what the table says it needs (a note, report, plan, …)
    NO_SUCH_MOVE = "engagement_no_such_move"  # the table has no move from the present state to that one
    NOT_LISTED = "provider_not_listed"  # an engagement is requested of listed providers only
