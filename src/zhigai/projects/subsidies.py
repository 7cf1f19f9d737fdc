"""The subsidy engine (SPEC §5, issue 13): pure functions over Decimal, no database, every amount with its
working.

Robot purchase subsidy, for each equipment line of robots:
  rate   = min(base_rate + small_micro_points [small or micro enterprise] + domestic_points [domestic brand],
               max_rate)
  base   = the purchase cost (count × unit price; in a claim, what its invoices prove of the line)
  amount = min(base × rate, per_robot_cap × count − already claimed on the line), rounded ONCE, to the fen,
           ROUND_HALF_UP, at the end of the line (never a rounded step in between: 3 robots of 10.03 yuan at
           15 % give 4.51, where rounding each robot's 1.5045 first would give 4.50).
The total is the sum of the rounded lines with the per-enterprise-year cap applied last: the allowance left
(cap − what the enterprise's approved and paid robot claims of the year already hold) is shared among the
lines IN LINE ORDER — each line keeps what it can of what is left, the later ones are cut first — so no
amount is rounded again and the cut lines say by how much.

Post-project grant: min(verified equipment and software investment × rate, per_project_cap), rounded once
the same way; only for a project in state `accepted`.

The rule set comes from projects.subsidy_rules (versions by year and region); this module only computes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
ROUNDING = ROUND_HALF_UP  # the one rounding rule: half a fen and more goes up
ZERO = Decimal("0.00")

# The parameters of a rule set, each a rate (a fraction 0..1) or an amount of yuan.
RATE, YUAN = "rate", "yuan"
PARAMETERS: dict[str, dict[str, str]] = {
    "robot": {"base_rate": RATE, "small_micro_points": RATE, "domestic_points": RATE, "max_rate": RATE,
              "per_robot_cap": YUAN, "per_enterprise_year_cap": YUAN},
    "post_project": {"rate": RATE, "per_project_cap": YUAN},
}
SMALL_SIZES = frozenset({"small", "micro"})
RATE_PLACES = Decimal("0.0001")  # a rate is given to a hundredth of a percentage point at most
YUAN_LIMIT = Decimal("1000000000000.00")


def round_fen(value: Decimal) -> Decimal:
    """The one rounding: to the fen, half up."""
    return value.quantize(CENT, rounding=ROUNDING)


@dataclass(frozen=True)
class RobotRule:
    base_rate: Decimal
    small_micro_points: Decimal
    domestic_points: Decimal
    max_rate: Decimal
    per_robot_cap: Decimal
    per_enterprise_year_cap: Decimal


@dataclass(frozen=True)
class GrantRule:
    rate: Decimal
    per_project_cap: Decimal


@dataclass(frozen=True)
class Rules:
    version: str  # names the stored version, e.g. "330000/2013/v1"
    robot: RobotRule
    grant: GrantRule


def _number(value: Any) -> Decimal | None:
    text = str(value if value is not None else "").strip()
    if not text or not text.isascii():
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def rule_problems(params: Any) -> list[dict[str, str]]:
    """What is wrong with a rule set's parameters, as {field, message} with the message's msgid code:
    `number` (not a number), `rate` (not within 0..1 or finer than 0.0001), `yuan` (negative, not to the fen
    or absurdly large), `missing`, `unknown`, `ceiling` (the ceiling below the base rate)."""
    problems: list[dict[str, str]] = []
    if not isinstance(params, Mapping):
        return [{"field": "params", "message": "missing"}]
    for part, names in PARAMETERS.items():
        given = params.get(part)
        if not isinstance(given, Mapping):
            problems.append({"field": part, "message": "missing"})
            continue
        problems += [{"field": f"{part}.{k}", "message": "unknown"} for k in sorted(set(given) - set(names))]
        for name, kind in names.items():
            if name not in given:
                problems.append({"field": f"{part}.{name}", "message": "missing"})
                continue
            number = _number(given[name])
            if number is None:
                problems.append({"field": f"{part}.{name}", "message": "number"})
            elif kind == RATE and not (0 <= number <= 1 and number == number.quantize(RATE_PLACES)):
                problems.append({"field": f"{part}.{name}", "message": "rate"})
            elif kind == YUAN and not (0 <= number <= YUAN_LIMIT and number == number.quantize(CENT)):
                problems.append({"field": f"{part}.{name}", "message": "yuan"})
    named = {p["field"] for p in problems}
    if not named & {"robot", "robot.base_rate", "robot.max_rate"} \
            and Decimal(str(params["robot"]["max_rate"])) < Decimal(str(params["robot"]["base_rate"])):
        problems.append({"field": "robot.max_rate", "message": "ceiling"})
    return problems


def rules_from_params(version: str, params: Mapping[str, Any]) -> Rules:
    """A rule set from checked parameters (rule_problems found nothing)."""
    robot, grant = params["robot"], params["post_project"]
    money = {n: Decimal(str(robot[n])).quantize(CENT) for n in ("per_robot_cap", "per_enterprise_year_cap")}
    return Rules(
        version=version,
        robot=RobotRule(base_rate=Decimal(str(robot["base_rate"])),
                        small_micro_points=Decimal(str(robot["small_micro_points"])),
                        domestic_points=Decimal(str(robot["domestic_points"])),
                        max_rate=Decimal(str(robot["max_rate"])), **money),
        grant=GrantRule(rate=Decimal(str(grant["rate"])),
                        per_project_cap=Decimal(str(grant["per_project_cap"])).quantize(CENT)),
    )


def params_normalised(params: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The parameters as stored and compared: decimal strings, money to the fen."""
    out: dict[str, dict[str, str]] = {}
    for part, names in PARAMETERS.items():
        out[part] = {}
        for name, kind in names.items():
            number = Decimal(str(params[part][name]))
            out[part][name] = str(number.quantize(CENT)) if kind == YUAN else format(number.normalize(), "f")
    return out


