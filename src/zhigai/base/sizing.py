"""Size class by the national statistical rule for industry (2017) and the "above designated size" flag.

Both are derived from an enterprise's latest annual indicators, never typed in. The bounds are policy data:
`data/policy/sizing.yaml`, with the statistical rule's values.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

_RULE = yaml.safe_load((Path(__file__).resolve().parent.parent / "data" / "policy" / "sizing.yaml").read_text("utf-8"))
# (class, minimum employees, minimum revenue in yuan), largest first. A class needs BOTH bounds met.
SIZE_RULE: tuple[tuple[str, int, Decimal], ...] = tuple(
    (c["class"], int(c["employees"]), Decimal(str(c["revenue"]))) for c in _RULE["classes"]
)
ABOVE_DESIGNATED_REVENUE = Decimal(str(_RULE["above_designated_revenue"]))


def size_class(employees: int | None, revenue: Decimal | None) -> str:
    staff = employees or 0
    income = revenue if revenue is not None else Decimal(0)
    for name, min_staff, min_revenue in SIZE_RULE:
        if staff >= min_staff and income >= min_revenue:
            return name
    return "micro"


def above_designated_size(revenue: Decimal | None) -> bool:
    return revenue is not None and revenue >= ABOVE_DESIGNATED_REVENUE
