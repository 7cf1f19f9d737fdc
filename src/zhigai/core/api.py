from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from .schemas import InputSchema
from .services import api_token_create, api_token_revoke, user_sign_in
from .types import ApiRequest

router = Router(tags=["auth"])


class TokenIn(InputSchema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires: datetime
    expires_in: int


# What the modules say about the user in /me (a provider's id from the market), filled in their ready():
# core knows no module, so a field a module owns is None until it registers the function that computes it.
_ME_FIELDS: dict[str, Callable[[Any], str | None]] = {}


def me_field_register(name: str, compute: Callable[[Any], str | None]) -> None:
    if name not in MeOut.model_fields:
        raise LookupError(f"/me has no field {name!r}: add it to MeOut")
    _ME_FIELDS[name] = compute


class MeOut(Schema):
    username: str
    role: str
    region: str | None
    enterprise: str | None
    provider: str | None = Field(description="the id of the provider the user acts for (GET /providers/{id})")


_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
_SIGN_IN_ERRORS = {"responses": {
    "401": {"description": "The username or the password is wrong (code `unauthorized`; `message` says how many "
                           "failures are left before a wait).", "content": _ERROR},
    "429": {"description": "Too many failed attempts: wait the seconds of the `Retry-After` header and of "
                           "`details[0].retry_after` (code `sign_in_locked`).", "content": _ERROR},
}}


@router.post("/auth/token", auth=None, response={200: TokenOut}, openapi_extra=_SIGN_IN_ERRORS,
             description="A bearer token, valid `expires_in` seconds (API_TOKEN_TTL_HOURS, 24 hours by default) "
             "unless revoked first: by DELETE /auth/token, by signing out of the web pages, by a new password. "
             "Failed attempts are throttled: 429 says how many seconds to wait (`Retry-After`).")
def token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    user = user_sign_in(request=request, username=payload.username, password=payload.password, channel="api")
    token, expires = api_token_create(user=user)
    return Status(200, {"token": token, "expires": expires, "expires_in": settings.API_TOKEN_TTL_HOURS * 3600})


@router.delete("/auth/token", response={204: None}, description="Revoke the token this request carries.")
def token_revoke(request: ApiRequest) -> Status[None]:
    api_token_revoke(request.auth_token)
    return Status(204, None)


@router.get("/me", response=MeOut)
def me(request: ApiRequest) -> dict[str, Any]:
    user = request.auth
    return {
        "username": user.username,
        "role": user.role,
        "region": user.region.code if user.region else None,
        "enterprise": user.enterprise.uscc if user.enterprise else None,
        "provider": None,
        **{name: compute(user) for name, compute in _ME_FIELDS.items()},
    }
