"""The subsidies' API as the issue states it: the quote's shape and codes, invoices, claims, moves."""

from __future__ import annotations

import json
from typing import Any

import pytest

from zhigai.core.models import Role
from zhigai.projects.models import ProjectState

from .factories import project_make
from .subsidy_world import fund

pytestmark = pytest.mark.django_db


@pytest.fixture
def side(make_enterprise: Any, make_user: Any, api_client: Any) -> dict[str, Any]:
    own = make_enterprise(county="330102", size_class="small")
    foreign = make_enterprise(county="330203", size_class="large")
    owner = make_user(Role.ENTERPRISE, enterprise=own)
    return {"project": project_make(own, [("domestic", 2, "300000.00"), ("imported", 1, "500000.05")],
                                    state=ProjectState.ACCEPTED, software="200000.00"),
            "foreign": project_make(foreign, [("imported", 1, "100000.00")]),
            "owner": api_client(owner), "stranger": api_client(make_user(Role.ENTERPRISE, enterprise=foreign)),
            "ningbo": api_client(make_user(Role.CITY, region="330200")),
            "hangzhou": api_client(make_user(Role.CITY, region="330100")),
            "province": make_user(Role.PROVINCE, region="330000")}


def _post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_the_quote_has_the_issues_shape_with_its_working(side: dict[str, Any]) -> None:
    got = side["owner"].get(f"/api/v1/projects/{side['project'].pk}/subsidy-quote?year=2024")
    assert got.status_code == 200
    body = got.json()
    # 2 domestic robots for a small firm: 20 % of 600,000.00 = 120,000.00 (per robot 60,000.00, under the cap);
    # 1 imported at 500,000.05: 15 % = 75,000.0075 → 75,000.01 (rounded once, half up).
    assert body["robot_subsidy"] == "195000.01"
    assert [{k: line[k] for k in ("rate", "base", "amount", "caps_applied")} for line in body["lines"]] == [
        {"rate": "0.20", "base": "600000.00", "amount": "120000.00", "caps_applied": []},
        {"rate": "0.15", "base": "500000.05", "amount": "75000.01", "caps_applied": []}]
    assert body["rule_version"] == "330000/2013/v1" and body["enterprise_year"]["left_after"] == "4804999.99"
    assert "四舍五入" in body["lines"][0]["working"]
    grant = body["post_project_grant"]
    assert grant["base"] == "1300000.05" and grant["amount"] == "130000.01", "accepted: 10 % of equipment+software"
    assert grant["basis"] == "declared", "the claim verifies it against its invoices"


def test_the_quote_refuses_a_bad_year_and_hides_another_tenants_project(side: dict[str, Any]) -> None:
    path = f"/api/v1/projects/{side['project'].pk}/subsidy-quote"
    for year in ("abc", "１９", "1999", "2101"):
        bad = side["owner"].get(f"{path}?year={year}")
        assert bad.status_code == 422 and bad.json()["code"] == "subsidy_bad_year", year
    assert side["owner"].get(f"{path}?year=2012").json()["code"] == "subsidy_no_rule"
    assert side["stranger"].get(f"{path}?year=2024").status_code == 404
    assert side["ningbo"].get(f"{path}?year=2024").status_code == 404
    assert side["owner"].get("/api/v1/projects/999999/subsidy-quote").status_code == 404
    assert side["hangzhou"].get(path).status_code == 200, "the officer of its region; the start year by default"


def test_invoices_claims_and_moves(side: dict[str, Any]) -> None:
    project, owner = side["project"], side["owner"]
    line = project.equipment.order_by("id").first()
    made = _post(owner, f"/api/v1/projects/{project.pk}/invoices", {
        "number": "0001", "issuer_tax_id": "91330100MA2AAAAA0Y", "date": "2024-04-01", "amount": "600000.00",
        "equipment_line": line.pk})
    assert made.status_code == 201, made.content
    bad = _post(owner, f"/api/v1/projects/{project.pk}/invoices", {
        "number": "", "issuer_tax_id": "x", "date": "2024-13-01", "amount": "1.001"})
    assert bad.status_code == 422
    assert {d["field"] for d in bad.json()["details"]} == {"number", "issuer_tax_id", "date", "amount"}
    assert _post(side["stranger"], f"/api/v1/projects/{project.pk}/invoices", {
        "number": "9", "issuer_tax_id": "91330100MA2AAAAA0Y", "date": "2024-04-01", "amount": "1"}).status_code == 404
    invoice = made.json()["id"]
    claim = _post(owner, f"/api/v1/projects/{project.pk}/subsidy-claims",
                  {"kind": "robot", "program": "province", "year": 2024, "invoices": [invoice]})
    assert claim.status_code == 201 and claim.json()["amount"] == "120000.00"
    assert claim.json()["state"] == "submitted" and claim.json()["invoices"] == [invoice]
    again = _post(owner, f"/api/v1/projects/{project.pk}/subsidy-claims",
                  {"kind": "robot", "program": "county", "year": 2024, "invoices": [invoice]})
    assert again.status_code == 409 and again.json()["code"] == "subsidy_invoice_taken"
    assert f"#{claim.json()['id']}" in again.json()["message"]
    listed = owner.get(f"/api/v1/projects/{project.pk}/subsidy-claims").json()
    assert [c["id"] for c in listed] == [claim.json()["id"]]
    moves = f"/api/v1/subsidy-claims/{claim.json()['id']}/transitions"
    assert _post(owner, moves, {"transition": "approve"}).status_code == 403
    assert _post(side["ningbo"], moves, {"transition": "approve"}).status_code == 404
    assert _post(side["hangzhou"], moves, {"transition": "fly"}).status_code == 422
    assert _post(side["hangzhou"], moves, {"transition": "reject"}).json()["code"] == "subsidy_note_required"
    assert _post(side["hangzhou"], moves, {"transition": "approve"}).json()["state"] == "approved"
    assert _post(side["hangzhou"], moves, {"transition": "pay"}).json()["code"] == "ledger_overdrawn"
    fund(side["province"])
    paid = _post(side["hangzhou"], moves, {"transition": "pay"})
    assert paid.status_code == 200 and paid.json()["state"] == "paid"
    assert _post(side["hangzhou"], moves, {"transition": "pay"}).status_code == 409
    assert side["stranger"].get(f"/api/v1/subsidy-claims/{claim.json()['id']}").status_code == 404
