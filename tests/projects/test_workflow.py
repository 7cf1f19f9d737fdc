"""A project's lifecycle walked whole (projects.workflow): every move from every state by every role, the
forbidden ones leaving nothing behind; the breach's clawback hooks; the acceptance's checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tests.projects.factories import project_make
from zhigai.base.models import Enterprise, Indicator, Region
from zhigai.core.errors import Conflict, InvalidInput, PermissionDenied
from zhigai.core.models import AuditLog, Role, User
from zhigai.core.workflow import transition_apply
from zhigai.projects import hooks, services
from zhigai.projects.acceptance import acceptance_checks
from zhigai.projects.models import EquipmentLine, LandQuota, Project, ProjectEvent, ProjectState
from zhigai.projects.workflow import PROJECT_WORKFLOW

pytestmark = pytest.mark.django_db
ROLES = ("admin", "province", "city", "other_city", "industry", "enterprise", "other_enterprise", "expert",
         "provider", "bank")
OFFICERS = {"admin", "province", "city"}
ENTERPRISE = {"admin", "enterprise"}
# Who may make each move (by its permission), written out rather than read from the policy.
WHO = {"projects.project.review": OFFICERS, "projects.project.inspect": OFFICERS, "projects.project.act": ENTERPRISE,
       "projects.project.land": set(ROLES)}  # a waiting project moves on whenever there is room, whoever acts


@pytest.fixture
def users(make_user: Callable[..., User], firm: Enterprise, make_enterprise: Callable[..., Enterprise]) -> dict:
    return {
        "admin": User.objects.create_superuser("w-admin", password="x-long-password"),
        "province": make_user(Role.PROVINCE, region="330000"),
        "city": make_user(Role.CITY, region="330100"),
        "other_city": make_user(Role.CITY, region="330200"),
        "industry": make_user(Role.INDUSTRY, industries=["34"]),
        "enterprise": make_user(Role.ENTERPRISE, enterprise=firm),
        "other_enterprise": make_user(Role.ENTERPRISE, enterprise=make_enterprise(county="330203")),
        "expert": make_user(Role.EXPERT), "provider": make_user(Role.PROVIDER), "bank": make_user(Role.BANK),
    }


def _project(firm: Enterprise, state: str, land_mu: str = "0") -> Project:
    return project_make(firm, state=state, title="改造", land_mu=land_mu)


def _source(firm: Enterprise, name: str) -> Project:
    move = PROJECT_WORKFLOW.transitions[name]
    if name == "approve_wait":  # land needed and none left
        LandQuota.objects.create(city=Region.objects.get(code="330100"), year=dt.date.today().year, mu=0)
        return _project(firm, move.source, land_mu="10")
    return _project(firm, move.source, land_mu="10" if name == "land_grant" else "0")


@pytest.mark.parametrize("name", sorted(PROJECT_WORKFLOW.transitions))
def test_every_move_by_every_role(name: str, users: dict, firm: Enterprise) -> None:
    move = PROJECT_WORKFLOW.transitions[name]
    for role in ROLES:
        project = _source(firm, name)
        allowed = role in WHO[move.permission]
        events = ProjectEvent.objects.count()
        if allowed:
            moved = transition_apply(workflow=PROJECT_WORKFLOW, obj=project, name=name, by=users[role], note="理由")
            assert moved.state == move.target, (name, role)
            assert ProjectEvent.objects.count() == events + 1
            assert AuditLog.objects.filter(entity="project", entity_id=str(project.pk), action=name).exists()
        else:
            with pytest.raises(PermissionDenied):
                transition_apply(workflow=PROJECT_WORKFLOW, obj=project, name=name, by=users[role], note="理由")
            project.refresh_from_db()
            assert project.state == move.source and ProjectEvent.objects.count() == events, (name, role)
        Project.objects.filter(pk=project.pk).delete()


@pytest.mark.parametrize("name", sorted(PROJECT_WORKFLOW.transitions))
def test_every_move_from_every_other_state_is_409(name: str, users: dict, firm: Enterprise) -> None:
    move = PROJECT_WORKFLOW.transitions[name]
    who = users["admin"]
    for state in ProjectState.values:
        if state == move.source:
            continue
        project = _project(firm, state, land_mu="10" if move.permission.endswith("land") else "0")
        if move.permission.endswith("land"):
            continue  # the room rule needs a waiting project: elsewhere it refuses (403), never moves
        with pytest.raises(Conflict):
            transition_apply(workflow=PROJECT_WORKFLOW, obj=project, name=name, by=who)
        project.refresh_from_db()
        assert project.state == state


def test_the_full_journey_through_the_services(file_project: Any, firm_user: User, city_officer: User) -> None:
    p = file_project(commitment={"signed": False})
    for by, move, note in [(city_officer, "return", "请补充设备清单"), (firm_user, "resubmit", ""),
                           (city_officer, "approve", ""), (firm_user, "start", ""),
                           (firm_user, "report", "已到货 2 台"), (firm_user, "declare", ""),
                           (city_officer, "inspect", ""),
                           (city_officer, "rectify", "补齐发票"), (firm_user, "reinspect", ""),
                           (city_officer, "accept", "")]:
        p = services.project_move(by=by, project=p, move=move, note=note)
    assert p.state == ProjectState.ACCEPTED
    assert [c["name"] for c in p.inspection["checks"]][:3] == ["commitment", "equipment", "invoices"]
    assert list(p.events.values_list("transition", flat=True)) == [
        "file", "return", "resubmit", "approve", "start", "report", "declare", "inspect", "rectify", "reinspect",
        "accept"]


@pytest.mark.parametrize("note", ["  ", "\u200b\u200b", "\u202e\u200e", "\u3164"],
                         ids=["spaces", "zero-width", "direction marks", "Hangul filler"])
def test_a_reason_is_required_and_its_absence_changes_nothing(file_project: Any, city_officer: User,
                                                              note: str) -> None:
    """Defect: a reason of zero-width characters returned a project with an invisible reason."""
    p = file_project(commitment={"signed": False})
    with pytest.raises(InvalidInput) as err:
        services.project_move(by=city_officer, project=p, move="refuse", note=note)
    assert err.value.code == "project_note_required"
    p.refresh_from_db()
    assert p.state == ProjectState.UNDER_REVIEW


def test_a_move_to_a_state_the_table_lacks_is_409(file_project: Any, firm_user: User) -> None:
    p = file_project()
    with pytest.raises(Conflict):
        services.project_move(by=firm_user, project=p, to=ProjectState.ACCEPTED)


def test_a_breach_calls_every_clawback_hook(monkeypatch: pytest.MonkeyPatch, users: dict, firm: Enterprise) -> None:
    calls: list[tuple[int, int]] = []
    monkeypatch.setattr(hooks, "_BREACH", [])
    hooks.breach_handler_register(lambda project, by: calls.append((project.pk, by.pk)))
    hooks.breach_handler_register(lambda project, by: calls.append((-project.pk, by.pk)))
    project = _project(firm, ProjectState.INSPECTION)
    moved = services.project_move(by=users["city"], project=project, move="breach", note="新增了禁止类产能")
    assert moved.state == ProjectState.BREACHED
    assert calls == [(project.pk, users["city"].pk), (-project.pk, users["city"].pk)]


def test_a_failing_clawback_undoes_the_breach(monkeypatch: pytest.MonkeyPatch, users: dict, firm: Enterprise) -> None:
    def broken(project: Any, by: Any) -> None:
        raise InvalidInput("ledger refused")

    monkeypatch.setattr(hooks, "_BREACH", [broken])
    project = _project(firm, ProjectState.INSPECTION)
    with pytest.raises(InvalidInput):
        services.project_move(by=users["city"], project=project, move="breach", note="违反承诺")
    project.refresh_from_db()
    assert project.state == ProjectState.INSPECTION and not project.events.exists()


def test_the_acceptance_compares_investment_lines_invoices_and_outcomes(
        monkeypatch: pytest.MonkeyPatch, users: dict, firm: Enterprise) -> None:
    project = _project(firm, ProjectState.INSPECTION)
    project.expected = {"positions_saved": 10, "productivity_gain": 0.1}
    project.save()
    EquipmentLine.objects.create(project=project, kind="robot", type="焊接", origin="domestic", count=2,
                                 unit_price=Decimal(200000))
    Indicator.objects.create(enterprise=firm, year=2023, employees=100, added_value=Decimal(10_000_000),
                             positions_replaced=0)
    Indicator.objects.create(enterprise=firm, year=2025, employees=90, added_value=Decimal(10_800_000),
                             positions_replaced=12)
    checks = {c.name: c for c in acceptance_checks(project, user=users["city"])}
    assert checks["equipment"].result == "short" and "100,000.00" in checks["equipment"].working
    assert checks["invoices"].result == "none"
    assert checks["positions_saved"].result == "ok" and checks["productivity_gain"].result == "ok"
    monkeypatch.setattr(hooks, "_INVOICES", [lambda p: {"invoiced": Decimal("499999.99"), "count": 3}])
    checks = {c.name: c for c in acceptance_checks(project, user=users["city"])}
    assert checks["invoices"].result == "short" and "0.01" in checks["invoices"].working
