"""The OpenAPI document is part of the contract (SPEC §11): it is committed, and any change to it is deliberate.

When the API changes on purpose, regenerate the committed file from the repository root with:

    DJANGO_SETTINGS_MODULE=zhigai.config.settings .venv/bin/python -c "import django, json; django.setup(); \
from zhigai.config.api import api; \
print(json.dumps(api.get_openapi_schema(path_prefix='/api/v1/'), indent=2, sort_keys=True, ensure_ascii=False))" \
> openapi.json

and review the diff of openapi.json together with the change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from django.test import Client

COMMITTED = Path(__file__).resolve().parent.parent / "openapi.json"
REGENERATE = (
    "DJANGO_SETTINGS_MODULE=zhigai.config.settings .venv/bin/python -c \"import django, json; django.setup(); "
    "from zhigai.config.api import api; print(json.dumps(api.get_openapi_schema(path_prefix='/api/v1/'), "
    "indent=2, sort_keys=True, ensure_ascii=False))\" > openapi.json"
)


def normalised(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


def current_schema() -> dict[str, Any]:
    from zhigai.config.api import api

    return json.loads(normalised(api.get_openapi_schema(path_prefix="/api/v1/")))


def test_committed_openapi_document_is_current() -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert normalised(current_schema()) == normalised(committed), (
        f"The API no longer matches the committed {COMMITTED.name}. If the change is intended, regenerate "
        f"it from the repository root and commit it:\n    {REGENERATE}"
    )


def test_committed_file_is_in_canonical_form() -> None:
    text = COMMITTED.read_text(encoding="utf-8")
    assert text == normalised(json.loads(text)) + "\n", f"regenerate with:\n    {REGENERATE}"


def test_schema_documents_every_endpoint_under_api_v1() -> None:
    paths = current_schema()["paths"]
    assert all(p.startswith("/api/v1/") for p in paths)
    assert {
        "/api/v1/auth/token": {"post", "delete"}, "/api/v1/me": {"get"}, "/api/v1/regions": {"get"},
        "/api/v1/industries": {"get"}, "/api/v1/enterprises": {"get", "post"},
        "/api/v1/enterprises/{uscc}": {"get", "patch"}, "/api/v1/enterprises/{uscc}/indicators": {"get"},
        "/api/v1/enterprises/{uscc}/indicators/{year}": {"put"}, "/api/v1/imports": {"post"},
        "/api/v1/imports/{job_id}": {"get"},
    }.items() <= {p: set(ops) for p, ops in paths.items()}.items()


def test_schema_says_which_endpoints_need_a_bearer_token() -> None:
    paths = current_schema()["paths"]
    assert "security" not in paths["/api/v1/auth/token"]["post"]
    assert paths["/api/v1/enterprises"]["get"]["security"] == [{"BearerAuth": []}]


def test_served_openapi_json(db: Any) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert normalised(response.json()) == normalised(current_schema())


def test_docs_page_is_served(db: Any) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "/api/v1/openapi.json" in response.content.decode()


# A script, stylesheet or icon whose address is on another site (http://, https:// or protocol-relative //).
EXTERNAL = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""",
                      re.IGNORECASE)


def test_docs_page_loads_nothing_from_other_sites(db: Any) -> None:
    html = Client().get("/api/v1/docs").content.decode()
    assert EXTERNAL.findall(html) == []
