"""Figures that are expensive to compute, cached per version of the data areas they depend on.

The data is divided into areas (AREAS). A cached figure names the areas it is computed from, and its key
holds their versions (random tokens in core.DataVersion): a write to an area gives it a new version and
the figure's old entries are never asked for again, so nothing cached can be stale.

Nobody bumps a version by hand: each app registers its models with the areas they belong to
(cache_areas_register, from its AppConfig.ready()), and Django's post_save, post_delete and m2m_changed
signals mark those areas changed on every ORM write — services, the admin (its forms and "delete selected"),
tasks and shells alike. Writes that send no signals (bulk upserts, QuerySet.update(), bulk_create, raw SQL)
call areas_changed() with the models they wrote. Versions change when the writing transaction commits
(transaction.on_commit), once per area per transaction, in a short statement of their own: writers do not
queue behind one row for the length of their transactions, and a rolled-back write changes nothing.

Versions are read lazily, all areas in one query, at most once per request (request_scope, opened by
core.middleware.AreaVersionsMiddleware); a request that uses no cached figure reads none.

Two levels of cache, both through Django's cache API: caches["local"] in each process (no round trip, for
rendered HTML and the figures of every page) in front of caches["default"], shared by all processes.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import DataVersion

T = TypeVar("T")

AREAS: dict[str, str] = {
    "reference": "regions, industries, tags, clusters and maturity models",
    "enterprises": "enterprises: their profile, derived size, stage and tags",
    "indicators": "enterprises' annual and monthly indicators",
    "assessments": "diagnoses (self-assessments and expert diagnoses)",
    "access": "users and their assignments: what a user may see",
    "engagements": "the market's engagements and their events (track records, the market overview)",
}

_MISSING = object()
_model_areas: dict[type[models.Model], frozenset[str]] = {}
_ignored_fields: dict[type[models.Model], frozenset[str]] = {}
_pending = threading.local()  # areas written by this thread's open transaction, per database
# The versions read for the current request, in a holder the middleware opens (None outside a request).
_request_versions: ContextVar[dict[str, Any] | None] = ContextVar("zhigai_area_versions", default=None)


def _checked(areas: Iterable[str]) -> frozenset[str]:
    found = frozenset(areas)
    unknown = found - AREAS.keys()
    if unknown:
        raise ValueError(f"Unknown cache area(s) {sorted(unknown)}; the areas are {sorted(AREAS)}.")
    return found


# ---------------------------------------------------------------------------------------------- writes


def cache_areas_register(model: type[models.Model], *areas: str, ignoring: Iterable[str] = ()) -> None:
    """Declare which areas a model's rows belong to; every ORM write of it then changes them.

    A model on which no cached figure depends is registered with no areas, which says so explicitly
    (a test checks that every model of the platform is registered). Many-to-many tables declared on the
    model belong to the same areas. A save that updates only fields named in `ignoring` changes nothing
    cached (a user's last_login, written at every sign-in).
    """
    found = _checked(areas)
    _model_areas[model] = found
    _ignored_fields[model] = frozenset(ignoring)
    for field in model._meta.local_many_to_many:
        through: Any = field.remote_field.through
        _model_areas[through] = _model_areas.get(through, frozenset()) | found
        if found:
            m2m_changed.connect(_m2m_written, sender=through, dispatch_uid=f"zhigai-areas-m2m-{through._meta.label}")
    if found:
        # Per sender, not for all models: a post_delete receiver turns off Django's fast delete for
        # the models it listens to, which only those whose deletions matter should pay for.
        uid = model._meta.label
        post_save.connect(_written, sender=model, dispatch_uid=f"zhigai-areas-save-{uid}")
        post_delete.connect(_written, sender=model, dispatch_uid=f"zhigai-areas-delete-{uid}")


def registered_models() -> dict[type[models.Model], frozenset[str]]:
    return dict(_model_areas)


def _written(sender: type[models.Model], using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    fields = kwargs.get("update_fields")
    if fields and frozenset(fields) <= _ignored_fields.get(sender, frozenset()):
        return
    areas_changed(sender, using=using)


def _m2m_written(sender: type[models.Model], action: str, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    if action.startswith("post_"):
        areas_changed(sender, using=using)


def areas_changed(*written: str | type[models.Model], using: str = DEFAULT_DB_ALIAS) -> None:
    """Mark areas changed — by name, or by the models written — when the current transaction commits.

    For writes that send no model signals; a model that was never registered is an error, so a new bulk
    path cannot silently leave its figures stale.
    """
    areas: set[str] = set()
    for item in written:
        if isinstance(item, str):
            areas |= _checked([item])
        elif item in _model_areas:
            areas |= _model_areas[item]
        else:
            raise LookupError(
                f"{item._meta.label} is not registered with cache_areas_register() (in its app's ready()); "
                "register it with the areas of the cached figures that depend on it, or with none."
            )
    if not areas:
        return
    pending: dict[str, set[str]] = _pending.__dict__.setdefault("by_db", {})
    pending.setdefault(using, set()).update(areas)
    # One callback per call, each flushing whatever is pending: a callback registered inside a savepoint
    # that rolls back is dropped by Django, and any later one still carries its areas (at worst an area
    # changes once more than needed, never once less).
    transaction.on_commit(partial(_flush, using), using=using)


def _flush(using: str) -> None:
    pending: dict[str, set[str]] = _pending.__dict__.setdefault("by_db", {})
    areas = pending.pop(using, set())
    if not areas:
        return
    # A random token rather than a counter: a database restored from a backup brings back tokens whose
    # cached figures describe exactly the restored data.
    token = secrets.randbits(62)
    rows = DataVersion.objects.using(using)
    if rows.filter(name__in=areas).update(value=token) < len(areas):
        rows.bulk_create([DataVersion(name=a, value=token) for a in areas], ignore_conflicts=True)
        rows.filter(name__in=areas).update(value=token)
    holder = _request_versions.get()
    if holder is not None:
        holder.clear()  # this request reads the new versions if it uses a figure after its write


# ----------------------------------------------------------------------------------------------- reads


@contextmanager
def request_scope() -> Iterator[None]:
    """Read the area versions at most once while handling one request."""
    token = _request_versions.set({})
    try:
        yield
    finally:
        _request_versions.reset(token)


def area_versions() -> dict[str, int]:
    """Every area's version, in one query (once per request inside request_scope)."""
    holder = _request_versions.get()
    if holder and "versions" in holder:
        return holder["versions"]  # type: ignore[no-any-return]
    found = dict(DataVersion.objects.filter(name__in=AREAS).values_list("name", "value"))
    versions = {name: found.get(name, 0) for name in AREAS}
    if holder is not None:
        holder["versions"] = versions
    return versions


def cached_figures(
    key: tuple[Any, ...],
    compute: Callable[[], T],
    *,
    areas: Iterable[str],
    timeout: int = 3600,
    shared: bool = True,
) -> T:
    """compute(), or its value for the same key and the same versions of `areas`.

    `areas`: every area compute() reads (AREAS); () for what depends on no data (e.g. labels per
    language, whose key then names the language). shared=False keeps the value in this process only: for
    what is larger and cheaper to make again than to fetch from the shared cache, like rendered HTML.
    """
    names = sorted(_checked(areas))
    versions = area_versions() if names else {}
    # Hashed: keys carry search terms and other text that some cache backends refuse.
    digest = hashlib.sha256(repr((_release(), key, [(n, versions[n]) for n in names])).encode()).hexdigest()[:40]
    full_key = f"fig:{digest}"
    local = caches["local"]
    value = local.get(full_key, _MISSING)
    if value is not _MISSING:
        return value  # type: ignore[no-any-return]
    value = caches["default"].get(full_key, _MISSING) if shared else _MISSING
    if value is _MISSING:  # None is a value too (e.g. "no region filter")
        value = compute()
        if shared:
            caches["default"].set(full_key, value, timeout)
    local.set(full_key, value, timeout)
    return value  # type: ignore[no-any-return]


@functools.cache
def _release() -> str:
    """What this process's code and catalogs are: a new release (another version, changed translations)
    asks for new entries, so what an older one cached in the shared cache — texts translated by its
    catalogs, objects of its classes — is never read."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        parts = [version("zhigai")]
    except PackageNotFoundError:
        parts = ["unpackaged"]
    locale = Path(__file__).resolve().parent.parent / "locale"
    catalogs = sorted(locale.rglob("*.mo"))
    parts += [f"{p.relative_to(locale)}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in catalogs]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def request_memo(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """compute() once per request for the same key (inside request_scope; outside one, every call): for
    what a request asks many times over, like the user's scope that every permission test reads. A write
    in the request that changes any area forgets what was kept, as it forgets the versions."""
    holder = _request_versions.get()
    if holder is None:
        return compute()
    memo: dict[tuple[Any, ...], Any] = holder.setdefault("memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]  # type: ignore[no-any-return]


def local_clear() -> None:
    """Forget this process's level and the areas of uncommitted writes (tests, whose transactions roll
    back and bring versions back)."""
    caches["local"].clear()
    _pending.__dict__.pop("by_db", None)


def data_migrated(sender: Any = None, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """After `migrate` (sent once the migrations have run): every area changes, since a data migration
    may have rewritten any of them without model signals."""
    areas_changed(*AREAS, using=using)


def catalogs_changed(sender: Any = None, file_path: Any = None, **kwargs: Any) -> None:
    """A compiled catalog (.mo) changed under the development server, which reloads translations without
    restarting: labels cached per language are made again."""
    if file_path is None or str(file_path).endswith(".mo"):
        caches["local"].clear()
        caches["default"].clear()
