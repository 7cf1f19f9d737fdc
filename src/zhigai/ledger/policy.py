"""Who may read the ledger (SPEC §1, §5). Nobody writes it directly: the services of the modules whose money
moves (the special fund's allocations and payments) post to it after their own permission checks."""

from zhigai.core.models import Role
from zhigai.core.policy import Policy, has_role, is_superuser, policy_register

VIEW = "ledger.ledger.view"

policy = Policy("ledger")
policy.allow("ledger", "view", is_superuser | has_role(Role.PROVINCE, Role.FINANCE),
             "the ledger, its balances and the reconciliation: the province's officers and the finance office")
policy_register(policy)
