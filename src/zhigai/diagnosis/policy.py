"""Who may do what with diagnoses (SPEC §1, §3).

- Assessments are read by the officers of the enterprise's region or industry, by its own users, by the
  experts and engineering service companies assigned to diagnose it, and by their author.
- An enterprise's own user self-assesses it; an assigned expert or service company diagnoses it. A draft
  changes only in the hands of whoever may run its kind — an expert diagnosis only in its author's.
- Officers of the enterprise's region assign experts; officers see the figures of their scope.

The assignment is this module's grant: it opens the enterprise's profile and indicators (to read) and its
diagnoses (to read and run) — nothing else of the enterprise, and nothing of any other module.
"""

from __future__ import annotations

from typing import Any

from zhigai.base.policy import in_region, is_officer, own_enterprise, reaches
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

from .models import Assignment, Kind, Status

EXPERT_ROLES = frozenset({Role.EXPERT, Role.PROVIDER})
ASSESSMENT_VIEW = "diagnosis.assessment.view"
DIAGNOSE = "diagnosis.assessment.diagnose"


def assigned_enterprise_ids(user: Any) -> list[int]:
    return list(Assignment.objects.filter(user=user).values_list("enterprise_id", flat=True))


grant_register(Grant(
    name="diagnosis.assignment",
    roles=EXPERT_ROLES,
    enterprise_ids=assigned_enterprise_ids,
    opens=frozenset({"base.enterprise.view", "base.indicator.view", ASSESSMENT_VIEW, DIAGNOSE}),
    models=(Assignment,),
))

is_expert = has_role(*EXPERT_ROLES)
_reaches_assessments = reaches(ASSESSMENT_VIEW)


@predicate
def enterprise_of_assessment_reached(user: Any, assessment: Any) -> bool:
    return bool(_reaches_assessments(user, assessment.enterprise))


@predicate
def author(user: Any, assessment: Any) -> bool:
    return bool(assessment.created_by_id == user.id)


@predicate
def is_draft(user: Any, assessment: Any) -> bool:
    return bool(assessment.status == Status.DRAFT)


@predicate
def self_kind(user: Any, assessment: Any) -> bool:
    return bool(assessment.kind == Kind.SELF)


@predicate
def expert_kind(user: Any, assessment: Any) -> bool:
    return bool(assessment.kind == Kind.EXPERT)


@predicate
def owns_assessed_enterprise(user: Any, assessment: Any) -> bool:
    return bool(own_enterprise(user, assessment.enterprise))


assigned = is_expert & reaches(DIAGNOSE)  # on an enterprise


@predicate
def assigned_to_assessed_enterprise(user: Any, assessment: Any) -> bool:
    return bool(assigned(user, assessment.enterprise))


# A draft is filled in by whoever may run its kind: a self-assessment by the enterprise's user, an expert
# diagnosis by its author while still assigned (a colleague starts their own instead of changing it).
fills = is_draft & (
    (self_kind & (is_superuser | owns_assessed_enterprise))
    | (expert_kind & (is_superuser | (author & assigned_to_assessed_enterprise)))
)

policy = Policy("diagnosis")
policy.allow("assessment", "view", is_superuser | enterprise_of_assessment_reached | author,
             "an assessment, its result, reports and evidence")
policy.allow("enterprise", "view", is_superuser | reaches(ASSESSMENT_VIEW),
             "an enterprise's diagnoses: its history, its section on the enterprise page (object: the enterprise)")
policy.allow("assessment", "self_assess", is_superuser | own_enterprise,
             "start a self-assessment (object: the enterprise): its own users")
policy.allow("assessment", "diagnose", is_superuser | assigned,
             "start an expert diagnosis (object: the enterprise): assigned experts and service companies")
policy.allow("assessment", "change", fills, "answer a draft, attach and remove evidence")
policy.allow("assessment", "submit", fills & self_kind, "submit a complete self-assessment (transition)")
policy.allow("assessment", "verify", fills & expert_kind,
             "submit a complete expert diagnosis, which sets the enterprise's stage (transition)")
policy.allow("assignment", "create", is_superuser | in_region,
             "assign an expert to an enterprise (object: the enterprise): officers of its region")
policy.allow("assignment", "delete", is_superuser | in_region,
             "end an expert's assignment to an enterprise (object: the enterprise): officers of its region")
policy.allow("assignment", "list_own", is_superuser | is_expert, "one's own list of enterprises to diagnose")
policy.allow("figures", "view", is_superuser | is_officer, "levels by region, industry and size; cohorts")
policy.allow("overview", "view", signed_in, "the diagnosis home: models, one's own drafts and assignments")
policy_register(policy)
