"""Every read of the ledger, for those the ledger's policy lets read it: its entries with their legs, the
balances by account, and the reconciliation — the invariants, computed live from the legs themselves."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from zhigai.base.models import MoneySum
from zhigai.core.policy import require
from zhigai.core.types import Actor

from .models import Account, Journal, Leg
from .names import account_name
from .policy import VIEW

ZERO = Decimal("0.00")


def ledger_require(user: Actor) -> None:
    require(user, VIEW, message=_("只有省级主管部门和财政部门可以查看账本。"))


def _prefix_q(prefix: str, path: str = "") -> Q:
    return Q(**{f"{path}code__startswith": prefix}) if prefix else Q()


def journal_list(*, user: Actor, prefix: str = "") -> QuerySet[Journal]:
    """The entries touching an account whose code begins with `prefix` (all without one), with their legs."""
    ledger_require(user)
    qs = Journal.objects.select_related("by", "reverses").prefetch_related("legs__account").order_by("at", "id")
    if prefix:
        qs = qs.filter(pk__in=Leg.objects.filter(_prefix_q(prefix, "account__")).values("journal_id"))
    return qs


def code_order(account: Account) -> tuple[tuple[int, int | str], ...]:
    """Codes in the order a reader counts them: fund:2026:allocated:9 before fund:2026:allocated:10."""
    return tuple((0, int(part)) if part.isascii() and part.isdigit() else (1, part)
                 for part in account.code.split(":"))


@dataclass(frozen=True)
class Balance:
    account: Account
    balance: Decimal
    debits: Decimal
    credits: Decimal

    @property
    def name(self) -> str:
        return account_name(self.account)


def balance_list(*, user: Actor, prefix: str = "") -> list[Balance]:
    """Each account's balance on its normal side, with its debits and credits, summed by the database."""
    ledger_require(user)
    accounts = sorted(Account.objects.filter(_prefix_q(prefix)), key=code_order)
    debit = dict(Leg.objects.filter(account__in=accounts, amount__gt=0).values("account_id")
                 .annotate(s=MoneySum("amount")).values_list("account_id", "s"))
    credit = dict(Leg.objects.filter(account__in=accounts, amount__lt=0).values("account_id")
                  .annotate(s=MoneySum("amount")).values_list("account_id", "s"))
    out = []
    for a in accounts:
        d, c = debit.get(a.pk) or ZERO, -(credit.get(a.pk) or ZERO)
        out.append(Balance(a, a.sign * (d - c), d, c))
    return out


@dataclass
class Check:
    """One invariant: what it says, whether it holds, and the figures that show it."""

    name: str
    holds: bool
    figures: list[tuple[str, str]] = field(default_factory=list)
    breaches: list[str] = field(default_factory=list)


ReconciliationCheck = Callable[[], Check]
_CHECKS: dict[str, tuple[int, ReconciliationCheck]] = {}


def reconciliation_check_register(name: str, check: ReconciliationCheck, *, order: int) -> None:
    """A module whose money is in the ledger adds the invariants its own records must keep with it (the
    special fund: never paid more than allocated)."""
    _CHECKS[name] = (order, check)


def reconciliation(*, user: Actor) -> list[Check]:
    """The ledger's invariants, computed now: every entry balances; no account that may not go below zero
    is; the balances shown are the sums of the legs (summed again here leg by leg, apart from the database's
    sums); and those of the modules that post here."""
    ledger_require(user)
    checks = [_entries_balance(), _never_negative(), _sums_match()]
    return checks + [check() for _order, check in sorted(_CHECKS.values(), key=lambda c: c[0])]


def _entries_balance() -> Check:
    entries = Journal.objects.count()
    sums: dict[int, Decimal] = defaultdict(Decimal)
    legs = 0
    for journal_id, amount in Leg.objects.values_list("journal_id", "amount").iterator(chunk_size=5000):
        sums[journal_id] += amount
        legs += 1
    unbalanced = [j for j, s in sums.items() if s != 0]
    thin = list(Journal.objects.annotate(n=Count("legs")).filter(n__lt=2).values_list("pk", flat=True)[:20])
    total = sum(sums.values(), Decimal(0))
    return Check(_("每笔分录借贷平衡"), not unbalanced and not thin,
                 [(_("分录"), f"{entries:,}"), (_("分录行"), f"{legs:,}"), (_("全部分录行合计"), f"{total:,.2f}")],
                 [_("分录 #%(id)s 不平衡：差额 %(d)s 元") % {"id": j, "d": sums[j]} for j in unbalanced[:20]]
                 + [_("分录 #%(id)s 少于两行") % {"id": j} for j in thin])


def _never_negative() -> Check:
    guarded = list(Account.objects.filter(never_negative=True).order_by("code"))
    sums = dict(Leg.objects.filter(account__in=guarded).values("account_id").annotate(s=MoneySum("amount"))
                .values_list("account_id", "s"))
    below = [(a, a.sign * (sums.get(a.pk) or ZERO)) for a in guarded if a.sign * (sums.get(a.pk) or ZERO) < 0]
    lowest = min((a.sign * (sums.get(a.pk) or ZERO) for a in guarded), default=ZERO)
    return Check(_("不得为负的账户（可分配资金、已分配待拨付、已拨付）均不低于零"), not below,
                 [(_("受此约束的账户"), f"{len(guarded):,}"), (_("其中最低余额（元）"), f"{lowest:,.2f}")],
                 [_("账户 %(code)s 余额 %(b)s 元") % {"code": a.code, "b": b} for a, b in below])


def _sums_match() -> Check:
    accounts = list(Account.objects.order_by("code"))
    by_db = dict(Leg.objects.values("account_id").annotate(s=MoneySum("amount")).values_list("account_id", "s"))
    by_leg: dict[int, Decimal] = defaultdict(Decimal)
    for account_id, amount in Leg.objects.values_list("account_id", "amount").iterator(chunk_size=5000):
        by_leg[account_id] += amount
    differ = [a for a in accounts if (by_db.get(a.pk) or ZERO) != by_leg.get(a.pk, ZERO)]
    debits = sum((v for v in by_leg.values() if v > 0), Decimal(0))
    return Check(_("账本逐行合计等于所示余额"), not differ,
                 [(_("账户"), f"{len(accounts):,}"), (_("借方余额合计（元）"), f"{debits:,.2f}")],
                 [_("账户 %(code)s：数据库合计 %(a)s 元，逐行合计 %(b)s 元")
                  % {"code": a.code, "a": by_db.get(a.pk) or ZERO, "b": by_leg.get(a.pk, ZERO)} for a in differ])


def entry_rows(entries: Any) -> list[dict[str, Any]]:
    """An entry as the API and the export give it."""
    return [{"id": j.pk, "kind": j.kind, "kind_name": j.get_kind_display(), "at": j.at.isoformat(), "when": j.at,
             "memo": j.memo, "source": j.source, "reverses": j.reverses_id, "by": j.by.username if j.by else "",
             "legs": [{"account": leg.account.code, "name": account_name(leg.account), "amount": leg.amount,
                       "debit": leg.amount if leg.amount > 0 else None,
                       "credit": -leg.amount if leg.amount < 0 else None} for leg in j.legs.all()]}
            for j in entries]
