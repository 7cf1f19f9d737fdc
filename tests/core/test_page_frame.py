"""What every page has around its content: breadcrumbs given by the view, the favicon, a sign-in page that
says what the platform holds, and a language switch that returns to the same page with its filters."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from zhigai.core.models import Role
from zhigai.core.nav import platform_parts

pytestmark = pytest.mark.django_db


def _crumbs(html: str) -> list[str]:
    nav = re.search(r'<nav class="crumbs".*?</nav>', html, re.S)
    assert nav, "no breadcrumbs"
    return [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li>(.*?)</li>", nav.group(0), re.S)]


def test_the_sign_in_page_lists_what_the_registered_modules_hold_and_promises_nothing_else(client: Client) -> None:
    html = client.get("/login/").content.decode()
    parts = platform_parts()
    assert len(parts) >= 2 and all(part in html for part in parts)
    for missing in ("补助", "融资"):  # modules not built yet
        assert missing not in html


def test_pages_below_the_enterprise_show_the_way_back_as_breadcrumbs(client: Client, make_user: Any,
                                                                      make_enterprise: Any) -> None:
    e = make_enterprise(name="面包屑企业")
    client.force_login(make_user(Role.PROVINCE, region="330000"))
    assert _crumbs(client.get(f"/enterprises/{e.uscc}/").content.decode()) == ["企业", "面包屑企业"]
    edit = client.get(f"/enterprises/{e.uscc}/edit/").content.decode()
    assert _crumbs(edit) == ["企业", "面包屑企业", "修改企业信息"]
    html = client.get(f"/enterprises/{e.uscc}/diagnosis/").content.decode()
    assert _crumbs(html) == ["企业", "面包屑企业", "诊断"]
    assert "‹" not in html
    assert 'href="/enterprises/"' in html and 'aria-current="page"' in html


def test_the_favicon_is_served_at_the_root(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_the_language_switch_returns_to_the_page_with_its_query_string(client: Client, make_user: Any) -> None:
    client.force_login(make_user(Role.PROVINCE, region="330000"))
    html = client.get("/enterprises/?q=%E4%B8%87%E9%80%9A&stage=2").content.decode()
    assert re.search(r'name="next" value="/enterprises/\?q=%E4%B8%87%E9%80%9A&amp;stage=2"', html)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/enterprises/?q=%E4%B8%87%E9%80%9A&stage=2"})
    assert response.status_code == 302 and response["Location"] == "/enterprises/?q=%E4%B8%87%E9%80%9A&stage=2"
