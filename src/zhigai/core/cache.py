"""Figures that are expensive to compute, cached per data version (bumped by every write)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import F

from .models import DataVersion

T = TypeVar("T")
_MISSING = object()


def data_version() -> int:
    row = DataVersion.objects.filter(name="data").values_list("value", flat=True).first()
    return row or 0


def data_changed() -> None:
    updated = DataVersion.objects.filter(name="data").update(value=F("value") + 1)
    if not updated:
        DataVersion.objects.get_or_create(name="data", defaults={"value": 1})


def cached_figures(key: tuple[Any, ...], compute: Callable[[], T], timeout: int = 3600) -> T:
    # Hashed: keys carry search terms and other text that some cache backends refuse.
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    full_key = f"fig:{data_version()}:{digest}"
    value = cache.get(full_key, _MISSING)
    if value is _MISSING:  # None is a value too (e.g. "no region filter")
        value = compute()
        cache.set(full_key, value, timeout)
    return value
