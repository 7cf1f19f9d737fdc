"""The special fund's allocation (SPEC §5, issue 13): which applications to fund so that the total expected
benefit is greatest within the budget and the round's rules — an exact 0-1 optimisation, certified.

The rules of a round:
- the budget: what is funded adds up to at most the budget;
- a per-enterprise cap: what one enterprise is funded, all its applications together, at most the cap;
- a minimum share per city: what a city is funded adds up to at least min(share × budget, all it asked for).

An application is funded in full or not at all (its amount is what it asked for, or what a review set).

The solver is HiGHS, through scipy.optimize.milp. HiGHS has reported suboptimal answers as optimal on small
0-1 problems, so its word is not taken: its solution is rounded to 0/1, re-checked against every rule in
exact Decimal, its benefit recomputed in Decimal, compared with the rule-keeping ranking (a feasible
solution the optimum can never be below), and called proven optimal only when the solver's bound meets the
objective within GAP_TOLERANCE. Objective, bound and gap are returned for the run to store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

# The gap (bound − objective, relative to the objective) below which the optimum counts as proven.
GAP_TOLERANCE = 1e-9
TIME_LIMIT = 60.0  # seconds the solver may take before it gives its best with the bound it reached
FEN = Decimal("0.01")
Reason = tuple[str, dict[str, object]]  # a code and its values, which pages put into words


@dataclass(frozen=True)
class Application:
    id: int
    enterprise: Hashable
    city: Hashable
    amount: Decimal  # yuan, to the fen
    benefit: Decimal  # expected benefit, in the round's published unit


@dataclass(frozen=True)
class Rules:
    budget: Decimal
    enterprise_cap: Decimal | None = None  # None: no cap
    city_min_share: Decimal = Decimal(0)  # 0..1 of the budget


@dataclass
class Result:
    """An allocation and how far it can be trusted."""

    status: str  # "optimal" (proven), "feasible" (best found, not proven), "infeasible", "unsolved" (no time)
    funded: list[int] = field(default_factory=list)
    total_amount: Decimal = Decimal(0)
    total_benefit: Decimal = Decimal(0)
    objective: float | None = None  # the solver's objective, as it reported it
    bound: float | None = None  # the solver's dual bound: no allocation can give more benefit
    gap: float | None = None
    proven_optimal: bool = False
    problems: list[Reason] = field(default_factory=list)  # the rules that cannot all hold
    reasons: dict[int, Reason] = field(default_factory=dict)  # application id -> why (not) funded
    ranking_funded: list[int] = field(default_factory=list)
    ranking_total_benefit: Decimal = Decimal(0)
    ranking_feasible: bool = True
    city_minimums: dict[Hashable, Decimal] = field(default_factory=dict)


def city_minimums(applications: Sequence[Application], rules: Rules) -> dict[Hashable, Decimal]:
    """Each city's minimum: min(share × budget, everything the city asked for), to the fen."""
    asked: dict[Hashable, Decimal] = defaultdict(Decimal)
    for a in applications:
        asked[a.city] += a.amount
    share = (rules.city_min_share * rules.budget).quantize(FEN)
    return {city: min(share, total) for city, total in asked.items()} if share > 0 else {}


def rules_kept(applications: Sequence[Application], funded: set[int], rules: Rules) -> list[str]:
    """The rules a set of funded applications breaks, in exact Decimal (empty when it keeps them all)."""
    broken = []
    chosen = [a for a in applications if a.id in funded]
    total = sum((a.amount for a in chosen), Decimal(0))
    if total > rules.budget:
        broken.append(f"budget: {total} > {rules.budget}")
    if rules.enterprise_cap is not None:
        by_enterprise: dict[Hashable, Decimal] = defaultdict(Decimal)
        for a in chosen:
            by_enterprise[a.enterprise] += a.amount
        broken += [f"enterprise {e}: {s} > {rules.enterprise_cap}" for e, s in by_enterprise.items()
                   if s > rules.enterprise_cap]
    by_city: dict[Hashable, Decimal] = defaultdict(Decimal)
    for a in chosen:
        by_city[a.city] += a.amount
    broken += [f"city {c}: {by_city[c]} < {m}" for c, m in city_minimums(applications, rules).items()
               if by_city[c] < m]
    return broken


