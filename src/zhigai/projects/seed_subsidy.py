"""Demo subsidies (issue 13): the provincial and city programs' budgets in the ledger, and on the demo's
projects invoices for their robots with claims approved and paid, one left waiting for the officer; an
accepted project of an earlier year also has its post-project grant approved. Claims and their moves are
dated after the invoices they rest on, and never after today (the ledger's entries are dated when the demo
books them: the ledger is append-only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhigai.core.models import Role, User

from .models import EquipmentKind, Project, ProjectState
from .models_subsidy import ClaimKind, Invoice, ProgramLevel, SubsidyClaim, SubsidyClaimEvent
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
    """For each project with robot lines that has started (in order): invoices for its robots and a
    provincial robot claim; all but the last approved, every other one of those paid; an accepted project
    also claims its post-project grant from the city program, approved when it was accepted before this
    year. Idempotent: a project that has claims is left alone."""
    officer = officer or User.objects.filter(role=Role.PROVINCE, is_active=True).order_by("id").first()
    if officer is None:
        return {"subsidy claims": 0}
    today = timezone.localdate()
    chosen = [p for p in projects if p.state in CLAIMING and p.start <= today
              and p.equipment.filter(kind=EquipmentKind.ROBOT).exists()
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
        if not (n == len(chosen) - 1 and n > 0):  # the last waits in the officer's queue
            claim = claim_move(by=officer, claim=claim, move="approve")
            if n % 2 == 0:
                claim_move(by=officer, claim=claim, move="pay")
        _dated(claim, project.start)
        if project.state == ProjectState.ACCEPTED and project.software_investment:
            invoiced = min(project.end, today)
            software = Invoice.objects.create(project=project, number=f"{project.pk:06d}S", issuer_tax_id=ISSUER,
                                              date=invoiced, amount=project.software_investment)
            grant = _claim_create(claimant, project, ClaimKind.POST_PROJECT, ProgramLevel.CITY, invoiced.year,
                                  rule, [software])
            if project.state_since.year < today.year:
                grant = claim_move(by=officer, claim=grant, move="approve")
            _dated(grant, max(invoiced, timezone.localtime(project.state_since).date()))
            made += 1
    return {"subsidy claims": made}


def _dated(claim: SubsidyClaim, after: dt.date) -> None:
    """The claim submitted a fortnight after `after` and each move a fortnight after the one before, none
    later than an hour ago."""
    latest = timezone.now() - dt.timedelta(hours=1)
    at = min(timezone.make_aware(dt.datetime.combine(after + dt.timedelta(days=14), dt.time(10))), latest)
    SubsidyClaim.objects.filter(pk=claim.pk).update(created=at)
    for event in SubsidyClaimEvent.objects.filter(subject=claim).order_by("id"):
        SubsidyClaimEvent.objects.filter(pk=event.pk).update(at=at)
        SubsidyClaim.objects.filter(pk=claim.pk).update(state_since=at)
        at = min(at + dt.timedelta(days=14), latest)


def subsidies_demo() -> dict[str, int]:
    """The demo's subsidies on its projects (projects.seed)."""
    return subsidies_seed(list(Project.objects.order_by("id")))
