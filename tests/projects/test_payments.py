"""The special fund's payments: idempotent (under concurrent requests on PostgreSQL too), approved by two
different people, sent back, never more than allocated, failed without booking, clawed back on a breach."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from tests.projects import fund_fixtures
from tests.projects.fund_fixtures import project_make, round_make
from zhigai.core.errors import Conflict, InvalidInput, PermissionDenied
from zhigai.core.models import Role, User
from zhigai.ledger.models import Account, Journal, JournalKind
from zhigai.ledger.selectors import reconciliation
from zhigai.ledger.services import balances
from zhigai.projects.fund import fund_allocate, fund_application_create, fund_claw_back
from zhigai.projects.fund_models import FundApplication, Payment, PaymentState
from zhigai.projects.payments import PAYMENT_WORKFLOW, payment_move, payment_request

D = Decimal
fund_users, make_project = fund_fixtures.fund_users, fund_fixtures.make_project  # fixtures, for pytest
pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'")


def balance(code: str) -> Decimal:
    account = Account.objects.get(code=code)
    return balances([account])[account.pk]


@pytest.fixture
def funded(fund_users: dict[str, Any], make_project: Callable[..., Any]) -> FundApplication:
    """A Hangzhou project's application, allocated 1,000 yuan."""
    r = round_make(fund_users["province"], budget="5000.00")
    a = fund_application_create(by=fund_users["province"], fund_round=r, project=make_project("330102"),
                                amount="1000.00")
    fund_allocate(by=fund_users["province"], fund_round=r)
    a.refresh_from_db()
    assert a.funded
    return a


def _paid(users: dict[str, Any], application: FundApplication, amount: str, key: str) -> Payment:
    p, _created = payment_request(by=users["province"], application=application, amount=amount, idempotency_key=key)
    p = payment_move(by=users["hangzhou"], payment=p, move="region_approve")
    p = payment_move(by=users["finance"], payment=p, move="finance_approve")
    return payment_move(by=users["finance"], payment=p, move="pay")


def test_a_payment_goes_through_two_approvals_and_is_booked_once(fund_users: dict[str, Any],
                                                                  funded: FundApplication) -> None:
    p = _paid(fund_users, funded, "400.00", "pay-1")
    assert p.state == PaymentState.PAID and p.journal is not None and p.journal.kind == JournalKind.PAYMENT
    assert p.region_approved_by == fund_users["hangzhou"] and p.finance_approved_by == fund_users["finance"]
    assert balance("fund:2026:paid") == D("400.00")
    assert balance(f"fund:2026:allocated:{funded.pk}") == D("600.00")
    assert [e.transition for e in p.events.all()] == ["request", "region_approve", "finance_approve", "pay"]
    with pytest.raises(Conflict):  # paid: nothing moves it again
        payment_move(by=fund_users["finance"], payment=p, move="pay")
    assert Journal.objects.filter(kind=JournalKind.PAYMENT).count() == 1


def test_the_same_key_is_the_same_payment_and_another_content_is_refused(fund_users: dict[str, Any],
                                                                        funded: FundApplication) -> None:
    first, created = payment_request(by=fund_users["province"], application=funded, amount="100.00",
                                     idempotency_key="k")
    again, created_again = payment_request(by=fund_users["hangzhou"], application=funded, amount="100.00",
                                           idempotency_key="k")
    assert created and not created_again and again.pk == first.pk
    with pytest.raises(Conflict) as refused:
        payment_request(by=fund_users["province"], application=funded, amount="100.01", idempotency_key="k")
    assert refused.value.code == "fund_key_reused"
    with pytest.raises(InvalidInput):
        payment_request(by=fund_users["province"], application=funded, amount="1.00", idempotency_key=" ")
    assert Payment.objects.count() == 1


def test_the_same_person_never_approves_twice(fund_users: dict[str, Any], funded: FundApplication) -> None:
    admin = User.objects.create_superuser("fund-admin", password="x-long-password")
    p, _ = payment_request(by=fund_users["province"], application=funded, amount="100.00", idempotency_key="k")
    p = payment_move(by=admin, payment=p, move="region_approve")
    with pytest.raises(PermissionDenied) as refused:
        payment_move(by=admin, payment=p, move="finance_approve")
    assert refused.value.code == "fund_same_approver"
    assert Payment.objects.get(pk=p.pk).state == PaymentState.REGION_APPROVED
    with pytest.raises(PermissionDenied):  # the city's officer is not the finance office
        payment_move(by=fund_users["hangzhou"], payment=p, move="finance_approve")
    with pytest.raises(PermissionDenied):  # another city's officer does not approve
        payment_move(by=fund_users["ningbo"], payment=Payment.objects.create(
            application=funded, amount=D("1.00"), idempotency_key="k2", requested_by=admin), move="region_approve")
    assert payment_move(by=fund_users["finance"], payment=p, move="finance_approve").state == "finance_approved"


