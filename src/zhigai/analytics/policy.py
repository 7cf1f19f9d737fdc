"""Who may see the figures and edit the data they are compared with (SPEC §9)."""

from __future__ import annotations

from zhigai.base.policy import is_officer
from zhigai.core.models import Role
from zhigai.core.policy import Policy, has_role, is_superuser, policy_register, signed_in

policy = Policy("analytics")
policy.allow("figures", "view", is_superuser | is_officer,
             "figures of the enterprises the officer sees (its region or industries), their export, the study")
policy.allow("reference", "view", signed_in, "reference series, price indexes, scenarios: public data")
policy.allow("reference", "change", is_superuser | has_role(Role.PROVINCE),
             "edit reference series and price indexes: provincial officers")
policy_register(policy)
