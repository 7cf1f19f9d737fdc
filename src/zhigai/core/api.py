from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from .errors import Unauthorized
from .schemas import InputSchema
from .services import api_token_issue, user_sign_in
from .types import ApiRequest

router = Router(tags=["auth"])


class TokenIn(InputSchema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class ErrorOut(Schema):
    code: str
    message: str
    details: list[dict[str, Any]] = []


class MeOut(Schema):
    username: str
    role: str
    region: str | None
    enterprise: str | None
    provider: str | None


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut, 429: ErrorOut})
def token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, str]]:
    user = user_sign_in(request=request, username=payload.username, password=payload.password, channel="api")
    if user is None:
        raise Unauthorized("Wrong username or password.")
    return Status(200, {"token": api_token_issue(user=user)})


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
