"""Every read of the special fund, filtered by what the acting user may see (projects/policy_fund.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zhigai.base.models import Region, RegionLevel
from zhigai.base.policy import enterprise_scope
from zhigai.base.selectors import scoped_enterprises
from zhigai.core.models import REGION_ROLES, Role
from zhigai.core.policy import permitted, require, seen_or_404
from zhigai.core.types import Actor

from .errors_fund import FundError
from .fund_models import PENDING, AllocationRun, FundApplication, FundRound, Payment
from .models import Project
from .policy_fund import APPLICATION_VIEW, FUND_WIDE, PAYMENT_VIEW, PROJECT_VIEW, ROUND_VIEW
from .selectors import project_seen


def project_for_fund(*, user: Actor, project_id: int) -> Project:
    """A project the user may see as a user of the fund (projects.fund_project.view: its enterprise in the
    scope of a fund user, finance included); Http404 otherwise."""
    return project_seen(user=user, project_id=project_id, permission=PROJECT_VIEW)


def city_of(region: Region | None) -> Region | None:
    """The city a county lies in (the region itself when it is a city; None above)."""
    while region is not None and region.level > RegionLevel.CITY:
        region = region.parent
    return region if region is not None and region.level == RegionLevel.CITY else None


def round_list(*, user: Actor) -> QuerySet[FundRound]:
    return FundRound.objects.all() if permitted(user, ROUND_VIEW) else FundRound.objects.none()


def access_round(*, user: Actor, round_id: int, action: str = "view") -> FundRound:
    """The round if the user may see rounds; 404 otherwise, 403 for an action it may not do."""
    found = seen_or_404(FundRound.objects.all(), round_id, user, ROUND_VIEW)
    if action != "view":
        require(user, f"projects.fund_round.{action}", found, message=_("您不能对这一轮专项资金进行此操作。"),
                code=FundError.FORBIDDEN)
    return found


def _applications_seen(user: Actor) -> QuerySet[FundApplication]:
    """The applications `user` may view, as projects.fund_application.view says: all for the fund's
    province-wide readers, else those of the enterprises of its region (officers) or its own (users)."""
    qs = FundApplication.objects.select_related("round", "project__enterprise__region__parent")
    if permitted(user, FUND_WIDE):
        return qs
    if not user.is_authenticated or user.role not in (*REGION_ROLES, Role.ENTERPRISE):
        return qs.none()
    return qs.filter(project__enterprise__in=scoped_enterprises(enterprise_scope(user)))


def application_list(*, user: Actor, fund_round: FundRound) -> QuerySet[FundApplication]:
    return _applications_seen(user).filter(round=fund_round).order_by("id")


def access_application(*, user: Actor, application_id: int, action: str = "view") -> FundApplication:
    found = seen_or_404(FundApplication.objects.select_related(
        "round", "project__enterprise__region__parent"), application_id, user, APPLICATION_VIEW)
    if action != "view":
        require(user, f"projects.fund_{action}", found, message=_("您不能对这项申请进行此操作。"),
                code=FundError.FORBIDDEN)
    return found


def access_payment(*, user: Actor, payment_id: int) -> Payment:
    return seen_or_404(Payment.objects.select_related(
        "application__round", "application__project__enterprise__region__parent"), payment_id, user, PAYMENT_VIEW)


def payment_list(*, user: Actor, fund_round: FundRound | None = None) -> QuerySet[Payment]:
    seen = _applications_seen(user)
    qs = Payment.objects.select_related("application__round", "application__project__enterprise__region__parent",
                                        "requested_by", "region_approved_by", "finance_approved_by")
    qs = qs.filter(application__in=seen.values("pk"))
    return qs.filter(application__round=fund_round) if fund_round is not None else qs


def payment_queue(*, user: Actor) -> list[Payment]:
    """The pending payments the user may move now (approve, send back, make or fail), oldest first."""
    from .payments import PAYMENT_WORKFLOW

    pending = payment_list(user=user).filter(state__in=PENDING).order_by("requested", "id")
    moves = {"region_approve", "finance_approve", "pay"}
    return [p for p in pending if any(t.name in moves for t in PAYMENT_WORKFLOW.available(p, user))]


def run_latest(*, fund_round: FundRound) -> AllocationRun | None:
    return AllocationRun.objects.filter(round=fund_round).first()


def application_rows(applications: Any) -> list[dict[str, Any]]:
    """An application as the API and the exports give it."""
    rows = []
    for a in applications:
        enterprise = a.project.enterprise
        city = city_of(enterprise.region)
        rows.append({"id": a.pk, "project": a.project_id, "project_title": a.project.title,
                     "enterprise": enterprise.uscc, "enterprise_name": enterprise.name,
                     "city": city.code if city else "", "city_name": city.name if city else "",
                     "amount": a.amount, "benefit": a.benefit, "benefit_source": a.benefit_source,
                     "funded": a.funded, "reason": a.reason, "clawed_back": a.clawed_back is not None})
    return rows
