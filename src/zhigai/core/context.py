from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .access import scope_for
from .cache import cached_figures


def nav(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "can_import": signed_in and scope_for(user).can_write_enterprises,
        # The user's region as every page's header shows it: reference data, cached per data version,
        # which spares each page a query for `user.region`.
        "nav_region": _region(user.region_id) if signed_in and user.region_id else None,  # type: ignore[union-attr]
    }


def _region(region_id: int) -> Any:
    from zhigai.base.models import Region

    return cached_figures(("nav-region", region_id), lambda: Region.objects.filter(id=region_id).first())
