"""The special fund's rounds, applications and allocation through its services: what is stored, what is booked
in the ledger, and what is refused (and leaves nothing behind)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404

from tests.projects import fund_fixtures
from tests.projects.fund_fixtures import round_make
from zhigai.core.errors import Conflict, InvalidInput, PermissionDenied
from zhigai.core.models import Role
from zhigai.ledger.models import Account, Journal, JournalKind
from zhigai.ledger.services import balances
from zhigai.projects.fund import fund_allocate, fund_application_create, fund_round_create
from zhigai.projects.fund_models import AllocationRun, FundApplication, FundRound, RoundState
from zhigai.projects.fund_selectors import application_list, project_for_fund
from zhigai.projects.fund_words import problem_text, reason_text
from zhigai.projects.models import ProjectState

D = Decimal
fund_users, make_project = fund_fixtures.fund_users, fund_fixtures.make_project  # fixtures, for pytest
pytestmark = pytest.mark.django_db


def balance(code: str) -> Decimal:
    account = Account.objects.get(code=code)
    return balances([account])[account.pk]


def test_a_round_books_its_budget(fund_users: dict[str, Any]) -> None:
    r = fund_round_create(by=fund_users["province"], year=2026)
    assert r.budget == D("200000000.00") and r.state == RoundState.OPEN
    assert balance("fund:2026:available") == D("200000000.00")
    assert balance("fund:2026:appropriation") == D("200000000.00")
    assert Journal.objects.get().kind == JournalKind.BUDGET


@pytest.mark.parametrize("fields", [
    {"year": 1999}, {"year": 2026, "budget": "-1"}, {"year": 2026, "budget": "10.001"},
    {"year": 2026, "budget": "abc"}, {"year": 2026, "city_min_share": "1.5"},
    {"year": 2026, "enterprise_cap": "0"},
])
def test_bad_rules_are_refused_and_nothing_is_written(fund_users: dict[str, Any], fields: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as refused:
        fund_round_create(by=fund_users["province"], **fields)
    assert refused.value.details[0]["field"] in fields
    assert not FundRound.objects.exists() and not Journal.objects.exists()


def test_one_round_a_year_and_only_the_province_opens_one(fund_users: dict[str, Any]) -> None:
    round_make(fund_users["province"])
    with pytest.raises(Conflict):
        round_make(fund_users["province"])
    for who in ("hangzhou", "finance"):
        with pytest.raises(PermissionDenied):
            round_make(fund_users[who], year=2027)
    assert FundRound.objects.count() == 1 and Journal.objects.count() == 1


def test_the_benefit_is_the_formulas_unless_an_officer_scores_it(fund_users: dict[str, Any],
                                                                 make_project: Callable[..., Any],
                                                                 make_user: Callable[..., Any]) -> None:
    r = round_make(fund_users["province"])
    project = make_project(positions_saved=10, productivity_gain=0.05, defect_rate_change=-0.02, energy_change=-0.04)
    owner = make_user(Role.ENTERPRISE, enterprise=project.enterprise)
    a = fund_application_create(by=owner, fund_round=r, project=project, amount="300000.00")
    # 10 × 1 + 0.05 × 200 + (−0.02) × (−300) + (−0.04) × (−150) = 32 (ratios, as the filing stores them)
    assert a.benefit == D("32.00") and a.benefit_source == "formula"
    assert a.benefit_working["version"] and len(a.benefit_working["terms"]) == 4
    other = make_project()
    with pytest.raises(PermissionDenied):  # an enterprise does not score itself
        fund_application_create(by=make_user(Role.ENTERPRISE, enterprise=other.enterprise), fund_round=r,
                                project=other, amount="1.00", benefit="99")
    scored = fund_application_create(by=fund_users["hangzhou"], fund_round=r, project=other, amount="1.00",
                                     benefit="99.5", note="评审")
    assert scored.benefit == D("99.50") and scored.benefit_source == "review"
    with pytest.raises(Conflict):
        fund_application_create(by=fund_users["province"], fund_round=r, project=other, amount="2.00")


def test_another_citys_officer_neither_applies_nor_sees(fund_users: dict[str, Any],
                                                        make_project: Callable[..., Any]) -> None:
    r = round_make(fund_users["province"])
    hangzhou_project = make_project("330102")
    with pytest.raises(Http404):
        project_for_fund(user=fund_users["ningbo"], project_id=hangzhou_project.pk)
    with pytest.raises(PermissionDenied):
        fund_application_create(by=fund_users["ningbo"], fund_round=r, project=hangzhou_project, amount="5.00")
    fund_application_create(by=fund_users["province"], fund_round=r, project=hangzhou_project, amount="5.00")
    assert application_list(user=fund_users["ningbo"], fund_round=r).count() == 0
    assert application_list(user=fund_users["hangzhou"], fund_round=r).count() == 1
    assert application_list(user=fund_users["finance"], fund_round=r).count() == 1


def test_a_project_refused_or_in_breach_does_not_apply(fund_users: dict[str, Any],
                                                       make_project: Callable[..., Any]) -> None:
    r = round_make(fund_users["province"])
    for state in (ProjectState.REFUSED, ProjectState.BREACHED, ProjectState.UNDER_REVIEW):
        with pytest.raises(Conflict):
            fund_application_create(by=fund_users["province"], fund_round=r, project=make_project(state=state),
                                    amount="5.00")
    assert not FundApplication.objects.exists()


def _three(users: dict[str, Any], make_project: Callable[..., Any], **rules: Any) -> tuple[FundRound, list[Any]]:
    r = round_make(users["province"], budget="100.00", **rules)
    apps = [fund_application_create(by=users["province"], fund_round=r, project=make_project(county), amount=amount,
                                    benefit=benefit)
            for county, amount, benefit in (("330102", "60.00", "66"), ("330102", "50.00", "50"),
                                            ("330203", "50.00", "50"))]
    return r, apps


def test_the_proven_optimum_is_stored_applied_and_booked(fund_users: dict[str, Any],
                                                         make_project: Callable[..., Any]) -> None:
    r, (a, b, c) = _three(fund_users, make_project)
    run = fund_allocate(by=fund_users["province"], fund_round=r)
    assert run.status == "optimal" and run.proven_optimal and run.applied and run.gap is not None and run.gap <= 1e-9
    assert run.funded == [b.pk, c.pk] and run.total_benefit == D("100.00")
    assert run.ranking_funded == [a.pk] and run.ranking_total_benefit == D("66.00")
    assert run.reasons[str(a.pk)]["code"] == "budget_left"
    assert [x.funded for x in FundApplication.objects.order_by("id")] == [False, True, True]
    assert "预算只剩" in reason_text(FundApplication.objects.get(pk=a.pk).reason)
    assert balance("fund:2026:available") == D("0.00")
    assert balance(f"fund:2026:allocated:{b.pk}") == D("50.00")
    assert run.journal is not None and run.journal.kind == JournalKind.ALLOCATION
    assert FundRound.objects.get(pk=r.pk).state == RoundState.ALLOCATED


def test_allocating_again_reverses_the_previous_allocation(fund_users: dict[str, Any],
                                                           make_project: Callable[..., Any]) -> None:
    r, _apps = _three(fund_users, make_project)
    first = fund_allocate(by=fund_users["province"], fund_round=r)
    second = fund_allocate(by=fund_users["province"], fund_round=r)
    assert Journal.objects.filter(reverses=first.journal).exists()
    assert list(AllocationRun.objects.filter(applied=True)) == [second]
    assert balance("fund:2026:available") == D("0.00"), "allocated once, not twice"


def test_rules_that_cannot_hold_are_named_and_nothing_is_allocated(fund_users: dict[str, Any],
                                                                   make_project: Callable[..., Any]) -> None:
    r, _apps = _three(fund_users, make_project, cap="40.00", share="0.3")
    run = fund_allocate(by=fund_users["province"], fund_round=r)
    assert run.status == "infeasible" and not run.proven_optimal and not run.applied
    assert {p["code"] for p in run.problems} == {"city_unreachable"}
    assert "达不到其最低份额" in problem_text(run.problems[0])
    assert not FundApplication.objects.filter(funded=True).exists()
    assert Journal.objects.filter(kind=JournalKind.ALLOCATION).count() == 0
    assert FundRound.objects.get(pk=r.pk).state == RoundState.OPEN


def test_only_the_province_allocates(fund_users: dict[str, Any], make_project: Callable[..., Any]) -> None:
    r, _apps = _three(fund_users, make_project)
    for who in ("hangzhou", "finance"):
        with pytest.raises(PermissionDenied):
            fund_allocate(by=fund_users[who], fund_round=r)
    assert not AllocationRun.objects.exists()
