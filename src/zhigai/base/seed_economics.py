"""The demo province's economics: how each enterprise behaves, year by year (docs/demo-economics.md).

Pure numpy, no Django: a seeded, vectorised simulation of every enterprise of the province, 2012–2020.
Nothing here rescales a total to a target. The study's figures (docs/figures.md) come out of the rows
because the enterprises behave as the parameters of data/demo_calibration.yaml say: output per head by
industry division and size, added value and profit in proportion to output, entries and exits, machine
substitution every year (already before the program of 2013) and a transformation stage that steps up
with an investment lump and robots that stay, replace frontline positions and raise productivity and
profit from the year after the step.

Each year runs in this order for the enterprises alive in it: employment and productivity from the state
the year starts with; output, revenue, profit; then the year's stage steps (decided on that state) and
the year's machine substitution, with their positions replaced, robots and investment recorded in that
year; their effects (fewer frontline workers, higher output per head, a step's higher margin) start the
next year; finally exits. The firms' draws are stratified (sizes by quantile, tags by systematic
sampling within each division), so that a different seed gives a different province with the same
figures within a few per cent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

STAGES = 5  # mechanization … intelligentization (models.STAGE_ORDER)


@dataclass
class Economy:
    """The simulated province: (years × enterprises) arrays, NaN-free; `alive` says which cells report."""

    years: np.ndarray
    division: np.ndarray  # index into the division codes given to simulate()
    founded: np.ndarray
    size0: np.ndarray  # output value in the first year (at its division's level): the sampling order's size
    hightech: np.ndarray  # enterprise-level membership (the statistics office's list), bool per enterprise
    strategic: np.ndarray
    theta: np.ndarray  # true efficiency gain per step on log output per head (from the year after the step)
    gamma: np.ndarray  # true profit-margin gain per step (from the year after the step)
    alive: np.ndarray
    stage: np.ndarray
    step: np.ndarray  # True in the year an enterprise moves up one stage
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    reports_gap: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def _by_division(cal: dict[str, Any], codes: list[str], key: str) -> np.ndarray:
    table = cal["divisions"]
    missing = [c for c in codes if c not in table]
    if missing:
        raise ValueError(f"demo_calibration.yaml has no parameters for division(s) {', '.join(missing)}")
    return np.array([float(table[c][key]) for c in codes])


def _stage_at_entry(rng: np.random.Generator, size: np.ndarray, shares: list[float]) -> np.ndarray:
    """Initial stages in the given shares, larger enterprises likelier to be further on (rank of a noisy
    latent on log size: the shares hold exactly, the ordering only on average)."""
    latent = 0.5 * np.log(size) + rng.normal(0, 1, len(size))
    ranks = np.argsort(np.argsort(latent)) / max(len(size), 1)
    bounds = np.cumsum(shares)[:-1]
    return np.searchsorted(bounds, ranks, side="right")


def _strata(rng: np.random.Generator, groups: np.ndarray) -> np.ndarray:
    """A quantile per enterprise, stratified within each group: a group's m enterprises take the midpoints
    of (0, 1/m), (1/m, 2/m), …, in random order (so the largest firm of a division is the same size for
    every seed)."""
    u = np.empty(len(groups))
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        u[members] = (rng.permutation(len(members)) + 0.5) / len(members)
    return u


def _whole(rng: np.random.Generator, expected: np.ndarray) -> np.ndarray:
    """Whole robots with the expected number (rounded up with the chance of the fraction): a small firm's
    0.3 of a robot is a robot in three firms out of ten, not none in all."""
    return np.floor(expected + rng.random(len(expected)))


def _systematic(rng: np.random.Generator, chance: np.ndarray, groups: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Membership with the given chances, drawn by systematic sampling within each group ordered by size:
    in every run of enterprises of similar size the members number the sum of their chances ± 1."""
    member = np.zeros(len(chance), dtype=bool)
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        members = members[np.argsort(size[members], kind="stable")]
        cumulative = np.floor(rng.random() + np.concatenate([[0.0], np.cumsum(chance[members])]))
        member[members] = np.diff(cumulative) > 0
    return member


