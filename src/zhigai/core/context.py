from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .inbox import WaitingCount
from .nav import Nav


def nav(request: HttpRequest) -> dict[str, Any]:
    """The header's navigation items for this user (core.nav; worked out only if a header renders)."""
    user = getattr(request, "user", None)
    return {"nav": Nav(user), "waiting": WaitingCount(user)}
