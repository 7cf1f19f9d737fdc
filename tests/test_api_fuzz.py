"""The API attacked as an adversary would, in CI: every operation of the OpenAPI document, with values
generated from its schema (schemathesis), as a provincial officer, a city officer and an enterprise user.

Holds: no server error, every status and body as the document says (the error shape included), the
declared content type. The examples per operation are bounded (ZHIGAI_FUZZ_EXAMPLES, default 15) and
derandomised, so a run is repeatable and `.ci/run` stays inside its time; a failure prints the request
that reproduces it (schemathesis shows it as a curl command).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from zhigai.config.wsgi import application
from zhigai.core.models import Role, User
from zhigai.core.services import api_token_issue

EXAMPLES = int(os.environ.get("ZHIGAI_FUZZ_EXAMPLES", "15"))
# Not negative_data_rejection: it counts an unknown query parameter (`?=`) as input the API must refuse, and
# the API ignores parameters it does not know, as HTTP APIs do.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Requests reach the WSGI application directly, as Django's test client does not: like the client,
    keep Django from closing the test's connection (inside the test's transaction) after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_tokens(db: Any, make_enterprise: Any, make_user: Any, in_test_transaction: None) -> dict[str, str]:
    own = make_enterprise(county="330102", industry="34", employees=120, revenue="30000000")
    make_enterprise(county="330203", industry="17", employees=10, revenue="1000000")
    users: dict[str, User] = {
        "province": make_user(Role.PROVINCE, region="330000"),
        "city": make_user(Role.CITY, region="330100"),
        "enterprise": make_user(Role.ENTERPRISE, enterprise=own),
    }
    return {role: api_token_issue(user=user) for role, user in users.items()}


OPERATIONS = [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_the_api_holds_under_generated_input(operation: Any, mode: GenerationMode, fuzz_tokens: dict[str, str]) -> None:
    """Valid input (positive) and input that breaks the schema (negative: wrong types, out of range, …)."""
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def holds(case: Any) -> None:
        for token in fuzz_tokens.values():
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    holds()
