"""Who may do what with projects, subsidies, the special fund and its payments (SPEC §1, §5; issue 13).

One policy for the app: the filing's rules are declared here, the subsidies' in policy_subsidy.py and the
fund's in policy_fund.py, each adding to this `policy` (apps.ready imports them all).

Filing and lifecycle:
- A project is seen by its enterprise's users, the officers of its region (province, city) and the industry
  officers of its industry — the enterprise relations of base.policy; no grant opens projects.
- Only an enterprise's own users file for it, and make the enterprise's moves: resubmit after a return,
  start, report progress, declare completion, ask for re-inspection after rectification, withdraw.
- The officers of its region review (approve, return, refuse) and inspect (start the inspection, accept,
  order rectification, find a breach of the commitment).
- A project waiting for land moves on when its city's quota has room for it, whoever's act made the room
  (the quota raised, land released): the move's rule is the room, not a role.
- Provincial officers publish the negative list and set the cities' land quotas.
"""

from __future__ import annotations

from typing import Any

from zhigai.base.policy import enterprise_scope, own_enterprise
from zhigai.core.models import REGION_ROLES, Role
from zhigai.core.policy import Policy, has_role, is_superuser, policy_register, predicate, signed_in

from .quota import land_room_for

policy = Policy("projects")
policy_register(policy)

VIEW = "projects.project.view"
FILE = "projects.project.file"
ACT = "projects.project.act"  # the enterprise's moves
REVIEW = "projects.project.review"
INSPECT = "projects.project.inspect"
LAND = "projects.project.land"
NEGATIVE_LIST = "projects.negative_list.publish"
QUOTA = "projects.land_quota.change"
FIGURES = "projects.figures.view"


def _enterprise(obj: Any) -> Any:
    """The enterprise a rule is tested on: a project's, or the enterprise itself."""
    return getattr(obj, "enterprise", obj)


@predicate
def sees_enterprise(user: Any, obj: Any) -> bool:
    if obj is None or user.role not in (*REGION_ROLES, Role.INDUSTRY, Role.ENTERPRISE):
        return False
    return enterprise_scope(user).contains(_enterprise(obj))


@predicate
def own(user: Any, obj: Any) -> bool:
    return obj is not None and bool(own_enterprise(user, _enterprise(obj)))


@predicate
def region_officer(user: Any, obj: Any) -> bool:
    return obj is not None and user.role in REGION_ROLES and enterprise_scope(user).contains(_enterprise(obj))


@predicate
def land_room(user: Any, project: Any) -> bool:
    return project is not None and land_room_for(project)


@predicate
def returned(user: Any, project: Any) -> bool:
    return project is not None and project.state == "returned"


is_province = has_role(Role.PROVINCE)
is_official = has_role(*REGION_ROLES, Role.INDUSTRY)

policy.allow("project", "view", is_superuser | sees_enterprise,
             "a project: its enterprise's users, officers of its region, industry officers of its industry")
policy.allow("project", "list", is_superuser | has_role(*REGION_ROLES, Role.INDUSTRY, Role.ENTERPRISE),
             "the projects list (no object): each sees the projects of the enterprises it reaches")
policy.allow("project", "file", is_superuser | own,
             "file a project for an enterprise (object: the enterprise): its own users")
policy.allow("project", "change", (is_superuser | own) & returned,
             "change a project returned for changes, before resubmitting it: its enterprise's users")
policy.allow("project", "act", is_superuser | own,
             "the enterprise's moves: resubmit, start, report progress, declare completion, re-inspection, withdraw")
policy.allow("project", "review", is_superuser | region_officer,
             "review a project under review (approve, return, refuse): officers of its region")
policy.allow("project", "inspect", is_superuser | region_officer,
             "inspect a declared completion (accept, rectification, breach): officers of its region")
policy.allow("project", "land", land_room,
             "move a project waiting for land on: whenever its city's quota has room for it")
policy.allow("queue", "view", is_superuser | has_role(*REGION_ROLES),
             "the review and inspection queue: officers of a region")
policy.allow("negative_list", "view", signed_in,
             "the negative list and its versions: public policy, read by those who file as by officials")
policy.allow("negative_list", "publish", is_superuser | is_province,
             "publish a new version of the negative list: provincial officers")
policy.allow("land_quota", "view", is_superuser | has_role(*REGION_ROLES),
             "the land quota page: officers of a region")
policy.allow("land_quota", "change", is_superuser | is_province,
             "set a city's land quota for a year: provincial officers")
policy.allow("figures", "view", is_superuser | is_official,
             "the projects' figures (by region and industry, in the user's scope): officials")
