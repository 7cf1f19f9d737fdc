"""Sign-in with throttling, and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .audit import audit_record, client_ip
from .errors import InvalidInput, SignInLocked, Unauthorized
from .models import ApiToken, User
from .text import text_problem
from .throttle import attempt_begin, attempt_succeeded, throttle_purge


def wait_text(seconds: int) -> str:
    """A wait for people: seconds under two minutes, else whole minutes (rounded up)."""
    if seconds < 120:
        return ngettext("%(n)d秒", "%(n)d秒", seconds) % {"n": seconds}
    minutes = -(-seconds // 60)
    return ngettext("%(n)d分钟", "%(n)d分钟", minutes) % {"n": minutes}


USERNAME_MAX = 150  # User.username and the throttle's keys


def user_sign_in(*, request: Any, username: str, password: str, channel: str = "web") -> User:
    """Check credentials and return the user. Raises Unauthorized when they are wrong (saying how many more
    failures start a wait), SignInLocked while a wait runs (saying how long: core.throttle), InvalidInput
    for a username no account can have.

    The attempt is counted before the password is checked, atomically, so concurrent guesses past the limit
    are refused without being checked, and a waiting account cannot be probed further.
    """
    username = (username or "").strip()
    # A username no account can have is refused before anything is counted or written (the columns
    # are 150 characters; PostgreSQL refuses a NUL): 422 naming the field.
    problem = text_problem(username) or (
        _("用户名不能超过%(n)d个字符") % {"n": USERNAME_MAX} if len(username) > USERNAME_MAX else None
    )
    if problem:
        raise InvalidInput(_("用户名有误：%(p)s") % {"p": problem}, details=[{"field": "username", "message": problem}])
    ip = client_ip(request)
    attempt = attempt_begin(username=username, address=ip)
    if isinstance(attempt, int):
        audit_record(actor=username, action="sign_in_locked", entity="user", entity_id=username,
                     summary=f"{channel}; {attempt}s", ip=ip)
        raise SignInLocked(
            _("登录失败次数过多，为保护账号，请%(wait)s后再试。") % {"wait": wait_text(attempt)},
            details=[{"retry_after": attempt}], retry_after=attempt,
        )
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        audit_record(actor=username, action="sign_in_failed", entity="user", entity_id=username, summary=channel, ip=ip)
        message = _("用户名或密码错误。")
        if attempt.wait_if_wrong:
            message += _("失败次数过多，请%(wait)s后再试。") % {"wait": wait_text(attempt.wait_if_wrong)}
        elif attempt.failures_left <= 2:
            message += ngettext("再失败%(n)d次后，需等待才能再次登录。", "再失败%(n)d次后，需等待才能再次登录。",
                                attempt.failures_left) % {"n": attempt.failures_left}
        raise Unauthorized(message, details=[{"failures_left": attempt.failures_left}])
    attempt_succeeded(attempt)
    throttle_purge()
    audit_record(actor=user, action="sign_in", entity="user", entity_id=user.pk, summary=channel, ip=ip)
    return user


def user_signed_out(*, user: Any, request: Any) -> None:
    """A user signed out of the web pages (or the admin): audited, and every API token of theirs revoked —
    signing out ends every way in that the user's password opened, not just this browser's session."""
    if not getattr(user, "is_authenticated", False):
        return
    revoked = api_tokens_revoke(user=user)
    audit_record(actor=user, action="sign_out", entity="user", entity_id=user.pk,
                 summary=f"web; {revoked} API token(s) revoked", ip=client_ip(request))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_issue(*, user: User) -> str:
    """A new token for the user (api_token_create without its expiry)."""
    return api_token_create(user=user)[0]


def api_token_create(*, user: User) -> tuple[str, datetime]:
    """A new token for the user and when it expires (API_TOKEN_TTL_HOURS); expired tokens are deleted."""
    api_tokens_purge()
    token = secrets.token_urlsafe(32)
    expires = timezone.now() + timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    ApiToken.objects.create(digest=_digest(token), user=user, expires=expires)
    return token, expires


def api_tokens_purge() -> int:
    """Delete every expired token (they open nothing already). Returns how many."""
    return ApiToken.objects.filter(expires__lte=timezone.now()).delete()[0]


def api_token_revoke(token: str) -> bool:
    """Revoke one token (its bearer signs out of the API). True if it existed."""
    return ApiToken.objects.filter(digest=_digest(token)).delete()[0] > 0


def api_tokens_revoke(*, user: Any) -> int:
    """Revoke every token of a user (sign-out, a new password). Returns how many."""
    return ApiToken.objects.filter(user_id=user.pk).delete()[0]


def api_token_user(token: str) -> User | None:
    found = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(token), expires__gt=timezone.now(), user__is_active=True)
        .first()
    )
    return found.user if found else None
