"""The projects API as issue 13 states it: POST/GET /api/v1/projects, GET /api/v1/projects/{id},
POST /api/v1/projects/{id}/transitions, and their error answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.projects.conftest import filing
from zhigai.core.models import Role
from zhigai.core.services import api_token_issue
from zhigai.projects.models import Project

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user)}")


def _post(client: Client, path: str, body: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_filing_answers_201_with_the_decision(firm: Any, firm_user: Any) -> None:
    r = _post(_client(firm_user), "/api/v1/projects", filing(firm))
    assert r.status_code == 201, r.content
    body = r.json()
    assert set(body) == {"id", "state", "decision"} and body["state"] == "filed"
    assert body["decision"]["negative_list_entry"] is None and body["decision"]["version"] == "2020-1"
    assert "承诺制" in body["decision"]["reason"]


def test_a_prohibited_project_is_422_with_the_same_decision_and_nothing_stored(firm: Any, firm_user: Any) -> None:
    r = _post(_client(firm_user), "/api/v1/projects", filing(firm, title="New coke oven battery No. 3"))
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "project_prohibited"
    entry = body["decision"]["negative_list_entry"]
    assert (entry["code"], entry["category"], entry["version"]) == ("P-05", "prohibited", "2020-1")
    assert "不予备案" in body["decision"]["reason"]
    assert not Project.objects.exists()


def test_a_restricted_project_is_under_review_naming_its_entry(firm: Any, firm_user: Any) -> None:
    r = _post(_client(firm_user), "/api/v1/projects", filing(firm, description="电镀线自动化改造"))
    assert r.status_code == 201
    assert r.json()["state"] == "under_review"
    assert r.json()["decision"]["negative_list_entry"]["code"] == "R-05"


@pytest.mark.parametrize(("changes", "field"), [
    ({"end": "2025-01-01"}, "end"),
    ({"title": "a\u0000b"}, "title"),
    ({"investment": {"equipment": "-5"}}, "investment.equipment"),
    ({"investment": {"equipment": "9000000000000000.01"}}, "investment.equipment"),
    ({"equipment": [{"kind": "robot", "type": "x", "origin": "domestic", "count": 1, "unit_price": "1e99"}]},
     "equipment[0].unit_price"),
    ({"land_mu": "abc"}, "land_mu"),
])
def test_bad_input_is_422_naming_the_field(firm: Any, firm_user: Any, changes: dict, field: str) -> None:
    r = _post(_client(firm_user), "/api/v1/projects", filing(firm, **changes))
    assert r.status_code == 422, r.content
    assert field in [d["field"] for d in r.json()["details"]]
    assert not Project.objects.exists()


def test_another_tenants_enterprise_is_404_and_an_officer_is_403(firm: Any, make_user: Any, make_enterprise: Any,
                                                                 city_officer: Any) -> None:
    stranger = make_user(Role.ENTERPRISE, enterprise=make_enterprise(county="330203"))
    assert _post(_client(stranger), "/api/v1/projects", filing(firm)).status_code == 404
    r = _post(_client(city_officer), "/api/v1/projects", filing(firm))
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


def test_the_project_its_list_and_its_transitions(firm: Any, firm_user: Any, city_officer: Any,
                                                  make_user: Any) -> None:
    owner = _client(firm_user)
    pid = _post(owner, "/api/v1/projects", filing(firm, commitment={"signed": False})).json()["id"]
    got = owner.get(f"/api/v1/projects/{pid}").json()
    assert got["state"] == "under_review" and len(got["equipment"]) == 2 and got["transitions"] == [
        {"name": "withdraw_under_review", "to": "withdrawn", "label": "撤回项目"}]
    assert [e["transition"] for e in got["events"]] == ["file"]
    officer = _client(city_officer)
    assert {t["to"] for t in officer.get(f"/api/v1/projects/{pid}").json()["transitions"]} == {
        "filed", "returned", "refused"}
    assert _post(owner, f"/api/v1/projects/{pid}/transitions", {"to": "filed"}).status_code == 403
    assert _post(officer, f"/api/v1/projects/{pid}/transitions", {"to": "accepted"}).status_code == 409
    r = _post(officer, f"/api/v1/projects/{pid}/transitions", {"to": "refused"})
    assert r.status_code == 422 and r.json()["code"] == "project_note_required"
    r = _post(officer, f"/api/v1/projects/{pid}/transitions", {"to": "filed", "note": "同意"})
    assert r.status_code == 200 and r.json()["state"] == "filed"
    listed = officer.get("/api/v1/projects?state=filed").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == pid and listed["items"][0]["land_independent"]
    assert officer.get("/api/v1/projects?state=nope").status_code == 422
    other_city = make_user(Role.CITY, region="330200")
    assert _client(other_city).get(f"/api/v1/projects/{pid}").status_code == 404
    assert _client(other_city).get("/api/v1/projects").json()["count"] == 0
