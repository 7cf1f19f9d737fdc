"""Pages served from cached HTML and lighter queries show exactly what is theirs to show.

The enterprise list is rendered once per data version for all who see the same (core.cache); the
enterprise page labels its region, industry, cluster and tags from cached reference data and reads its
history by the audit trail's subject. These tests hold both to what a user must see.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from importlib import import_module
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.base.test_pages import login, row_names, text
from tests.conftest import new_uscc
from zhigai.base import services
from zhigai.base.models import Cluster, Enterprise, Tag
from zhigai.core.audit import audit_record
from zhigai.core.models import AuditLog, Role, User

Make = Callable[..., Any]


@pytest.fixture
def three(make_enterprise: Make) -> dict[str, Enterprise]:
    return {name: make_enterprise(county, name=name)
            for name, county in (("杭州甲", "330102"), ("杭州乙", "330106"), ("宁波丙", "330203"))}


def test_each_scope_gets_its_own_list_from_the_same_address(client: Client, province_user: User,
                                                            hangzhou_user: User, ningbo_user: User,
                                                            three: dict[str, Enterprise]) -> None:
    expected = {province_user: ["宁波丙", "杭州乙", "杭州甲"], hangzhou_user: ["杭州乙", "杭州甲"],
                ningbo_user: ["宁波丙"]}
    for _round in range(2):  # the second round is served from the cache
        for user, names in expected.items():
            login(client, user)
            assert row_names(text(client.get("/enterprises/"))) == names
            fragment = text(client.get("/enterprises/", headers={"HX-Request": "true"}))
            assert "<html" not in fragment and row_names(fragment) == names


def test_the_register_button_follows_the_users_right(client: Client, make_user: Make, make_enterprise: Make) -> None:
    own = make_enterprise(name="本企业")
    login(client, make_user(Role.PROVINCE, region="330000"))
    assert 'href="/enterprises/new/"' in text(client.get("/enterprises/"))
    login(client, make_user(Role.ENTERPRISE, enterprise=own))
    page = text(client.get("/enterprises/"))
    assert row_names(page) == ["本企业"] and 'href="/enterprises/new/"' not in page


def test_a_cached_list_is_still_only_for_signed_in_users(client: Client, province_user: User,
                                                         three: dict[str, Enterprise]) -> None:
    login(client, province_user)
    assert client.get("/enterprises/").status_code == 200
    client.logout()
    response = client.get("/enterprises/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_list_follows_language_and_query(client: Client, province_user: User,
                                             three: dict[str, Enterprise]) -> None:
    login(client, province_user)
    assert "企业名称" in text(client.get("/enterprises/"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = text(client.get("/enterprises/"))
    assert "Enterprise name" in english and "企业名称" not in english
    assert row_names(text(client.get("/enterprises/", {"region": "330200"}))) == ["宁波丙"]
    assert row_names(text(client.get("/enterprises/", {"region": "330200", "extra": "1"}))) == ["宁波丙"]


def test_the_list_shows_a_write_at_once(client: Client, province_user: User, hangzhou_user: User,
                                        three: dict[str, Enterprise], django_capture_on_commit_callbacks: Any) -> None:
    login(client, province_user)
    assert "杭州新登记" not in text(client.get("/enterprises/"))
    with django_capture_on_commit_callbacks(execute=True):  # the test's own transaction never commits
        services.enterprise_create(by=hangzhou_user, data={"uscc": new_uscc(), "name": "杭州新登记",
                                                           "region": "330102", "industry": "34"})
    assert "杭州新登记" in row_names(text(client.get("/enterprises/")))


def test_the_list_shows_a_change_made_in_the_admin(client: Client, make_user: Make, three: dict[str, Enterprise],
                                                   django_capture_on_commit_callbacks: Any) -> None:
    admin = make_user(Role.PROVINCE, region="330000")
    User.objects.filter(id=admin.id).update(is_superuser=True, is_staff=True)
    admin.refresh_from_db()
    login(client, admin)
    assert "杭州甲" in row_names(text(client.get("/enterprises/")))
    e = three["杭州甲"]
    form = {"uscc": e.uscc, "name": "后台改名", "region": e.region_id, "industry": e.industry_id,
            "stage": e.stage, "tags": []}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/admin/base/enterprise/{e.id}/change/", form).status_code == 302
    assert "后台改名" in row_names(text(client.get("/enterprises/")))


# --- the enterprise page -----------------------------------------------------------------------------------


def profile(page: str) -> dict[str, str]:
    block = re.search(r'<dl class="profile">(.*?)</dl>', page, re.S).group(1)  # type: ignore[union-attr]
    return {html.unescape(dt): re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", dd))).strip()
            for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block, re.S)}


def test_enterprise_page_labels_its_region_industry_cluster_and_tags(client: Client, hangzhou_user: User,
                                                                      make_enterprise: Make) -> None:
    cluster = Cluster.objects.filter(region__code__startswith="3301").first()
    assert cluster is not None
    e = make_enterprise("330106", industry="34", cluster=cluster, founded_year=2001)
    e.tags.set(Tag.objects.filter(code__in=["hightech", "equipment"]))
    bare = make_enterprise("330102")
    login(client, hangzhou_user)
    shown = profile(text(client.get(f"/enterprises/{e.uscc}/")))
    assert shown["地区"] == "杭州市 · 西湖区 (330106)"
    assert shown["行业"] == f"34 {e.industry.name_zh}"
    assert shown["产业集群"] == cluster.name_zh
    assert shown["标签"] == " ".join(Tag.objects.get(code=c).name_zh for c in sorted(["hightech", "equipment"]))
    assert shown["成立年份"] == "2001"
    empty = profile(text(client.get(f"/enterprises/{bare.uscc}/")))
    assert (empty["产业集群"], empty["成立年份"]) == ("—", "—")
    # No tags of its own: its industry's count for it (base.selectors.tag_q), and the page says so.
    default = " ".join(t.name_zh for t in Tag.objects.filter(industries__code="34").order_by("code"))
    assert empty["标签"] == f"{default} （按行业默认：本企业未设标签）"
    assert "按行业默认" not in shown["标签"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = profile(text(client.get(f"/enterprises/{e.uscc}/")))
    assert english["Region"] == "Hangzhou · Xihu District (330106)"


def test_enterprise_page_is_404_outside_the_scope(client: Client, ningbo_user: User, make_enterprise: Make) -> None:
    e = make_enterprise("330102")
    login(client, ningbo_user)
    assert client.get(f"/enterprises/{e.uscc}/").status_code == 404
    assert client.get("/enterprises/not-a-code/").status_code == 404


def test_enterprise_page_queries(client: Client, hangzhou_user: User, make_enterprise: Make,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The session, its user and the cache areas' versions (Django's own reads, and one for all areas), then
    the enterprise (with whether it has a history), its annual indicators, its tag ids, its stage records and
    its history if it has any: one query each, however many years, tags or audit entries (labels come from
    cached reference data)."""
    # Other modules' sections: their own reads.
    monkeypatch.setattr("zhigai.base.sections._SECTIONS", {"page": [], "home": []})
    e = make_enterprise(employees=30, revenue="4000000", year=2020)
    e.tags.set(Tag.objects.all()[:3])
    login(client, hangzhou_user)
    client.get(f"/enterprises/{e.uscc}/")  # reference labels cached
    for history, expected in ((False, 7), (True, 8)):
        if history:
            for year in (2018, 2019):
                audit_record(actor=hangzhou_user, action="update", entity="indicator", entity_id=f"{e.uscc}/{year}/0")
                services.indicator_put(by=hangzhou_user, enterprise=e, year=year, data={"employees": 20})
            e.tags.set(Tag.objects.all()[:5])
        with CaptureQueriesContext(connection) as queries:
            page = text(client.get(f"/enterprises/{e.uscc}/"))
        assert len(queries) == expected, [q["sql"][:120] for q in queries]
        assert ("尚无变更记录" in page) is not history


