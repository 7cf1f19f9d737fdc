"""Sessions are read with their user and the data version in one statement, and stay as safe as Django's."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import PASSWORD
from zhigai.core.cache import user_prefetched
from zhigai.core.models import Session


def _signed_in(client: Client, user: Any) -> None:
    assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302


def test_a_signed_in_page_reads_session_user_and_data_version_in_one_statement(client: Client,
                                                                               hangzhou_user: Any) -> None:
    _signed_in(client, hangzhou_user)
    assert Session.objects.get().user_id == hangzhou_user.pk
    client.get("/")  # cached figures and reference data settle
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/enterprises/").status_code == 200
    sql = [q["sql"] for q in queries]
    assert not any('FROM "core_user"' in s and "core_session" not in s for s in sql), sql
    assert not any(s.startswith("SELECT value FROM core_dataversion") for s in sql), sql
    assert sum("core_session" in s for s in sql) == 1


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
    client.post("/logout/")
    assert not Session.objects.exists()
    assert client.get("/enterprises/")["Location"].startswith("/login/")


def test_the_user_read_with_a_session_is_kept_for_that_request_only(client: Client, hangzhou_user: Any) -> None:
    _signed_in(client, hangzhou_user)
    client.get("/enterprises/")
    assert user_prefetched(hangzhou_user.pk) is None  # outside a request nothing is kept
