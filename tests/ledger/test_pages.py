"""The ledger's pages: the entries and balances, the reconciliation with its marks and figures, the export —
and who may read them (provincial officers and the finance office)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tests.xlsx import sheet_rows, signed_in
from zhigai.core.models import Role
from zhigai.ledger.models import AccountKind, JournalKind
from zhigai.ledger.services import account_ensure, journal_post

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def posted() -> None:
    treasury = account_ensure(code="fund:2030:appropriation", name="预算", kind=AccountKind.EQUITY)
    available = account_ensure(code="fund:2030:available", name="可分配", kind=AccountKind.ASSET, never_negative=True)
    paid = account_ensure(code="fund:2030:paid", name="已拨付", kind=AccountKind.EXPENSE, never_negative=True)
    other = account_ensure(code="other:cash", name="=HYPERLINK(\"x\")", kind=AccountKind.ASSET)
    journal_post(by=None, kind=JournalKind.BUDGET, legs=[(available, D("1000.00")), (treasury, D("-1000.00"))],
                 memo="预算拨入")
    journal_post(by=None, kind=JournalKind.PAYMENT, legs=[(paid, D("250.50")), (available, D("-250.50"))])
    journal_post(by=None, kind=JournalKind.CORRECTION, legs=[(other, D("1.00")), (treasury, D("-1.00"))])


@pytest.fixture
def finance(make_user: Callable[..., Any]) -> Any:
    return signed_in(make_user(Role.FINANCE))


def test_the_ledger_shows_entries_legs_and_balances(finance: Any, posted: None) -> None:
    page = finance.get("/ledger/?account=fund:2030:")
    body = page.content.decode()
    assert page.status_code == 200
    assert "fund:2030:available" in body
    balances = {b.account.code: b.balance for b in page.context["balances"]}
    assert balances == {"fund:2030:appropriation": D("1001.00"), "fund:2030:available": D("749.50"),
                        "fund:2030:paid": D("250.50")}
    # Every entry touching those accounts, with all its legs (the correction's other leg too).
    assert [e["kind"] for e in page.context["entries"]] == ["correction", "payment", "budget"]


def test_the_reconciliation_marks_each_invariant(finance: Any, posted: None) -> None:
    page = finance.get("/ledger/reconciliation/")
    checks = page.context["checks"]
    assert page.status_code == 200 and all(c.holds for c in checks) and len(checks) >= 4
    assert page.content.decode().count('data-holds="1"') == len(checks)
    entries = next(c for c in checks if c.name == "每笔分录借贷平衡")
    assert ("分录", "3") in entries.figures and ("全部分录行合计", "0.00") in entries.figures


def test_the_export_has_a_row_per_leg_with_debits_and_credits(finance: Any, posted: None) -> None:
    rows = sheet_rows(finance.get("/ledger/export.xlsx"))
    assert len(rows) == 1 + 6
    budget = [r for r in rows[1:] if r[3] == "预算拨入"]
    assert sorted((r[6], r[8], r[9]) for r in budget) == [("fund:2030:appropriation", None, 1000),
                                                          ("fund:2030:available", 1000, None)]
    assert any(r[7] == "=HYPERLINK(\"x\")" for r in rows), "kept as text, never a formula"


@pytest.mark.parametrize("role", [Role.CITY, Role.ENTERPRISE, Role.PROVIDER, Role.EXPERT])
def test_only_the_province_and_finance_read_the_ledger(make_user: Callable[..., Any], role: str) -> None:
    client = signed_in(make_user(role, region="330100" if role == Role.CITY else None))
    for path in ("/ledger/", "/ledger/reconciliation/", "/ledger/export.xlsx"):
        assert client.get(path).status_code == 403, path
    assert signed_in(make_user(Role.PROVINCE, region="330000")).get("/ledger/").status_code == 200


def test_the_balances_are_in_the_order_a_reader_counts_codes(finance: Any) -> None:
    for n in (10, 9, 100, 2):
        account_ensure(code=f"fund:2030:allocated:{n}", name=f"申请 {n}", kind=AccountKind.ASSET)
    account_ensure(code="fund:2030:available", name="可分配", kind=AccountKind.ASSET)
    codes = [b.account.code for b in finance.get("/ledger/?account=fund:2030:").context["balances"]]
    assert codes == ["fund:2030:allocated:2", "fund:2030:allocated:9", "fund:2030:allocated:10",
                     "fund:2030:allocated:100", "fund:2030:available"]