# --- the audit trail's subject -------------------------------------------------------------------------------


def test_every_audit_entry_names_its_subject(hangzhou_user: User, make_enterprise: Make) -> None:
    e = make_enterprise()
    assert audit_record(actor=hangzhou_user, action="update", entity="indicator",
                        entity_id=f"{e.uscc}/2020/0").subject == e.uscc
    assert audit_record(actor=hangzhou_user, action="update", entity="enterprise", entity_id=e.uscc).subject == e.uscc
    assert audit_record(actor=hangzhou_user, action="create", entity="assessment", entity_id=7,
                        subject=e.uscc).subject == e.uscc


def test_history_shows_only_the_enterprises_entries(client: Client, hangzhou_user: User,
                                                    make_enterprise: Make) -> None:
    e, other = make_enterprise(), make_enterprise()
    for entity, entity_id in (("enterprise", e.uscc), ("indicator", f"{e.uscc}/2020/0"),
                              ("indicator", f"{other.uscc}/2020/0"), ("user", e.uscc), ("file", "abc")):
        audit_record(actor=hangzhou_user, action="update", entity=entity, entity_id=entity_id)
    login(client, hangzhou_user)
    history = text(client.get(f"/enterprises/{e.uscc}/")).split("变更记录</h2>")[1]
    assert re.findall(r"<td>(2020年指标|企业信息)</td>", history) == ["2020年指标", "企业信息"]


