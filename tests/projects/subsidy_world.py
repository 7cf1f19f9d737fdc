"""Projects, invoices and claims for the subsidies' tests, made directly (the filing is another module's)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from zhigai.core.models import User
from zhigai.projects.models import EquipmentLine, Project
from zhigai.projects.models_subsidy import Invoice, SubsidyClaim
from zhigai.projects.services_subsidy import claim_submit, invoice_add, subsidy_budget_post

_numbers = itertools.count(1000)
ISSUER = "91330100MA2AAAAA0Y"


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
