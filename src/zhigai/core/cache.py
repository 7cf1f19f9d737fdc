"""Figures that are expensive to compute, cached per data version (changed by every write).

Two levels: a small dict in each process, then the shared cache (the database by default). Keys
include the data version, so an entry can never be stale: a write gives a new version and the old
entries are simply no longer asked for. Within one request the version is read once.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.cache import cache

from .models import DataVersion

T = TypeVar("T")
_MISSING = object()
_LOCAL_SIZE = 2000
_local_figures: OrderedDict[str, Any] = OrderedDict()
_lock = threading.Lock()
_request = threading.local()


def data_version() -> int:
    if getattr(_request, "active", False) and getattr(_request, "version", None) is not None:
        return int(_request.version)
    row = DataVersion.objects.filter(name="data").values_list("value", flat=True).first()
    version = row or 0
    if getattr(_request, "active", False):
        _request.version = version
    return version


def data_changed() -> None:
    # A random token rather than a counter: a database restored from a backup brings back a token
    # whose cached figures describe exactly the restored data.
    token = secrets.randbits(62)
    if not DataVersion.objects.filter(name="data").update(value=token):
        DataVersion.objects.update_or_create(name="data", defaults={"value": token})
    _request.version = None


@contextmanager
def request_scope() -> Iterator[None]:
    """Read the data version at most once while handling one request."""
    _request.active, _request.version = True, None
    try:
        yield
    finally:
        _request.active, _request.version = False, None


def local_clear() -> None:
    """Forget the in-process level (tests, whose rolled-back transactions reuse versions)."""
    with _lock:
        _local_figures.clear()


def cached_figures(key: tuple[Any, ...], compute: Callable[[], T], timeout: int = 3600) -> T:
    # Hashed: keys carry search terms and other text that some cache backends refuse.
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    full_key = f"fig:{data_version()}:{digest}"
    with _lock:
        value = _local_figures.get(full_key, _MISSING)
        if value is not _MISSING:
            _local_figures.move_to_end(full_key)
            return value  # type: ignore[no-any-return]
    value = cache.get(full_key, _MISSING)
    if value is _MISSING:  # None is a value too (e.g. "no region filter")
        value = compute()
        cache.set(full_key, value, timeout)
    with _lock:
        _local_figures[full_key] = value
        if len(_local_figures) > _LOCAL_SIZE:
            _local_figures.popitem(last=False)
    return value  # type: ignore[no-any-return]
