"""Sign-in with throttling, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_record, client_ip
from .errors import InvalidInput, SignInLocked
from .models import ApiToken, LoginFailure, User
from .text import text_problem


def _recent_failures(username: str) -> int:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return LoginFailure.objects.filter(username=username.lower(), at__gte=since).count()


USERNAME_MAX = 150  # User.username and LoginFailure.username


def user_sign_in(*, request: Any, username: str, password: str, channel: str = "web") -> User | None:
    """Check credentials; None when wrong. Raises SignInLocked after too many recent failures.

    The lock is checked before the password so that a locked account cannot be probed further.
    """
    username = (username or "").strip()
    # A username no account can have is refused before anything is counted or written (the columns
    # are 150 characters; PostgreSQL refuses a NUL): 422 naming the field.
    problem = text_problem(username) or (
        _("用户名不能超过%(n)d个字符") % {"n": USERNAME_MAX} if len(username) > USERNAME_MAX else None
    )
    if problem:
        raise InvalidInput(_("用户名有误：%(p)s") % {"p": problem}, details=[{"field": "username", "message": problem}])
    if _recent_failures(username) >= settings.LOGIN_FAILURE_LIMIT:
        audit_record(
            actor=username,
            action="sign_in_locked",
            entity="user",
            entity_id=username,
            summary=channel,
            ip=client_ip(request),
        )
        minutes = settings.LOGIN_FAILURE_WINDOW_SECONDS // 60
        raise SignInLocked(_("登录失败次数过多，该账号已暂时锁定，请%(m)d分钟后再试。") % {"m": minutes})
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        LoginFailure.objects.create(username=username.lower(), ip=client_ip(request))
        audit_record(
            actor=username,
            action="sign_in_failed",
            entity="user",
            entity_id=username,
            summary=channel,
            ip=client_ip(request),
        )
        return None
    LoginFailure.objects.filter(username=username.lower()).delete()
    audit_record(actor=user, action="sign_in", entity="user", entity_id=user.pk, summary=channel, ip=client_ip(request))
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_issue(*, user: User) -> str:
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        digest=_digest(token),
        user=user,
        expires=timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS),
    )
    return token


def api_token_user(token: str) -> User | None:
    found = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(token), expires__gt=timezone.now(), user__is_active=True)
        .first()
    )
    return found.user if found else None
