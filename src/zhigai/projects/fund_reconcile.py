"""The special fund's invariants on the ledger's reconciliation page: never paid more than allocated, and the
ledger agreeing with the fund's own records (what each application was allocated and paid)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _

from zhigai.base.models import MoneySum
from zhigai.ledger.models import Account, Leg
from zhigai.ledger.selectors import Check

from .fund_models import FundApplication, Payment, PaymentState

ZERO = Decimal("0.00")


def never_paid_more_than_allocated() -> Check:
    """Per application: what its payments made add up to is at most what it was allocated, and its account
    in the ledger holds exactly the allocation less the payments (nothing, once clawed back)."""
    paid: dict[int, Decimal] = defaultdict(Decimal)
    for application_id, amount in (Payment.objects.filter(state=PaymentState.PAID)
                                   .values("application_id").annotate(s=MoneySum("amount"))
                                   .values_list("application_id", "s")):
        paid[application_id] = amount
    funded = list(FundApplication.objects.filter(funded=True).select_related("round").order_by("id"))
    codes = {f"fund:{a.round.year}:allocated:{a.pk}": a for a in funded}
    accounts = {a.code: a.pk for a in Account.objects.filter(code__in=list(codes))}
    held = dict(Leg.objects.filter(account_id__in=list(accounts.values())).values("account_id")
                .annotate(s=MoneySum("amount")).values_list("account_id", "s"))
    breaches = []
    allocated_total = paid_total = ZERO
    for code, a in codes.items():
        allocated_total += a.amount
        paid_total += paid[a.pk]
        if paid[a.pk] > a.amount:
            breaches.append(_("申请 %(id)s：已拨付 %(p)s 元，超过分配的 %(a)s 元")
                            % {"id": a.pk, "p": paid[a.pk], "a": a.amount})
        want = ZERO if a.clawed_back else a.amount - paid[a.pk]
        have = held.get(accounts.get(code, 0)) or ZERO
        if have != want:
            breaches.append(_("申请 %(id)s：账本中待拨付 %(h)s 元，按分配与拨付记录应为 %(w)s 元")
                            % {"id": a.pk, "h": have, "w": want})
    return Check(_("专项资金拨付从不超过分配，账本与分配、拨付记录一致"), not breaches,
                 [(_("获资助的申请"), f"{len(funded):,}"), (_("分配合计（元）"), f"{allocated_total:,.2f}"),
                  (_("已拨付合计（元）"), f"{paid_total:,.2f}")], breaches[:50])
