"""The reads and template tags made fast for every page view give what Django's own would."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.template import engines
from django.templatetags.static import static
from django.test import Client
from django.utils import timezone, translation

from tests.conftest import PASSWORD
from zhigai.base import selectors
from zhigai.base.models import Indicator, Tag
from zhigai.core.models import AuditLog, Session
from zhigai.core.rawsql import RawModel, fetch_rows

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


def test_asset_is_the_static_url() -> None:
    assert _render("{% asset 'core/app.css' %}") == static("core/app.css")


def test_raw_model_converts_values_as_the_orm_does(make_enterprise: Any) -> None:
    e = make_enterprise(employees=12, revenue="1234567.89", year=2019)
    raw = RawModel(Indicator)
    sql = f"SELECT {raw.columns()} FROM {raw.table} WHERE enterprise_id = %s"
    for _attempt in range(4):  # PostgreSQL prepares the statement after its first uses: same rows after that
        (row,) = raw.fetch(sql, [e.id])
        assert row == Indicator.objects.get(enterprise=e)
        assert row.revenue == Decimal("1234567.89") and isinstance(row.revenue, Decimal)
        assert row.employees == 12 and row.year == 2019
    assert fetch_rows(sql, [-1]) == []
    audit = RawModel(AuditLog)
    AuditLog.objects.create(action="update", entity="enterprise", entity_id=e.uscc, subject=e.uscc,
                            before={"name": "旧"}, after={"name": "新"})
    (entry,) = audit.fetch(f"SELECT {audit.columns()} FROM {audit.table} WHERE subject = %s", [e.uscc])
    assert entry.before == {"name": "旧"} and entry.at == AuditLog.objects.get().at  # JSON and aware datetimes


def test_an_enterprise_is_read_with_its_tags_and_annual_indicators_in_year_order(make_enterprise: Any,
                                                                                province_user: Any) -> None:
    e = make_enterprise(employees=30, revenue="4000000", year=2020)
    for year in (2018, 2019):
        Indicator.objects.create(enterprise=e, year=year, employees=year - 1990)
    Indicator.objects.create(enterprise=e, year=2019, month=3, employees=1)  # a month: not an annual row
    e.tags.set(Tag.objects.order_by("code")[:2])
    found = selectors.access_enterprise(user=province_user, uscc=e.uscc, related=False)
    years = selectors.indicator_years(user=province_user, enterprise=found)
    assert [(r.year, r.employees) for r in years] == [(2018, 28), (2019, 29), (2020, 30)]
    assert sorted(selectors.enterprise_tag_ids(user=province_user, enterprise=found)) == sorted(
        e.tags.values_list("id", flat=True))
    bare = make_enterprise()
    found = selectors.access_enterprise(user=province_user, uscc=bare.uscc, related=False)
    assert selectors.indicator_years(user=province_user, enterprise=found) == []
    assert selectors.enterprise_tag_ids(user=province_user, enterprise=found) == []


def test_an_expired_session_is_not_read(client: Client, hangzhou_user: Any) -> None:
    assert client.post("/login/", {"username": hangzhou_user.username, "password": PASSWORD}).status_code == 302
    assert client.get("/enterprises/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/enterprises/")["Location"].startswith("/login/")


def test_raw_reads_are_prepared_on_postgresql_and_nothing_else_is() -> None:
    sql = "SELECT %s + 1 AS zhigai_prepared_probe"
    for _ in range(3):
        assert fetch_rows(sql, [1]) == [(2,)]
    if connection.vendor != "postgresql":
        assert "prepare_threshold" not in connection.settings_dict.get("OPTIONS", {})
        return
    assert connection.settings_dict["OPTIONS"]["prepare_threshold"] == 2
    with connection.cursor() as cursor:  # Django's own cursor binds on the client: never prepared
        for _ in range(3):
            cursor.execute("SELECT %s + 2 AS zhigai_client_probe", [1])
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = " ".join(s for (s,) in cursor.fetchall())
    assert "zhigai_prepared_probe" in prepared and "zhigai_client_probe" not in prepared


def test_what_is_translated_once_per_language_is_translated_again_when_a_catalog_changes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The development server reloads a changed .mo without restarting (Django's file_changed signal)."""
    from django.utils.autoreload import file_changed

    from zhigai.core.cache import per_language

    calls: list[str] = []
    label = per_language(lambda: calls.append("built") or translation.gettext("企业"))
    template = engines["django"].from_string('{% load i18n zhigai %}{% translate "企业" %}')
    with translation.override("en"):
        assert label() == label() == "Enterprises" and calls == ["built"]
        template.render({})
        monkeypatch.setattr(translation, "gettext", lambda message: "Firms")
        monkeypatch.setattr("django.templatetags.i18n.render_value_in_context", lambda value, context: "Firms")
        file_changed.send(sender=None, file_path=Path("locale/en/LC_MESSAGES/django.po"))  # not a catalog
        assert label() == "Enterprises" and template.render({}) == "Enterprises"
        file_changed.send(sender=None, file_path=Path("locale/en/LC_MESSAGES/django.mo"))
        assert label() == "Firms" and calls == ["built", "built"]
        assert template.render({}) == "Firms"
