"""A few projects across cities, a round, its applications: the special fund's tests build on these (the
filing module makes real projects; here they are written directly, in a state that may apply)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from zhigai.base.models import Enterprise
from zhigai.core.models import Role, User
from zhigai.projects.fund_models import FundRound
from zhigai.projects.models import Project, ProjectState

D = Decimal


def project_make(enterprise: Enterprise, title: str = "机器人换人改造", state: str = ProjectState.FILED,
                 **expected: Any) -> Project:
    return Project.objects.create(
        enterprise=enterprise, title=title, start=datetime.date(2025, 3, 1), end=datetime.date(2026, 6, 30),
        equipment_investment=D("5000000.00"), state=state,
        expected=expected or {"positions_saved": 20, "productivity_gain": 15, "defect_rate_change": -1.5})


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
