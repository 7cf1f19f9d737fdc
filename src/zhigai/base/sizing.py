"""Size class by the national statistical rule for industry (2017) and the "above designated size" flag.

Both are derived from an enterprise's latest annual indicators, never typed in. Bounds are policy data
kept here in one table, with the statistical rule's values.
"""

from __future__ import annotations

from decimal import Decimal

# (class, minimum employees, minimum revenue in yuan), largest first. A class needs BOTH bounds met.
SIZE_RULE: tuple[tuple[str, int, Decimal], ...] = (
    ("large", 1000, Decimal("400000000")),
    ("medium", 300, Decimal("20000000")),
    ("small", 20, Decimal("3000000")),
)
ABOVE_DESIGNATED_REVENUE = Decimal("20000000")


def size_class(employees: int | None, revenue: Decimal | None) -> str:
    staff = employees or 0
    income = revenue if revenue is not None else Decimal(0)
    for name, min_staff, min_revenue in SIZE_RULE:
        if staff >= min_staff and income >= min_revenue:
            return name
    return "micro"


def above_designated_size(revenue: Decimal | None) -> bool:
    return revenue is not None and revenue >= ABOVE_DESIGNATED_REVENUE
