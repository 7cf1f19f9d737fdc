"""Who may do what with the market's providers (SPEC §1, §4; issue 12).

- Anyone signed in sees the listed providers; a provider's own users see and edit their own while it is a
  draft or returned to them; provincial officers see every registration once submitted, and review it:
  list, return with comments, refuse, suspend, list again.
- A provider user or an expert who acts for no provider yet registers one; its users submit it.
- An enterprise's matching providers: its own users and the officers of its region; the matching's weights
  and conflict rule: provincial officers.

Engagements (market.engagements declares their moves):
- seen by the enterprise's users, the provider's users and the officers of the enterprise's region (the
  province all); officers make no moves; superusers may do anything;
- an enterprise's own users request an engagement for their enterprise;
- each move is the provider's or the enterprise's, as the table in market.engagements says; both may cancel.

Grants (what an engagement opens to its provider's users, and nothing more):
- "market.engagement": from the provider's acceptance on, while open or once closed (not declined or
  cancelled), the enterprise's profile and indicators (base.enterprise.view, base.indicator.view);
- "market.engagement.request": while a request waits for the answer, the profile only, so that the
  provider can judge it.
Neither opens a diagnosis: the diagnosis policy honours only grants naming diagnosis.assessment.view, and
these do not. The one diagnosis a provider reads is the one the enterprise gave with its request
(Engagement.assessment), shown on the engagement page through the engagement's own access
(selectors_engagement.given_result).
- A provider's own users manage its members (an expert steering group's experts and its leader); the
  province sees them.
- Provincial and city officers see the market at a glance over the enterprises of their region.
"""

from __future__ import annotations

from typing import Any

from zhigai.base.policy import in_region, own_enterprise
from zhigai.core.models import Role
from zhigai.core.policy import (
    Grant,
    Policy,
    grant_register,
    has_role,
    is_superuser,
    policy_register,
    predicate,
    signed_in,
)

from .models import OPEN_STATES, Engagement, EngagementState, Membership, ProviderStatus

PROVIDER_VIEW = "market.provider.view"
REVIEW = "market.provider.review"
MATCH = "market.enterprise.match"
MATCHING_CHANGE = "market.matching.change"
# The roles that act for providers: service company staff (and suppliers, cloud providers, banks), and the
# experts of the steering groups.
PROVIDER_ROLES = frozenset({Role.PROVIDER, Role.EXPERT, Role.BANK})
EDITABLE = frozenset({ProviderStatus.DRAFT, ProviderStatus.RETURNED})

is_reviewer = has_role(Role.PROVINCE)


@predicate
def listed(user: Any, provider: Any) -> bool:
    return bool(provider.status == ProviderStatus.LISTED)


@predicate
def member(user: Any, provider: Any) -> bool:
    return bool(Membership.objects.filter(user_id=user.pk, provider_id=provider.pk).exists())


@predicate
def editable(user: Any, provider: Any) -> bool:
    return bool(provider.status in EDITABLE)


@predicate
def submitted_once(user: Any, provider: Any) -> bool:
    return bool(provider.status != ProviderStatus.DRAFT)


@predicate
def acts_for_none(user: Any) -> bool:
    return not Membership.objects.filter(user_id=user.pk).exists()


policy = Policy("market")
policy.allow("provider", "view", is_superuser | (signed_in & listed) | member | (is_reviewer & submitted_once),
             "a provider's page: listed ones by anyone signed in, its own users always, the province once submitted")
policy.allow("provider", "create", has_role(*PROVIDER_ROLES) & acts_for_none,
             "register a provider (no object): a provider user or expert who acts for none yet")
policy.allow("provider", "change", (is_superuser | member) & editable,
             "edit a provider's profile and qualification files: its users, while a draft or returned")
policy.allow("provider", "submit", is_superuser | member,
             "submit a registration for review, again after a return (transition)")
policy.allow("provider", "review", is_superuser | is_reviewer,
             "list, return, refuse, suspend and relist providers; the review queue; filter by status")
