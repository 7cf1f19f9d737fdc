"""The special fund's pages, in both languages: the round (rules, result, proof, reasons, comparison), the
queue of payments to approve, a payment and its moves, the round's export, who reaches which."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation

from tests.projects import fund_fixtures
from tests.xlsx import sheet_rows, signed_in
from zhigai.core.models import Role
from zhigai.projects.fund import fund_allocate, fund_application_create
from zhigai.projects.fund_models import Payment, PaymentState
from zhigai.projects.payments import payment_request

pytestmark = pytest.mark.django_db
fund_users, make_project = fund_fixtures.fund_users, fund_fixtures.make_project  # fixtures, for pytest


@pytest.fixture
def allocated(fund_users: dict[str, Any], make_project: Callable[..., Any]) -> Any:
    r = fund_fixtures.round_make(fund_users["province"], budget="100.00")
    apps = [fund_application_create(by=fund_users["province"], fund_round=r, project=make_project(county, title=t),
                                    amount=amount, benefit=benefit)
            for county, t, amount, benefit in (("330102", "焊接机器人", "60.00", "66"),
                                               ("330102", "数字车间", "50.00", "50"),
                                               ("330203", "智能仓储", "50.00", None))]
    fund_allocate(by=fund_users["province"], fund_round=r)
    return r, apps


def test_the_round_page_shows_the_proof_the_reasons_and_the_comparison(fund_users: dict[str, Any],
                                                                        allocated: Any) -> None:
    r, _apps = allocated
    page = signed_in(fund_users["province"]).get(f"/fund/{r.pk}/").content.decode()
    assert 'data-testid="proven"' in page and "已证明最优" in page
    assert "预算只剩" in page, "why the best per yuan was left out"
    assert "最优组合多" in page and "按每元效益排序" in page
    assert "评审评分" in page and "公式计算" in page, "each benefit's source"
    with translation.override("en"):
        english = signed_in(fund_users["province"]).get(f"/fund/{r.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Proven optimal" in english


def test_a_city_officer_sees_its_citys_applications_only(fund_users: dict[str, Any], allocated: Any) -> None:
    r, _apps = allocated
    page = signed_in(fund_users["ningbo"]).get(f"/fund/{r.pk}/").content.decode()
    assert "智能仓储" in page and "焊接机器人" not in page
    provider = fund_fixtures.User.objects.create_user("fund-provider", role=Role.PROVIDER)
    assert signed_in(provider).get(f"/fund/{r.pk}/").status_code == 404
    assert signed_in(provider).get("/fund/").status_code == 403


def test_the_round_export_has_a_row_per_application(fund_users: dict[str, Any], allocated: Any) -> None:
    r, apps = allocated
    rows = sheet_rows(signed_in(fund_users["finance"]).get(f"/fund/{r.pk}/export.xlsx"))
    assert len(rows) == 1 + 3
    assert rows[1][0] == apps[0].pk and rows[1][6] == 60 and rows[1][9] == "否"
    assert [row[9] for row in rows[1:]] == ["否", "是", "是"]
    assert len(sheet_rows(signed_in(fund_users["ningbo"]).get(f"/fund/{r.pk}/export.xlsx"))) == 1 + 1


def test_the_queues_and_a_payments_moves(fund_users: dict[str, Any], allocated: Any) -> None:
    _r, apps = allocated
    payment, _created = payment_request(by=fund_users["province"], application=apps[1], amount="20.00",
                                        idempotency_key="page-1")
    hangzhou, finance = signed_in(fund_users["hangzhou"]), signed_in(fund_users["finance"])
    assert f"/fund/payments/{payment.pk}/" in hangzhou.get("/fund/payments/").content.decode()
    assert 'data-testid="queue"' not in finance.get("/fund/payments/").content.decode(), "not yet for finance"
    assert 'data-testid="queue"' not in signed_in(fund_users["ningbo"]).get("/fund/payments/").content.decode()
    page = hangzhou.get(f"/fund/payments/{payment.pk}/").content.decode()
    assert 'data-testid="move-region_approve"' in page and 'data-testid="move-region_return"' in page
    hangzhou.post(f"/fund/payments/{payment.pk}/move/", {"move": "region_approve"})
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.REGION_APPROVED
    assert f"/fund/payments/{payment.pk}/" in finance.get("/fund/payments/").content.decode()
    answer = finance.post(f"/fund/payments/{payment.pk}/move/", {"move": "finance_return"}, follow=True)
    assert "请写明" in answer.content.decode(), "a sending back needs its reason"
    finance.post(f"/fund/payments/{payment.pk}/move/", {"move": "finance_approve"})
    finance.post(f"/fund/payments/{payment.pk}/move/", {"move": "pay"})
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.PAID


def test_a_payment_asked_for_on_the_round_page_once(fund_users: dict[str, Any], allocated: Any) -> None:
    _r, apps = allocated
    client = signed_in(fund_users["hangzhou"])
    body = {"amount": "10.00", "idempotency_key": "form-1"}
    first = client.post(f"/fund/applications/{apps[1].pk}/pay/", body)
    again = client.post(f"/fund/applications/{apps[1].pk}/pay/", body)
    assert first["Location"] == again["Location"] and Payment.objects.count() == 1
    refused = client.post(f"/fund/applications/{apps[0].pk}/pay/", {**body, "idempotency_key": "form-2"}, follow=True)
    assert "未获分配" in refused.content.decode() and Payment.objects.count() == 1
    assert signed_in(fund_users["ningbo"]).post(f"/fund/applications/{apps[1].pk}/pay/", body).status_code == 404


def test_the_reconciliation_turns_red_when_the_records_and_the_ledger_disagree(fund_users: dict[str, Any],
                                                                              allocated: Any) -> None:
    """A payment recorded as made that the ledger never booked (written past the services) is shown."""
    _r, apps = allocated
    finance = signed_in(fund_users["finance"])
    assert finance.get("/ledger/reconciliation/").content.decode().count('data-holds="0"') == 0
    Payment.objects.create(application=apps[1], amount=fund_fixtures.D("60.00"), idempotency_key="sneaked",
                           state=PaymentState.PAID, requested_by=fund_users["province"])
    page = finance.get("/ledger/reconciliation/").content.decode()
    assert page.count('data-holds="0"') == 1 and 'data-check="broken"' in page
    assert f"申请 {apps[1].pk}：已拨付 60.00 元，超过分配的 50.00 元" in page
    assert f"申请 {apps[1].pk}：账本中待拨付 50.00 元，按分配与拨付记录应为 -10.00 元" in page


def test_the_ledger_names_its_accounts_in_the_reader_s_language(fund_users: dict[str, Any], allocated: Any) -> None:
    r, apps = allocated
    with translation.override("en"):  # the act of an English-speaking officer: the books stay in Chinese
        fund_allocate(by=fund_users["province"], fund_round=r)
    from zhigai.ledger.models import Account

    assert Account.objects.get(code=f"fund:{r.year}:available").name == f"{r.year}年专项资金可分配"
    finance = signed_in(fund_users["finance"])
    chinese = finance.get("/ledger/").content.decode()
    assert f"{r.year}年专项资金可分配" in chinese and f"（申请 {apps[1].pk}）" in chinese
    finance.cookies["django_language"] = "en"
    english = finance.get("/ledger/").content.decode()
    balances = english.split('data-testid="balances"')[1].split("</table>")[0]
    assert f"Special fund {r.year}: available" in balances and "专项资金" not in balances
    rows = sheet_rows(finance.get(f"/ledger/export.xlsx?account=fund:{r.year}:available"))
    assert {row[7] for row in rows[1:]} >= {f"Special fund {r.year}: available"}
