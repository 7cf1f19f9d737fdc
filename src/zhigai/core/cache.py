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
from django.db import connection
from django.utils.translation import get_language

from .models import DataVersion

T = TypeVar("T")
_MISSING = object()
_LOCAL_SIZE = 2000
_local_figures: OrderedDict[str, Any] = OrderedDict()
_LOCAL_FRAGMENTS = 300  # rendered pages of tens of KB each: a few MB per process
_local_fragments: OrderedDict[str, Any] = OrderedDict()
_lock = threading.Lock()
_request = threading.local()
_VERSION_SQL = f"SELECT value FROM {DataVersion._meta.db_table} WHERE name = %s"


def data_version() -> int:
    if getattr(_request, "active", False) and getattr(_request, "version", None) is not None:
        return int(_request.version)
    # Plain SQL: read on every request, and building the ORM query cost more than running it.
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL, ["data"])
        row = cursor.fetchone()
    version = row[0] if row else 0
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
    _request.active, _request.version, _request.user = True, None, None
    try:
        yield
    finally:
        _request.active, _request.version, _request.user = False, None, None


def data_version_seen(version: int) -> None:
    """The data version, read by another statement of this request (the session's): no need to read it."""
    if getattr(_request, "active", False) and getattr(_request, "version", None) is None:
        _request.version = version


def user_seen(user: Any) -> None:
    """The signed-in user, read with the session; kept for this request only."""
    if getattr(_request, "active", False):
        _request.user = user


def user_prefetched(user_id: Any) -> Any:
    """The user read with this request's session, if it is the one asked for."""
    user = getattr(_request, "user", None) if getattr(_request, "active", False) else None
    return user if user is not None and str(user.pk) == str(user_id) else None


def local_clear() -> None:
    """Forget the in-process level (tests, whose rolled-back transactions reuse versions)."""
    with _lock:
        _local_figures.clear()
        _local_fragments.clear()


_catalog_generation = [0]


def catalogs_changed(sender: Any = None, file_path: Any = None, **kwargs: Any) -> None:
    """A compiled catalog (.mo) changed under the development server, which reloads translations
    without restarting: what was translated once per language is translated again."""
    if file_path is None or str(file_path).endswith(".mo"):
        _catalog_generation[0] += 1


def language_key() -> tuple[str | None, int]:
    """What a translated text depends on: the active language and the catalogs' generation."""
    return get_language(), _catalog_generation[0]


def per_language(build: Callable[[], T]) -> Callable[[], T]:
    """build() once per language, for labels that depend on nothing else: a page's dozens of gettext
    calls each go through the thread's translation, and the catalogs change only with a new release."""
    memo: dict[tuple[str | None, int], T] = {}

    def get() -> T:
        key = language_key()
        if key not in memo:
            memo[key] = build()
        return memo[key]

    return get


def cached_figures(key: tuple[Any, ...], compute: Callable[[], T], timeout: int = 3600, shared: bool = True) -> T:
    """compute(), or its value for the same key and data version.

    shared=False keeps the value in this process only, among fewer entries: for what is larger and
    cheaper to make again than to fetch from the database and unpickle, like rendered HTML.
    """
    # Hashed: keys carry search terms and other text that some cache backends refuse.
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
    full_key = f"fig:{data_version()}:{digest}"
    local, size = (_local_figures, _LOCAL_SIZE) if shared else (_local_fragments, _LOCAL_FRAGMENTS)
    with _lock:
        value = local.get(full_key, _MISSING)
        if value is not _MISSING:
            local.move_to_end(full_key)
            return value  # type: ignore[no-any-return]
    value = cache.get(full_key, _MISSING) if shared else _MISSING
    if value is _MISSING:  # None is a value too (e.g. "no region filter")
        value = compute()
        if shared:
            cache.set(full_key, value, timeout)
    with _lock:
        local[full_key] = value
        if len(local) > size:
            local.popitem(last=False)
    return value  # type: ignore[no-any-return]
