"""Cached figures depend on named areas of the data, whose versions change on commit of any write."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhigai.base.models import Enterprise, Indicator, Tag
from zhigai.core.cache import AREAS, area_versions, areas_changed, cached_figures, registered_models
from zhigai.core.models import AuditLog, DataVersion

pytestmark = pytest.mark.django_db
Commit = Callable[..., AbstractContextManager[Any]]


def _version_writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries if "core_dataversion" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_every_model_of_the_platform_says_which_areas_it_belongs_to() -> None:
    ours = [m for m in apps.get_models(include_auto_created=True) if m.__module__.startswith("zhigai.")]
    missing = [m._meta.label for m in ours if m not in registered_models()]
    assert missing == [], "register them with cache_areas_register() in their app's ready()"
    assert registered_models()[Enterprise.tags.through] == {"enterprises"}


def test_writes_that_send_no_signals_name_registered_models_or_known_areas() -> None:
    with pytest.raises(LookupError, match="cache_areas_register"):
        areas_changed(apps.get_model("sessions", "Session"))
    with pytest.raises(ValueError, match="Unknown cache area"):
        areas_changed("everything")
    with pytest.raises(ValueError, match="Unknown cache area"):
        cached_figures(("x",), lambda: 1, areas=("enterprise",))


def test_versions_change_on_commit_once_per_area_and_never_on_rollback(
        make_enterprise: Make, django_capture_on_commit_callbacks: Commit) -> None:
    e = make_enterprise()
    before = area_versions()
    with (CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True),
          transaction.atomic()):
        for year in (2018, 2019, 2020):
            Indicator.objects.create(enterprise=e, year=year, employees=1)
        e.name = "改名"
        e.save()
        e.tags.set(Tag.objects.all()[:2])
        assert _version_writes(queries) == []  # nothing before the commit
    assert len(_version_writes(queries)) == 1  # one statement for both areas
    after = area_versions()
    changed = {a for a in AREAS if after[a] != before[a]}
    assert changed == {"enterprises", "indicators"}
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                AuditLog.objects.create(action="x")  # an area-less model: no change either way
                Indicator.objects.create(enterprise=e, year=2021)
                raise RuntimeError
        except RuntimeError:
            pass
    assert area_versions() == after


def test_a_figure_follows_exactly_the_areas_it_names(make_enterprise: Make,
                                                     django_capture_on_commit_callbacks: Commit) -> None:
    calls: list[str] = []

    def figure() -> int:
        return cached_figures(("test-count",), lambda: calls.append("x") or Enterprise.objects.count(),
                              areas=("enterprises",))

    first = figure()
    assert figure() == first and len(calls) == 1
    with django_capture_on_commit_callbacks(execute=True):
        areas_changed("assessments", "indicators")
    assert figure() == first and len(calls) == 1
    with django_capture_on_commit_callbacks(execute=True):
        make_enterprise()
    assert figure() == first + 1 and len(calls) == 2


def test_a_request_reads_all_versions_in_one_query_and_only_if_it_uses_a_figure(client: Client,
                                                                                province_user: Any) -> None:
    def version_reads(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return sum("core_dataversion" in q["sql"] for q in queries)

    assert version_reads("/login/") == 0
    client.force_login(province_user)
    assert version_reads("/enterprises/") == 1
    assert version_reads("/") == 1
    DataVersion.objects.all().delete()  # a new database: every area starts at 0
    assert set(area_versions()) == set(AREAS)


Make = Callable[..., Any]


def test_a_sign_in_changes_nothing_cached(make_user: Callable[..., Any], django_capture_on_commit_callbacks: Commit,
                                          client: Client) -> None:
    """Every sign-in writes the user's last_login: were that a change of "access", each sign-in would throw
    away every user's cached scope. A change of the user's role or region still is one."""
    from tests.conftest import PASSWORD
    from zhigai.core.models import Role

    user = make_user(Role.CITY, region="330100")
    before = area_versions()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    assert area_versions() == before
    with django_capture_on_commit_callbacks(execute=True):
        user.role = Role.PROVINCE
        user.save()
    assert area_versions()["access"] != before["access"]


def test_a_migrate_changes_every_area(django_capture_on_commit_callbacks: Commit) -> None:
    """A data migration writes without model signals: after `migrate`, nothing cached before is used."""
    from django.core.management import call_command

    before = area_versions()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("migrate", verbosity=0)
    after = area_versions()
    assert all(after[a] != before[a] for a in AREAS)