def simulate(cal: dict[str, Any], codes: list[str], shares: np.ndarray, n: int, seed: int) -> Economy:
    """Every enterprise of a province of `n`, following the calibration's behaviour; deterministic for a seed."""
    years = np.array(cal["years"])
    t_count = len(years)
    rng = np.random.default_rng(seed)
    size_cal, dyn, tr, lab, inv, tags = (cal[k] for k in ("size", "dynamics", "transformation", "labor",
                                                         "investment", "tags"))

    # Stratified draws (a systematic sample of each distribution, in random order): the divisions' counts,
    # their size distributions and their tag shares come out alike for every seed, so the province's
    # figures are the calibration's and not one draw's (a few very large firms otherwise swing them).
    p = shares / shares.sum()
    division = np.searchsorted(np.cumsum(p)[:-1], (rng.permutation(n) + rng.random(n)) / n, side="right")
    oph, va_d, margin_d, size_d = (_by_division(cal, codes, k)[division]
                                   for k in ("output_per_head", "va_ratio", "margin", "size"))

    # Entries: incumbents founded before the first year, entrants in a later year (first reporting year).
    entrant = rng.random(n) < dyn["entrant_share"]
    founded = np.where(entrant, rng.integers(years[1], years[-1] + 1, n), rng.integers(1978, years[0] + 1, n))
    first = np.maximum(founded, years[0])

    # Size: log-normal employment with a Pareto tail above `tail_from` — the large-firm tail of a province.
    emp0 = rng.lognormal(np.log(size_cal["employees_median"]), size_cal["employees_sigma"], n) * size_d
    rank = _strata(rng, division)  # the tail is the top `tail_share` of each division, Pareto by quantile
    tail = rank >= 1 - size_cal["tail_share"]
    quantile = np.clip((rank - (1 - size_cal["tail_share"])) / size_cal["tail_share"], 0, 1 - 1e-9)
    emp0 = np.where(tail, size_cal["tail_from"] * (1 - quantile) ** (-1 / size_cal["tail_alpha"]), emp0)
    emp0 = np.clip(np.where(entrant, emp0 * dyn["entrant_size"], emp0), 5, size_cal["employees_max"])
    frontline_share = np.clip(rng.normal(lab["frontline_share"], 0.06, n), 0.45, 0.9)

    # Output per head in the first year: the division's level, higher in larger firms, firm dispersion.
    elasticity = size_cal["output_per_head_size_elasticity"]
    size_effect = (emp0 / 100) ** elasticity
    # A large enterprise is many plants and lines: its level and its year-to-year noise are averages,
    # less dispersed than a small one's (and a few giants' draws do not swing the province's figures).
    breadth = np.clip((emp0 / 100) ** -0.2, 0.4, 1.0)
    out_head0 = oph * size_effect * rng.lognormal(-0.5 * (0.4 * breadth) ** 2, 0.4 * breadth)
    va_ratio = np.clip(va_d * rng.lognormal(0, 0.08 * breadth), 0.06, 0.7)
    sales_ratio = rng.uniform(0.94, 1.02, n)
    margin_i = margin_d + rng.normal(0, cal["profit"]["margin_sd"], n)
    firm_growth = rng.normal(0, dyn["growth_sd"], n) + np.where(entrant, dyn["entrant_growth"], 0.0)

    # The true effects of a stage step (docs/demo-economics.md), drawn per enterprise.
    theta = rng.normal(tr["theta_mean"], tr["theta_sd"], n)
    gamma = rng.normal(cal["profit"]["gamma_mean"], cal["profit"]["gamma_sd"], n)
    per_robot = rng.uniform(lab["positions_per_robot"][0], lab["positions_per_robot"][1], n)
    wage_i = rng.lognormal(-0.5 * 0.12**2, 0.12, n)

    # Enterprise-level tags: the statistics office's high-tech and strategic-emerging lists cut across
    # divisions; larger enterprises are likelier on them.
    lean = np.clip((emp0 / 100) ** tags["size_elasticity"], 0.4, 2.0)
    hightech = _systematic(rng, np.clip(_by_division(cal, codes, "hightech")[division] * lean, 0, 0.97),
                           division, emp0)
    strategic = _systematic(rng, np.clip(_by_division(cal, codes, "strategic")[division] * lean, 0, 0.97),
                            division, emp0)

    shape = (t_count, n)
    alive = np.zeros(shape, dtype=bool)
    stage = np.zeros(shape, dtype=int)
    step = np.zeros(shape, dtype=bool)
    cols = {k: np.zeros(shape) for k in (
        "employees", "frontline_employees", "output_value", "revenue", "added_value", "profit", "wage_bill",
        "frontline_wage", "tech_investment", "industrial_investment", "robots", "positions_replaced",
        "rd_spending", "unfilled_positions", "defect_rate", "energy_use", "cloud_level")}

    demand = emp0.copy()  # employment the firm's demand would need without any replacement
    keep = np.ones(n)  # share of the demand-driven frontline still needed after the positions replaced
    gain = np.zeros(n)  # accumulated efficiency gains (θ), log output per head
    margin_gain = np.zeros(n)
    trend = 0.0
    noise = rng.normal(0, dyn["productivity_noise"] * breadth)
    robots = np.zeros(n)
    exited = np.zeros(n, dtype=bool)
    current = np.zeros(n, dtype=int)
    gap_draw = rng.random(n)  # persistent: an enterprise short of workers stays so until it changes
    initial_stage = _stage_at_entry(rng, emp0, tr["initial_stages"])
    reports_gap = rng.random(shape) >= lab["gap_not_reported"]

    for k, year in enumerate(years):
        live = (first <= year) & ~exited
        new = live & (first == year)
        alive[k] = live
        trend += dyn["output_per_head_trend"][k]
        if k:
            grow = dyn["employment_trend"][k] + firm_growth + rng.normal(0, dyn["employment_noise"], n)
            demand = np.where(live & ~new, demand * np.exp(grow), demand)
            noise = dyn["productivity_persistence"] * noise + rng.normal(0, dyn["productivity_noise"] * breadth)
        current = np.where(new, initial_stage, current)
        frontline = np.maximum(1, np.rint(demand * frontline_share * keep))
        staff = np.maximum(1, np.rint(demand * (1 - frontline_share)))
        employees = frontline + staff
        # Output per head rises by the positions replaced (the same output with fewer people) plus θ.
        mechanical = -np.log((frontline + staff) / (demand * frontline_share + staff))
        out_head = out_head0 * np.exp(trend + mechanical + gain + noise)
        output = out_head * employees
        revenue = output * sales_ratio
        added = output * va_ratio * rng.lognormal(0, 0.02, n)
        margin = (margin_i + dyn["margin_cycle"][k] + margin_gain
                  + rng.normal(0, cal["profit"]["margin_noise"] * breadth))

        # This year's steps (firms were already stepping up before the program of 2013): likelier in the
        # program's years, for larger firms, less so further up; not in an enterprise's founding year.
        hazard = (tr["step_hazard"][k] * np.clip((employees / 100) ** tr["size_elasticity"], 0.3, tr["size_max"])
                  * np.array(tr["stage_factor"])[current])
        founding = live & (founded == year)
        stepping = live & ~founding & (current < STAGES - 1) & (rng.random(n) < hazard)
        if new.any():  # an enterprise's first robots come with its initial stage
            stock = np.array(lab["robots_per_100_at_entry"])[current] * rng.uniform(0.5, 1.5, n) / 100
            robots = np.where(new, _whole(rng, frontline * stock), robots)
        target = np.minimum(current + 1, STAGES - 1)
        new_robots = np.where(stepping, _whole(rng, frontline * np.array(lab["robots_per_100_per_step"])[target]
                                                * rng.uniform(0.5, 1.5, n) / 100), 0)
        automated = frontline * np.array(lab["automation_share_per_step"])[target] * rng.uniform(0.6, 1.4, n)
        by_step = np.where(stepping, new_robots * per_robot + automated, 0)
        # Machine substitution outside the steps, at every stage alike (a common trend the steps' effects
        # are measured against): each year some enterprises replace a share of their frontline with
        # equipment, robots among it (more of them further up).
        upgrading = live & ~founding & (rng.random(n) < lab["upgrade_chance"])
        routine = np.where(upgrading, frontline * lab["upgrade_share"][k] / lab["upgrade_chance"]
                           * rng.uniform(0.5, 1.5, n), 0)
        routine_robots = np.where(upgrading, _whole(rng, frontline * lab["upgrade_robots_per_100"][k] / 100
                                                     * (1 + current) * rng.uniform(0.5, 1.5, n)), 0)
        replaced = np.minimum(np.rint(by_step + routine), np.floor(frontline * lab["max_replaced_share"]))
        robots = robots + new_robots + routine_robots
        current = np.where(stepping, target, current)

        # A step's investment, less of the revenue the larger the enterprise (a large one upgrades line by
        # line, much of it in its ongoing investment): the province's total is not a few giants' timing.
        scale = np.clip((employees / 100) ** -inv["lump_size_elasticity"], 0.3, 1.5)
        lump = np.where(stepping, revenue * inv["step_lump"] * np.array(inv["lump_stage_factor"])[current]
                        * scale * rng.uniform(0.5, 1.5, n), 0)
        # The year's investment varies less in a large enterprise (the sum of many projects).
        spread = np.clip((employees / 100) ** -0.3, 0.25, 1.0)
        ongoing = revenue * inv["ongoing"][k] * (1 + inv["ongoing_stage_factor"] * current) * rng.lognormal(
            -0.5 * (0.5 * spread) ** 2, 0.5 * spread)
        tech = lump + ongoing
        other = revenue * inv["other"][k] * rng.lognormal(-0.5 * (0.6 * spread) ** 2, 0.6 * spread)

        wage = lab["frontline_wage_2013"] * (1 + lab["frontline_wage_growth"]) ** (year - 2013) * wage_i
        gap = gap_draw < np.array(lab["gap_by_stage"])[current]
        hightech_rd = np.where(hightech, 2.0, 1.0)

        stage[k], step[k] = current, stepping
        c = cols
        c["employees"][k], c["frontline_employees"][k] = employees, frontline
        c["output_value"][k], c["revenue"][k], c["added_value"][k] = output, revenue, added
        c["profit"][k] = revenue * margin
        c["frontline_wage"][k] = wage
        c["wage_bill"][k] = wage * (frontline + staff * lab["staff_wage_premium"])
        c["tech_investment"][k], c["industrial_investment"][k] = tech, tech + other
        c["robots"][k], c["positions_replaced"][k] = robots, replaced
        c["rd_spending"][k] = revenue * rng.uniform(0.004, 0.02, n) * (1 + 0.2 * current) * hightech_rd
        c["unfilled_positions"][k] = np.where(gap, np.maximum(1, np.rint(frontline * rng.uniform(0.02, 0.12, n))), 0)
        c["defect_rate"][k] = np.clip(rng.normal(0.035, 0.01, n) * (1 - 0.15 * current), 0.001, 0.2)
        c["energy_use"][k] = output / 10_000 * rng.uniform(0.03, 0.12, n)
        c["cloud_level"][k] = np.clip(current - 1 + (year >= 2017) + (rng.random(n) < 0.2), 0, 3)

        # The effects from next year: the replaced positions leave; a step's θ and γ apply.
        keep = keep * (1 - replaced / np.maximum(frontline, 1))
        gain = gain + np.where(stepping, theta, 0)
        margin_gain = margin_gain + np.where(stepping, gamma, 0)
        # Exits at the year's end: small and loss-making firms likelier; an exited firm stops reporting.
        exit_hazard = (dyn["exit_hazard"] * np.where(employees < 50, 1.5, np.where(employees < 300, 1.0, 0.4))
                       * np.where(margin < 0, 2.5, 1.0))
        exited |= live & (k < t_count - 1) & (rng.random(n) < exit_hazard)

    return Economy(years=years, division=division, founded=founded, size0=out_head0 * emp0, hightech=hightech,
                   strategic=strategic, theta=theta, gamma=gamma, alive=alive, stage=stage, step=step,
                   columns=cols, reports_gap=reports_gap)


