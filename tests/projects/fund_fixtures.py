"""A few projects across cities, a round, its applications: the special fund's tests build on these (the
filing module makes real projects; here they are written directly, in a state that may apply)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tests.projects.factories import project_make as factory_make
from zhigai.base.models import Enterprise
from zhigai.core.models import Role, User
from zhigai.projects.fund_models import FundRound
from zhigai.projects.models import Project, ProjectState

D = Decimal


def project_make(enterprise: Enterprise, title: str | None = None, state: str = ProjectState.FILED,
                 **expected: Any) -> Project:
    """A project of 5,000,000.00 of equipment that may apply (projects' one factory)."""
    return factory_make(enterprise, title=title, state=state, year=2025, equipment="5000000.00",
                        expected=expected or None)


@pytest.fixture
def fund_users(make_user: Callable[..., User]) -> dict[str, User]:
    return {
        "province": make_user(Role.PROVINCE, region="330000"),
        "hangzhou": make_user(Role.CITY, region="330100"),
        "ningbo": make_user(Role.CITY, region="330200"),
        "finance": make_user(Role.FINANCE),
        "finance2": make_user(Role.FINANCE),
    }


@pytest.fixture
def make_project(make_enterprise: Callable[..., Enterprise]) -> Callable[..., Project]:
    def make(county: str = "330102", **kwargs: Any) -> Project:
        return project_make(make_enterprise(county=county), **kwargs)

    return make


def round_make(by: User, year: int = 2026, budget: str = "1000000.00", cap: str | None = None,
               share: str = "0") -> FundRound:
    from zhigai.projects.fund import fund_round_create

    return fund_round_create(by=by, year=year, budget=budget, enterprise_cap=cap, city_min_share=share)


def fund_matrix_world(province: User, city: User, own: Enterprise, foreign: Enterprise) -> dict[str, dict[str, Any]]:
    """For the access matrix: a round of 2026 allocated, with an application and a payment asked for on each
    side (own: Hangzhou, foreign: Ningbo); a round of 2027 open and empty (to apply to, and to allocate); a
    project on each side that has not applied yet."""
    from zhigai.projects.fund import fund_allocate, fund_application_create
    from zhigai.projects.payments import payment_request

    allocated = round_make(province, year=2026, budget="1000.00")
    opened = round_make(province, year=2027, budget="1000.00")
    sides = {}
    for name, enterprise in (("own", own), ("foreign", foreign)):
        application = fund_application_create(by=province, fund_round=allocated, project=project_make(enterprise),
                                              amount="100.00")
        sides[name] = {"round": allocated, "round2": opened, "application": application,
                       "project2": project_make(enterprise, title="待申请项目")}
    fund_allocate(by=province, fund_round=allocated)
    for side in sides.values():
        side["application"].refresh_from_db()
        side["payment"] = payment_request(by=province, application=side["application"], amount="10.00",
                                          idempotency_key=f"matrix-{side['application'].pk}")[0]
    return sides