policy.allow("directory", "view", signed_in, "the provider directory and its export")
policy.allow("enterprise", "match", is_superuser | own_enterprise | in_region,
             "an enterprise's matching providers (object: the enterprise): its own users, officers of its region")
policy.allow("matching", "change", is_superuser | is_reviewer,
             "the matching's weights and conflict-of-interest rule: provincial officers")

# --- engagements -------------------------------------------------------------------------------------------

# The states in which an engagement opens its enterprise to the provider (see the module's docstring).
ENGAGED_STATES = frozenset((OPEN_STATES - {EngagementState.REQUESTED}) | {EngagementState.CLOSED})


def _engaged_ids(user: Any, states: frozenset[str]) -> list[int]:
    return list(Engagement.objects.filter(provider__members__user_id=user.pk, state__in=states)
                .values_list("enterprise_id", flat=True).distinct())


grant_register(Grant(
    name="market.engagement", roles=PROVIDER_ROLES, models=(Engagement, Membership),
    enterprise_ids=lambda user: _engaged_ids(user, ENGAGED_STATES),
    opens=frozenset({"base.enterprise.view", "base.indicator.view"}),
))
grant_register(Grant(
    name="market.engagement.request", roles=PROVIDER_ROLES, models=(Engagement, Membership),
    enterprise_ids=lambda user: _engaged_ids(user, frozenset({EngagementState.REQUESTED})),
    opens=frozenset({"base.enterprise.view"}),
))


@predicate
def provider_party(user: Any, engagement: Any) -> bool:
    return bool(Membership.objects.filter(user_id=user.pk, provider_id=engagement.provider_id).exists())


@predicate
def enterprise_party(user: Any, engagement: Any) -> bool:
    return bool(user.role == Role.ENTERPRISE and user.enterprise_id == engagement.enterprise_id)


@predicate
def officer_of_region(user: Any, engagement: Any) -> bool:
    return bool(in_region(user, engagement.enterprise))


@predicate
def is_open(user: Any, engagement: Any) -> bool:
    return bool(engagement.state in OPEN_STATES)


@predicate
def requests_for(user: Any, enterprise: Any = None) -> bool:
    """An enterprise's own user, for that enterprise (without one: for their own)."""
    if user.role != Role.ENTERPRISE or not user.enterprise_id:
        return False
    return enterprise is None or user.enterprise_id == enterprise.id


PROVIDER_MOVES = ("accept", "decline", "start_research", "submit_report", "submit_plan", "start_implementation",
                  "report_progress", "submit_acceptance")
ENTERPRISE_MOVES = ("approve_plan", "return_plan", "reject_work", "accept_work")
provider_acts = is_superuser | provider_party
enterprise_acts = is_superuser | enterprise_party

policy.allow("engagement", "view", is_superuser | provider_party | enterprise_party | officer_of_region,
             "an engagement, its events, plan, documents: its two parties and the officers of the enterprise's "
             "region")
policy.allow("engagement", "request", is_superuser | requests_for,
             "request an engagement of a listed provider (object: the enterprise, or none): its own users")
policy.allow("engagement", "attach", (provider_acts | enterprise_acts) & is_open,
             "upload a document to an open engagement, for a move to bring: its parties")
for _move in PROVIDER_MOVES:
    policy.allow("engagement", _move, provider_acts, f"{_move} (transition): the provider's users")
for _move in ENTERPRISE_MOVES:
    policy.allow("engagement", _move, enterprise_acts, f"{_move} (transition): the enterprise's users")
policy.allow("engagement", "cancel", provider_acts | enterprise_acts,
             "cancel an open engagement with a reason (transition): either party")
policy.allow("member", "view", is_superuser | member | (is_reviewer & submitted_once),
             "a provider's members page: its own users; the province, read-only, once it was submitted")
policy.allow("member", "change", is_superuser | member,
             "add and remove a provider's members and set a steering group's leader: its own users")
policy.allow("overview", "view", is_superuser | has_role(Role.PROVINCE, Role.CITY),
             "the market at a glance and the engagements' export: provincial and city officers, each over the "
             "enterprises of its region")
policy_register(policy)
