from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import region_of


def user_region(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's region, as the header and the home page name it (None for users without one).

    Lazy: read (from the cached reference data) only by a template that shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.region_id:
        return {"nav_region": None}
    region_id = user.region_id
    return {"nav_region": SimpleLazyObject(lambda: region_of(region_id))}
