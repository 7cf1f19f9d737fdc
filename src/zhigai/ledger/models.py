"""The one ledger (SPEC §5, issue 13): append-only, double-entry, in exact yuan.

Every movement of money — a fund's budget, an allocation, a payment, a clawback, a reward, a correction — is
a Journal entry whose Legs sum to zero (a positive amount debits its account, a negative one credits it).
Nothing posted changes: a mistake is undone by a reversing entry. PostgreSQL refuses an UPDATE or DELETE of
an entry or a leg and an unbalanced entry at commit, by triggers (migration 0002); on SQLite the models
below and ledger.services refuse the same. Later modules (financing, regional rewards) post here too.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhigai.base.models import MoneyField
from zhigai.core.errors import Conflict

from .errors import LedgerError


class AccountKind(models.TextChoices):
    ASSET = "asset", _("资产")
    LIABILITY = "liability", _("负债")
    EQUITY = "equity", _("净资产")
    INCOME = "income", _("收入")
    EXPENSE = "expense", _("支出")


DEBIT_NORMAL = frozenset({AccountKind.ASSET, AccountKind.EXPENSE})  # their balance is debits less credits


class Account(models.Model):
    code = models.CharField(max_length=64, unique=True, help_text="e.g. fund:2026:available")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=AccountKind.choices)
    # Its balance, on its normal side, never goes below zero: a fund cannot spend what it has not got, an
    # allocation cannot pay out more than was allocated.
    never_negative = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def sign(self) -> int:
        """+1 where debits raise the balance, −1 where credits do."""
        return 1 if self.kind in DEBIT_NORMAL else -1


class JournalKind(models.TextChoices):
    BUDGET = "budget", _("预算拨入")
    ALLOCATION = "allocation", _("资金分配")
    PAYMENT = "payment", _("拨付")
    CLAWBACK = "clawback", _("追回")
    REWARD = "reward", _("奖励")
    CORRECTION = "correction", _("冲正")


class AppendOnlyQuerySet(models.QuerySet):  # type: ignore[type-arg]
    """Posted rows are never changed in bulk either (what PostgreSQL's triggers refuse, refused here too)."""

    def update(self, **kwargs: Any) -> int:
        raise Conflict(gettext("账目一经记账不能修改，请用冲正分录更正。"), code=LedgerError.APPEND_ONLY)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise Conflict(gettext("账目一经记账不能删除，请用冲正分录更正。"), code=LedgerError.APPEND_ONLY)


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise Conflict(gettext("账目一经记账不能修改，请用冲正分录更正。"), code=LedgerError.APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise Conflict(gettext("账目一经记账不能删除，请用冲正分录更正。"), code=LedgerError.APPEND_ONLY)


class Journal(AppendOnly):
    """One entry: what moved, why, by whom, when; its legs say between which accounts."""

    kind = models.CharField(max_length=12, choices=JournalKind.choices)
    memo = models.CharField(max_length=255, blank=True)
    source = models.CharField(max_length=64, blank=True, db_index=True,
                              help_text="what the entry is about, e.g. projects.payment:12")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    # The entry this one reverses (a correction): each entry is reversed at most once.
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="reversed_by")
    # Booked once whatever happens: the same key again returns the entry it booked (a payment retried).
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.memo}"


class Leg(AppendOnly):
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="legs")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="legs")
    amount = MoneyField(help_text="yuan: positive debits the account, negative credits it")

    class Meta:
        ordering = ["journal", "id"]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_leg_not_zero")]
