"""Helpers of the export tests: a signed-in client, and a workbook answer read back with openpyxl."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client
from openpyxl import load_workbook

from zhigai.core.models import User


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def workbook(response: Any) -> Any:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def sheet_rows(response: Any) -> list[tuple[Any, ...]]:
    return list(workbook(response).active.iter_rows(values_only=True))
