"""Projects, invoices and claims for the subsidies' tests, made directly (the filing is another module's)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from zhigai.base.models import Enterprise
from zhigai.core.models import User
from zhigai.projects.models import EquipmentKind, EquipmentLine, Project, ProjectState
from zhigai.projects.models_subsidy import Invoice, SubsidyClaim
from zhigai.projects.services_subsidy import claim_submit, invoice_add, subsidy_budget_post

_numbers = itertools.count(1000)
ISSUER = "91330100MA2AAAAA0Y"


def project_make(enterprise: Enterprise, lines: list[tuple[str, int, str]], *, state: str = ProjectState.FILED,
                 year: int = 2024, equipment: str | None = None, software: str = "0") -> Project:
    """lines: (origin, count, unit price) of robots."""
    total = sum((Decimal(p) * c for _o, c, p in lines), Decimal(0))
    project = Project.objects.create(enterprise=enterprise, title=f"机器人项目{next(_numbers)}", state=state,
                                     start=dt.date(year, 2, 1), end=dt.date(year, 12, 1),
                                     equipment_investment=Decimal(equipment) if equipment else total,
                                     software_investment=Decimal(software))
    for origin, count, price in lines:
        EquipmentLine.objects.create(project=project, kind=EquipmentKind.ROBOT, type="焊接机器人", origin=origin,
                                     count=count, unit_price=Decimal(price))
    return project


def invoice_for(project: Project, by: User, line: EquipmentLine | None = None, amount: str | None = None,
                number: str | None = None, issuer: str = ISSUER) -> Invoice:
    value = amount or str(line.unit_price * line.count if line else Decimal("1000.00"))
    return invoice_add(by=by, project=project, data={
        "number": number or str(next(_numbers)), "issuer_tax_id": issuer, "date": f"{project.start.year}-05-01",
        "amount": value, "equipment_line": line.pk if line else None})


def robot_claim(project: Project, by: User, *, program: str = "province", invoices: list[Invoice] | None = None,
                year: int | None = None) -> SubsidyClaim:
    chosen = invoices if invoices is not None else [invoice_for(project, by, line)
                                                    for line in project.equipment.order_by("id")]
    return claim_submit(by=by, project=project, data={"kind": "robot", "program": program,
                                                      "year": year or project.start.year,
                                                      "invoices": [i.pk for i in chosen]})


def fund(by: User, year: int = 2024, program: str = "province", amount: str = "10000000.00") -> Any:
    return subsidy_budget_post(by=by, program=program, year=year, amount=Decimal(amount),
                               idempotency_key=f"test-budget:{program}:{year}:{amount}")
