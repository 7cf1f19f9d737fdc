"""Projects' fixtures: an enterprise in Hangzhou and its user, officers, and a filing's data."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from zhigai.base.models import Enterprise
from zhigai.core.models import Role, User
from zhigai.projects import services
from zhigai.projects.models import Project

FILING: dict[str, Any] = {
    "title": "焊接车间机器人换人改造",
    "description": "在现有厂房内新增六轴焊接机器人和视觉检测，改造焊装线。",
    "start": "2026-03-01", "end": "2026-12-31",
    "investment": {"equipment": "1200000.00", "software": "300000", "construction": "0", "services": "100000.50"},
    "equipment": [{"kind": "robot", "type": "六轴焊接机器人", "origin": "domestic", "count": 3, "unit_price": "250000"},
                  {"kind": "robot", "type": "搬运机器人", "origin": "imported", "count": 1, "unit_price": "450000"}],
    "land_mu": "0",
    "expected": {"positions_saved": 12, "productivity_gain": 0.2},
    "commitment": {"signed": True, "name": "张三"},
}


def filing(enterprise: Enterprise, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(FILING)
    data["enterprise"] = enterprise.uscc
    data.update(changes)
    return data


@pytest.fixture
def firm(make_enterprise: Callable[..., Enterprise]) -> Enterprise:
    return make_enterprise(county="330102", industry="34", name="杭州精工机械有限公司")


@pytest.fixture
def firm_user(make_user: Callable[..., User], firm: Enterprise) -> User:
    return make_user(Role.ENTERPRISE, enterprise=firm)


@pytest.fixture
def city_officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.CITY, region="330100")


@pytest.fixture
def file_project(firm_user: User, firm: Enterprise) -> Callable[..., Project]:
    def make(**changes: Any) -> Project:
        return services.project_file(by=firm_user, data=filing(firm, **changes))

    return make


@pytest.fixture(autouse=True)
def _projects_reference(request: pytest.FixtureRequest) -> None:
    """The projects' reference data (negative list, subsidy rules), as the session loaded it: a transactional
    test of the payments (PostgreSQL) flushes the projects' tables, these included, for the tests after it."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("db")
    from zhigai.projects.negative_list import negative_list_ensure
    from zhigai.projects.subsidy_rules import subsidy_rules_ensure

    negative_list_ensure()
    subsidy_rules_ensure()
