"""Demo subsidies (issue 13): the provincial and city programs' budgets in the ledger, and on the demo's
projects invoices for their robots with claims approved and paid, one left waiting for the officer.

`subsidies_seed(projects, officer=)` takes the projects (the filing's demo seed makes them; the lead wires it
to them). `subsidy_demo_projects()` makes a few of its own for a demo that has none — the stand-in until the
filing's seed is merged, and what this module's tests and pages run on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction

from zhigai.base.models import Enterprise, Region, RegionLevel
from zhigai.core.models import Role, User

from .models import EquipmentKind, EquipmentLine, Origin, Project, ProjectState
from .models_subsidy import ClaimKind, Invoice, ProgramLevel, SubsidyClaim
from .services_subsidy import _claim_create, claim_move, subsidy_budget_post
from .subsidy_rules import rule_in_force

BUDGETS = {ProgramLevel.PROVINCE: Decimal("50000000.00"), ProgramLevel.CITY: Decimal("10000000.00")}
ISSUER = "91330100MA2XXXXX0Y"  # a robot supplier's taxpayer id (the demo's invoices)


@transaction.atomic
def subsidies_seed(projects: Sequence[Project], *, officer: User | None = None) -> dict[str, int]:
    """For each project with robot lines (in order): invoices for its robots and a provincial robot claim;
    all but the last approved, every other one of those paid; an accepted project also claims its
    post-project grant from the city program. Idempotent: a project that has claims is left alone."""
    officer = officer or User.objects.filter(role=Role.PROVINCE, is_active=True).order_by("id").first()
    if officer is None:
        return {"subsidy claims": 0}
    chosen = [p for p in projects if p.equipment.filter(kind=EquipmentKind.ROBOT).exists()
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


def _project(enterprise: Enterprise, title: str, state: str, year: int, lines: list[tuple[str, str, int, str]],
             software: str) -> Project:
    equipment = sum((Decimal(price) * count for _t, _o, count, price in lines), Decimal(0))
    project = Project.objects.create(
        enterprise=enterprise, title=title, start=dt.date(year, 3, 1), end=dt.date(year, 11, 30), state=state,
        equipment_investment=equipment, software_investment=Decimal(software), land_mu=0,
        decision={"reason": "commitment", "negative_list_entry": None})
    EquipmentLine.objects.bulk_create([
        EquipmentLine(project=project, kind=EquipmentKind.ROBOT, type=t, origin=o, count=c, unit_price=Decimal(p))
        for t, o, c, p in lines])
    EquipmentLine.objects.create(project=project, kind=EquipmentKind.OTHER, type="数控机床", origin=Origin.DOMESTIC,
                                 count=2, unit_price=Decimal("380000.00"))
    return project


@transaction.atomic
def subsidy_demo_projects() -> list[Project]:
    """Three projects of Hangzhou enterprises (the `enterprise` login's first), for a demo with none."""
    hangzhou = Region.objects.filter(level=RegionLevel.CITY, pinyin="hangzhou").first()
    own = User.objects.filter(username="enterprise").values_list("enterprise_id", flat=True).first()
    mine = [own] if own else []
    others = Enterprise.objects.filter(region__parent=hangzhou).exclude(pk__in=mine).order_by("uscc")[:2]
    enterprises = [*Enterprise.objects.filter(pk__in=mine), *others]
    Spec = tuple[str, str, int, list[tuple[str, str, int, str]], str]
    specs: list[Spec] = [("焊接机器人产线改造", ProjectState.ACCEPTED, 2019,
              [("六轴焊接机器人", Origin.DOMESTIC, 4, "260000.00"), ("码垛机器人", Origin.IMPORTED, 2, "720000.00")],
              "850000.00"),
             ("智能仓储与搬运机器人", ProjectState.IN_PROGRESS, 2020,
              [("AGV搬运机器人", Origin.DOMESTIC, 6, "150000.00")], "400000.00"),
             ("喷涂机器人工作站", ProjectState.FILED, 2020,
              [("喷涂机器人", Origin.IMPORTED, 3, "560000.00")], "0")]
    return [_project(e, title, state, year, lines, software)
            for e, (title, state, year, lines, software) in zip(enterprises, specs, strict=False)]


def subsidies_demo() -> dict[str, int]:
    """The demo's subsidies on its projects (the stand-in projects while there are none)."""
    projects = list(Project.objects.order_by("id")) or subsidy_demo_projects()
    return subsidies_seed(projects)