def test_each_approver_sends_back_with_a_reason_and_it_comes_again(fund_users: dict[str, Any],
                                                                   funded: FundApplication) -> None:
    p, _ = payment_request(by=fund_users["province"], application=funded, amount="100.00", idempotency_key="k")
    with pytest.raises(InvalidInput):
        payment_move(by=fund_users["hangzhou"], payment=p, move="region_return")
    p = payment_move(by=fund_users["hangzhou"], payment=p, move="region_return", note="缺验收单")
    assert p.state == PaymentState.RETURNED
    p = payment_move(by=fund_users["province"], payment=p, move="resubmit")
    p = payment_move(by=fund_users["hangzhou"], payment=p, move="region_approve")
    p = payment_move(by=fund_users["finance"], payment=p, move="finance_return", note="金额与合同不符")
    assert p.state == PaymentState.RETURNED and p.region_approved_by is None
    assert [e.note for e in p.events.filter(transition__endswith="return")] == ["缺验收单", "金额与合同不符"]
    assert not Journal.objects.filter(kind=JournalKind.PAYMENT).exists()


def test_never_more_than_allocated(fund_users: dict[str, Any], funded: FundApplication) -> None:
    _paid(fund_users, funded, "700.00", "a")
    payment_request(by=fund_users["province"], application=funded, amount="200.00", idempotency_key="b")
    with pytest.raises(Conflict) as refused:  # 700 paid + 200 waiting + 100.01 > 1,000
        payment_request(by=fund_users["province"], application=funded, amount="100.01", idempotency_key="c")
    assert refused.value.code == "fund_over_allocated" and "1000.00" in refused.value.message
    payment_request(by=fund_users["province"], application=funded, amount="100.00", idempotency_key="d")
    assert Payment.objects.count() == 3


def test_the_ledger_refuses_what_the_service_would_have(fund_users: dict[str, Any], funded: FundApplication) -> None:
    """Rows written past the service's check still cannot pay more than allocated: the application's
    allocated account may not go below zero."""
    _paid(fund_users, funded, "900.00", "a")
    sneaked = Payment.objects.create(application=funded, amount=D("200.00"), idempotency_key="x",
                                     state=PaymentState.FINANCE_APPROVED, requested_by=fund_users["province"],
                                     region_approved_by=fund_users["hangzhou"])
    with pytest.raises(Conflict) as refused:
        payment_move(by=fund_users["finance"], payment=sneaked, move="pay")
    assert refused.value.code == "ledger_overdrawn"
    assert Payment.objects.get(pk=sneaked.pk).state == PaymentState.FINANCE_APPROVED
    assert balance(f"fund:2026:allocated:{funded.pk}") == D("100.00")


def test_a_failed_payment_books_nothing(fund_users: dict[str, Any], funded: FundApplication) -> None:
    p, _ = payment_request(by=fund_users["province"], application=funded, amount="300.00", idempotency_key="k")
    p = payment_move(by=fund_users["hangzhou"], payment=p, move="region_approve")
    p = payment_move(by=fund_users["finance"], payment=p, move="finance_approve")
    p = payment_move(by=fund_users["finance"], payment=p, move="fail", note="账户信息有误")
    assert p.state == PaymentState.FAILED and p.journal is None
    assert not Journal.objects.filter(kind__in=[JournalKind.PAYMENT, JournalKind.CORRECTION]).exists()
    # …and what failed no longer holds the allocation.
    payment_request(by=fund_users["province"], application=funded, amount="1000.00", idempotency_key="k2")


def test_a_breach_claws_back_what_was_paid_and_withdraws_what_waits(fund_users: dict[str, Any],
                                                                    funded: FundApplication) -> None:
    _paid(fund_users, funded, "600.00", "a")
    waiting, _ = payment_request(by=fund_users["province"], application=funded, amount="100.00", idempotency_key="b")
    with pytest.raises(PermissionDenied):
        fund_claw_back(funded.project, fund_users["finance"])
    assert fund_claw_back(funded.project, fund_users["hangzhou"]) == D("600.00")
    assert Payment.objects.get(pk=waiting.pk).state == PaymentState.CANCELLED
    assert balance("fund:2026:paid") == D("0.00")
    assert balance(f"fund:2026:allocated:{funded.pk}") == D("0.00")
    assert balance("fund:2026:available") == D("5000.00"), "the fund has it all back"
    assert fund_claw_back(funded.project, fund_users["hangzhou"]) == D("0.00"), "a second call books nothing"
    assert Journal.objects.filter(kind=JournalKind.CLAWBACK).count() == 1
    with pytest.raises(Conflict) as refused:
        payment_request(by=fund_users["province"], application=funded, amount="1.00", idempotency_key="c")
    assert refused.value.code == "fund_clawed_back"
    assert all(check.holds for check in reconciliation(user=fund_users["finance"]))


