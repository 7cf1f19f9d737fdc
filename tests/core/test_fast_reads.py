"""The reads and template tags of every page view are Django's own and give what users rely on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.template import engines
from django.test import Client
from django.utils import timezone, translation

from tests.conftest import PASSWORD
from zhigai.base import selectors
from zhigai.base.models import Indicator, Industry, Tag
from zhigai.core.audit import audit_record

pytestmark = pytest.mark.django_db


def _render(source: str, **context: Any) -> str:
    return engines["django"].from_string("{% load i18n zhigai %}" + source).render(context)


def test_a_literal_translation_follows_the_active_language_after_it_was_first_rendered() -> None:
    template = engines["django"].from_string('{% load i18n zhigai %}{% translate "企业" %}|{% trans "指标" %}')
    with translation.override("zh-hans"):
        assert template.render({}) == "企业|指标"
    with translation.override("en"):
        assert template.render({}) == "Enterprises|Indicators"
    with translation.override("zh-hans"):
        assert template.render({}) == "企业|指标"


def test_other_forms_of_translate_work_as_django_has_them() -> None:
    with translation.override("en"):
        assert _render('{% translate "企业" as label %}[{{ label }}]') == "[Enterprises]"
        assert _render("{% translate word %}", word="企业") == "Enterprises"
        assert _render('{% translate "企业" noop %}') == "企业"
        assert _render('{% translate "企业"|upper %}') == "ENTERPRISES"
        assert _render("{% translate word %}", word="<b>") == "&lt;b&gt;"  # a variable is escaped as before


def test_the_platforms_tag_library_replaces_no_built_in_tag() -> None:
    from django.templatetags import i18n, static

    from zhigai.core.templatetags.zhigai import register

    assert not set(register.tags) & (set(i18n.register.tags) | set(static.register.tags))


def test_an_enterprise_is_read_with_its_tags_and_annual_indicators_in_year_order(make_enterprise: Any,
                                                                                province_user: Any) -> None:
    e = make_enterprise(employees=30, revenue="4000000", year=2020)
    for year in (2018, 2019):
        Indicator.objects.create(enterprise=e, year=year, employees=year - 1990)
    Indicator.objects.create(enterprise=e, year=2019, month=3, employees=1)  # a month: not an annual row
    e.tags.set(Tag.objects.order_by("code")[:2])
    audit_record(actor=province_user, action="update", entity="enterprise", entity_id=e.uscc)
    page = selectors.enterprise_page(user=province_user, uscc=e.uscc)
    assert [(r.year, r.employees) for r in page.years] == [(2018, 28), (2019, 29), (2020, 30)]
    assert sorted(page.tag_ids) == sorted(e.tags.values_list("id", flat=True))
    assert [h.entity_id for h in page.history] == [e.uscc]
    assert not page.tags_by_default
    bare = selectors.enterprise_page(user=province_user, uscc=make_enterprise().uscc)
    assert (bare.years, bare.history, bare.stages) == ([], [], [])
    # No tags of its own: its industry's, by default (selectors.tag_q).
    defaults = Industry.tags.through.objects.filter(industry__code="34").values_list("tag_id", flat=True)
    assert bare.tags_by_default and sorted(bare.tag_ids) == sorted(defaults)
    found = selectors.access_enterprise(user=province_user, uscc=e.uscc, related=False)
    assert selectors.indicator_years(user=province_user, enterprise=found) == page.years
    assert sorted(selectors.enterprise_tag_ids(user=province_user, enterprise=found)) == sorted(page.tag_ids)


def test_an_expired_session_is_not_read(client: Client, hangzhou_user: Any) -> None:
    assert client.post("/login/", {"username": hangzhou_user.username, "password": PASSWORD}).status_code == 302
    assert client.get("/enterprises/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/enterprises/")["Location"].startswith("/login/")


def test_postgresql_binds_on_the_server_and_prepares_repeated_statements(make_enterprise: Any) -> None:
    """Django's documented options (server_side_binding, psycopg's prepare_threshold): an ORM query run
    more than the threshold's times on a connection is prepared; SQLite has neither option."""
    options = connection.settings_dict.get("OPTIONS", {})
    if connection.vendor != "postgresql":
        assert "prepare_threshold" not in options and "server_side_binding" not in options
        return
    assert options["server_side_binding"] is True and options["prepare_threshold"] == 2
    e = make_enterprise()
    for _ in range(3):
        assert list(Indicator.objects.filter(enterprise_id=e.id, year=2017).values_list("id")) == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = " ".join(s for (s,) in cursor.fetchall())
    assert '"base_indicator"."year" = $' in prepared


def test_what_is_translated_once_per_language_is_translated_again_when_a_catalog_changes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The development server reloads a changed .mo without restarting (Django's file_changed signal)."""
    from django.utils.autoreload import file_changed

    from zhigai.core.cache import cached_figures

    calls: list[str] = []

    def label() -> str:
        return cached_figures(("test-label", translation.get_language()),
                              lambda: calls.append("built") or translation.gettext("企业"), areas=())

    with translation.override("en"):
        assert label() == label() == "Enterprises" and calls == ["built"]
        monkeypatch.setattr(translation, "gettext", lambda message: "Firms")
        file_changed.send(sender=None, file_path=Path("locale/en/LC_MESSAGES/django.po"))  # not a catalog
        assert label() == "Enterprises"
        file_changed.send(sender=None, file_path=Path("locale/en/LC_MESSAGES/django.mo"))
        assert label() == "Firms" and calls == ["built", "built"]
