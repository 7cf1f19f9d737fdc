"""Posting to the ledger: the only way money moves (ledger.models says why nothing posted changes).

journal_post books one entry after checking, in exact Decimal, that it balances and that no account that may
not go below zero would; the accounts it touches are locked first (in id order, so that two postings never
wait on each other), so concurrent postings see each other's balances. An idempotency key books once:
the same key again returns the first entry, even when both requests arrive at once (the second waits for
the first's locks, then finds its entry, before it checks balances the first has already moved).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from zhigai.base.fields import CENT, MONEY_LIMIT
from zhigai.base.models import MoneySum
from zhigai.core.errors import Conflict, InvalidInput
from zhigai.core.models import User

from .errors import LedgerError
from .models import Account, Journal, JournalKind, Leg
from .names import account_name

LegSpec = tuple[Account, Decimal]  # (account, amount): positive debits it, negative credits it


def account_ensure(*, code: str, name: str, kind: str, never_negative: bool = False) -> Account:
    """The account of `code`, created on first use."""
    account, _created = Account.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "never_negative": never_negative})
    return account


def balances(accounts: Sequence[Account]) -> dict[int, Decimal]:
    """Each account's balance on its normal side (debits less credits for assets and expenses)."""
    sums = dict(Leg.objects.filter(account__in=accounts).values("account_id").annotate(s=MoneySum("amount"))
                .values_list("account_id", "s"))
    zero = Decimal("0.00")
    return {a.pk: a.sign * (sums.get(a.pk) or zero) for a in accounts}


def journal_post(*, by: User | None, kind: str, legs: Sequence[LegSpec], memo: str = "", source: str = "",
                 idempotency_key: str | None = None, reverses: Journal | None = None) -> Journal:
    """Book one balanced entry; returns it (or, for a key already booked with the same legs, the first)."""
    cleaned = _checked(kind, legs, idempotency_key)
    if idempotency_key:
        booked = _booked(idempotency_key, kind, cleaned)
        if booked is not None:
            return booked
    try:
        with transaction.atomic():
            return _post(by, kind, cleaned, memo, source, idempotency_key, reverses)
    except IntegrityError:
        # Another request booked the same key (or reversed the same entry) first and has committed:
        # its entry is the answer; a different entry under the key is refused.
        if idempotency_key:
            booked = _booked(idempotency_key, kind, cleaned)
            if booked is not None:
                return booked
        if reverses is not None and Journal.objects.filter(reverses=reverses).exists():
            raise Conflict(_("这笔分录已经冲正过。"), code=LedgerError.REVERSED) from None
        raise


def journal_reverse(*, by: User | None, journal: Journal, memo: str = "") -> Journal:
    """The correction of `journal`: an entry of the opposite legs (each entry is reversed once)."""
    if journal.reverses_id is not None:
        raise Conflict(_("冲正分录不能再冲正，请另记一笔更正。"), code=LedgerError.REVERSED)
    if Journal.objects.filter(reverses=journal).exists():
        raise Conflict(_("这笔分录已经冲正过。"), code=LedgerError.REVERSED)
    legs = [(leg.account, -leg.amount) for leg in journal.legs.select_related("account")]
    return journal_post(by=by, kind=JournalKind.CORRECTION, legs=legs, source=journal.source,
                        memo=memo or _("冲正 #%(id)s") % {"id": journal.pk}, reverses=journal)


def _checked(kind: str, legs: Sequence[LegSpec], key: str | None) -> list[LegSpec]:
    if kind not in JournalKind.values:
        raise InvalidInput(_("没有这种分录：%(k)s") % {"k": kind}, details=[{"field": "kind", "message": kind}])
    if key is not None and not 0 < len(key) <= 100:
        raise InvalidInput(_("幂等键长度应为1到100个字符"), details=[{"field": "idempotency_key", "message": key}])
    merged: dict[Account, Decimal] = defaultdict(Decimal)
    for account, amount in legs:
        if not isinstance(amount, Decimal) or not amount.is_finite() or amount.copy_abs() > MONEY_LIMIT \
                or amount != amount.quantize(CENT):
            raise InvalidInput(_("金额应精确到分：%(a)s") % {"a": amount},
                               details=[{"field": "amount", "message": str(amount)}])
        merged[account] += amount
    cleaned = [(account, amount) for account, amount in merged.items() if amount != 0]
    if len(cleaned) < 2:
        raise InvalidInput(_("一笔分录至少涉及两个账户"), details=[{"field": "legs", "message": str(len(cleaned))}],
                           code=LedgerError.UNBALANCED)
    total = sum((amount for _account, amount in cleaned), Decimal(0))
    if total != 0:
        raise InvalidInput(_("借贷不平衡：差额 %(t)s 元") % {"t": total},
                           details=[{"field": "legs", "message": str(total)}], code=LedgerError.UNBALANCED)
    return sorted(cleaned, key=lambda leg: leg[0].pk)


def _booked(key: str, kind: str, legs: list[LegSpec]) -> Journal | None:
    found: Journal | None = Journal.objects.filter(idempotency_key=key).first()
    if found is None:
        return None
    theirs = sorted((leg.account_id, leg.amount) for leg in found.legs.all())
    if found.kind != kind or theirs != [(account.pk, amount) for account, amount in legs]:
        raise Conflict(_("幂等键“%(k)s”已用于另一笔分录（#%(id)s）。") % {"k": key, "id": found.pk},
                       code=LedgerError.KEY_REUSED, details=[{"field": "idempotency_key", "message": key}])
    return found


def _post(by: User | None, kind: str, legs: list[LegSpec], memo: str, source: str, key: str | None,
          reverses: Journal | None) -> Journal:
    accounts = list(Account.objects.select_for_update().filter(pk__in=[a.pk for a, _amount in legs]).order_by("pk"))
    if key:  # a request with the same key that held these locks before us has booked it: that is the answer
        booked = _booked(key, kind, legs)
        if booked is not None:
            return booked
    guarded = [a for a in accounts if a.never_negative]
    if guarded:
        now = balances(guarded)
        change = {account.pk: amount for account, amount in legs}
        for account in guarded:
            after = now[account.pk] + account.sign * change[account.pk]
            if after < 0:
                needed = -account.sign * change[account.pk]
                raise Conflict(_("账户“%(a)s”余额不足：现有 %(b)s 元，本笔需要 %(n)s 元。")
                               % {"a": account_name(account), "b": now[account.pk], "n": needed},
                               code=LedgerError.OVERDRAWN, details=[{"field": "amount", "message": account.code}])
    journal = Journal.objects.create(kind=kind, memo=memo[:255], source=source[:64], by=by,
                                     idempotency_key=key, reverses=reverses)
    Leg.objects.bulk_create([Leg(journal=journal, account=account, amount=amount) for account, amount in legs])
    return journal