def test_the_workflow_table_holds_every_move(fund_users: dict[str, Any], funded: FundApplication) -> None:
    """Every move from every state by each role: allowed only as the table and the policy say."""
    roles = {"province": fund_users["province"], "hangzhou": fund_users["hangzhou"],
             "ningbo": fund_users["ningbo"], "finance": fund_users["finance"]}
    allowed = {("region_approve", "hangzhou"), ("region_return", "hangzhou"), ("finance_approve", "finance"),
               ("finance_return", "finance"), ("resubmit", "province"), ("resubmit", "hangzhou"), ("pay", "finance"),
               ("fail", "finance"), *((f"cancel_{s}", who) for s in ("requested", "returned", "region_approved",
                                                                     "finance_approved")
                                      for who in ("province", "hangzhou", "finance"))}
    approver = fund_users["hangzhou"]  # the region's approval a finance approval follows
    for n, (name, move) in enumerate(PAYMENT_WORKFLOW.transitions.items()):
        for who, user in roles.items():
            p = Payment.objects.create(application=funded, amount=D("1.00"), idempotency_key=f"t{n}-{who}",
                                       state=move.source, requested_by=fund_users["province"],
                                       region_approved_by=approver)
            before = Journal.objects.count()
            try:
                payment_move(by=user, payment=p, move=name, note="理由")
                moved = True
            except (PermissionDenied, Conflict):
                moved = False
            assert moved == ((name, who) in allowed), (name, who)
            if not moved:
                assert Payment.objects.get(pk=p.pk).state == move.source and Journal.objects.count() == before


FUND_TABLES = ("ledger_leg", "ledger_journal", "ledger_account", "projects_paymentevent", "projects_payment",
               "projects_allocationrun", "projects_fundapplication", "projects_fundround", "projects_equipmentline",
               "projects_projectevent", "projects_project")


@on_postgresql
@pytest.mark.django_db(transaction=True, available_apps=["zhigai.ledger", "zhigai.projects"])
def test_the_same_key_from_concurrent_requests_is_one_payment() -> None:
    """Committed data, so that eight threads on their own connections see it. Only the two apps are flushed
    after it (the session's reference data stays); the test runs with every app, and removes itself what it
    writes outside the two (a user, an enterprise, audit lines; TRUNCATE: the ledger's rows refuse DELETE)."""
    from django.apps import apps

    from tests.conftest import new_uscc
    from zhigai.base.models import Enterprise, Industry, Region
    from zhigai.core.models import AuditLog

    apps.unset_available_apps()
    started = AuditLog.objects.order_by("-id").values_list("id", flat=True).first() or 0
    province = User.objects.create_user("fund-concurrent-province", role=Role.PROVINCE,
                                        region=Region.objects.get(code="330000"))
    enterprise = Enterprise.objects.create(uscc=new_uscc(), name="并发测试企业",
                                           region=Region.objects.get(code="330102"),
                                           industry=Industry.objects.get(code="34"))
    try:
        _concurrently(province, enterprise)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(FUND_TABLES)} CASCADE")
        AuditLog.objects.filter(id__gt=started).delete()
        enterprise.delete()
        province.delete()
        apps.set_available_apps(["zhigai.ledger", "zhigai.projects"])


def _concurrently(province: User, enterprise: Any) -> None:
    r = round_make(province, budget="5000.00")
    application = fund_application_create(by=province, fund_round=r, project=project_make(enterprise),
                                          amount="1000.00")
    fund_allocate(by=province, fund_round=r)
    application.refresh_from_db()
    start = threading.Barrier(8)
    got: list[tuple[int, bool]] = []
    errors: list[BaseException] = []

    def ask(key: str, amount: str) -> None:
        try:
            start.wait()
            payment, created = payment_request(by=province, application=application, amount=amount,
                                               idempotency_key=key)
            got.append((payment.pk, created))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def run(args: list[tuple[str, str]]) -> None:
        threads = [threading.Thread(target=ask, args=a) for a in args]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    # Eight at once with one key: one payment, created once.
    run([("same", "600.00")] * 8)
    assert errors == [] and len({pk for pk, _c in got}) == 1 and sum(c for _pk, c in got) == 1
    # Eight keys of 100 each against the 400 left: four, and four refused as beyond the allocation.
    got.clear()
    start.reset()
    run([(f"k{n}", "100.00") for n in range(8)])
    assert len(got) == 4 and len(errors) == 4 and all(getattr(e, "code", "") == "fund_over_allocated" for e in errors)
    assert Payment.objects.count() == 5
    assert sum((p.amount for p in Payment.objects.all()), D(0)) == D("1000.00")
