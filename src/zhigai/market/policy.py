"""Who may do what with the market's providers (SPEC §1, §4; issue 12).

- Anyone signed in sees the listed providers; a provider's own users see and edit their own while it is a
  draft or returned to them; provincial officers see every registration once submitted, and review it:
  list, return with comments, refuse, suspend, list again.
- A provider user or an expert who acts for no provider yet registers one; its users submit it.

- A provider's own users manage its members (an expert steering group's experts and its leader); the
  province sees them.
- Provincial and city officers see the market at a glance over the enterprises of their region.
"""

from __future__ import annotations

from typing import Any

from zhigai.core.models import Role
from zhigai.core.policy import Policy, has_role, is_superuser, policy_register, predicate, signed_in

from .models import Membership, ProviderStatus

PROVIDER_VIEW = "market.provider.view"
REVIEW = "market.provider.review"
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
policy.allow("member", "view", is_superuser | member | (is_reviewer & submitted_once),
             "a provider's members page: its own users; the province, read-only, once it was submitted")
policy.allow("member", "change", is_superuser | member,
             "add and remove a provider's members and set a steering group's leader: its own users")
policy.allow("overview", "view", is_superuser | has_role(Role.PROVINCE, Role.CITY),
             "the market at a glance and the engagements' export: provincial and city officers, each over the "
             "enterprises of its region")
policy_register(policy)
