"""The matching's API: an enterprise's ranked providers, best first (issue 12's contract)."""

from __future__ import annotations

from typing import Any

from ninja import Query, Router

from zhigai.core.types import ApiRequest

from .matching import Match, MatchFilters, enterprise_matches
from .schemas import MatchOut, MatchQuery

router = Router(tags=["market"])


def match_out(m: Match, rank: int) -> dict[str, Any]:
    p, c = m.provider, m.candidate
    return {
        "provider": p.pk, "score": m.score, "parts": m.parts, "reason": m.reason, "flags": list(m.flags),
        "rank": rank, "name": p.name, "type": p.type, "values": m.values, "capacity": p.capacity,
        "open_engagements": c.open, "free_capacity": c.free, "price_level": p.price_level,
        "outcome_measured": c.measured, "technologies": m.offered_needed,
    }


@router.get("/enterprises/{uscc}/matches", response=list[MatchOut],
            description="The providers that may serve the enterprise, best first: hard filters first (listed, "
            "serves its region, works in its GB/T 4754 division, and no conflict of interest unless the rules "
            "allow it), then ranked by `score` (0..1), the sum of `parts` — each part's weighted share: "
            "technology fit to the latest diagnosis's gaps (to its stage and industry without one), industry "
            "experience, region, free capacity, measured outcomes, cost-effectiveness (docs/market.md). A "
            "provider at full capacity comes after every other, flagged `full`; one that diagnosed the "
            "enterprise is flagged `conflict` when the rules allow it. Optional filters: `type`, `technology`. "
            "Its own users, officers of its region and superusers may ask; for anyone else the enterprise is "
            "404 (as a missing one). An unknown `type` or `technology` is 422.")
def matches(request: ApiRequest, uscc: str, filters: Query[MatchQuery]) -> list[dict[str, Any]]:
    found = enterprise_matches(user=request.auth, uscc=uscc, filters=MatchFilters(**filters.dict()))
    return [match_out(m, i) for i, m in enumerate(found.matches, start=1)]
