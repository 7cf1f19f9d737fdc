"""Demo subsidies (issue 13): the provincial and city programs' budgets in the ledger, and on the demo's
projects invoices for their robots with claims approved and paid, one left waiting for the officer.

`subsidies_seed(projects, officer=)` takes the projects (the filing's demo seed makes them; the lead wires it
to them). `subsidy_demo_projects()` makes a few of its own for a demo that has none — the stand-in until the
filing's seed is merged, and what this module's tests and pages run on."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction

from zhigai.core.models import Role, User

from .models import EquipmentKind, Project, ProjectState
from .models_subsidy import ClaimKind, Invoice, ProgramLevel, SubsidyClaim
from .services_subsidy import _claim_create, claim_move, subsidy_budget_post
from .subsidy_rules import rule_in_force

BUDGETS = {ProgramLevel.PROVINCE: Decimal("50000000.00"), ProgramLevel.CITY: Decimal("10000000.00")}
ISSUER = "91330100MA2XXXXX0Y"  # a robot supplier's taxpayer id (the demo's invoices)


# The projects that claim: filed and on (not refused, withdrawn, still in review or waiting for land, nor
# found in breach of their commitment, which may claim nothing more).
CLAIMING = frozenset({ProjectState.FILED, ProjectState.IN_PROGRESS, ProjectState.COMPLETION_DECLARED,
                      ProjectState.INSPECTION, ProjectState.RECTIFICATION, ProjectState.ACCEPTED})


@transaction.atomic
def subsidies_seed(projects: Sequence[Project], *, officer: User | None = None) -> dict[str, int]:
    """For each project with robot lines (in order): invoices for its robots and a provincial robot claim;
    all but the last approved, every other one of those paid; an accepted project also claims its
    post-project grant from the city program. Idempotent: a project that has claims is left alone."""
    officer = officer or User.objects.filter(role=Role.PROVINCE, is_active=True).order_by("id").first()
    if officer is None:
        return {"subsidy claims": 0}
    chosen = [p for p in projects if p.state in CLAIMING and p.equipment.filter(kind=EquipmentKind.ROBOT).exists()
              and not SubsidyClaim.objects.filter(project=p).exists()]
    years = sorted({p.start.year for p in chosen})
    for program, amount in BUDGETS.items():
        for year in years:
            subsidy_budget_post(by=officer, program=program, year=year, amount=amount,
                                idempotency_key=f"demo:subsidy-budget:{program}:{year}")
    made = 0
    for n, project in enumerate(chosen):
        rule = rule_in_force(project.enterprise.region, project.start.year)
        if rule is None:
            continue
        invoices = [Invoice.objects.create(project=project, equipment_line=line, issuer_tax_id=ISSUER,
                                           number=f"{project.pk:06d}{line.pk:04d}", date=project.start,
                                           amount=line.unit_price * line.count)
                    for line in project.equipment.filter(kind=EquipmentKind.ROBOT).order_by("id")]
        claimant = User.objects.filter(enterprise=project.enterprise, is_active=True).first() or officer
        claim = _claim_create(claimant, project, ClaimKind.ROBOT, ProgramLevel.PROVINCE, project.start.year, rule,
                              invoices)
        made += 1
        if n == len(chosen) - 1 and n > 0:
            continue  # one waits in the officer's queue
        claim = claim_move(by=officer, claim=claim, move="approve")
        if n % 2 == 0:
            claim_move(by=officer, claim=claim, move="pay")
        if project.state == ProjectState.ACCEPTED and project.software_investment:
            software = Invoice.objects.create(project=project, number=f"{project.pk:06d}S", issuer_tax_id=ISSUER,
                                              date=project.end, amount=project.software_investment)
            _claim_create(claimant, project, ClaimKind.POST_PROJECT, ProgramLevel.CITY, project.end.year, rule,
                          [software])
            made += 1
    return {"subsidy claims": made}


def subsidies_demo() -> dict[str, int]:
    """The demo's subsidies on its projects (projects.seed)."""
    return subsidies_seed(list(Project.objects.order_by("id")))
