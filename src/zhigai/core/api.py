from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status

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


class MeOut(Schema):
    username: str
    role: str
    region: str | None
    enterprise: str | None
    provider: str | None


@router.post("/auth/token", auth=None, response={200: TokenOut},
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
    }
