"""Who may do what with subsidies (SPEC §1, §5; issue 13), added to the projects policy.

- A project's subsidy quote and its claims: the project enterprise's own users and the officers of its
  region (province, its city); its users register invoices and claim.
- A claim: approved or rejected by an officer of the project's region; paid (the ledger) by the same; a
  paid claim is clawed back by them when the project breaches its commitment (projects' breach hook).
- The rules (versions by year and region): anyone signed in reads them; provincial officers publish.
- The figures of subsidies by region and industry, and the claims queue: officers of a region (their subtree).
"""

from __future__ import annotations

from typing import Any

from zhigai.base.policy import in_region, is_region_officer, own_enterprise
from zhigai.core.models import Role
from zhigai.core.policy import Predicate, has_role, is_superuser, predicate, signed_in

from .policy import policy

QUOTE = "projects.subsidy.view"
CLAIM = "projects.subsidy.claim"
CLAIM_VIEW = "projects.subsidy_claim.view"
APPROVE = "projects.subsidy_claim.approve"
PAY = "projects.subsidy_claim.pay"
CLAW_BACK = "projects.subsidy_claim.claw_back"
QUEUE = "projects.subsidy_claim.queue"
RULES_VIEW = "projects.subsidy_rules.view"
RULES_PUBLISH = "projects.subsidy_rules.publish"
FIGURES = "projects.subsidy_figures.view"


def _enterprise_of(obj: Any) -> Any:
    """The enterprise behind a project or a claim, or the enterprise itself (a quote of lines not yet filed)."""
    if hasattr(obj, "uscc"):
        return obj
    project = getattr(obj, "project", obj)
    return getattr(project, "enterprise", None)


def through_enterprise(rule: Predicate, name: str) -> Predicate:
    """An enterprise relation of base.policy, tested on the enterprise of a project or a claim."""
    return predicate(lambda user, obj: bool(rule.test(user, _enterprise_of(obj))), name=name)


project_own = through_enterprise(own_enterprise, "project_own_enterprise")
project_in_region = through_enterprise(in_region, "project_in_region")

policy.allow("subsidy", "view", is_superuser | project_own | project_in_region,
             "a project's subsidy quote and its claims (object: the project): its enterprise's users, officers "
             "of its region")
policy.allow("subsidy", "claim", is_superuser | project_own,
             "register a project's invoices and claim its subsidies (object: the project): its enterprise's users")
policy.allow("subsidy_claim", "view", is_superuser | project_own | project_in_region,
             "a subsidy claim: the claiming enterprise's users, officers of its region")
policy.allow("subsidy_claim", "approve", is_superuser | project_in_region,
             "approve or reject a subsidy claim: officers of the project's region")
policy.allow("subsidy_claim", "pay", is_superuser | project_in_region,
             "pay an approved claim (posts to the ledger): officers of the project's region")
policy.allow("subsidy_claim", "claw_back", is_superuser | project_in_region,
             "claw back a paid claim after a commitment breach: officers of the project's region")
policy.allow("subsidy_claim", "queue", is_superuser | is_region_officer,
             "the claims waiting for approval in the officer's region")
policy.allow("subsidy_rules", "view", signed_in, "the subsidy rules and their versions: public policy")
policy.allow("subsidy_rules", "publish", is_superuser | has_role(Role.PROVINCE),
             "publish a new version of the subsidy rules: provincial officers")
policy.allow("subsidy_figures", "view", is_superuser | is_region_officer,
             "subsidies by region and industry: officers of a region, for their subtree")
