"""Error types shared by every module: a code for machines, a sentence for people, details for both.

Each module lists its own codes as a `StrEnum` and registers it (`error_codes_register`, in its
AppConfig.ready), so that the API's OpenAPI document names every code a client may meet.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    """The platform's own codes: the kinds of error, the API's answers, the workflow's refusals."""

    ERROR = "error"
    INVALID = "invalid"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    NOT_FOUND = "not_found"
    UNAUTHORIZED = "unauthorized"
    SIGN_IN_LOCKED = "sign_in_locked"
    BAD_REQUEST = "bad_request"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    TOO_LARGE = "too_large"
    SERVER_ERROR = "server_error"
    TRANSITION_FORBIDDEN = "transition_forbidden"
    TRANSITION_NOT_ALLOWED = "transition_not_allowed"
    UNKNOWN_TRANSITION = "unknown_transition"


_CODES: dict[str, type[StrEnum]] = {"core": ErrorCode}


def error_codes_register(module: str, codes: type[StrEnum]) -> None:
    clash = {c.value for c in codes} & {c.value for name, e in _CODES.items() if name != module for c in e}
    if clash:
        raise ValueError(f"error codes of {module} already used by another module: {sorted(clash)}")
    _CODES[module] = codes


def error_codes() -> dict[str, str]:
    """Every registered code and the module it belongs to."""
    return {c.value: module for module, codes in sorted(_CODES.items()) for c in codes}


class ZhigaiError(Exception):
    code: str = ErrorCode.ERROR
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details if details is not None else []


class InvalidInput(ZhigaiError):
    """Bad input: details is a list of {"field"/"row"/"column", "message"} items."""

    code = ErrorCode.INVALID
    status = 422


class PermissionDenied(ZhigaiError):
    code = ErrorCode.FORBIDDEN
    status = 403


class Conflict(ZhigaiError):
    code = ErrorCode.CONFLICT
    status = 409


class SignInLocked(ZhigaiError):
    """Too many failed sign-ins: `retry_after` is the whole seconds to wait (the API's Retry-After)."""

    code = ErrorCode.SIGN_IN_LOCKED
    status = 429

    def __init__(self, message: str, *, retry_after: int = 0, **kwargs: Any):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class Unauthorized(ZhigaiError):
    code = ErrorCode.UNAUTHORIZED
    status = 401
