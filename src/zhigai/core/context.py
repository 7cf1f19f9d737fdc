from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .nav import Nav


def nav(request: HttpRequest) -> dict[str, Any]:
    """The header's navigation items for this user (core.nav; worked out only if a header renders)."""
    return {"nav": Nav(getattr(request, "user", None))}
