"""The projects' pages: the filing form (its negative-list answer as typed, its errors by field, a refusal
shown), a project's page and its moves, the queue, the land quota page, the negative list's page, the
figures, and the sections of the enterprise page and home."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from tests.xlsx import sheet_rows
from zhigai.core.models import AuditLog, Role
from zhigai.projects.models import LandQuota, NegativeListVersion, Project, ProjectState

pytestmark = pytest.mark.django_db
FORM = {"title": "冲压线机器人上下料改造", "description": "在现有厂房内改造冲压线。", "start": "2026-03-01",
        "end": "2026-10-31", "inv_equipment": "600000", "inv_software": "50000", "eq_kind_0": "robot",
        "eq_type_0": "冲压上下料机器人", "eq_origin_0": "imported", "eq_count_0": "2", "eq_unit_price_0": "300000",
        "land": "none", "sign": "yes", "sign_name": "李四", "exp_positions_saved": "6"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_form_files_a_project(firm_user: Any, firm: Any) -> None:
    client = _client(firm_user)
    assert client.get("/projects/new/").status_code == 200
    response = client.post("/projects/new/", FORM)
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    assert project.state == ProjectState.FILED and project.equipment.count() == 1
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "已备案" in page and "李四" in page and 'data-testid="land-independent"' in page


def test_the_form_shows_errors_by_field_and_a_refusal(firm_user: Any) -> None:
    client = _client(firm_user)
    response = client.post("/projects/new/", {**FORM, "end": "2026-01-01", "inv_equipment": "-1"})
    assert response.status_code == 422
    assert "竣工日期不能早于开工日期" in response.content.decode()
    refused = client.post("/projects/new/", {**FORM, "title": "新建焦炉一座"})
    assert refused.status_code == 422 and 'data-testid="refused"' in refused.content.decode()
    assert "P-05" in refused.content.decode()
    assert not Project.objects.exists()


def test_the_answer_as_typed_calls_the_decision(firm_user: Any, firm: Any) -> None:
    client = _client(firm_user)
    answer = client.get("/projects/new/check/", {"title": "new float glass line", "enterprise": firm.uscc})
    assert 'data-category="prohibited"' in answer.content.decode() and "P-03" in answer.content.decode()
    clear = client.get("/projects/new/check/", {"title": "机器人焊接", "sign": "yes"}).content.decode()
    assert 'data-category="none"' in clear and "承诺制" in clear


def test_the_officer_reviews_on_the_page(file_project: Any, city_officer: Any) -> None:
    p = file_project(commitment={"signed": False})
    client = _client(city_officer)
    assert p.title in client.get("/projects/review/").content.decode()
    page = client.get(f"/projects/{p.pk}/").content.decode()
    assert 'data-testid="move-approve"' in page and 'data-testid="move-refuse"' in page
    client.post(f"/projects/{p.pk}/move/", {"move": "refuse"})  # no reason: refused, nothing moves
    p.refresh_from_db()
    assert p.state == ProjectState.UNDER_REVIEW
    client.post(f"/projects/{p.pk}/move/", {"move": "approve", "note": "同意"})
    p.refresh_from_db()
    assert p.state == ProjectState.FILED


def test_the_land_quota_page_sets_a_quota_and_moves_the_queue(file_project: Any, province_user: Any,
                                                              city_officer: Any) -> None:
    year = dt.date.today().year
    LandQuota.objects.create(city_id=city_officer.region_id, year=year, mu=10)
    waiting = file_project(land_mu="20")
    assert waiting.state == ProjectState.WAITING_LAND
    refused = _client(city_officer).post("/projects/land/", {"city": "330100", "year": year, "mu": "50"})
    assert refused.status_code == 403
    page = _client(province_user).get(f"/projects/land/?year={year}").content.decode()
    assert 'data-testid="land-table"' in page and 'data-testid="quota-form"' in page
    bad = _client(province_user).post("/projects/land/", {"city": "330100", "year": year, "mu": "x"})
    assert bad.status_code == 422
    ok = _client(province_user).post("/projects/land/", {"city": "330100", "year": year, "mu": "50"})
    assert ok.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == ProjectState.FILED


def test_the_negative_list_page_publishes_a_version(province_user: Any, city_officer: Any) -> None:
    page = _client(city_officer).get("/projects/negative-list/").content.decode()
    assert "P-01" in page and 'data-testid="publish-form"' not in page
    client = _client(province_user)
    bad = client.post("/projects/negative-list/", {"version": "2026-1", "entries": "- {code: X}"})
    assert bad.status_code == 422 and NegativeListVersion.objects.count() == 1
    entries = "- {code: R-9, category: restricted, name_zh: 注塑, name_en: Moulding, keywords_zh: [注塑]}"
    assert client.post("/projects/negative-list/", {"version": "2026-1", "entries": entries}).status_code == 302
    assert NegativeListVersion.objects.count() == 2
    assert AuditLog.objects.filter(entity="negative_list").exists()


def test_figures_and_sections(file_project: Any, province_user: Any, firm_user: Any, firm: Any) -> None:
    file_project()
    file_project(land_mu="12")
    figures = _client(province_user).get("/projects/figures/").content.decode()
    assert 'data-testid="independent-share"' in figures and "50.0%" in figures
    home = _client(firm_user).get("/").content.decode()
    assert 'data-testid="home-projects"' in home and 'data-testid="section-file"' in home
    enterprise = _client(province_user).get(f"/enterprises/{firm.uscc}/").content.decode()
    assert 'data-testid="enterprise-projects"' in enterprise and 'data-testid="section-file"' not in enterprise


def test_a_returned_project_is_changed_and_resubmitted(file_project: Any, firm_user: Any, city_officer: Any) -> None:
    p = file_project(commitment={"signed": False})
    client = _client(firm_user)
    assert client.get(f"/projects/{p.pk}/edit/").status_code == 403, "under review: not the enterprise's to change"
    _client(city_officer).post(f"/projects/{p.pk}/move/", {"move": "return", "note": "请补充设备品牌"})
    page = client.get(f"/projects/{p.pk}/edit/")
    assert page.status_code == 200 and p.title in page.content.decode()
    refused = client.post(f"/projects/{p.pk}/edit/", {**FORM, "title": "新建焦炉"})
    assert refused.status_code == 422
    p.refresh_from_db()
    assert p.title != "新建焦炉"
    assert client.post(f"/projects/{p.pk}/edit/", FORM).status_code == 302
    p.refresh_from_db()
    assert p.title == FORM["title"] and p.commitment_name == "李四" and p.equipment.count() == 1
    client.post(f"/projects/{p.pk}/move/", {"move": "resubmit"})
    p.refresh_from_db()
    assert p.state == ProjectState.UNDER_REVIEW


def test_the_list_exports_its_projects_with_its_filters(file_project: Any, province_user: Any, firm_user: Any,
                                                        make_enterprise: Any, make_user: Any) -> None:
    independent, needing = file_project(), file_project(land_mu="12")
    rows = sheet_rows(_client(province_user).get("/projects/export.xlsx?land=independent"))
    assert rows[0][:3] == ("编号", "项目名称", "企业名称") and rows[0][11] == "总投资（元）"
    assert [r[0] for r in rows[1:]] == [independent.pk]
    assert rows[1][7:12] == (1200000, 300000, 0, 100000.5, 1600000.5) and rows[1][13] == "是"
    both = sheet_rows(_client(firm_user).get("/projects/export.xlsx"))
    assert [r[0] for r in both[1:]] == [needing.pk, independent.pk], "newest filed first, as the list"
    stranger = make_user(Role.ENTERPRISE, enterprise=make_enterprise(county="330203"))
    assert sheet_rows(_client(stranger).get("/projects/export.xlsx"))[1:] == []
    assert _client(province_user).get("/projects/export.xlsx?state=nonsense").status_code == 422
    assert _client(make_user(Role.EXPERT)).get("/projects/export.xlsx").status_code == 403