def test_migration_fills_the_subject_of_existing_entries(hangzhou_user: User) -> None:
    rows = [("indicator", "91330102MA2H3B4C5D/2020/0"), ("enterprise", "91330102MA2H3B4C5D"), ("user", "7"),
            ("file", "")]
    for entity, entity_id in rows:
        AuditLog.objects.create(actor=hangzhou_user, action="update", entity=entity, entity_id=entity_id)
    fill_subject = import_module("zhigai.core.migrations.0003_auditlog_subject").fill_subject

    class Editor:  # the part of a schema editor the function uses
        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

    fill_subject(None, Editor())
    assert list(AuditLog.objects.order_by("id").values_list("subject", flat=True)) == [
        "91330102MA2H3B4C5D", "91330102MA2H3B4C5D", "7", ""]


# --- the page header, rendered once per user and language -----------------------------------------------------


def test_header_names_each_user_and_carries_this_requests_token_and_address(make_user: Make,
                                                                            make_enterprise: Make) -> None:
    first, second = make_user(Role.CITY, region="330100"), make_user(Role.CITY, region="330100")
    make_enterprise()
    for user in (first, second, first):
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        page = text(client.get("/enterprises/?q=<b>"))
        header = page.split("<header", 1)[1].split("</header>", 1)[0]
        assert f"{user.username} · " in header and "杭州市" in header
        assert 'name="next" value="/enterprises/?q=%3Cb%3E"' in header or 'value="/enterprises/?q=&lt;b&gt;"' in header
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', header)
        assert len(tokens) == 2 and "zhigai-header" not in header
        # The token in the cached header is this session's: signing out with it works.
        assert client.post("/logout/", {"csrfmiddlewaretoken": tokens[1]}).status_code == 302
        assert client.get("/enterprises/").status_code == 302


def test_header_of_a_signed_out_visitor_has_no_navigation(client: Client, db: Any) -> None:
    page = text(client.get("/login/"))
    header = page.split("<header", 1)[1].split("</header>", 1)[0]
    assert "<nav>" not in header and 'data-testid="lang-switch"' in header
    assert len(re.findall(r'name="csrfmiddlewaretoken" value="[^"]+"', header)) == 1
