"""The special fund's API, as issue 13 states it: rounds, applications, the allocation, payments, the ledger."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.projects import fund_fixtures
from zhigai.core.models import Role
from zhigai.projects.fund_models import AllocationRun, FundRound, Payment

pytestmark = pytest.mark.django_db
fund_users, make_project = fund_fixtures.fund_users, fund_fixtures.make_project  # fixtures, for pytest


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def clients(fund_users: dict[str, Any], api_client: Callable[..., Any]) -> dict[str, Any]:
    return {who: api_client(user) for who, user in fund_users.items()}


def test_a_round_from_creation_to_payment(clients: dict[str, Any], make_project: Callable[..., Any]) -> None:
    province = clients["province"]
    made = post(province, "/api/v1/fund/rounds", {"year": 2026, "budget": "100.00", "enterprise_cap": None,
                                                  "city_min_share": "0"})
    assert made.status_code == 201, made.content
    rid = made.json()["id"]
    projects = [make_project("330102"), make_project("330102"), make_project("330203")]
    ids = []
    for project, amount, benefit in zip(projects, ("60.00", "50.00", "50.00"), ("66", "50", None), strict=True):
        answer = post(province, f"/api/v1/fund/rounds/{rid}/applications",
                      {"project": project.pk, "amount": amount, "benefit": benefit})
        assert answer.status_code == 201, answer.content
        ids.append(answer.json()["id"])
    allocated = post(province, f"/api/v1/fund/rounds/{rid}/allocate", {})
    assert allocated.status_code == 200, allocated.content
    body = allocated.json()
    formula = fund_fixtures.D("54.50")  # 20 × 1 + 15 × 2 + (−1.5) × (−3)
    assert body["proven_optimal"] is True and body["status"] == "optimal" and body["gap"] <= 1e-9
    # The ranking takes the best per yuan (60 for 66) and has no room left; the optimum takes the other two.
    assert body["funded"] == [ids[1], ids[2]] and fund_fixtures.D(body["total_benefit"]) == 50 + formula
    assert body["ranking_total_benefit"] == "66.00" and body["ranking_funded"] == [ids[0]] and body["problems"] == []
    detail = province.get(f"/api/v1/fund/rounds/{rid}").json()
    assert detail["budget"] == "100.00" and detail["enterprise_cap"] is None
    first = detail["applications"][0]
    assert set(first) >= {"id", "project", "enterprise", "city", "amount", "benefit", "funded"}
    assert first["city"] == "330100" and first["amount"] == "60.00" and first["funded"] is False
    assert first["enterprise"] == projects[0].enterprise.uscc
    assert clients["ningbo"].get(f"/api/v1/fund/rounds/{rid}").json()["applications"][0]["city"] == "330200"
    assert [r["id"] for r in clients["finance"].get("/api/v1/fund/rounds").json()] == [rid]
    # A payment: 201, the same again 200, the key with another amount 409.
    pay = {"application": ids[1], "amount": "30.00", "idempotency_key": "api-1"}
    once = post(province, "/api/v1/payments", pay)
    twice = post(province, "/api/v1/payments", pay)
    assert once.status_code == 201 and twice.status_code == 200 and once.json() == twice.json()
    reused = post(province, "/api/v1/payments", {**pay, "amount": "31.00"})
    assert reused.status_code == 409 and reused.json()["code"] == "fund_key_reused"
    pid = once.json()["id"]
    assert post(clients["hangzhou"], f"/api/v1/payments/{pid}/transitions",
                {"move": "finance_approve"}).status_code == 403
    assert post(clients["finance"], f"/api/v1/payments/{pid}/transitions",
                {"move": "finance_approve"}).status_code == 409, "not before the city's approval"
    assert post(clients["hangzhou"], f"/api/v1/payments/{pid}/transitions",
                {"move": "region_approve"}).json()["state"] == "region_approved"
    assert post(clients["finance"], f"/api/v1/payments/{pid}/transitions",
                {"move": "finance_approve"}).json()["state"] == "finance_approved"
    paid = post(clients["finance2"], f"/api/v1/payments/{pid}/transitions", {"move": "pay"}).json()
    assert paid["state"] == "paid" and paid["journal"]
    ledger = clients["finance"].get(f"/api/v1/ledger?round={rid}").json()
    assert [e["kind"] for e in ledger["entries"]] == ["budget", "allocation", "payment"]
    assert all(sum(fund_fixtures.D(leg["amount"]) for leg in e["legs"]) == 0 for e in ledger["entries"])
    by_code = {b["account"]: b["balance"] for b in ledger["balances"]}
    assert by_code["fund:2026:paid"] == "30.00" and by_code[f"fund:2026:allocated:{ids[1]}"] == "20.00"
    assert by_code["fund:2026:available"] == "0.00"
    assert clients["hangzhou"].get(f"/api/v1/ledger?round={rid}").status_code == 403


def test_infeasible_rules_are_named_in_the_answer(clients: dict[str, Any], make_project: Callable[..., Any]) -> None:
    province = clients["province"]
    made = post(province, "/api/v1/fund/rounds", {"year": 2026, "budget": "100.00", "city_min_share": "0.6"})
    rid = made.json()["id"]
    for county in ("330102", "330203"):
        post(province, f"/api/v1/fund/rounds/{rid}/applications",
             {"project": make_project(county).pk, "amount": "60.00"})
    body = post(province, f"/api/v1/fund/rounds/{rid}/allocate", {}).json()
    assert body["status"] == "infeasible" and body["proven_optimal"] is False and body["funded"] == []
    assert body["problems"][0]["code"] == "minimums_over_budget"
    assert AllocationRun.objects.get().applied is False


@pytest.mark.parametrize(("body", "status"), [
    ({"year": 2026, "budget": "1.001"}, 422), ({"year": 2026, "budget": "１００"}, 422),
    ({"year": "x"}, 422), ({"year": 2026, "city_min_share": "2"}, 422),
])
def test_bad_rounds_are_refused_with_the_field_named(clients: dict[str, Any], body: dict[str, Any],
                                                     status: int) -> None:
    answer = post(clients["province"], "/api/v1/fund/rounds", body)
    assert answer.status_code == status and answer.json()["details"]
    assert not FundRound.objects.exists()


def test_who_may_do_what(clients: dict[str, Any], make_project: Callable[..., Any],
                         make_user: Callable[..., Any], api_client: Callable[..., Any]) -> None:
    province = clients["province"]
    assert post(clients["finance"], "/api/v1/fund/rounds", {"year": 2026}).status_code == 403
    rid = post(province, "/api/v1/fund/rounds", {"year": 2026}).json()["id"]
    hangzhou_project = make_project("330102")
    # Another city's officer does not see the project (404); the region's officer applies.
    assert post(clients["ningbo"], f"/api/v1/fund/rounds/{rid}/applications",
                {"project": hangzhou_project.pk, "amount": "10.00"}).status_code == 404
    owner = api_client(make_user(Role.ENTERPRISE, enterprise=hangzhou_project.enterprise))
    assert post(owner, f"/api/v1/fund/rounds/{rid}/applications",
                {"project": hangzhou_project.pk, "amount": "10.00", "benefit": "5"}).status_code == 403
    aid = post(owner, f"/api/v1/fund/rounds/{rid}/applications",
               {"project": hangzhou_project.pk, "amount": "10.00"}).json()["id"]
    assert post(owner, f"/api/v1/fund/rounds/{rid}/allocate", {}).status_code == 403
    assert post(clients["ningbo"], "/api/v1/payments", {"application": aid, "amount": "1.00",
                                                        "idempotency_key": "n"}).status_code == 404
    refused = post(province, "/api/v1/payments", {"application": aid, "amount": "1.00", "idempotency_key": "p"})
    assert refused.status_code == 409 and refused.json()["code"] == "fund_not_funded"
    assert not Payment.objects.exists()
    provider = api_client(make_user(Role.PROVIDER))
    assert provider.get(f"/api/v1/fund/rounds/{rid}").status_code == 404
    assert provider.get("/api/v1/fund/rounds").json() == []