# --- the robot purchase subsidy ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Purchase:
    """One equipment line of robots as the engine sees it."""

    ref: Any  # the equipment line's id (or its position, before the project is saved)
    type: str
    origin: str  # "domestic" or "imported"
    count: int
    cost: Decimal  # the purchase cost to subsidise, yuan
    claimed_before: Decimal = ZERO  # what other claims already hold on this line (its per-robot cap is shared)


@dataclass(frozen=True)
class RateWorking:
    parts: tuple[tuple[str, Decimal], ...]  # ("base" | "small_micro" | "domestic", points)
    uncapped: Decimal
    ceiling: Decimal
    value: Decimal

    @property
    def capped(self) -> bool:
        return self.uncapped > self.ceiling


@dataclass
class RobotLine:
    purchase: Purchase
    rate: RateWorking
    base: Decimal
    exact: Decimal  # base × rate, unrounded
    amount: Decimal  # after the per-robot cap and the rounding; then cut by the enterprise-year cap
    caps_applied: list[dict[str, Any]] = field(default_factory=list)
    before_enterprise_cap: Decimal = ZERO


@dataclass
class RobotSubsidy:
    rules: Rules
    lines: list[RobotLine]
    subtotal: Decimal  # the sum of the rounded lines, before the enterprise-year cap
    cap: Decimal
    used: Decimal  # what the enterprise's approved and paid robot claims of the year already hold
    total: Decimal

    @property
    def left_after(self) -> Decimal:
        return max(self.cap - self.used - self.total, ZERO)


def robot_rate(rule: RobotRule, *, small_or_micro: bool, domestic: bool) -> RateWorking:
    parts = [("base", rule.base_rate)]
    if small_or_micro:
        parts.append(("small_micro", rule.small_micro_points))
    if domestic:
        parts.append(("domestic", rule.domestic_points))
    uncapped = sum((p for _n, p in parts), Decimal(0))
    return RateWorking(tuple(parts), uncapped, rule.max_rate, min(uncapped, rule.max_rate))


def robot_line(rule: RobotRule, purchase: Purchase, *, small_or_micro: bool) -> RobotLine:
    """One line: its rate, base × rate, the per-robot cap (less what other claims hold on the line), rounded
    once."""
    rate = robot_rate(rule, small_or_micro=small_or_micro, domestic=purchase.origin == "domestic")
    exact = purchase.cost * rate.value
    limit = max(rule.per_robot_cap * purchase.count - purchase.claimed_before, ZERO)
    caps: list[dict[str, Any]] = []
    if rate.capped:
        caps.append({"cap": "max_rate", "limit": rate.ceiling, "before": rate.uncapped})
    capped = exact
    if exact > limit:
        capped = limit
        caps.append({"cap": "per_robot", "limit": rule.per_robot_cap, "count": purchase.count,
                     "claimed_before": purchase.claimed_before, "line_limit": limit, "before": round_fen(exact)})
    amount = round_fen(capped)
    return RobotLine(purchase, rate, purchase.cost, exact, amount, caps, amount)


