"""The market module's error codes (the API's `code`)."""

from __future__ import annotations

from enum import StrEnum


class MarketError(StrEnum):
    FORBIDDEN = "market_forbidden"  # not the provider's own user, nor a provincial officer
    LOCKED = "provider_locked"  # submitted or listed: its profile changes only after a return
    REGISTERED = "provider_registered"  # the user already acts for a provider
    NOTE_REQUIRED = "provider_note_required"  # a return, refusal or suspension without its reason
