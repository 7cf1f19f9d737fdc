"""Who may do what with projects, subsidies, the special fund and its payments (SPEC §1, §5; issue 13).

One policy for the app: the filing's rules are declared here, the subsidies' in policy_subsidy.py and the
fund's in policy_fund.py, each adding to this `policy` (apps.ready imports them all)."""

from zhigai.core.policy import Policy, policy_register

policy = Policy("projects")
policy_register(policy)
