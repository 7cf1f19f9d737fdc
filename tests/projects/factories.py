"""The one way the projects' tests make a project directly, in the state a test needs, as a filing under
the commitment would have left it (the filing's own tests go through `services.project_file`)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from zhigai.base.models import Enterprise, Region
from zhigai.projects.models import EquipmentKind, EquipmentLine, Project, ProjectState

_numbers = itertools.count(1000)
EXPECTED = {"positions_saved": 20, "productivity_gain": 0.15, "defect_rate_change": -0.015}  # ratios, as filed


def project_make(enterprise: Enterprise, robots: Sequence[tuple[str, int, str]] = (), *,
                 state: str = ProjectState.FILED, title: str | None = None, year: int = 2024,
                 equipment: str | None = None, software: str = "0", land_mu: str = "0",
                 expected: dict[str, Any] | None = None) -> Project:
    """robots: (origin, count, unit price) of each robot line; the equipment investment is their cost unless
    given (500,000.00 without robots). Land needed is drawn on the enterprise's city in `year`."""
    cost = sum((Decimal(price) * count for _origin, count, price in robots), Decimal(0))
    land = Decimal(land_mu)
    now = dt.datetime.now(dt.UTC)
    city = enterprise.region.parent if enterprise.region.parent_id else enterprise.region
    project = Project.objects.create(
        enterprise=enterprise, title=title or f"机器人换人改造{next(_numbers)}", state=state,
        start=dt.date(year, 2, 1), end=dt.date(year, 12, 1), created=now,
        equipment_investment=Decimal(equipment) if equipment else (cost or Decimal("500000.00")),
        software_investment=Decimal(software), expected=EXPECTED if expected is None else expected,
        land_mu=land, land_city=Region.objects.get(pk=city.pk) if land else None, land_year=now.year if land else None,
        commitment_signed=now, commitment_name="张三", commitment_version="2020-1",
        decision={"version": "2020-1", "category": None, "negative_list_entry": None, "commitment_signed": True})
    for origin, count, price in robots:
        EquipmentLine.objects.create(project=project, kind=EquipmentKind.ROBOT, type="焊接机器人", origin=origin,
                                     count=count, unit_price=Decimal(price))
    return project
