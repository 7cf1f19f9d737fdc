"""The special fund (SPEC §5, issue 13): a round a year with its budget and rules, the applications to it, the
certified allocation runs, and the payments, approved by two people before any money moves.

Money moves only in the ledger (zhigai.ledger): a round's budget, each run's allocation, each payment and a
clawback are journal entries; these rows say what the entries are about and who decided."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhigai.base.models import MoneyField
from zhigai.core.models import WorkflowEvent

DEFAULT_BUDGET = Decimal("200000000.00")  # the study's 200 million yuan a year: the default of a new round


class RoundState(models.TextChoices):
    OPEN = "open", _("受理申请")
    ALLOCATED = "allocated", _("已分配")


class FundRound(models.Model):
    year = models.PositiveIntegerField(unique=True)
    budget = MoneyField(default=DEFAULT_BUDGET)
    enterprise_cap = MoneyField(null=True, blank=True, help_text="the most one enterprise is funded in the round")
    city_min_share = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal(0),
                                         help_text="each city gets at least min(share × budget, what it asked)")
    state = models.CharField(max_length=12, choices=RoundState.choices, default=RoundState.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}"


class BenefitSource(models.TextChoices):
    FORMULA = "formula", _("公式计算")
    REVIEW = "review", _("评审评分")


class FundApplication(models.Model):
    round = models.ForeignKey(FundRound, on_delete=models.PROTECT, related_name="applications")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="fund_applications")
    amount = MoneyField(help_text="asked, yuan: funded in full or not at all")
    benefit = models.DecimalField(max_digits=14, decimal_places=2)
    benefit_source = models.CharField(max_length=8, choices=BenefitSource.choices)
    # The formula's working (version, each outcome × weight), or the reviewer and note of a review score.
    benefit_working = models.JSONField(default=dict, blank=True)
    funded = models.BooleanField(default=False)
    reason = models.JSONField(default=dict, blank=True, help_text="the latest applied run's reason: code, values")
    clawed_back = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "project"], name="fund_one_application_per_project")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.pk}"


class RunStatus(models.TextChoices):
    OPTIMAL = "optimal", _("已证明最优")
    FEASIBLE = "feasible", _("可行但未证明最优")
    INFEASIBLE = "infeasible", _("规则无法同时满足")
    UNSOLVED = "unsolved", _("限定时间内未求解")


class AllocationRun(models.Model):
    """One allocation as projects.allocation computed and certified it; applied (funded, posted to the
    ledger) only when proven optimal."""

    round = models.ForeignKey(FundRound, on_delete=models.PROTECT, related_name="runs")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=12, choices=RunStatus.choices)
    applied = models.BooleanField(default=False)
    funded = models.JSONField(default=list)
    total_amount = MoneyField(default=0)
    total_benefit = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    objective = models.FloatField(null=True)
    bound = models.FloatField(null=True)
    gap = models.FloatField(null=True)
    proven_optimal = models.BooleanField(default=False)
    ranking_funded = models.JSONField(default=list)
    ranking_total_benefit = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    ranking_feasible = models.BooleanField(default=True)
    reasons = models.JSONField(default=dict, help_text="application id -> {code, values}")
    problems = models.JSONField(default=list, help_text="[{code, values}]: the rules that cannot all hold")
    city_minimums = models.JSONField(default=dict, help_text="city code -> yuan")
    journal = models.ForeignKey("ledger.Journal", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]


class PaymentState(models.TextChoices):
    REQUESTED = "requested", _("待地市审核")
    RETURNED = "returned", _("已退回")
    REGION_APPROVED = "region_approved", _("待财政审核")
    FINANCE_APPROVED = "finance_approved", _("待拨付")
    PAID = "paid", _("已拨付")
    FAILED = "failed", _("拨付失败")
    CANCELLED = "cancelled", _("已撤销")


# The states in which a payment holds part of its application's allocation.
PENDING = frozenset({PaymentState.REQUESTED, PaymentState.REGION_APPROVED, PaymentState.FINANCE_APPROVED})


class Payment(models.Model):
    application = models.ForeignKey(FundApplication, on_delete=models.PROTECT, related_name="payments")
    amount = MoneyField()
    # The caller's key: the same key again is the same payment, never a second one (unique in the database).
    idempotency_key = models.CharField(max_length=100, unique=True)
    state = models.CharField(max_length=20, choices=PaymentState.choices, default=PaymentState.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    requested = models.DateTimeField(auto_now_add=True)
    region_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    finance_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    journal = models.OneToOneField("ledger.Journal", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", help_text="the entry it booked when paid")
    state_since = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-requested", "-id"]
        indexes = [models.Index(fields=["state", "requested"])]

    def __str__(self) -> str:
        return f"{self.application_id}/{self.pk}"


class PaymentEvent(WorkflowEvent):
    subject = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("拨付记录")
