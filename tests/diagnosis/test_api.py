"""The diagnosis API contract: models, recording assessments, history, result, benchmark and report."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from zhigai.base.models import Enterprise
from zhigai.core.models import Role, User
from zhigai.diagnosis import services
from zhigai.diagnosis.models import Assessment, Kind, MaturityModel, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprise(make_enterprise: Callable[..., Enterprise]) -> Enterprise:
    return make_enterprise(county="330102", size_class="small")


@pytest.fixture
def own(api_client: Callable[[User], Any], make_user: Callable[..., User], enterprise: Enterprise) -> Any:
    """The enterprise's own user, through the API."""
    return api_client(make_user(Role.ENTERPRISE, enterprise=enterprise))


def all_answers(model: MaturityModel, upto: int) -> dict[str, str]:
    return {r.id: "full" if r.level <= upto else "none" for r in model.spec.requirements}


def post(client: Any, uscc: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/enterprises/{uscc}/assessments", data=json.dumps(body),
                       content_type="application/json")


def error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:400]
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] and body["message"]
    return body


# --- models --------------------------------------------------------------------------------------------------


def test_model_list(own: Any) -> None:
    response = own.get("/api/v1/diagnosis/models")
    assert response.status_code == 200
    by_code = {m["code"]: m for m in response.json()}
    assert set(by_code) == {"ladder", "gbt39116"}
    assert (by_code["ladder"]["version"], by_code["gbt39116"]["version"]) == ("1.0", "2020")
    for m in by_code.values():
        assert isinstance(m["id"], int) and m["name"]
        assert MaturityModel.objects.get(pk=m["id"]).code == m["code"]


def test_ladder_model_detail(own: Any, ladder: MaturityModel) -> None:
    body = own.get(f"/api/v1/diagnosis/models/{ladder.pk}").json()
    assert body["threshold"] == 0.8
    assert "0.8" in body["rule"]
    assert [lv["number"] for lv in body["levels"]] == [1, 2, 3, 4, 5]
    assert [lv["name"] for lv in body["levels"]] == ["机械化", "自动化", "数字化", "网络化", "智能化"]
    assert body["levels"][0]["name_en"] == "Mechanization"
    assert [d["id"] for d in body["dimensions"]] == [
        "equipment", "process", "data", "network", "intelligence", "people"]
    assert [(o["id"], o["value"]) for o in body["options"]] == [
        ("none", 0.0), ("started", 0.3), ("largely", 0.7), ("full", 1.0)]
    assert len(body["requirements"]) == len(ladder.spec.requirements)
    first = body["requirements"][0]
    assert {k: first[k] for k in ("id", "dimension", "level", "weight")} == {
        "id": "EQ-1a", "dimension": "equipment", "level": 1, "weight": ladder.spec.requirement("EQ-1a").weight}
    robots = next(r for r in body["requirements"] if r["id"] == "EQ-2b")
    assert robots["check"]["indicator"] == "robots"


def test_gbt_model_detail_by_code(own: Any) -> None:
    body = own.get("/api/v1/diagnosis/models/gbt39116").json()
    assert body["version"] == "2020"
    assert [lv["number"] for lv in body["levels"]] == [1, 2, 3, 4, 5]
    assert [lv["name"] for lv in body["levels"]] == [
        "一级 规划级", "二级 规范级", "三级 集成级", "四级 优化级", "五级 引领级"]
    assert [o["value"] for o in body["options"]] == [0.0, 0.5, 0.8, 1.0]
    assert body["threshold"] == 0.8
    dims = {d["id"] for d in body["dimensions"]}
    assert all(r["dimension"] in dims and 1 <= r["level"] <= 5 and r["weight"] > 0 for r in body["requirements"])


def test_unknown_model_is_404(own: Any) -> None:
    assert error(own.get("/api/v1/diagnosis/models/nosuch"), 404)["code"] == "not_found"
    assert error(own.get("/api/v1/diagnosis/models/99999"), 404)["code"] == "not_found"


# --- recording an assessment ---------------------------------------------------------------------------------


