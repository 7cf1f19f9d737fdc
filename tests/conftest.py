"""Shared fixtures: reference data loaded once per test database, users of every role, enterprises."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from zhigai.base.models import Enterprise, Indicator, Industry, Region
from zhigai.base.uscc import ALPHABET, make_uscc
from zhigai.core.cache import local_clear
from zhigai.core.models import Role, User

PASSWORD = "correct-horse-battery"
_serial = itertools.count(1)


def reference_load() -> None:
    from zhigai.base.reference import reference_data_load
    from zhigai.core.reference import reference_loaders
    from zhigai.diagnosis.loader import maturity_models_load

    reference_data_load()
    maturity_models_load()
    for loader in reference_loaders():
        loader.load()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        reference_load()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any, tmp_path: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only in tests
    # Each test's transaction is rolled back, so data versions repeat between tests: forget the
    # in-process level of cached figures (the shared level lives in the database and rolls back too).
    local_clear()
    # A request through the test client leaves its language active in the thread: start each test in
    # the default language, whatever ran before it on this worker.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


def new_uscc(county: str = "330102") -> str:
    """A valid, unique code for a test enterprise in the given county."""
    n = next(_serial)
    tail = ""
    for _ in range(9):
        n, r = divmod(n, 31)
        tail = ALPHABET[r] + tail
    return make_uscc("91" + county + tail)


@pytest.fixture
def make_enterprise(db: Any) -> Callable[..., Enterprise]:
    def make(county: str = "330102", industry: str = "34", name: str | None = None,
             employees: int | None = None, revenue: str | None = None, year: int = 2020,
             **fields: Any) -> Enterprise:
        enterprise = Enterprise.objects.create(
            uscc=fields.pop("uscc", None) or new_uscc(county), name=name or f"测试企业{next(_serial)}",
            region=Region.objects.get(code=county), industry=Industry.objects.get(code=industry), **fields)
        if employees is not None or revenue is not None:
            from zhigai.base.services import enterprise_refresh_derived

            Indicator.objects.create(enterprise=enterprise, year=year, employees=employees,
                                     revenue=Decimal(revenue) if revenue is not None else None)
            enterprise_refresh_derived(ids=[enterprise.id])
            enterprise.refresh_from_db()
        return enterprise

    return make


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(role: str, username: str | None = None, region: str | None = None,
             enterprise: Enterprise | None = None, industries: list[str] | None = None) -> User:
        user = User.objects.create_user(
            username=username or f"{role}{next(_serial)}", password=PASSWORD, role=role,
            region=Region.objects.get(code=region) if region else None, enterprise=enterprise)
        if industries:
            user.industries.set(Industry.objects.filter(code__in=industries))
        return user

    return make


@pytest.fixture
def province_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.PROVINCE, region="330000")


@pytest.fixture
def hangzhou_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.CITY, region="330100")


@pytest.fixture
def ningbo_user(make_user: Callable[..., User]) -> User:
    return make_user(Role.CITY, region="330200")


@pytest.fixture
def api_client(client: Any) -> Callable[[User], Any]:
    """A Django test client that sends a fresh bearer token for the given user."""
    from django.test import Client

    from zhigai.core.services import api_token_issue

    def for_user(user: User) -> Any:
        return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user)}")

    return for_user
