"""Signing in (pages and API), bearer tokens, throttling of failed sign-ins and its audit trail (SPEC §1, §11)."""

from __future__ import annotations

import importlib
import json
from datetime import timedelta
from typing import Any

import pytest
from django.db.models import F
from django.test import Client
from django.utils import timezone

from tests.conftest import PASSWORD
from zhigai.core.models import ApiToken, AuditLog, Role, SignInThrottle

WRONG = "not-the-password"


def token_request(username: str, password: str) -> Any:
    return Client().post("/api/v1/auth/token", data=json.dumps({"username": username, "password": password}),
                         content_type="application/json")


def page_sign_in(client: Client, username: str, password: str, next_url: str = "") -> Any:
    path = "/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(path, {"username": username, "password": password})


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code and body["message"]


def bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def lock(username: str, limit: int) -> None:
    for _ in range(limit):
        assert token_request(username, WRONG).status_code == 401


def actions(username: str) -> list[str]:
    return list(AuditLog.objects.filter(entity="user").filter(actor_name=username)
                .order_by("id").values_list("action", flat=True))


# --- tokens ------------------------------------------------------------------------------------------------


def test_right_credentials_give_a_token_that_works(province_user: Any) -> None:
    response = token_request(province_user.username, PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires", "expires_in"} and len(body["token"]) >= 32
    assert bearer(body["token"]).get("/api/v1/me").json()["username"] == province_user.username
    assert not ApiToken.objects.filter(digest=body["token"]).exists(), "only a digest is stored"


@pytest.mark.parametrize(("username", "password"), [
    ("{user}", WRONG), ("{user}", ""), ("nobody-at-all", PASSWORD), ("{user}", PASSWORD.upper()),
])
def test_wrong_credentials_are_401_json(province_user: Any, username: str, password: str) -> None:
    response = token_request(username.format(user=province_user.username), password)
    assert_error(response, 401, "unauthorized")
    assert "token" not in response.json()


def test_inactive_user_gets_no_token_and_loses_existing_ones(province_user: Any, api_client: Any) -> None:
    client = api_client(province_user)
    province_user.is_active = False
    province_user.save()
    assert_error(token_request(province_user.username, PASSWORD), 401, "unauthorized")
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")


@pytest.mark.parametrize("who", ["province", "city", "enterprise"])
def test_me_describes_the_user(who: str, make_user: Any, make_enterprise: Any, api_client: Any) -> None:
    firm = make_enterprise(county="330102")
    user = {
        "province": lambda: make_user(Role.PROVINCE, region="330000"),
        "city": lambda: make_user(Role.CITY, region="330100"),
        "enterprise": lambda: make_user(Role.ENTERPRISE, enterprise=firm),
    }[who]()
    expected = {
        "province": {"role": "province", "region": "330000", "enterprise": None},
        "city": {"role": "city", "region": "330100", "enterprise": None},
        "enterprise": {"role": "enterprise", "region": None, "enterprise": firm.uscc},
    }[who]
    body = api_client(user).get("/api/v1/me").json()
    assert body == {"username": user.username, "provider": None, **expected}


def test_expired_token_is_refused(province_user: Any) -> None:
    token = token_request(province_user.username, PASSWORD).json()["token"]
    assert bearer(token).get("/api/v1/me").status_code == 200
    ApiToken.objects.filter(user=province_user).update(expires=timezone.now() - timedelta(seconds=1))
    assert_error(bearer(token).get("/api/v1/me"), 401, "unauthorized")


@pytest.mark.parametrize("header", ["Bearer ", "Bearer unknown-token", "bearer", "Basic Zm9vOmJhcg=="])
def test_unknown_or_missing_token_is_refused(header: str, province_user: Any) -> None:
    assert_error(Client(HTTP_AUTHORIZATION=header).get("/api/v1/me"), 401, "unauthorized")


def test_a_session_cookie_does_not_open_the_api(client: Client, province_user: Any) -> None:
    """The API authenticates by bearer token only: a signed-in browser cannot be driven into it (CSRF)."""
    client.force_login(province_user)
    assert_error(client.get("/api/v1/me"), 401, "unauthorized")


# --- throttling --------------------------------------------------------------------------------------------


@pytest.fixture(params=["default", 3])
def limit(request: Any, settings: Any) -> int:
    """The configured limit: the default one, and a smaller one to show the setting is what counts."""
    if request.param != "default":
        settings.LOGIN_FAILURE_LIMIT = request.param
    return settings.LOGIN_FAILURE_LIMIT


def expire_failures(settings: Any) -> None:
    """Let the failures' wait and window pass."""
    SignInThrottle.objects.update(last_failure=F("last_failure") - timedelta(
        seconds=settings.LOGIN_DELAY_MAX_SECONDS + settings.LOGIN_FAILURE_WINDOW_SECONDS + 1))


def test_default_limit_is_five() -> None:
    assert importlib.import_module("zhigai.config.settings").LOGIN_FAILURE_LIMIT == 5


def test_api_locks_after_limit_even_with_right_password(province_user: Any, limit: int, settings: Any) -> None:
    name = province_user.username
    lock(name, limit)
    assert_error(token_request(name, PASSWORD), 429, "sign_in_locked")
    assert_error(token_request(name.upper(), PASSWORD), 429, "sign_in_locked")  # no way round by case
    expire_failures(settings)
    assert token_request(name, PASSWORD).status_code == 200
    assert actions(name) == ["sign_in_failed"] * limit + ["sign_in_locked", "sign_in"]


def test_page_locks_after_limit_even_with_right_password(province_user: Any, limit: int,
                                                         settings: Any) -> None:
    name, client = province_user.username, Client()
    for _ in range(limit):
        wrong = page_sign_in(client, name, WRONG)
        assert wrong.status_code == 401 and wrong.context["error"]
    locked = page_sign_in(client, name, PASSWORD)
    assert locked.status_code != 302
    assert locked.context["error"] and locked.context["error"] != wrong.context["error"]
    assert locked.context["error"] in locked.content.decode()
    assert "_auth_user_id" not in client.session
    expire_failures(settings)
    assert page_sign_in(client, name, PASSWORD).status_code == 302
    assert client.get("/").status_code == 200


def test_lock_is_shared_by_page_and_api(province_user: Any, limit: int) -> None:
    for _ in range(limit):
        page_sign_in(Client(), province_user.username, WRONG)
    assert_error(token_request(province_user.username, PASSWORD), 429, "sign_in_locked")


def test_fewer_failures_than_the_limit_do_not_lock_and_success_resets(province_user: Any, limit: int) -> None:
    name = province_user.username
    lock(name, limit - 1)
    assert token_request(name, PASSWORD).status_code == 200
    lock(name, limit - 1)  # counted afresh after the success
    assert token_request(name, PASSWORD).status_code == 200


def test_failures_of_one_user_do_not_lock_another(province_user: Any, hangzhou_user: Any, limit: int) -> None:
    lock(province_user.username, limit)
    assert token_request(hangzhou_user.username, PASSWORD).status_code == 200


def test_audit_trail_of_sign_ins(province_user: Any) -> None:
    name = province_user.username
    token_request(name, WRONG)
    page_sign_in(Client(), name, PASSWORD)
    failed, success = AuditLog.objects.filter(entity="user", entity_id__in=[name, str(province_user.pk)]
                                              ).order_by("id")
    assert (failed.action, failed.actor, failed.actor_name, failed.summary) == ("sign_in_failed", None, name, "api")
    assert (success.action, success.actor, success.summary) == ("sign_in", province_user, "web")
    assert failed.ip == success.ip == "127.0.0.1"


# --- pages -------------------------------------------------------------------------------------------------


def test_sign_in_page_then_dashboard(province_user: Any) -> None:
    client = Client()
    form = client.get("/login/")
    assert form.status_code == 200 and b'name="password"' in form.content
    response = page_sign_in(client, province_user.username, PASSWORD)
    assert (response.status_code, response["Location"]) == (302, "/")
    home = client.get("/")
    assert home.status_code == 200
    assert "figures" in home.context


def test_wrong_password_on_the_page_shows_a_message(province_user: Any) -> None:
    response = page_sign_in(Client(), province_user.username, WRONG)
    assert response.status_code == 401
    assert response.context["error"] in response.content.decode()
    assert response.context["username"] == province_user.username


@pytest.mark.parametrize(("next_url", "target"), [
    ("/enterprises/", "/enterprises/"),
    ("https://evil.example/steal", "/"),
    ("//evil.example/steal", "/"),
    ("http://testserver.evil.example/", "/"),
])
def test_next_is_followed_only_on_this_site(province_user: Any, next_url: str, target: str) -> None:
    response = page_sign_in(Client(), province_user.username, PASSWORD, next_url)
    assert (response.status_code, response["Location"]) == (302, target)


def test_logout_is_post_only(province_user: Any) -> None:
    client = Client()
    client.force_login(province_user)
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200, "a GET did not sign out"
    response = client.post("/logout/")
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert client.get("/").status_code == 302


def test_passwords_are_hashed_with_argon2_in_production_settings() -> None:
    real = importlib.import_module("zhigai.config.settings")
    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