def _balancing_totals(e: Economy, equipment: np.ndarray) -> np.ndarray:
    """Per enterprise, its contribution to each yearly total the sample is balanced on (columns)."""
    c, alive = e.columns, e.alive
    above = alive & (c["revenue"] >= 20_000_000)
    parts = [alive, above]
    for name in ("employees", "frontline_employees", "revenue", "added_value", "profit", "tech_investment",
                 "industrial_investment", "positions_replaced", "robots"):
        parts.append(np.where(alive, c[name], 0))
    for name in ("employees", "added_value", "profit"):
        parts.append(np.where(above, c[name], 0))
    for domain in (e.hightech, e.strategic, equipment[e.division]):
        parts.append(np.where(above & domain, c["added_value"], 0))
    parts.append(alive & (c["unfilled_positions"] > 0))
    # Last year's profit of this year's enterprises above the line that reported then (growth on the
    # same enterprises, the statistics office's comparable basis).
    parts.append(np.vstack([np.zeros_like(alive[:1], dtype=float),
                            np.where(above[1:] & alive[:-1], c["profit"][:-1], 0)]))
    stats = np.concatenate([p.astype(float) for p in parts]).T  # enterprises × (yearly totals)
    return stats[:, stats.sum(axis=0) > 0]


def sample(economy: Economy, n: int, equipment: np.ndarray, rounds: int = 600) -> np.ndarray:
    """Indices of a balanced 1-in-(N/n) sample of the province.

    Stratified: the enterprises ordered by division and first-year size are cut into n consecutive blocks
    and one is taken from each, so every division and size band is represented in proportion. Balanced
    (as the cube method of survey sampling does): within their blocks, picks are then swapped one at a
    time, the swap that best brings the sample's yearly totals (employees, output, profit, investment,
    positions replaced, … — _balancing_totals), divided by the sampling fraction, to the province's,
    until every total is within 0.2 % or `rounds` swaps are done. Deterministic, no random draw.
    """
    total = len(economy.division)
    if not 0 < n <= total:
        raise ValueError(f"a sample of {n} enterprises is not possible from a province of {total}")
    order = np.lexsort((economy.size0, economy.division))
    if n == total:
        return np.sort(order)
    bounds = np.floor(np.arange(n + 1) * total / n).astype(int)
    sizes = np.diff(bounds)
    width = int(sizes.max())
    slots = bounds[:-1, None] + np.arange(width)[None, :]
    valid = np.arange(width)[None, :] < sizes[:, None]
    blocks = order[np.minimum(slots, total - 1)]
    pick = sizes // 2
    stats = _balancing_totals(economy, equipment)
    z = stats / (stats.sum(axis=0) * n / total)  # each enterprise's share of its expected sample total
    rows = np.arange(n)
    chosen = blocks[rows, pick]
    dev = z[chosen].sum(axis=0) - 1
    # Change of the squared deviation if block b swapped its pick for member a: 2 dev·d + |d|², d the
    # difference of the two enterprises' shares; only the swapped block's row changes between rounds.
    alt = z[blocks].astype(np.float32)  # blocks × width × totals
    d = alt - alt[rows, pick][:, None, :]
    dn = (d.astype(float) ** 2).sum(axis=2)
    dn[~valid] = np.inf
    for _ in range(rounds):
        if np.abs(dev).max() < 0.002:
            break
        gain = 2 * (d @ dev.astype(np.float32)) + dn
        b, a = np.unravel_index(np.argmin(gain), gain.shape)
        if gain[b, a] >= 0:
            break
        dev = dev + d[b, a]
        pick[b] = a
        d[b] = alt[b] - alt[b, a]
        dn[b] = (d[b].astype(float) ** 2).sum(axis=1)
        dn[b][~valid[b]] = np.inf
    return np.sort(blocks[rows, pick])
