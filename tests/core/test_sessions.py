"""Sessions are Django's own (database engine) and stay as safe as Django makes them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from tests.conftest import PASSWORD


def _signed_in(client: Client, user: Any) -> None:
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


def test_sessions_use_a_stock_engine_every_process_shares() -> None:
    # A session deleted by one web process (signing out) must not stay valid in another: the database,
    # not a per-process cache.
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.AUTHENTICATION_BACKENDS == ["django.contrib.auth.backends.ModelBackend"]


def test_a_deactivated_user_is_signed_out(client: Client, hangzhou_user: Any) -> None:
    _signed_in(client, hangzhou_user)
    hangzhou_user.is_active = False
    hangzhou_user.save()
    assert client.get("/enterprises/")["Location"].startswith("/login/")


def test_a_password_changed_elsewhere_ends_the_session(client: Client, hangzhou_user: Any) -> None:
    _signed_in(client, hangzhou_user)
    hangzhou_user.set_password("another-long-password")
    hangzhou_user.save()
    assert client.get("/enterprises/")["Location"].startswith("/login/")


def test_signing_out_deletes_the_session(client: Client, hangzhou_user: Any) -> None:
    _signed_in(client, hangzhou_user)
    assert Session.objects.count() == 1
    client.post("/logout/")
    assert not Session.objects.exists()
    assert client.get("/enterprises/")["Location"].startswith("/login/")


def test_a_session_signed_out_elsewhere_is_not_accepted(hangzhou_user: Any) -> None:
    """Another tab (or another copy of the cookie) signs out: this one is signed out too."""
    first, second = Client(), Client()
    _signed_in(first, hangzhou_user)
    second.cookies[settings.SESSION_COOKIE_NAME] = first.cookies[settings.SESSION_COOKIE_NAME].value
    assert second.get("/enterprises/").status_code == 200
    first.post("/logout/")
    assert second.get("/enterprises/")["Location"].startswith("/login/")
