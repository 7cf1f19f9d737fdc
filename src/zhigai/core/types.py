"""Types for the acting user and for requests whose user is known to be signed in.

Selectors and policies take an `Actor` (who asks: anyone, signed in or not); services take a `User` (who
writes: always signed in). Pages behind @login_required and API endpoints behind the bearer token declare
their request as `AuthenticatedRequest` / `ApiRequest`, so `request.user` / `request.auth` is a User without a
cast (the pattern django-stubs documents for login_required views).
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from .models import User

Actor: TypeAlias = User | AnonymousUser


class AuthenticatedRequest(HttpRequest):
    user: User


class ApiRequest(HttpRequest):
    """What an endpoint of the API receives: config.api.BearerAuth has put the token's user in `auth` and the
    token itself in `auth_token`."""

    auth: User
    user: User
    auth_token: str
