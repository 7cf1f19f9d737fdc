"""The ledger: balanced, append-only (by triggers on PostgreSQL, by the models on SQLite), idempotent, never
overdrawn — and its invariants under any sequence of postings (hypothesis)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhigai.core.errors import Conflict, InvalidInput
from zhigai.ledger.models import Account, AccountKind, Journal, JournalKind, Leg
from zhigai.ledger.services import account_ensure, balances, journal_post, journal_reverse

D = Decimal
pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'")


def accounts() -> tuple[Account, Account, Account]:
    source = account_ensure(code="treasury", name="财政", kind=AccountKind.EQUITY)
    fund = account_ensure(code="fund", name="专项资金", kind=AccountKind.ASSET, never_negative=True)
    paid = account_ensure(code="paid", name="已拨付", kind=AccountKind.EXPENSE)
    return source, fund, paid


def test_a_balanced_entry_moves_the_balances() -> None:
    source, fund, paid = accounts()
    journal_post(by=None, kind=JournalKind.BUDGET, legs=[(fund, D("200000000.00")), (source, D("-200000000.00"))])
    journal_post(by=None, kind=JournalKind.PAYMENT, legs=[(paid, D("12345.67")), (fund, D("-12345.67"))])
    assert balances([source, fund, paid]) == {source.pk: D("200000000.00"), fund.pk: D("199987654.33"),
                                              paid.pk: D("12345.67")}


@pytest.mark.parametrize("legs", [
    [("fund", "10.00"), ("treasury", "-9.99")],  # does not balance
    [("fund", "10.00")],  # one leg
    [("fund", "10.00"), ("fund", "-10.00")],  # one account: nothing moves
    [("fund", "0.001"), ("treasury", "-0.001")],  # finer than the fen
    [("fund", "NaN"), ("treasury", "10")],
    [("fund", "1E+30"), ("treasury", "-1E+30")],  # beyond what money holds
])
def test_an_entry_that_is_not_right_is_refused_and_books_nothing(legs: list[tuple[str, str]]) -> None:
    by_code = {a.code: a for a in accounts()}
    with pytest.raises(InvalidInput):
        journal_post(by=None, kind=JournalKind.BUDGET, legs=[(by_code[c], D(a)) for c, a in legs])
    assert not Journal.objects.exists() and not Leg.objects.exists()


def test_an_unknown_kind_is_refused() -> None:
    source, fund, _paid = accounts()
    with pytest.raises(InvalidInput):
        journal_post(by=None, kind="gift", legs=[(fund, D(1)), (source, D(-1))])


def budget(amount: str = "1000.00") -> Journal:
    source, fund, _paid = accounts()
    return journal_post(by=None, kind=JournalKind.BUDGET, legs=[(fund, D(amount)), (source, -D(amount))])


def test_the_models_refuse_to_change_or_delete_what_is_posted() -> None:
    entry = budget()
    leg = entry.legs.first()
    assert leg is not None
    entry.memo = "changed"
    for attempt in (entry.save, entry.delete, leg.delete, Leg.objects.all().delete,
                    lambda: Journal.objects.update(memo="x"), lambda: Leg.objects.update(amount=D(1))):
        with pytest.raises(Conflict):
            attempt()
    assert Journal.objects.get().memo == "" and Leg.objects.count() == 2


@on_postgresql
@pytest.mark.parametrize("sql", [
    "UPDATE ledger_journal SET memo = 'x'",
    "DELETE FROM ledger_journal",
    "UPDATE ledger_leg SET amount = amount * 2",
    "DELETE FROM ledger_leg",
])
def test_postgresql_refuses_to_change_or_delete_what_is_posted(sql: str) -> None:
    budget()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert Leg.objects.count() == 2


@on_postgresql
def test_postgresql_refuses_an_unbalanced_entry_at_commit() -> None:
    source, fund, _paid = accounts()
    entry = budget()
    with pytest.raises(DatabaseError, match="unbalanced"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO ledger_journal (kind, memo, source, at) VALUES ('budget', '', '', now()) "
                       "RETURNING id")
        new = cursor.fetchone()[0]
        cursor.execute("INSERT INTO ledger_leg (journal_id, account_id, amount) VALUES (%s, %s, 100), (%s, %s, -99)",
                       [new, fund.pk, new, source.pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT does: the deferred checks run
    with pytest.raises(DatabaseError, match="unbalanced"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO ledger_leg (journal_id, account_id, amount) VALUES (%s, %s, 5)",
                       [entry.pk, fund.pk])  # a leg added to a posted, balanced entry
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert Journal.objects.count() == 1 and Leg.objects.count() == 2


def test_an_idempotency_key_books_once() -> None:
    _source, fund, paid = accounts()
    budget()
    legs = [(paid, D("300.00")), (fund, D("-300.00"))]
    first = journal_post(by=None, kind=JournalKind.PAYMENT, legs=legs, idempotency_key="pay-7")
    again = journal_post(by=None, kind=JournalKind.PAYMENT, legs=legs, idempotency_key="pay-7")
    assert again.pk == first.pk and Journal.objects.filter(kind=JournalKind.PAYMENT).count() == 1
    with pytest.raises(Conflict) as refused:
        journal_post(by=None, kind=JournalKind.PAYMENT, legs=[(paid, D("301.00")), (fund, D("-301.00"))],
                     idempotency_key="pay-7")
    assert str(first.pk) in refused.value.message
    assert balances([fund])[fund.pk] == D("700.00")


def test_an_account_that_may_not_go_below_zero_is_never_overdrawn() -> None:
    _source, fund, paid = accounts()
    budget("100.00")
    with pytest.raises(Conflict):
        journal_post(by=None, kind=JournalKind.PAYMENT, legs=[(paid, D("100.01")), (fund, D("-100.01"))])
    journal_post(by=None, kind=JournalKind.PAYMENT, legs=[(paid, D("100.00")), (fund, D("-100.00"))])
    assert balances([fund])[fund.pk] == D("0.00")


def test_a_correction_reverses_an_entry_once() -> None:
    _source, fund, paid = accounts()
    budget()
    payment = journal_post(by=None, kind=JournalKind.PAYMENT, legs=[(paid, D("40.00")), (fund, D("-40.00"))])
    correction = journal_reverse(by=None, journal=payment)
    assert correction.reverses_id == payment.pk and correction.kind == JournalKind.CORRECTION
    assert balances([fund, paid]) == {fund.pk: D("1000.00"), paid.pk: D("0.00")}
    with pytest.raises(Conflict):
        journal_reverse(by=None, journal=payment)
    with pytest.raises(Conflict):
        journal_reverse(by=None, journal=correction)


@on_postgresql
@pytest.mark.django_db(transaction=True, available_apps=["zhigai.ledger"])
def test_the_same_key_from_concurrent_requests_books_once() -> None:
    source, fund, paid = accounts()
    journal_post(by=None, kind=JournalKind.BUDGET, legs=[(fund, D("1000.00")), (source, D("-1000.00"))])
    start = threading.Barrier(8)
    booked: list[int] = []
    errors: list[BaseException] = []

    def pay() -> None:
        try:
            start.wait()
            entry = journal_post(by=None, kind=JournalKind.PAYMENT, legs=[(paid, D("600.00")), (fund, D("-600.00"))],
                                 idempotency_key="round-1/app-9/pay-1")
            booked.append(entry.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(booked) == 8 and len(set(booked)) == 1
    assert Journal.objects.filter(kind=JournalKind.PAYMENT).count() == 1
    assert balances([fund])[fund.pk] == D("400.00")


# --- invariants -----------------------------------------------------------------------------------------

operation = st.one_of(
    st.tuples(st.just("budget"), st.integers(1, 10**9)),
    st.tuples(st.just("allocate"), st.integers(1, 10**9)),
    st.tuples(st.just("pay"), st.integers(1, 10**9)),
    st.tuples(st.just("clawback"), st.integers(1, 10**9)),
    st.tuples(st.just("reverse"), st.integers(0, 50)),
    st.tuples(st.just("retry"), st.integers(0, 50)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow], derandomize=True)
@given(st.lists(operation, max_size=25))
def test_any_sequence_of_postings_keeps_the_invariants(operations: list[tuple[str, int]]) -> None:
    """Never pay more than allocated, the fund never below zero, every entry balanced, and the balances the
    sums of their legs — whatever is posted, refused, retried or reversed."""
    with transaction.atomic():
        try:
            _run(operations)
        finally:
            transaction.set_rollback(True)


def _run(operations: list[tuple[str, int]]) -> None:
    # The fund's money as the projects module keeps it: the budget arrives (available), is allocated to
    # applications (allocated), paid out (paid) and, on a breach, clawed back (available again).
    treasury = account_ensure(code="t", name="财政", kind=AccountKind.EQUITY)
    available = account_ensure(code="f", name="可分配资金", kind=AccountKind.ASSET, never_negative=True)
    allocated = account_ensure(code="a", name="已分配待拨付", kind=AccountKind.ASSET, never_negative=True)
    paid = account_ensure(code="p", name="已拨付", kind=AccountKind.EXPENSE, never_negative=True)
    moves = {  # debited, credited
        "budget": (available, treasury, JournalKind.BUDGET), "allocate": (allocated, available, JournalKind.ALLOCATION),
        "pay": (paid, allocated, JournalKind.PAYMENT), "clawback": (available, paid, JournalKind.CLAWBACK),
    }
    posted: list[Journal] = []
    for name, value in operations:
        amount = D(value).scaleb(-2)
        try:
            if name in moves:
                debited, credited, kind = moves[name]
                posted.append(journal_post(by=None, kind=kind, legs=[(debited, amount), (credited, -amount)],
                                           idempotency_key=f"k{len(posted)}"))
            elif name == "reverse" and posted:
                posted.append(journal_reverse(by=None, journal=posted[value % len(posted)]))
            elif name == "retry" and posted:
                entry = posted[value % len(posted)]
                if entry.idempotency_key:
                    legs = [(leg.account, leg.amount) for leg in entry.legs.select_related("account")]
                    again = journal_post(by=None, kind=entry.kind, legs=legs, idempotency_key=entry.idempotency_key)
                    assert again.pk == entry.pk, "a retried key books nothing new"
        except Conflict:
            pass  # refused: it would overdraw, or the entry is reversed already
        got = balances([treasury, available, allocated, paid])
        assert got[available.pk] >= 0, "the fund never below zero"
        assert got[allocated.pk] >= 0, "never paid more than allocated"
        assert got[paid.pk] >= 0, "never clawed back more than paid"
        assert sum((leg.amount for leg in Leg.objects.all()), D(0)) == 0, "every entry balances"
        for account in (treasury, available, allocated, paid):
            legs_sum = sum((leg.amount for leg in Leg.objects.filter(account=account)), D(0))
            assert got[account.pk] == account.sign * legs_sum, "the balances are the sums of their legs"
