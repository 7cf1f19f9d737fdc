"""The subsidies' pages, and the demo seed on projects made here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.xlsx import sheet_rows
from zhigai.core.models import Role
from zhigai.ledger.models import Journal
from zhigai.projects.models import ProjectState
from zhigai.projects.models_subsidy import ClaimState, SubsidyClaim, SubsidyRule
from zhigai.projects.seed_subsidy import subsidies_seed

from .factories import project_make
from .subsidy_world import fund, robot_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_enterprise: Any, make_user: Any) -> dict[str, Any]:
    own = make_enterprise(county="330102", size_class="micro")
    owner = make_user(Role.ENTERPRISE, enterprise=own)
    return {"own": own, "owner": owner, "project": project_make(own, [("domestic", 2, "300000.00")]),
            "hangzhou": make_user(Role.CITY, region="330100"), "ningbo": make_user(Role.CITY, region="330200"),
            "province": make_user(Role.PROVINCE, region="330000")}


def _as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_project_page_shows_the_quote_and_claims_with_invoices(world: dict[str, Any]) -> None:
    client, project = _as(world["owner"]), world["project"]
    page = client.get(f"/projects/{project.pk}/subsidies/?year=2024")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="subsidy-quote"' in html and "120,000 元" in html and "330000/2013/v1" in html
    line = project.equipment.get()
    done = client.post(f"/projects/{project.pk}/subsidies/invoices/", {
        "number": "P-1", "issuer_tax_id": "91330100MA2AAAAA0Y", "date": "2024-03-01", "amount": "600000.00",
        "equipment_line": str(line.pk)})
    assert done.status_code == 302
    invoice = project.invoices.get()
    claimed = client.post(f"/projects/{project.pk}/subsidies/claims/", {
        "kind": "robot", "program": "city", "year": "2024", "invoices": [str(invoice.pk)]})
    claim = SubsidyClaim.objects.get()
    assert claimed["Location"] == f"/subsidies/claims/{claim.pk}/" and claim.amount == Decimal("120000.00")
    assert "四舍五入" in client.get(claimed["Location"]).content.decode()
    again = client.post(f"/projects/{project.pk}/subsidies/claims/", {
        "kind": "robot", "program": "county", "year": "2024", "invoices": [str(invoice.pk)]}, follow=True)
    assert f"#{claim.pk}" in again.content.decode() and SubsidyClaim.objects.count() == 1
    assert _as(world["ningbo"]).get(f"/projects/{project.pk}/subsidies/").status_code == 404
    assert client.get(f"/projects/{project.pk}/subsidies/?year=abc").status_code == 422


def test_the_preview_quotes_lines_being_typed_before_the_project_is_saved(world: dict[str, Any]) -> None:
    client = _as(world["owner"])
    # The filing form's own fields, as its htmx request sends them (projects/new.html)
    got = client.get("/subsidies/quote-preview/", {
        "enterprise": world["own"].uscc, "start": "2024-03-01", "eq_kind_0": "robot", "eq_type_0": "焊接",
        "eq_origin_0": "domestic", "eq_count_0": "1", "eq_unit_price_0": "600000.00", "eq_kind_1": "robot",
        "eq_origin_1": "imported", "eq_count_1": "2", "eq_unit_price_1": "abc", "eq_count_2": ""})
    assert got.status_code == 200
    html = got.content.decode()
    assert "100,000 元" in html and 'data-testid="robot-subsidy"' in html  # capped per robot; the bad line waits
    assert "2024 年" in html, "the year of the start typed"
    assert "<html" not in html, "a partial"
    assert client.get("/subsidies/quote-preview/", {"start": "2024-03-01", "year": "1800"}).status_code == 422
    assert _as(world["ningbo"]).get("/subsidies/quote-preview/", {"uscc": world["own"].uscc}).status_code == 404


def test_the_officer_approves_and_pays_from_the_queue(world: dict[str, Any]) -> None:
    fund(world["province"])
    claim = robot_claim(world["project"], world["owner"])
    officer = _as(world["hangzhou"])
    assert f"/subsidies/claims/{claim.pk}/" in officer.get("/subsidies/claims/").content.decode()
    assert f"/subsidies/claims/{claim.pk}/" not in _as(world["ningbo"]).get("/subsidies/claims/").content.decode()
    page = officer.get(f"/subsidies/claims/{claim.pk}/").content.decode()
    assert 'data-testid="move-approve"' in page and 'data-testid="move-reject"' in page
    own_view = _as(world["owner"]).get(f"/subsidies/claims/{claim.pk}/").content.decode()
    assert 'data-testid="move-approve"' not in own_view
    officer.post(f"/subsidies/claims/{claim.pk}/move/", {"move": "approve"})
    officer.post(f"/subsidies/claims/{claim.pk}/move/", {"move": "pay"})
    claim.refresh_from_db()
    assert claim.state == ClaimState.PAID
    figures = officer.get("/subsidies/figures/?year=2024").content.decode()
    assert "120,000 元" in figures and 'data-testid="subsidy-figures"' in figures
    assert _as(world["owner"]).get("/subsidies/claims/").status_code == 403


def test_the_rules_page_publishes_a_checked_version(world: dict[str, Any]) -> None:
    province = _as(world["province"])
    page = province.get("/subsidies/rules/")
    assert page.status_code == 200 and 'data-testid="publish-form"' in page.content.decode()
    form = {"region": "330100", "from_year": "2026", "robot.base_rate": "0.12", "robot.small_micro_points": "0.05",
            "robot.domestic_points": "0.05", "robot.max_rate": "0.20", "robot.per_robot_cap": "100000.00",
            "robot.per_enterprise_year_cap": "5000000.00", "post_project.rate": "0.10",
            "post_project.per_project_cap": "5000000.00", "note": "杭州市"}
    bad = province.post("/subsidies/rules/", {**form, "robot.max_rate": "2"})
    assert bad.status_code == 422 and not SubsidyRule.objects.filter(from_year=2026).exists()
    assert province.post("/subsidies/rules/", form).status_code == 302
    assert SubsidyRule.objects.get(from_year=2026).params["robot"]["base_rate"] == "0.12"
    city = _as(world["hangzhou"]).get("/subsidies/rules/")
    assert city.status_code == 200 and 'data-testid="publish-form"' not in city.content.decode()
    assert _as(world["hangzhou"]).post("/subsidies/rules/", form).status_code == 403


def test_the_seed_approves_and_pays_claims_on_the_projects_given(world: dict[str, Any], make_enterprise: Any) -> None:
    other = make_enterprise(county="330105", size_class="medium")
    projects = [world["project"], project_make(other, [("imported", 3, "200000.00")], state=ProjectState.ACCEPTED,
                                               software="300000.00"),
                project_make(other, [("domestic", 1, "90000.00")])]
    made = subsidies_seed(projects, officer=world["province"])
    states = sorted(SubsidyClaim.objects.values_list("state", flat=True))
    assert made["subsidy claims"] == 4
    assert states == ["approved", "paid", "submitted", "submitted"]
    assert Journal.objects.filter(kind="payment").count() == 1
    assert subsidies_seed(projects, officer=world["province"]) == {"subsidy claims": 0}, "idempotent"


def test_the_queue_exports_its_claims_and_only_the_region_s(world: dict[str, Any], make_enterprise: Any,
                                                           make_user: Any) -> None:
    fund(world["province"])
    claim = robot_claim(world["project"], world["owner"])
    other = make_enterprise(county="330203", name='=HYPERLINK("http://x")')
    ningbo_owner = make_user(Role.ENTERPRISE, enterprise=other)
    ningbo_claim = robot_claim(project_make(other, [("imported", 1, "100000.01")]), ningbo_owner)
    rows = sheet_rows(_as(world["hangzhou"]).get("/subsidies/claims/export.xlsx?state=submitted"))
    assert rows[0][:3] == ("申领编号", "企业名称", "统一社会信用代码") and rows[0][8] == "金额（元）"
    assert [r[0] for r in rows[1:]] == [claim.pk]
    assert rows[1][8] == 120000 and rows[1][9] == "已提交"
    ningbo = sheet_rows(_as(world["ningbo"]).get("/subsidies/claims/export.xlsx"))
    assert [r[0] for r in ningbo[1:]] == [ningbo_claim.pk]
    assert ningbo[1][1] == other.name, "a name a spreadsheet would evaluate is kept as text"
    assert _as(world["hangzhou"]).get("/subsidies/claims/export.xlsx?state=paid").status_code == 200
    assert _as(world["hangzhou"]).get("/subsidies/claims/export.xlsx?state=nonsense").status_code == 422
    assert _as(world["owner"]).get("/subsidies/claims/export.xlsx").status_code == 403
