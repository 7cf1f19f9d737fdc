"""The one access mechanism: what part of the data a user may see and change.

Every selector builds its queryset from `scope_for(user)`, so pages, API, exports and tasks share it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .cache import cached_figures
from .models import Role


@dataclass(frozen=True)
class Scope:
    """None in a field means "not restricted by this"; an empty set means "nothing"."""

    region_ids: frozenset[int] | None
    industry_ids: frozenset[int] | None
    enterprise_ids: frozenset[int] | None
    can_write_enterprises: bool

    @property
    def key(self) -> str:
        """A stable text naming exactly this scope, for cache keys ("no limit" and "nothing" differ)."""
        parts = [None if s is None else sorted(s) for s in (self.region_ids, self.industry_ids, self.enterprise_ids)]
        return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]

    def contains(self, enterprise: Any) -> bool:
        """Whether an enterprise (anything with id, region_id, industry_id) lies in this scope."""
        return (
            not self.sees_nothing
            and (self.region_ids is None or enterprise.region_id in self.region_ids)
            and (self.industry_ids is None or enterprise.industry_id in self.industry_ids)
            and (self.enterprise_ids is None or enterprise.id in self.enterprise_ids)
        )

    @property
    def sees_nothing(self) -> bool:
        return any(s is not None and not s for s in (self.region_ids, self.industry_ids, self.enterprise_ids))


NOTHING = Scope(region_ids=frozenset(), industry_ids=None, enterprise_ids=None, can_write_enterprises=False)


def region_subtree_ids(region_id: int) -> frozenset[int]:
    """The region and every region below it."""
    from zhigai.base.models import Region

    children: dict[int | None, list[int]] = {}
    for pk, parent in Region.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    ids, frontier = {region_id}, [region_id]
    while frontier:
        frontier = [child for pk in frontier for child in children.get(pk, [])]
        ids.update(frontier)
    return frozenset(ids)


def _region_scope(region_id: int) -> frozenset[int] | None:
    """The subtree as a filter, or None when it is the whole tree (one province loaded: no filter at all,
    which keeps the big queries simple). Regions change rarely: cached per data version."""
    from zhigai.base.models import Region

    def compute() -> frozenset[int] | None:
        subtree = region_subtree_ids(region_id)
        return None if len(subtree) == Region.objects.count() else subtree

    return cached_figures(("region-scope", region_id), compute)


# Roles that see particular enterprises through another module's records (diagnosis assignments,
# engagements, contracts): each module registers a function user -> enterprise ids for its roles.
_GRANTS: dict[str, list[Callable[[Any], Iterable[int]]]] = {}


def enterprise_grant_register(role: str, grant: Callable[[Any], Iterable[int]]) -> None:
    if grant not in _GRANTS.setdefault(role, []):
        _GRANTS[role].append(grant)


def scope_for(user: Any) -> Scope:
    """The user's scope, computed once per request (kept on the user object, which lives as long)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    key = (user.pk, user.role, user.region_id, user.enterprise_id, user.is_superuser)
    memo = user.__dict__.get("_zhigai_scope")
    if memo is not None and memo[0] == key:
        return memo[1]
    scope = _scope(user)
    user.__dict__["_zhigai_scope"] = (key, scope)
    return scope


def _scope(user: Any) -> Scope:
    if user.is_superuser:
        return Scope(None, None, None, can_write_enterprises=True)
    role = user.role
    if role in (Role.PROVINCE, Role.CITY):
        if user.region_id is None:
            return NOTHING if role == Role.CITY else Scope(None, None, None, True)
        return Scope(_region_scope(user.region_id), None, None, can_write_enterprises=True)
    if role == Role.INDUSTRY:
        industries = frozenset(user.industries.values_list("id", flat=True))
        return Scope(None, industries, None, can_write_enterprises=False)
    if role == Role.ENTERPRISE:
        own = frozenset([user.enterprise_id]) if user.enterprise_id else frozenset()
        return Scope(None, None, own, can_write_enterprises=False)
    # Providers, experts and banks see enterprises only through their assignments, engagements and
    # contracts, which the modules holding them grant (see enterprise_grant_register).
    granted = frozenset(pk for grant in _GRANTS.get(role, []) for pk in grant(user))
    return Scope(None, None, granted, can_write_enterprises=False)