def robot_subsidy(rules: Rules, purchases: Iterable[Purchase], *, size_class: str, used: Decimal) -> RobotSubsidy:
    """Every robot line's subsidy and the total, with the enterprise-year cap applied last, in line order."""
    small = size_class in SMALL_SIZES
    lines = [robot_line(rules.robot, p, small_or_micro=small) for p in purchases]
    subtotal = sum((line.amount for line in lines), ZERO)
    cap = rules.robot.per_enterprise_year_cap
    left = max(cap - used, ZERO)
    for line in lines:
        kept = min(line.amount, left)
        if kept < line.amount:
            line.caps_applied.append({"cap": "per_enterprise_year", "limit": cap, "used": used,
                                      "left": left, "cut": line.amount - kept, "before": line.amount})
            line.amount = kept
        left -= kept
    return RobotSubsidy(rules, lines, subtotal, cap, used, sum((line.amount for line in lines), ZERO))


# --- the post-project grant ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PostProjectGrant:
    rules: Rules
    eligible: bool  # accepted: the grant is paid only after acceptance
    equipment: Decimal
    software: Decimal
    base: Decimal
    rate: Decimal
    exact: Decimal
    amount: Decimal
    caps_applied: tuple[dict[str, Any], ...]


def post_project_grant(rules: Rules, *, equipment: Decimal, software: Decimal, accepted: bool) -> PostProjectGrant:
    """rate × (verified equipment + software investment), at most the per-project cap, rounded once; zero
    before acceptance (the figure it would be is in `exact`)."""
    base = equipment + software
    exact = base * rules.grant.rate
    caps: tuple[dict[str, Any], ...] = ()
    capped = exact
    if exact > rules.grant.per_project_cap:
        capped = rules.grant.per_project_cap
        caps = ({"cap": "per_project", "limit": rules.grant.per_project_cap, "before": round_fen(exact)},)
    amount = round_fen(capped) if accepted else ZERO
    return PostProjectGrant(rules, accepted, equipment, software, base, rules.grant.rate, exact, amount, caps)


# --- as JSON: money and rates as decimal strings --------------------------------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def robot_line_json(line: RobotLine) -> dict[str, Any]:
    p = line.purchase
    return {
        "equipment_line": p.ref, "type": p.type, "origin": p.origin, "count": p.count,
        "rate": str(line.rate.value),
        "rate_parts": [{"part": name, "points": str(points)} for name, points in line.rate.parts],
        "rate_uncapped": str(line.rate.uncapped), "rate_ceiling": str(line.rate.ceiling),
        "base": str(line.base), "exact": str(line.exact),
        "amount_before_enterprise_cap": str(line.before_enterprise_cap), "amount": str(line.amount),
        "caps_applied": _plain(line.caps_applied),
    }


def robot_subsidy_json(result: RobotSubsidy) -> dict[str, Any]:
    return {
        "rule_version": result.rules.version, "rounding": "ROUND_HALF_UP, once per line, to the fen",
        "lines": [robot_line_json(line) for line in result.lines],
        "subtotal": str(result.subtotal), "robot_subsidy": str(result.total),
        "enterprise_year": {"cap": str(result.cap), "used": str(result.used),
                            "left": str(max(result.cap - result.used, ZERO)), "left_after": str(result.left_after)},
    }


def post_project_grant_json(grant: PostProjectGrant) -> dict[str, Any]:
    return {
        "rule_version": grant.rules.version, "eligible": grant.eligible, "equipment": str(grant.equipment),
        "software": str(grant.software), "base": str(grant.base), "rate": str(grant.rate),
        "exact": str(grant.exact), "amount": str(grant.amount), "caps_applied": _plain(list(grant.caps_applied)),
    }


def purchases_total(purchases: Sequence[Purchase]) -> Decimal:
    return sum((p.cost for p in purchases), ZERO)