def allocate(applications: Sequence[Application], rules: Rules, *, time_limit: float = TIME_LIMIT) -> Result:
    """The allocation of greatest total benefit that keeps every rule, certified (see the module's text)."""
    _check(applications, rules)
    minimums = city_minimums(applications, rules)
    ranking, ranking_ok = ranking_allocation(applications, rules, minimums)
    result = Result(status="infeasible", ranking_funded=sorted(ranking), ranking_feasible=ranking_ok,
                    ranking_total_benefit=_benefit(applications, ranking), city_minimums=minimums)
    result.problems = infeasibility(applications, rules, minimums)
    if result.problems:
        return result
    try:
        solved = _solve(applications, rules, minimums, time_limit)
    except TimeoutError:
        result.status = "unsolved"
        return result
    if solved is None:
        result.problems = [("together", {})]  # each rule can hold alone, not all of them at once
        return result
    funded, objective, bound = solved
    broken = rules_kept(applications, funded, rules)
    if broken:  # the solver's answer, rounded, breaks a rule: not an allocation at all
        raise ArithmeticError(f"the solver's allocation breaks the rules: {broken}")
    result.funded = sorted(funded)
    result.total_amount = sum((a.amount for a in applications if a.id in funded), Decimal(0))
    result.total_benefit = _benefit(applications, funded)
    result.objective, result.bound = objective, bound
    scale = max(abs(float(result.total_benefit)), 1.0)
    result.gap = max(bound - float(result.total_benefit), 0.0) / scale
    below_ranking = ranking_ok and result.total_benefit < result.ranking_total_benefit
    result.proven_optimal = result.gap <= GAP_TOLERANCE and not below_ranking
    result.status = "optimal" if result.proven_optimal else "feasible"
    result.reasons = explain(applications, rules, minimums, funded)
    return result


def _check(applications: Sequence[Application], rules: Rules) -> None:
    if rules.budget < 0 or (rules.enterprise_cap is not None and rules.enterprise_cap < 0):
        raise ValueError("the budget and the enterprise cap cannot be negative")
    if not Decimal(0) <= rules.city_min_share <= Decimal(1):
        raise ValueError("a city's minimum share lies between 0 and 1")
    ids = [a.id for a in applications]
    if len(set(ids)) != len(ids):
        raise ValueError("two applications share an id")
    if any(a.amount <= 0 or a.amount != a.amount.quantize(FEN) for a in applications):
        raise ValueError("every amount is positive, to the fen")


def _benefit(applications: Sequence[Application], funded: set[int]) -> Decimal:
    return sum((a.benefit for a in applications if a.id in funded), Decimal(0))


def _ratio(a: Application) -> tuple[Decimal, int]:
    return (-(a.benefit / a.amount), a.id)  # best benefit per yuan first, then the earlier application


def ranking_allocation(applications: Sequence[Application], rules: Rules,
                       minimums: dict[Hashable, Decimal]) -> tuple[set[int], bool]:
    """What a ranking by benefit per yuan funds while keeping the rules: each city's best applications up
    to its minimum first, then the best of all, each while the budget and its enterprise's cap allow.
    Returns the funded ids and whether every city reached its minimum."""
    ordered = sorted(applications, key=_ratio)
    funded: set[int] = set()
    left = rules.budget
    used: dict[Hashable, Decimal] = defaultdict(Decimal)
    by_city: dict[Hashable, Decimal] = defaultdict(Decimal)

    def take(a: Application) -> None:
        nonlocal left
        needed = by_city[a.city] < minimums.get(a.city, 0)
        if a.id in funded or a.amount > left or (a.benefit <= 0 and not needed):
            return
        if rules.enterprise_cap is not None and used[a.enterprise] + a.amount > rules.enterprise_cap:
            return
        funded.add(a.id)
        left -= a.amount
        used[a.enterprise] += a.amount
        by_city[a.city] += a.amount

    for city, minimum in minimums.items():
        for a in ordered:
            if a.city == city and by_city[city] < minimum:
                take(a)
    for a in ordered:
        take(a)
    return funded, all(by_city[c] >= m for c, m in minimums.items())


def infeasibility(applications: Sequence[Application], rules: Rules,
                  minimums: dict[Hashable, Decimal]) -> list[Reason]:
    """The rules that cannot hold, each on its own: the minimums together beyond the budget, a city that
    cannot reach its minimum under the enterprise cap. (Rules that hold alone but not together are found by
    the solver.)"""
    problems: list[Reason] = []
    total = sum(minimums.values(), Decimal(0))
    if total > rules.budget:
        problems.append(("minimums_over_budget", {"total": total, "budget": rules.budget}))
    if rules.enterprise_cap is None:
        return problems
    for city, minimum in minimums.items():
        most = _city_most(applications, rules, city)
        if most < minimum:
            problems.append(("city_unreachable", {"city": city, "most": most, "minimum": minimum}))
    return problems


def _city_most(applications: Sequence[Application], rules: Rules, city: Hashable) -> Decimal:
    """The most a city's applications can be funded under the enterprise cap and the budget (exact)."""
    mine = [a for a in applications if a.city == city]
    cap = Rules(budget=rules.budget, enterprise_cap=rules.enterprise_cap)
    as_benefit = [Application(a.id, a.enterprise, a.city, a.amount, a.amount) for a in mine]
    solved = _solve(as_benefit, cap, {}, TIME_LIMIT)
    return _benefit(as_benefit, solved[0]) if solved else Decimal(0)


