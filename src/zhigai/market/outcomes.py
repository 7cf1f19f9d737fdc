"""The measured outcomes of providers' closed engagements (SPEC §4, issue 12): what changed in each
client's own indicators beyond what changed for comparable enterprises that had no engagement.

For a closed engagement *j* of enterprise *e*, created in year *c* and accepted on a day of year *a*:

- the years: before *b* = *c* − 1; after *y* = *a* + 1 when *e* has an annual row that year, otherwise the
  latest year in (*b*, *a* + 1] in which it has one (the engagement is then counted in
  `measured_at_latest_year`); no row in *b*, or none after it, and *j* is not measured;
- each indicator *k* (INDICATORS) of a year: labor productivity = added value ÷ employees (yuan per
  person: docs/figures.md's labor_productivity for one enterprise), frontline employees, defect rate, energy
  per output = energy use ÷ output value × 10,000 (tonnes of standard coal per 10,000 yuan);
- the client's change *c_jk* = *k*(*y*) ÷ *k*(*b*) − 1 (a fraction: 0.12 is +12 %), defined when *k*(*b*) > 0
  and *k*(*y*) is known;
- the comparable enterprises: those of *e*'s cell (base.selectors: same industry division, size class and
  city) that never had an engagement, whatever its state; each with *k* in *b* and *y* gives its change the
  same way, and *p_jk* is their mean;
- the difference *d_jk* = *c_jk* − *p_jk* (difference in differences), defined when the client's change is
  and at least one comparable enterprise's is.

The provider's figure for *k* is the mean of *d_jk* over its engagements where it is defined, shown with
the means of *c_jk* and *p_jk* over the same engagements. Its `outcome_score` (0..1) credits each
indicator's difference in the good direction (up for productivity, down for the others): 0.5 + *benefit* ÷
(2 × OUTCOME_SCALE), clipped to [0, 1] — no difference is 0.5, OUTCOME_SCALE better than the comparison (20
percentage points) or more is 1 — and averages the indicators it could measure (None when none).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from zhigai.base.selectors import Cell, annual_panel, enterprise_cells

from .models import Engagement

# A difference of this size (a fraction) in the good direction scores 1; as much the other way, 0.
OUTCOME_SCALE = 0.20
FIELDS = ("added_value", "employees", "frontline_employees", "defect_rate", "energy_use", "output_value")
Row = dict[str, Any]


def _ratio(top: Any, bottom: Any, times: float = 1.0) -> float | None:
    if top is None or not bottom:
        return None
    return float(top) / float(bottom) * times


@dataclass(frozen=True)
class Measure:
    code: str
    name: Any  # a lazy translation
    higher_is_better: bool
    value: Callable[[Row], float | None]


INDICATORS: tuple[Measure, ...] = (
    Measure("labor_productivity", _("劳动生产率"), True, lambda r: _ratio(r["added_value"], r["employees"])),
    Measure("frontline_employees", _("一线生产人员"), False,
            lambda r: None if r["frontline_employees"] is None else float(r["frontline_employees"])),
    Measure("defect_rate", _("产品不良率"), False,
            lambda r: None if r["defect_rate"] is None else float(r["defect_rate"])),
    Measure("energy_per_output", _("单位产值能耗"), False,
            lambda r: _ratio(r["energy_use"], r["output_value"], 10_000.0)),
)
INDICATOR_NAMES = {m.code: m.name for m in INDICATORS}


@dataclass(frozen=True)
class Closed:
    """What a closed engagement's measurement needs."""

    provider_id: int
    enterprise_id: int
    created: datetime.date  # local date
    accepted_on: datetime.date


def change(measure: Measure, years: dict[int, Row], before: int, after: int) -> float | None:
    """k(after) ÷ k(before) − 1, or None when either is unknown or k(before) is not positive."""
    if before not in years or after not in years:
        return None
    start, end = measure.value(years[before]), measure.value(years[after])
    if start is None or end is None or start <= 0:
        return None
    return end / start - 1


def _after_year(years: dict[int, Row], before: int, target: int) -> int | None:
    if before not in years:
        return None
    if target in years:
        return target
    later = [y for y in years if before < y <= target]
    return max(later) if later else None


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def outcome_score(outcomes: Sequence[dict[str, Any]]) -> float | None:
    parts = []
    for found in outcomes:
        benefit = found["difference"] if found["higher_is_better"] else -found["difference"]
        parts.append(min(1.0, max(0.0, 0.5 + benefit / (2 * OUTCOME_SCALE))))
    return round(_mean(parts), 4) if parts else None


def measured_outcomes(closed: Sequence[Closed]) -> dict[int, dict[str, Any]]:
    """Each provider's outcomes (by id) from its closed engagements: `outcomes` (per indicator measured:
    code, higher_is_better, client_change, peer_change, difference, engagements), `measured` (engagements
    with at least one difference), `measured_at_latest_year`, `outcome_score`. Three queries whatever the
    number of engagements and providers."""
    cells = enterprise_cells(c.enterprise_id for c in closed)
    windows = [(c, c.created.year - 1, c.accepted_on.year + 1) for c in closed if c.enterprise_id in cells]
    years = {y for _c, before, target in windows for y in range(before, target + 1)}
    clients = annual_panel(cells=cells.values(), years=years, fields=FIELDS, enterprise_ids=cells)
    engaged = Engagement.objects.values("enterprise_id")
    peers: dict[Cell, list[dict[int, Row]]] = {}
    for cell, rows in annual_panel(cells=cells.values(), years=years, fields=FIELDS, exclude=engaged).values():
        peers.setdefault(cell, []).append(rows)

    # provider -> indicator -> (client changes, peer changes, differences)
    found: dict[int, dict[str, tuple[list[float], list[float], list[float]]]] = {}
    measured: dict[int, int] = {}
    latest: dict[int, int] = {}
    for c, before, target in windows:
        own = clients.get(c.enterprise_id, (cells[c.enterprise_id], {}))[1]
        after = _after_year(own, before, target)
        if after is None:
            continue
        any_measured = False
        for measure in INDICATORS:
            mine = change(measure, own, before, after)
            theirs = [v for rows in peers.get(cells[c.enterprise_id], [])
                      if (v := change(measure, rows, before, after)) is not None]
            if mine is None or not theirs:
                continue
            lists = found.setdefault(c.provider_id, {}).setdefault(measure.code, ([], [], []))
            lists[0].append(mine)
            lists[1].append(_mean(theirs))
            lists[2].append(mine - _mean(theirs))
            any_measured = True
        if any_measured:
            measured[c.provider_id] = measured.get(c.provider_id, 0) + 1
            latest[c.provider_id] = latest.get(c.provider_id, 0) + (after != target)

    out: dict[int, dict[str, Any]] = {}
    for provider_id in {c.provider_id for c in closed}:
        by_indicator = found.get(provider_id, {})
        outcomes = [{"indicator": m.code, "higher_is_better": m.higher_is_better,
                     "client_change": round(_mean(by_indicator[m.code][0]), 4),
                     "peer_change": round(_mean(by_indicator[m.code][1]), 4),
                     "difference": round(_mean(by_indicator[m.code][2]), 4),
                     "engagements": len(by_indicator[m.code][2])}
                    for m in INDICATORS if m.code in by_indicator]
        out[provider_id] = {"outcomes": outcomes, "measured": measured.get(provider_id, 0),
                            "measured_at_latest_year": latest.get(provider_id, 0),
                            "outcome_score": outcome_score(outcomes)}
    return out
