from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .cache import cached_figures
from .policy import permitted


def nav(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "can_import": signed_in and permitted(user, "base.import.create"),
        # The user's region as every page's header shows it: reference data, cached per data version,
        # which spares each page a query for `user.region`.
        "nav_region": _region(user.region_id) if signed_in and user.region_id else None,  # type: ignore[union-attr]
    }


def _region(region_id: int) -> Any:
    from zhigai.base.models import Region

    return cached_figures(("nav-region", region_id), lambda: Region.objects.filter(id=region_id).first())
