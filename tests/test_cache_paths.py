"""Every way of writing changes the cached pages at once: services, the API, the admin's change form and
its "delete selected", an import and a diagnosis submit (core.cache: areas changed on commit).

Each write runs in django_capture_on_commit_callbacks(execute=True): the test's own transaction never
commits, and the versions change on commit, as in production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.base.test_api import send
from tests.base.test_import import ent, ind, write_csv
from tests.base.test_page_cache import profile
from tests.base.test_pages import figures_of, login, row_names, text
from tests.conftest import new_uscc
from zhigai.base import services
from zhigai.base.importer import import_file
from zhigai.base.models import Enterprise, Region
from zhigai.base.validation import ENTERPRISE_COLUMNS, INDICATOR_COLUMNS
from zhigai.core.models import AuditLog, Role, User
from zhigai.diagnosis.selectors import model_get
from zhigai.diagnosis.services import assessment_record, assignment_add

Make = Callable[..., Any]
Commit = Callable[..., AbstractContextManager[Any]]


@pytest.fixture
def admin(make_user: Make) -> User:
    user = make_user(Role.PROVINCE, region="330000")
    User.objects.filter(id=user.id).update(is_superuser=True, is_staff=True)
    user.refresh_from_db()
    return user


@pytest.fixture
def firm(make_enterprise: Make) -> Enterprise:
    return make_enterprise("330102", name="缓存测试机械", employees=50, revenue="9000000")


@pytest.fixture
def seen(client: Client, admin: User, firm: Enterprise) -> Iterator[Client]:
    """A signed-in client whose list, dashboard and enterprise page are cached already."""
    login(client, admin)
    for _ in range(2):
        assert "缓存测试机械" in row_names(text(client.get("/enterprises/")))
        figures_of(client, "/")
        assert client.get(f"/enterprises/{firm.uscc}/").status_code == 200
    yield client


def _total(client: Client) -> int:
    return int(figures_of(client, "/")["total"])


def test_a_service_write(seen: Client, admin: User, firm: Enterprise,
                         django_capture_on_commit_callbacks: Commit) -> None:
    before = _total(seen)
    with django_capture_on_commit_callbacks(execute=True):
        services.enterprise_update(by=admin, enterprise=firm, data={"name": "服务改名机械"})
        services.enterprise_create(by=admin, data={"uscc": new_uscc(), "name": "服务新登记", "region": "330102",
                                                   "industry": "34"})
    names = row_names(text(seen.get("/enterprises/")))
    assert "服务改名机械" in names and "服务新登记" in names and "缓存测试机械" not in names
    assert _total(seen) == before + 1


def test_an_api_write(seen: Client, admin: User, firm: Enterprise, api_client: Any,
                      django_capture_on_commit_callbacks: Commit) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = send(api_client(admin), "patch", f"/api/v1/enterprises/{firm.uscc}", {"stage": "networking"})
    assert response.status_code == 200
    stages = {v: n for v, _l, n in figures_of(seen, "/")["stages"]}
    assert stages["networking"] == 1


def test_the_admin_change_form(seen: Client, firm: Enterprise, django_capture_on_commit_callbacks: Commit) -> None:
    region = Region.objects.get(code="330102")
    form = {"code": region.code, "name_zh": "改名区", "name_en": region.name_en, "pinyin": region.pinyin,
            "level": region.level, "parent": region.parent_id, "share": getattr(region, "share", "")}
    form = {k: ("" if v is None else v) for k, v in form.items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = seen.post(f"/admin/base/region/{region.id}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    # The enterprise page labels its place from the cached reference data.
    assert profile(text(seen.get(f"/enterprises/{firm.uscc}/")))["地区"] == "杭州市 · 改名区 (330102)"


def test_the_admins_delete_selected(seen: Client, firm: Enterprise, make_enterprise: Make,
                                    django_capture_on_commit_callbacks: Commit) -> None:
    other = make_enterprise("330106", name="一并删除")
    before = _total(seen)
    with django_capture_on_commit_callbacks(execute=True):
        response = seen.post("/admin/base/enterprise/", {"action": "delete_selected", "post": "yes",
                                                          "_selected_action": [firm.id, other.id]})
    assert response.status_code == 302
    assert not Enterprise.objects.filter(id__in=[firm.id, other.id]).exists()
    assert "缓存测试机械" not in row_names(text(seen.get("/enterprises/")))
    assert _total(seen) == before - 1  # `other` was created after the dashboard was cached
    audits = AuditLog.objects.filter(action="admin_delete", entity="base.enterprise")
    assert sorted(audits.values_list("entity_id", flat=True)) == sorted([str(firm.id), str(other.id)])
    assert {a.before["name"] for a in audits} == {"缓存测试机械", "一并删除"}  # type: ignore[index]


def test_an_import(seen: Client, admin: User, firm: Enterprise, tmp_path: Path,
                   django_capture_on_commit_callbacks: Commit) -> None:
    code = new_uscc()
    rows = [ent(code, name="导入新企业"), ent(firm.uscc, name="导入改名机械", tags="hightech")]
    before = _total(seen)
    with django_capture_on_commit_callbacks(execute=True):
        enterprises = write_csv(tmp_path / "e.csv", ENTERPRISE_COLUMNS, rows)
        errors, _summary = import_file(user=admin, path=enterprises, filename="e.csv", dry_run=False)
        assert errors == []
        indicators = write_csv(tmp_path / "i.csv", INDICATOR_COLUMNS, [ind(code, year="2021")])
        errors, _summary = import_file(user=admin, path=indicators, filename="i.csv", dry_run=False)
        assert errors == []
    names = row_names(text(seen.get("/enterprises/")))
    assert "导入新企业" in names and "导入改名机械" in names
    figures = figures_of(seen, "/")
    assert figures["total"] == before + 1 and 2021 in [y["year"] for y in figures["years"]]
    assert "高新" in profile(text(seen.get(f"/enterprises/{firm.uscc}/")))["标签"]


def test_a_diagnosis_submit(seen: Client, admin: User, firm: Enterprise, make_user: Make,
                            django_capture_on_commit_callbacks: Commit) -> None:
    assert "该企业尚未评估" in text(seen.get(f"/enterprises/{firm.uscc}/"))
    expert = make_user(Role.EXPERT)
    spec = model_get(ref="ladder").spec
    answers = {r.id: ("full" if r.level <= 3 else "none") for r in spec.requirements}
    with django_capture_on_commit_callbacks(execute=True):
        assignment_add(by=admin, expert=expert, enterprise=firm)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_record(by=expert, enterprise=firm, model_ref="ladder", answers=answers, submit=True)
    firm.refresh_from_db()
    stages = {v: n for v, _l, n in figures_of(seen, "/")["stages"]}
    assert stages[firm.stage] >= 1 and firm.stage == spec.level(3).stage  # type: ignore[union-attr]
    assert "该企业尚未评估" not in text(seen.get(f"/enterprises/{firm.uscc}/"))