def _solve(applications: Sequence[Application], rules: Rules, minimums: dict[Hashable, Decimal],
           time_limit: float) -> tuple[set[int], float, float] | None:
    """HiGHS on the 0-1 problem, amounts in whole fen (exact in floating point below 2**53 fen). Returns the
    funded ids, the objective and the bound, or None when no allocation keeps the rules."""
    if not applications:
        return set(), 0.0, 0.0
    n = len(applications)
    fen = np.array([int(a.amount / FEN) for a in applications], dtype=float)
    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    lower: list[float] = []
    upper: list[float] = []

    def group(members: list[int], low: float, high: float) -> None:
        rows.append(np.full(len(members), len(lower)))
        cols.append(np.array(members))
        lower.append(low)
        upper.append(high)

    group(list(range(n)), -np.inf, float(int(rules.budget / FEN)))
    ceiling = np.ones(n)
    if rules.enterprise_cap is not None:
        cap = float(int(rules.enterprise_cap / FEN))
        by_enterprise: dict[Hashable, list[int]] = defaultdict(list)
        for k, a in enumerate(applications):
            by_enterprise[a.enterprise].append(k)
        for members in by_enterprise.values():
            if sum(fen[members]) > cap:
                group(members, -np.inf, cap)
        ceiling[fen > cap] = 0  # asks more than the cap by itself
    by_city: dict[Hashable, list[int]] = defaultdict(list)
    for k, a in enumerate(applications):
        by_city[a.city].append(k)
    for city, minimum in minimums.items():
        if minimum > 0:
            group(by_city[city], float(int(minimum / FEN)), np.inf)
    r, c = np.concatenate(rows), np.concatenate(cols)
    matrix = csr_array((fen[c], (r, c)), shape=(len(lower), n))
    benefit = np.array([float(a.benefit) for a in applications])
    found = milp(c=-benefit, integrality=np.ones(n), bounds=Bounds(np.zeros(n), ceiling),
                 constraints=LinearConstraint(matrix, lower, upper),
                 options={"mip_rel_gap": GAP_TOLERANCE / 10, "time_limit": time_limit, "presolve": True})
    if found.status == 2:
        return None  # no allocation keeps the rules
    if found.x is None:
        raise TimeoutError("the solver found no allocation in the time allowed")
    funded = {applications[int(k)].id for k in np.flatnonzero(found.x > 0.5)}
    objective = -float(found.fun)
    bound = -float(found.mip_dual_bound) if getattr(found, "mip_dual_bound", None) is not None else objective
    return funded, objective, bound


def explain(applications: Sequence[Application], rules: Rules, minimums: dict[Hashable, Decimal],
            funded: set[int]) -> dict[int, Reason]:
    """Why each application was or was not funded. One that would fit what is left of the budget and of its
    enterprise's cap is left out of an optimum only for a benefit of zero or less; one funded although a
    better one per yuan was not is there for its city's minimum when the city would fall below it without."""
    used: dict[Hashable, Decimal] = defaultdict(Decimal)
    by_city: dict[Hashable, Decimal] = defaultdict(Decimal)
    for a in applications:
        if a.id in funded:
            used[a.enterprise] += a.amount
            by_city[a.city] += a.amount
    left = rules.budget - sum(used.values(), Decimal(0))
    ordered = sorted(applications, key=_ratio)
    rank = {a.id: k + 1 for k, a in enumerate(ordered)}
    cap = rules.enterprise_cap
    # The best benefit per yuan among the applications left out that their enterprise's cap would allow.
    passed_over = max((a.benefit / a.amount for a in applications
                       if a.id not in funded and (cap is None or a.amount <= cap)), default=None)
    reasons: dict[int, Reason] = {}
    for a in applications:
        ratio = a.benefit / a.amount
        values: dict[str, object] = {"rank": rank[a.id], "of": len(applications), "ratio": ratio}
        if a.id in funded:
            minimum = minimums.get(a.city, Decimal(0))
            needed = minimum > 0 and by_city[a.city] - a.amount < minimum
            code = "funded_for_city" if needed and passed_over is not None and ratio < passed_over else "funded"
            reasons[a.id] = (code, {**values, "city": a.city, "minimum": minimum})
        elif cap is not None and a.amount > cap:
            reasons[a.id] = ("over_cap", {**values, "cap": cap})
        elif cap is not None and used[a.enterprise] + a.amount > cap:
            reasons[a.id] = ("cap_used", {**values, "cap": cap, "used": used[a.enterprise]})
        elif a.amount > left:
            reasons[a.id] = ("budget_left", {**values, "left": left})
        else:
            reasons[a.id] = ("no_benefit" if a.benefit <= 0 else "not_chosen", values)
    return reasons
