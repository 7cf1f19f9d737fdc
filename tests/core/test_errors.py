"""Errors: every module's codes listed in the OpenAPI document, one answer for a platform error on a page,
and messages that join the events a view already sent to htmx."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Any

import pytest
from django.contrib import messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from tests.test_openapi import current_schema
from zhigai.core.errors import error_codes, error_codes_register
from zhigai.core.middleware import HtmxMessagesMiddleware
from zhigai.core.models import Role, User


def test_the_openapi_document_lists_every_error_code_and_the_error_shape() -> None:
    schema = current_schema()
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message", "details"]
    assert error["properties"]["code"]["enum"] == sorted(error_codes())
    assert {"diagnosis_forbidden", "assessment_locked", "transition_not_allowed", "not_found"} <= set(error_codes())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "409", "422", "4XX"):
                body = operation["responses"][status]
                assert body["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}, \
                    (method, path, status)
    diagnosis = schema["paths"]["/api/v1/assessments/{assessment_id}"]["get"]["responses"]["409"]["description"]
    assert "assessment_draft" in diagnosis
    base = schema["paths"]["/api/v1/regions"]["get"]["responses"]["409"]["description"]
    assert "assessment_draft" not in base, "an operation lists its own module's codes and the platform's"


def test_two_modules_cannot_claim_one_code() -> None:
    class Clash(StrEnum):
        LOCKED = "assessment_locked"

    with pytest.raises(ValueError, match="assessment_locked"):
        error_codes_register("another", Clash)


@pytest.mark.django_db
def test_an_api_refusal_carries_a_listed_code(api_client: Any, make_enterprise: Any, hangzhou_user: User) -> None:
    enterprise = make_enterprise(county="330102")
    response = api_client(hangzhou_user).post(f"/api/v1/enterprises/{enterprise.uscc}/assessments",
                                              data=json.dumps({"model": "ladder", "answers": {}}),
                                              content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] in error_codes()


@pytest.mark.django_db
def test_a_platform_error_escaping_a_page_is_its_status_and_sentence(make_enterprise: Any, make_user: Any) -> None:
    enterprise = make_enterprise(county="330102")
    industry = make_user(Role.INDUSTRY, industries=["34"])
    client = Client()
    client.force_login(industry)
    response = client.get(f"/enterprises/{enterprise.uscc}/edit/")
    assert response.status_code == 403
    assert "您不能修改该企业的信息。" in response.content.decode()
    assert 'data-testid="platform-error"' in response.content.decode()


def _with_messages(view: Any) -> Any:
    return SessionMiddleware(MessageMiddleware(HtmxMessagesMiddleware(view)))


@pytest.mark.django_db
@pytest.mark.parametrize(("sent", "kept"), [
    ('{"saved": {"id": 3}}', {"saved": {"id": 3}}),
    ("saved, closeDialog", {"saved": None, "closeDialog": None}),
    (None, {}),
])
def test_messages_join_the_events_a_view_sent(sent: str | None, kept: dict[str, Any]) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        messages.success(request, "已保存。")
        response = HttpResponse(status=204)
        if sent is not None:
            response["HX-Trigger"] = sent
        return response

    response = _with_messages(view)(RequestFactory().post("/x/", HTTP_HX_REQUEST="true"))
    assert json.loads(response["HX-Trigger"]) == {**kept, "messages": [{"level": "success", "text": "已保存。"}]}


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "invalid", "missing", "control", "not_found"), [
    ("zh-hans", "请求无效：", "必填", "不能包含控制字符", "未找到。"),
    ("en", "The request is not valid: ", "Required", "must not contain", "Not found."),
])
def test_api_errors_speak_the_reader_s_language(province_user: User, language: str, invalid: str, missing: str,
                                                control: str, not_found: str) -> None:
    """Defect: the API's 422 began in English ("The request is not valid: name: Value error, 不能包含…") whatever
    the reader's language, and a 404 said "Not found." to a Chinese reader."""
    from zhigai.core.services import api_token_create

    token, _expires = api_token_create(user=province_user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE=language)
    body = client.post("/api/v1/enterprises", data=json.dumps({"name": "a\x00b"}),
                       content_type="application/json").json()
    assert body["code"] == "invalid" and body["message"].startswith(invalid), body
    fields = {d["field"]: d["message"] for d in body["details"]}
    assert fields["uscc"] == missing and control in fields["name"] and "Value error" not in body["message"], body
    assert client.get("/api/v1/assessments/999999").json()["message"] == not_found
    assert client.get("/api/v1/no-such-path").json()["message"] == not_found
