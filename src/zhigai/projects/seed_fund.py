"""The demo's special fund: a round for a recent year with applications from the given projects across the
cities, allocated (a proven optimum), and partly paid — some payments made, some waiting for the city's
approval, some for the finance office's, one sent back. Everything goes through the fund's services, as the
demo's officers, so the ledger, the events and the audit trail are what real use leaves behind."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any

from zhigai.core.models import Role, User

from .fund import APPLYING_STATES, fund_allocate, fund_application_create, fund_round_create
from .fund_benefit import formula_benefit
from .fund_models import DEFAULT_BUDGET, FundRound
from .fund_selectors import city_of
from .models import Project
from .payments import payment_move, payment_request

TEN_THOUSAND = Decimal("10000")
# The demo's projects ask for far less than 200 million yuan: the demo round's budget is a share of what they
# ask, so that the allocation has choices to make (and the rules something to do).
BUDGET_SHARE = Decimal("0.6")


def _asked(project: Project) -> Decimal:
    """What a project asks for: 30 % of its equipment and software investment, in whole 10,000 yuan, at
    least 100,000 yuan."""
    base = (Decimal(project.equipment_investment) + Decimal(project.software_investment)) * Decimal("0.3")
    whole = (base / TEN_THOUSAND).to_integral_value(ROUND_DOWN) * TEN_THOUSAND
    return max(whole, Decimal("100000")).quantize(Decimal("0.01"))


def _first(role: str, **filters: Any) -> User | None:
    return User.objects.filter(role=role, is_active=True, **filters).order_by("id").first()


def fund_seed(projects: Sequence[Project], *, year: int | None = None) -> dict[str, Any]:
    """The demo round of `year` (default: the latest start year of the projects) over `projects` (those in a
    state that may apply); writes nothing when a round of that year exists, or no provincial officer or
    finance officer exists to act."""
    eligible = [p for p in projects if p.state in APPLYING_STATES]
    province, finance = _first(Role.PROVINCE), _first(Role.FINANCE)
    if not eligible or province is None or finance is None:
        return {"round": None, "applications": 0}
    year = year or max(p.start.year for p in eligible)
    if FundRound.objects.filter(year=year).exists():
        return {"round": None, "applications": 0}
    asked = {p.pk: _asked(p) for p in eligible}
    total = sum(asked.values(), Decimal(0))
    budget = min(DEFAULT_BUDGET, (total * BUDGET_SHARE / TEN_THOUSAND).to_integral_value(ROUND_DOWN) * TEN_THOUSAND)
    cap = max(max(asked.values()), (budget * Decimal("0.08")).quantize(Decimal("1")))
    fund_round = fund_round_create(by=province, year=year, budget=budget, enterprise_cap=cap, city_min_share="0.03")
    applications = []
    for n, project in enumerate(eligible):
        # Every seventh is scored by a review panel a little above the formula (the page shows the source).
        review = (formula_benefit(project.expected)[0] * Decimal("1.1")).quantize(Decimal("0.01")) \
            if n % 7 == 3 else None
        applications.append(fund_application_create(by=province, fund_round=fund_round, project=project,
                                                    amount=asked[project.pk], benefit=review,
                                                    note="专家评审：示范带动作用突出" if review is not None else ""))
    run = fund_allocate(by=province, fund_round=fund_round)
    counts = {"paid": 0, "region": 0, "finance": 0, "returned": 0}
    for n, application in enumerate(a for a in applications if a.pk in set(run.funded)):
        application.refresh_from_db()
        city = city_of(application.project.enterprise.region)
        officer = _first(Role.CITY, region=city) if city is not None else None
        if officer is None:
            continue
        step = n % 5
        if step == 4:
            continue  # not asked for yet
        half = (application.amount / 2).quantize(Decimal("0.01"), ROUND_DOWN)
        amount = application.amount if step == 0 else half
        payment, _created = payment_request(by=province, application=application, amount=amount,
                                            idempotency_key=f"demo-{year}-{application.pk}-1")
        if step == 3:
            payment_move(by=officer, payment=payment, move="region_return", note="请补充设备到货验收单后重新提交")
            counts["returned"] += 1
            continue
        if step == 2:
            counts["region"] += 1
            continue
        payment = payment_move(by=officer, payment=payment, move="region_approve")
        if step == 1:
            counts["finance"] += 1
            continue
        payment = payment_move(by=finance, payment=payment, move="finance_approve")
        payment_move(by=finance, payment=payment, move="pay")
        counts["paid"] += 1
    return {"round": fund_round.pk, "year": year, "applications": len(applications), "funded": len(run.funded),
            "proven_optimal": run.proven_optimal, **counts}
