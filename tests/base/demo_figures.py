"""Every figure of docs/figures.md recomputed from what the database holds, with code of its own.

Independent of the analytics module and of the generator: plain SQL reads the annual rows and the tags,
numpy sums them by the definitions of docs/figures.md. Used by tests/base/test_demo_figures.py and by
scripts/check_demo_figures.py (which prints the table in docs/demo-economics.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import connection

ABOVE = 20_000_000 * 100  # the designated-size line, in fen as stored
COLUMNS = ["revenue", "added_value", "profit", "employees", "frontline_employees", "industrial_investment",
           "tech_investment", "robots", "unfilled_positions", "positions_replaced", "frontline_wage"]
MONEY = {"revenue", "added_value", "profit", "industrial_investment", "tech_investment", "frontline_wage"}


@dataclass(frozen=True)
class Study:
    code: str
    label: str
    study: float
    absolute: bool = False  # a province total: the sample's is the province's times the sampling fraction


# docs/figures.md, "The study's values".
STUDY = [
    Study("labor_productivity_2016", "labor_productivity 2016 (yuan/person)", 206_000),
    Study("labor_productivity_growth_2013_2016", "labor_productivity growth 2013–2016", 0.332),
    Study("profit_growth_2016", "profit_growth 2016", 0.162),
    Study("labor_cost_saved_2013", "labor_cost_saved 2013 (yuan)", 29e9, absolute=True),
    Study("employment_gap_share_2012", "employment_gap_share 2012", 0.77),
    Study("tech_investment_2016", "tech_investment 2016 (yuan)", 712.6e9, absolute=True),
    Study("tech_investment_share_2016", "tech_investment_share 2016", 0.783),
    Study("tech_investment_growth_2013_2016", "tech_investment growth 2013–2016, a year", 0.177),
    Study("added_value_share_equipment_2016", "added_value_share equipment 2016", 0.391),
    Study("added_value_share_hightech_2016", "added_value_share hightech 2016", 0.423),
    Study("added_value_share_strategic_2016", "added_value_share strategic 2016", 0.265),
]


def _panel() -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT enterprise_id, year, {', '.join(COLUMNS)} FROM base_indicator WHERE month = 0")
        rows = cursor.fetchall()
    data = np.array(rows, dtype=float).reshape(-1, len(COLUMNS) + 2)  # an empty value (None) becomes NaN
    cols = {name: data[:, k + 2] / (100 if name in MONEY else 1) for k, name in enumerate(COLUMNS)}
    cols["revenue_fen"] = data[:, 2]
    return cols, data[:, 0].astype(int), data[:, 1].astype(int)


def tag_members(code: str) -> set[int]:
    """Enterprises carrying the tag: their own tags when they have any, otherwise their industry's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.id FROM base_enterprise e WHERE EXISTS (SELECT 1 FROM base_enterprise_tags et JOIN base_tag t "
            "ON t.id = et.tag_id WHERE et.enterprise_id = e.id AND t.code = %s) OR (NOT EXISTS (SELECT 1 FROM "
            "base_enterprise_tags et WHERE et.enterprise_id = e.id) AND EXISTS (SELECT 1 FROM base_industry_tags it "
            "JOIN base_tag t ON t.id = it.tag_id WHERE it.industry_id = e.industry_id AND t.code = %s))",
            [code, code],
        )
        return {r[0] for r in cursor.fetchall()}


def figures() -> dict[str, float]:
    """The study's figures of the whole database (no filter), by docs/figures.md."""
    c, ent, year = _panel()
    above = c["revenue_fen"] >= ABOVE
    s = lambda name, mask: float(np.nansum(c[name][mask]))  # noqa: E731 - Σ skipping empty values

    def productivity(y: int) -> float:
        a = above & (year == y)
        return s("added_value", a) / s("employees", a)

    def tech(y: int) -> float:
        return s("tech_investment", year == y)

    out: dict[str, float] = {}
    out["labor_productivity_2016"] = productivity(2016)
    out["labor_productivity_growth_2013_2016"] = productivity(2016) / productivity(2013) - 1
    reported_2015 = set(ent[year == 2015])
    same = above & (year == 2016) & np.isin(ent, list(reported_2015))
    kept = set(ent[same])
    before = (year == 2015) & np.isin(ent, list(kept))
    out["profit_growth_2016"] = s("profit", same) / s("profit", before) - 1
    y13 = year == 2013
    out["labor_cost_saved_2013"] = float(np.nansum(c["positions_replaced"][y13] * c["frontline_wage"][y13]))
    y12 = (year == 2012) & ~np.isnan(c["unfilled_positions"])
    out["employment_gap_share_2012"] = float((c["unfilled_positions"][y12] > 0).sum() / y12.sum())
    out["tech_investment_2016"] = tech(2016)
    out["tech_investment_share_2016"] = tech(2016) / s("industrial_investment", year == 2016)
    out["tech_investment_growth_2013_2016"] = (tech(2016) / tech(2013)) ** (1 / 3) - 1
    a16 = above & (year == 2016)
    for tag in ("equipment", "hightech", "strategic"):
        members = np.isin(ent, list(tag_members(tag)))
        out[f"added_value_share_{tag}_2016"] = s("added_value", a16 & members) / s("added_value", a16)
    return out


def table(fraction: float) -> list[tuple[Study, float, float]]:
    """(study value, figure, relative difference); absolute figures compared per the sampling fraction."""
    got = figures()
    rows = []
    for study in STUDY:
        value = got[study.code] / (fraction if study.absolute else 1)
        rows.append((study, got[study.code], value / study.study - 1))
    return rows