def test_submitting_all_answers_returns_the_result(own: Any, enterprise: Enterprise, ladder: MaturityModel) -> None:
    response = post(own, enterprise.uscc, {"model": ladder.pk, "answers": all_answers(ladder, 2), "submit": True})
    assert response.status_code == 201, response.content[:400]
    body = response.json()
    stored = Assessment.objects.get(pk=body["id"])
    assert (stored.status, stored.kind, stored.enterprise_id) == (Status.SUBMITTED, Kind.SELF, enterprise.pk)
    assert (body["level"], body["level_name"], body["score"]) == (2, "自动化", 2.0)
    assert (body["status"], body["kind"], body["enterprise"]) == ("submitted", "self", enterprise.uscc)
    assert [d["id"] for d in body["dimensions"]] == [d.id for d in ladder.spec.dimensions]
    assert all(d["score"] == 2.0 for d in body["dimensions"])
    level3 = {r.id for r in ladder.spec.requirements if r.level == 3}
    assert set(body["gaps"]) == level3
    assert body["missing"] == []


def test_the_model_may_be_named_by_code(own: Any, enterprise: Enterprise) -> None:
    gbt = MaturityModel.objects.get(code="gbt39116", current=True)
    answers = {r.id: "mostly" for r in gbt.spec.requirements}
    body = post(own, enterprise.uscc, {"model": "gbt39116", "answers": answers, "submit": True}).json()
    assert (body["model"], body["level"], body["score"]) == (gbt.pk, 5, 5.0)  # 0.8 everywhere: exactly at the rule


def test_missing_answers_on_submit_are_named_and_nothing_is_left_behind(
        own: Any, enterprise: Enterprise, ladder: MaturityModel) -> None:
    answers = all_answers(ladder, 5)
    left_out = ["DA-2b", "IN-5b"]
    for rid in left_out:
        del answers[rid]
    body = error(post(own, enterprise.uscc, {"model": ladder.pk, "answers": answers, "submit": True}), 422)
    assert body["code"] == "assessment_incomplete"
    assert [d["field"] for d in body["details"]] == [f"answers.{rid}" for rid in left_out]
    assert all(rid in body["message"] for rid in left_out)
    assert not Assessment.objects.exists(), "all or nothing: not even a draft stays"


@pytest.mark.parametrize(("change", "field"), [
    ({"XX-1": "full"}, "answers.XX-1"),
    ({"EQ-1a": "maybe"}, "answers.EQ-1a"),
], ids=["unknown-requirement", "unknown-option"])
def test_an_unknown_requirement_or_option_is_422(
        own: Any, enterprise: Enterprise, ladder: MaturityModel, change: dict[str, str], field: str) -> None:
    for submit in (True, False):
        body = error(post(own, enterprise.uscc, {
            "model": ladder.pk, "answers": {**all_answers(ladder, 5), **change}, "submit": submit}), 422)
        assert [d["field"] for d in body["details"]] == [field]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("model", ["nosuch", 99999, "ladder@9.9"])
def test_an_unknown_model_is_422(own: Any, enterprise: Enterprise, model: Any) -> None:
    body = error(post(own, enterprise.uscc, {"model": model, "answers": {}, "submit": True}), 422)
    assert [d["field"] for d in body["details"]] == ["model"]
    assert not Assessment.objects.exists()


def test_a_draft_is_saved_and_continued_until_submitted(
        own: Any, enterprise: Enterprise, ladder: MaturityModel) -> None:
    answers = all_answers(ladder, 1)
    half = dict(list(answers.items())[:20])
    first = post(own, enterprise.uscc, {"model": "ladder", "answers": half})
    assert first.status_code == 201
    draft = first.json()
    assert (draft["status"], draft["level"], draft["score"], draft["dimensions"]) == ("draft", None, None, [])
    assert set(draft["missing"]) == set(answers) - set(half)

    rest = {k: v for k, v in answers.items() if k not in half}
    done = post(own, enterprise.uscc, {"model": "ladder", "answers": rest, "submit": True}).json()
    assert done["id"] == draft["id"]
    assert (done["status"], done["level"]) == ("submitted", 1)
    assert Assessment.objects.count() == 1


