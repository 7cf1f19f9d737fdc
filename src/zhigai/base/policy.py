"""Who may do what to enterprises, their indicators, regions and imports (SPEC §1).

Enterprises are reached through one of these relations:
- region subtree: provincial and city/county officers, the enterprises of their region and below;
- industries: industry authority officers, the enterprises of their industries anywhere;
- own enterprise: an enterprise user, theirs;
- a grant: what another module's records open (core.policy.Grant), only for the permissions it names.

`enterprise_scope(user, permission)` is each relation as a filter (lists, counts, figures); the predicates
below are the same relations tested on one enterprise (getters), so a list and a page always agree.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from zhigai.core.cache import cached_figures, request_memo
from zhigai.core.models import REGION_ROLES, Role
from zhigai.core.policy import (
    Policy,
    Predicate,
    grants_opening,
    has_role,
    is_superuser,
    policy_register,
    predicate,
    signed_in,
)

from .models import Region

ENTERPRISE_VIEW = "base.enterprise.view"


@dataclass(frozen=True)
class Scope:
    """The enterprises a user reaches for one permission. None in a field means "not restricted by
    this"; an empty set means "nothing"."""

    region_ids: frozenset[int] | None
    industry_ids: frozenset[int] | None
    enterprise_ids: frozenset[int] | None

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


EVERYTHING = Scope(None, None, None)
NOTHING = Scope(region_ids=frozenset(), industry_ids=None, enterprise_ids=None)


def region_subtree_ids(region_id: int) -> frozenset[int]:
    """The region and every region below it."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Region.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    ids, frontier = {region_id}, [region_id]
    while frontier:
        frontier = [child for pk in frontier for child in children.get(pk, [])]
        ids.update(frontier)
    return frozenset(ids)


def _region_filter(region_id: int) -> frozenset[int] | None:
    """The subtree as a filter, or None when it is the whole tree (one province loaded: no filter at all,
    which keeps the big queries simple)."""
    subtree = region_subtree_ids(region_id)
    return None if len(subtree) == Region.objects.count() else subtree


def enterprise_scope(user: Any, permission: str = ENTERPRISE_VIEW) -> Scope:
    """The enterprises on which `user` has `permission` through any relation (for a permission that
    is given through those relations: viewing an enterprise, its indicators, its assessments)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return EVERYTHING
    # Only a grant's scope depends on the permission: the region, industry and own-enterprise relations
    # give the same enterprises for every permission given through them, so they share one entry.
    through_grants = user.role not in REGION_ROLES and user.role not in (Role.INDUSTRY, Role.ENTERPRISE)
    key = ("scope", user.pk, user.role, user.region_id, user.enterprise_id, permission if through_grants else "")
    # Users, their industries and the grants' records are the "access" area; the region tree "reference".
    # Every permission test of a request reads it: kept for the request, too.
    return request_memo(key, lambda: cached_figures(key, lambda: _scope(user, permission),
                                                    areas=("access", "reference")))


def _scope(user: Any, permission: str) -> Scope:
    role = user.role
    if role in REGION_ROLES:
        if user.region_id is None:
            return NOTHING if role == Role.CITY else EVERYTHING
        return Scope(_region_filter(user.region_id), None, None)
    if role == Role.INDUSTRY:
        return Scope(None, frozenset(user.industries.values_list("id", flat=True)), None)
    if role == Role.ENTERPRISE:
        return Scope(None, None, frozenset([user.enterprise_id]) if user.enterprise_id else frozenset())
    granted = frozenset(pk for grant in grants_opening(role, permission) for pk in grant.enterprise_ids(user))
    return Scope(None, None, granted)


def reaches(permission: str) -> Predicate:
    """A predicate on (user, enterprise): the enterprise is in the user's scope for `permission`."""

    def check(user: Any, enterprise: Any) -> bool:
        return enterprise is not None and enterprise_scope(user, permission).contains(enterprise)

    return predicate(check, name=f"reaches({permission})")


is_region_officer = has_role(*REGION_ROLES)
is_officer = has_role(Role.PROVINCE, Role.CITY, Role.INDUSTRY)
is_enterprise_user = has_role(Role.ENTERPRISE)


@predicate
def in_region(user: Any, enterprise: Any) -> bool:
    """The enterprise lies in the officer's region (or below it)."""
    return user.role in REGION_ROLES and enterprise is not None and enterprise_scope(user).contains(enterprise)


@predicate
def own_enterprise(user: Any, enterprise: Any) -> bool:
    return user.role == Role.ENTERPRISE and enterprise is not None and user.enterprise_id == enterprise.id


@predicate
def region_in_scope(user: Any, region: Any) -> bool:
    """Region pages: region officers for their subtree, industry officers everywhere (their industries)."""
    if user.role == Role.INDUSTRY:
        return True
    if user.role not in REGION_ROLES or region is None:
        return False
    ids = enterprise_scope(user).region_ids
    return ids is None or region.id in ids


@predicate
def created_job(user: Any, job: Any) -> bool:
    return job is not None and job.created_by_id == user.id


policy = Policy("base")
policy.allow("enterprise", "view", is_superuser | reaches(ENTERPRISE_VIEW),
             "the profile: officers of its region or industry, its own users, grants that open it")
policy.allow("enterprise", "list", is_superuser | ~is_enterprise_user,
             "the province's lists and dashboards: everyone but an enterprise's own users, who have their home")
policy.allow("enterprise", "change", is_superuser | in_region | own_enterprise,
             "name and founding year: officers of its region, its own users")
policy.allow("enterprise", "classify", is_superuser | in_region,
             "region, industry, stage, tags, cluster: officers of its region")
policy.allow("enterprise", "create", is_superuser | is_region_officer,
             "register enterprises (in the officer's region; the service checks the county)")
policy.allow("enterprise", "history", is_superuser | reaches("base.enterprise.history"),
             "the audit trail of its profile and indicators: officers and its own users, no grant")
policy.allow("indicator", "view", is_superuser | reaches("base.indicator.view"),
             "its indicators (object: the enterprise)")
policy.allow("indicator", "change", is_superuser | in_region | own_enterprise,
             "report its indicators (object: the enterprise): officers of its region, its own users")
policy.allow("region", "view", is_superuser | region_in_scope, "a region's page and figures")
policy.allow("import", "create", is_superuser | is_region_officer, "import enterprises and indicators")
policy.allow("import", "view", is_superuser | created_job, "an import job: whoever started it")
policy.allow("reference", "view", signed_in, "regions, industries, templates: public reference data")
policy_register(policy)
