"""The engagements' API as the contract says: 201 on request, 409 for a move the table has not, 403 for
one the caller's role may not make, 404 for whoever may not see it, 422 for bad input — each with the
project's JSON error shape and the state unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.market.conftest import PDF, PLAN
from zhigai.market.models import Engagement, EngagementEvent

pytestmark = pytest.mark.django_db


def _post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json")


def _error(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content[:400]
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["message"]
    if field is not None:
        assert field in {d.get("field") for d in body["details"]}, body
    return body


def test_an_enterprise_user_requests_and_the_provider_answers(parties: dict[str, Any], api_client: Any) -> None:
    users, enterprise, provider = parties["users"], parties["enterprise"], parties["provider"]
    owner = api_client(users["owner"])
    made = _post(owner, "/api/v1/engagements", {"enterprise": enterprise.uscc, "provider": provider.pk,
                                                 "need": "冲压线自动化"})
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["state"], body["enterprise"]["id"], body["provider"]["id"]) == ("requested", enterprise.uscc,
                                                                                 provider.pk)
    assert body["due"] and body["overdue"] is False and body["events"] == []
    assert body["allowed_transitions"] == [{"name": "cancel", "to": "cancelled", "label": "取消"}]
    mine = api_client(users["provider"])
    seen = mine.get(f"/api/v1/engagements/{body['id']}").json()
    assert {m["to"] for m in seen["allowed_transitions"]} == {"accepted", "declined", "cancelled"}
    moved = _post(mine, f"/api/v1/engagements/{body['id']}/transitions", {"to": "accepted", "note": "可以承接"})
    assert moved.status_code == 200, moved.content
    after = moved.json()
    assert after["state"] == "accepted" and after["events"][0]["transition"] == "accept"
    assert after["events"][0]["by"] and after["events"][0]["on_time"] is True
    listed = mine.get("/api/v1/engagements?state=accepted").json()
    assert [e["id"] for e in listed] == [body["id"]]
    _error(mine.get("/api/v1/engagements?state=nonsense"), 422, "state")


def test_request_errors(parties: dict[str, Any], api_client: Any, make_user: Any) -> None:
    users, enterprise, provider = parties["users"], parties["enterprise"], parties["provider"]
    owner = api_client(users["owner"])
    good = {"enterprise": enterprise.uscc, "provider": provider.pk, "need": "需要诊断"}
    _error(_post(owner, "/api/v1/engagements", {**good, "need": "  "}), 422, "need")
    _error(_post(owner, "/api/v1/engagements", {**good, "need": "坏\x00字"}), 422, "need")
    _error(_post(owner, "/api/v1/engagements", {"provider": provider.pk, "need": "x"}), 422, "enterprise")
    _error(_post(owner, "/api/v1/engagements", {**good, "enterprise": parties["other_enterprise"].uscc}), 404)
    _error(_post(owner, "/api/v1/engagements", {**good, "provider": 999999}), 404)
    provider.status = "suspended"
    provider.save()
    _error(_post(owner, "/api/v1/engagements", good), 404)  # a suspended provider is not shown to it
    provider.status = "listed"
    provider.save()
    _error(_post(api_client(users["hangzhou"]), "/api/v1/engagements", good), 403)
    _error(_post(owner, "/api/v1/engagements", {**good, "assessment": 123456}), 422, "assessment")
    assert not Engagement.objects.exists()


def test_move_errors_leave_the_state_unchanged(parties: dict[str, Any], engagement_in: Callable[[str], Any],
                                               api_client: Any) -> None:
    e = engagement_in("requested")
    users = parties["users"]
    path = f"/api/v1/engagements/{e.pk}/transitions"
    assert _error(_post(api_client(users["provider"]), path, {"to": "closed"}), 409)["code"] == \
        "engagement_no_such_move"
    assert _error(_post(api_client(users["owner"]), path, {"to": "accepted"}), 403)["code"] == "market_forbidden"
    _error(_post(api_client(users["hangzhou"]), path, {"to": "accepted"}), 403)
    _error(_post(api_client(users["provider"]), path, {"to": "finished"}), 422, "to")
    _error(_post(api_client(users["provider"]), path, {"to": "declined"}), 422, "note")
    for who in ("other_provider", "other_owner", "ningbo", "expert"):
        _error(_post(api_client(users[who]), path, {"to": "accepted"}), 404)
        _error(api_client(users[who]).get(f"/api/v1/engagements/{e.pk}"), 404)
    assert Engagement.objects.get(pk=e.pk).state == "requested" and not EngagementEvent.objects.exists()


def test_the_whole_walk_through_the_api(parties: dict[str, Any], engagement_in: Callable[[str], Any],
                                        api_client: Any) -> None:
    e = engagement_in("research")
    users = parties["users"]
    provider, owner = api_client(users["provider"]), api_client(users["owner"])
    base = f"/api/v1/engagements/{e.pk}"
    _error(_post(provider, f"{base}/transitions", {"to": "plan_design"}), 422, "documents")
    bad = provider.post(f"{base}/documents", {"file": SimpleUploadedFile("r.pdf", b"not a pdf"), "kind": "report"})
    _error(bad, 422, "file")
    up = provider.post(f"{base}/documents", {"file": SimpleUploadedFile("report.pdf", PDF), "kind": "report"})
    assert up.status_code == 201, up.content
    doc = up.json()["id"]
    steps = [(provider, {"to": "plan_design", "documents": [doc]}), (provider, {"to": "plan_review", "plan": PLAN}),
             (owner, {"to": "plan_approved"}), (provider, {"to": "implementation"}),
             (provider, {"to": "implementation", "note": "安装完成", "progress": {"milestone": "设备安装",
                                                                             "percent": 100}}),
             (provider, {"to": "acceptance", "outcomes": {"labor_productivity": 21.5, "defect_rate": -31}}),
             (owner, {"to": "closed", "rating": 4, "comment": "满意"})]
    for client, body in steps:
        response = _post(client, f"{base}/transitions", body)
        assert response.status_code == 200, (body, response.content)
    done = provider.get(base).json()
    assert (done["state"], done["rating"], done["plan"]["budget"], done["due"]) == ("closed", 4, "1250000.50", None)
    assert done["documents"][0]["event"] == done["events"][2]["id"]
    assert [o["measured"] for o in done["outcomes"]] == ["-31.0", "21.5"]
    assert done["progress"] == [{"milestone": "设备安装", "percent": 100, "event": done["events"][6]["id"]}]
    assert done["allowed_transitions"] == []
    _error(_post(provider, f"{base}/transitions", {"to": "cancelled", "note": "x"}), 409)
    _error(provider.post(f"{base}/documents", {"file": SimpleUploadedFile("x.pdf", PDF)}), 403)
