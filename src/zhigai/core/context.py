from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .access import scope_for


def nav(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {"can_import": bool(user and user.is_authenticated and scope_for(user).can_write_enterprises)}
