"""Who may do what with the special fund, its applications and payments (SPEC §1, §5; issue 13).

- Rounds (their budget and rules, the allocation and its comparison with the ranking) are seen by the
  region officers, the finance office and enterprises (the rules are public); the province creates them and
  runs the allocation.
- An application, and its payments, is seen by the province and the finance office (everything of the fund,
  province-wide), the officers of the project's region and the project's enterprise — never another city's.
- A project applies by its enterprise's users or an officer of its region; only an officer gives a review
  score in place of the formula's benefit.
- A payment is asked for by the enterprise or an officer of its region, approved first by an officer of the
  project's city, then by the finance office — never by the same person twice (the service's guard) — and
  made or failed by the finance office. The finance office reaches no enterprise's own data: its relation to
  the fund's records is these rules, not a grant.
"""

from __future__ import annotations

from typing import Any

from zhigai.base.policy import ENTERPRISE_VIEW, in_region, own_enterprise, reaches
from zhigai.core.models import Role
from zhigai.core.policy import Predicate, has_role, is_superuser, predicate

from .policy import policy

ROUND_VIEW = "projects.fund_round.view"
PROJECT_VIEW = "projects.fund_project.view"
ROUND_CREATE = "projects.fund_round.create"
ALLOCATE = "projects.fund_round.allocate"
FUND_WIDE = "projects.fund_round.view_all"
APPLICATION_VIEW = "projects.fund_application.view"
APPLY = "projects.fund_application.create"
REVIEW = "projects.fund_application.review"
REVIEW_ANY = "projects.fund_round.review"
PAYMENT_VIEW = "projects.fund_payment.view"
PAYMENT_REQUEST = "projects.fund_payment.request"
REGION_APPROVE = "projects.fund_payment.region_approve"
FINANCE_APPROVE = "projects.fund_payment.finance_approve"
DISBURSE = "projects.fund_payment.disburse"
CANCEL = "projects.fund_payment.cancel"
QUEUE = "projects.fund_payment.queue"
CLAWBACK = "projects.fund_project.claw_back"

is_province = has_role(Role.PROVINCE)
is_city = has_role(Role.CITY)
is_finance = has_role(Role.FINANCE)
is_region_officer = has_role(Role.PROVINCE, Role.CITY)


def _enterprise(obj: Any) -> Any:
    """The enterprise behind a project, an application or a payment."""
    if obj is None:
        return None
    if hasattr(obj, "application"):
        obj = obj.application
    if hasattr(obj, "project"):
        obj = obj.project
    return getattr(obj, "enterprise", None)


def _through(rule: Predicate, name: str) -> Predicate:
    """An enterprise relation (base.policy) tested on the enterprise behind the object."""
    return predicate(lambda user, obj: bool(rule.test(user, _enterprise(obj))), name=name)


in_its_region = _through(in_region, "in_its_region")
its_enterprise = _through(own_enterprise, "its_enterprise")
fund_wide = is_superuser | is_province | is_finance  # everything of the fund, province-wide
round_viewer = fund_wide | has_role(Role.CITY, Role.ENTERPRISE)

policy.allow("fund_round", "view", round_viewer,
             "the fund's rounds, their budget, rules and allocation: region officers, finance, enterprises")
policy.allow("fund_project", "view", is_superuser | (round_viewer & _through(reaches(ENTERPRISE_VIEW), "sees_it")),
             "a project as the fund reads it (object: the project): its enterprise in the scope of a fund user")
policy.allow("fund_round", "view_all", fund_wide,
             "every application and payment of the fund, province-wide: provincial officers, finance")
policy.allow("fund_round", "create", is_superuser | is_province, "open a year's round: provincial officers")
policy.allow("fund_round", "allocate", is_superuser | is_province, "run the allocation: provincial officers")
policy.allow("fund_application", "view", fund_wide | in_its_region | its_enterprise,
             "an application (object: it): province, finance, officers of its region, its enterprise")
policy.allow("fund_application", "create", is_superuser | in_its_region | its_enterprise,
             "apply with a project (object: the project): its enterprise, officers of its region")
policy.allow("fund_application", "review", is_superuser | (is_region_officer & in_its_region),
             "give a review score for the benefit (object: the project): officers of its region")
policy.allow("fund_round", "review", is_superuser | is_region_officer,
             "give review scores in a round (no object; each project's score: officers of its region)")
policy.allow("fund_payment", "view", fund_wide | in_its_region | its_enterprise,
             "a payment (object: it): as its application")
policy.allow("fund_payment", "request", is_superuser | in_its_region | its_enterprise,
             "ask for a payment of an application's allocation (object: the application)")
policy.allow("fund_payment", "region_approve", is_superuser | (is_city & in_its_region),
             "the first approval, or sending back: an officer of the project's city")
policy.allow("fund_payment", "finance_approve", is_superuser | is_finance,
             "the second approval, or sending back: the finance office (another person than the first)")
policy.allow("fund_payment", "disburse", is_superuser | is_finance, "record a payment made or failed: finance")
policy.allow("fund_payment", "cancel", is_superuser | is_finance | (is_region_officer & in_its_region),
             "withdraw a payment not yet made (a clawback does): finance, officers of its region")
policy.allow("fund_payment", "queue", fund_wide | is_city,
             "the payments waiting for approval: the city's officers, finance (the province reads them)")
policy.allow("fund_project", "claw_back", is_superuser | (is_region_officer & in_its_region),
             "claw back a project's fund payments on a commitment breach (object: the project)")
