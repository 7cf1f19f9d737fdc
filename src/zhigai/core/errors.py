"""Error types shared by every module: a code for machines, a sentence for people, details for both."""

from __future__ import annotations

from typing import Any


class ZhigaiError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, details: Any = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details if details is not None else []


class InvalidInput(ZhigaiError):
    """Bad input: details is a list of {"field"/"row"/"column", "message"} items."""

    code = "invalid"
    status = 422


class PermissionDenied(ZhigaiError):
    code = "forbidden"
    status = 403


class Conflict(ZhigaiError):
    code = "conflict"
    status = 409


class SignInLocked(ZhigaiError):
    code = "sign_in_locked"
    status = 429


class Unauthorized(ZhigaiError):
    code = "unauthorized"
    status = 401