def test_an_officer_cannot_record_an_assessment(
        api_client: Callable[[User], Any], hangzhou_user: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    response = post(api_client(hangzhou_user), enterprise.uscc,
                    {"model": ladder.pk, "answers": all_answers(ladder, 5), "submit": True})
    assert error(response, 403)["code"] == "diagnosis_forbidden"
    assert not Assessment.objects.exists()


def test_an_assigned_expert_records_a_diagnosis_with_its_differences(
        api_client: Callable[[User], Any], own: Any, make_user: Callable[..., User], hangzhou_user: User,
        enterprise: Enterprise, ladder: MaturityModel) -> None:
    claims = post(own, enterprise.uscc, {"model": ladder.pk, "answers": all_answers(ladder, 2), "submit": True})
    expert = make_user(Role.EXPERT)
    services.assignment_add(by=hangzhou_user, expert=expert, enterprise=enterprise)
    response = post(api_client(expert), enterprise.uscc,
                    {"model": ladder.pk, "answers": {"EQ-1a": "none"}, "submit": True})
    assert response.status_code == 201, response.content[:300]
    body = response.json()
    assert body["kind"] == "expert"
    assert body["answers"] == {**claims.json()["answers"], "EQ-1a": "none"}, "prefilled from the claims"
    assert body["differences"] == [{"requirement": "EQ-1a", "claimed": 1.0, "verified": 0.0, "source": "expert"}]
    enterprise.refresh_from_db()
    assert enterprise.stage == ladder.spec.level(body["level"] or 1).stage


# --- reading -------------------------------------------------------------------------------------------------


def _submit(client: Any, enterprise: Enterprise, model: MaturityModel, upto: int) -> dict[str, Any]:
    response = post(client, enterprise.uscc, {"model": model.pk, "answers": all_answers(model, upto), "submit": True})
    assert response.status_code == 201
    return response.json()


def test_history_lists_every_assessment_newest_first(
        own: Any, enterprise: Enterprise, ladder: MaturityModel) -> None:
    first = _submit(own, enterprise, ladder, 1)
    second = _submit(own, enterprise, ladder, 4)
    draft = post(own, enterprise.uscc, {"model": ladder.pk, "answers": {"EQ-1a": "started"}}).json()
    response = own.get(f"/api/v1/enterprises/{enterprise.uscc}/assessments")
    assert response.status_code == 200
    rows = response.json()
    assert [r["id"] for r in rows] == [draft["id"], second["id"], first["id"]]
    assert [(r["status"], r["level"]) for r in rows] == [("draft", None), ("submitted", 4), ("submitted", 1)]


def test_one_assessment(own: Any, enterprise: Enterprise, ladder: MaturityModel) -> None:
    created = _submit(own, enterprise, ladder, 3)
    response = own.get(f"/api/v1/assessments/{created['id']}")
    assert response.status_code == 200
    body = response.json()
    for key in ("id", "level", "level_name", "score", "dimensions", "gaps", "answers"):
        assert body[key] == created[key]
    assert body["model_code"] == "ladder" and body["model_version"] == "1.0"
    assert error(own.get("/api/v1/assessments/999999"), 404)["code"] == "not_found"


def test_benchmark(own: Any, enterprise: Enterprise, ladder: MaturityModel,
                   make_enterprise: Callable[..., Enterprise]) -> None:
    created = _submit(own, enterprise, ladder, 2)
    url = f"/api/v1/assessments/{created['id']}/benchmark"
    alone = own.get(url).json()
    assert (alone["available"], alone["percentile"], alone["group_size"]) == (False, None, None)
    assert (alone["industry"], alone["size_class"]) == ("34", "small")

    for i in range(9):
        peer = make_enterprise(county="330102", size_class="small")
        Assessment.objects.create(enterprise=peer, model=ladder, kind=Kind.SELF, status=Status.SUBMITTED,
                                  submitted=timezone.now(), score=1.0 + i * 0.5, level=1)
    body = own.get(url).json()
    # Scores 1.0 … 5.0 in steps of 0.5 beside 2.0: 2 below, 2 equal (itself included).
    assert (body["available"], body["group_size"], body["percentile"], body["region"]) == (True, 10, 30.0, "330102")


def test_report_pdf(own: Any, enterprise: Enterprise, ladder: MaturityModel) -> None:
    created = _submit(own, enterprise, ladder, 2)
    response = own.get(f"/api/v1/assessments/{created['id']}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_draft_has_no_benchmark_and_no_report(own: Any, enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = post(own, enterprise.uscc, {"model": ladder.pk, "answers": {"EQ-1a": "full"}}).json()
    for tail in ("benchmark", "report.pdf"):
        assert error(own.get(f"/api/v1/assessments/{draft['id']}/{tail}"), 409)["code"] == "assessment_draft"
