"""Transformation projects (SPEC §5, issue 13): what an enterprise files, under the negative list and the
commitment acceptance, with its investment, equipment, land need and expected outcomes; the special fund's
rounds, applications and payments are in projects.fund_models."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhigai.base.models import MoneyField
from zhigai.core.models import WorkflowEvent


class ProjectState(models.TextChoices):
    UNDER_REVIEW = "under_review", _("待审核")
    RETURNED = "returned", _("退回修改")
    REFUSED = "refused", _("不予备案")
    WAITING_LAND = "waiting_land", _("等待用地指标")
    FILED = "filed", _("已备案")
    IN_PROGRESS = "in_progress", _("实施中")
    COMPLETION_DECLARED = "completion_declared", _("已申报竣工")
    INSPECTION = "inspection", _("验收中")
    RECTIFICATION = "rectification", _("整改中")
    ACCEPTED = "accepted", _("已验收")
    BREACHED = "breached", _("违反承诺")


class Project(models.Model):
    """One technical-reform project of an enterprise, from filing to acceptance (projects.workflow)."""

    enterprise = models.ForeignKey("base.Enterprise", on_delete=models.PROTECT, related_name="projects")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    start = models.DateField()
    end = models.DateField()
    # Investment by kind, yuan.
    equipment_investment = MoneyField(default=0)
    software_investment = MoneyField(default=0)
    construction_investment = MoneyField(default=0)
    services_investment = MoneyField(default=0)
    land_mu = models.DecimalField(max_digits=10, decimal_places=2, default=0, help_text="new land needed, mu")
    # Expected outcomes: positions_saved, productivity_gain, defect_rate_change, energy_change, … (numbers).
    expected = models.JSONField(default=dict, blank=True)
    engagement = models.ForeignKey("market.Engagement", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", help_text="the engagement (SPEC §4) behind it")
    state = models.CharField(max_length=20, choices=ProjectState.choices)
    # The filing's decision: {"reason": …, "negative_list_entry": … or None, "category": …, "version": …}.
    decision = models.JSONField(default=dict, blank=True)
    # The standard commitment, as signed: the typed name, when, and which text.
    commitment_name = models.CharField(max_length=100, blank=True)
    commitment_signed = models.DateTimeField(null=True, blank=True)
    commitment_version = models.CharField(max_length=20, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    state_since = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["enterprise", "state"]), models.Index(fields=["state", "created"])]

    def __str__(self) -> str:
        return self.title

    @property
    def land_independent(self) -> bool:
        """Technical reform on the enterprise's own land: no new land, fast-tracked and flagged."""
        return not self.land_mu


class EquipmentKind(models.TextChoices):
    ROBOT = "robot", _("工业机器人")
    OTHER = "other", _("其他设备")


class Origin(models.TextChoices):
    DOMESTIC = "domestic", _("国产")
    IMPORTED = "imported", _("进口")


class EquipmentLine(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="equipment")
    kind = models.CharField(max_length=8, choices=EquipmentKind.choices)
    type = models.CharField(max_length=100, help_text="e.g. welding robot, six-axis")
    origin = models.CharField(max_length=10, choices=Origin.choices)
    count = models.PositiveIntegerField()
    unit_price = MoneyField()

    class Meta:
        ordering = ["project", "id"]


class ProjectEvent(WorkflowEvent):
    subject = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("项目记录")


from .fund_models import AllocationRun, FundApplication, FundRound, Payment, PaymentEvent  # noqa: E402,F401
from .models_subsidy import *  # noqa: E402, F403  (the subsidies' models: rules, invoices, claims)
