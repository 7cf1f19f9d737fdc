"""Subsidies of transformation projects (SPEC §5, issue 13): the rules as versioned policy data, the invoices
an enterprise registers for its project, and its claims with the working of every amount.

An invoice backs one claim at most, across the provincial, city and county programs: each claim's invoices
are linked through SubsidyClaimInvoice, which copies the invoice's issuer and number and holds them unique
among the links of live claims (a database constraint); a rejected claim frees its invoices."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zhigai.base.models import MoneyField
from zhigai.core.models import WorkflowEvent


class SubsidyRule(models.Model):
    """One published version of the subsidy rules for a region and its subtree, from a year on. Rows are
    only added: a new version of the same region and year supersedes the earlier (the latest published)."""

    region = models.ForeignKey("base.Region", on_delete=models.PROTECT, related_name="+")
    from_year = models.PositiveSmallIntegerField()
    version = models.PositiveIntegerField(help_text="1, 2, … within its region and year")
    # {"robot": {base_rate, small_micro_points, domestic_points, max_rate, per_robot_cap,
    #  per_enterprise_year_cap}, "post_project": {rate, per_project_cap}}: decimal strings (projects.subsidies).
    params = models.JSONField()
    note = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=10, default="officer", help_text="file (the defaults) or officer")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["region__code", "-from_year", "-version"]
        constraints = [models.UniqueConstraint(fields=["region", "from_year", "version"],
                                               name="subsidy_rule_version_unique")]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"{self.region.code}/{self.from_year}/v{self.version}"


class ClaimKind(models.TextChoices):
    ROBOT = "robot", _("工业机器人购置补贴")
    POST_PROJECT = "post_project", _("项目竣工综合奖补")


class ProgramLevel(models.TextChoices):
    PROVINCE = "province", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县级")


class ClaimState(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    APPROVED = "approved", _("已核准")
    PAID = "paid", _("已拨付")
    REJECTED = "rejected", _("未核准")
    CLAWED_BACK = "clawed_back", _("已追回")


# The claims whose invoices stay taken and whose amounts count against the caps.
LIVE_STATES = (ClaimState.SUBMITTED, ClaimState.APPROVED, ClaimState.PAID)
# The robot claims that use up the enterprise's allowance for the year.
COUNTED_STATES = (ClaimState.APPROVED, ClaimState.PAID)


class Invoice(models.Model):
    """A purchase invoice the enterprise registers for its project; `equipment_line` is the line it backs
    (empty for software and other investment)."""

    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="invoices")
    equipment_line = models.ForeignKey("projects.EquipmentLine", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="invoices")
    number = models.CharField(max_length=40)
    issuer_tax_id = models.CharField(max_length=20)
    date = models.DateField()
    amount = MoneyField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "date", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "issuer_tax_id", "number"],
                                               name="subsidy_invoice_once_per_project")]

    def __str__(self) -> str:
        return f"{self.issuer_tax_id}/{self.number}"


class SubsidyClaim(models.Model):
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="subsidy_claims")
    kind = models.CharField(max_length=12, choices=ClaimKind.choices)
    program = models.CharField(max_length=8, choices=ProgramLevel.choices)
    year = models.PositiveSmallIntegerField()
    rule = models.ForeignKey(SubsidyRule, on_delete=models.PROTECT, related_name="+")
    # The engine's working as computed (projects.subsidies *_json), recomputed at approval.
    working = models.JSONField(default=dict)
    amount = MoneyField()
    state = models.CharField(max_length=12, choices=ClaimState.choices, default=ClaimState.SUBMITTED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    state_since = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["state", "created"]), models.Index(fields=["kind", "year", "state"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.program} {self.year}"


class SubsidyClaimInvoice(models.Model):
    """An invoice behind a claim; `live` is false once the claim is rejected (the invoice is free again)."""

    claim = models.ForeignKey(SubsidyClaim, on_delete=models.PROTECT, related_name="invoice_links")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="claim_links")
    issuer_tax_id = models.CharField(max_length=20)
    number = models.CharField(max_length=40)
    live = models.BooleanField(default=True)

    class Meta:
        ordering = ["claim", "id"]
        constraints = [models.UniqueConstraint(fields=["issuer_tax_id", "number"], condition=Q(live=True),
                                               name="subsidy_invoice_backs_one_claim")]


class SubsidyClaimEvent(WorkflowEvent):
    subject = models.ForeignKey(SubsidyClaim, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("补贴申领记录")
