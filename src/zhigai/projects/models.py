"""Transformation projects (SPEC §5, issue 13): what an enterprise files, under the negative list and the
commitment acceptance, with its investment, equipment, land need and expected outcomes; the special fund's
rounds, applications and payments are in projects.fund_models."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
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
    WITHDRAWN = "withdrawn", _("已撤回")


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
    # The negative list's version the decision used (also in `decision`), kept when a new version is published.
    negative_list = models.ForeignKey("NegativeListVersion", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="projects")
    # Land: the city and year whose quota it draws on, and whether it holds its land now (projects.land).
    land_city = models.ForeignKey("base.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    land_year = models.PositiveSmallIntegerField(null=True, blank=True)
    land_held = models.BooleanField(default=False)
    # The acceptance's checks as the inspecting officer saw them when deciding (projects.acceptance).
    inspection = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(default=timezone.now)
    state_since = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["enterprise", "state"]), models.Index(fields=["state", "created"]),
                   models.Index(fields=["land_city", "land_year", "state"])]

    def __str__(self) -> str:
        return self.title

    @property
    def investment_total(self) -> Decimal:
        return sum((Decimal(getattr(self, f"{kind}_investment")) for kind in
                    ("equipment", "software", "construction", "services")), Decimal(0)).quantize(Decimal("0.01"))

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

    @property
    def amount(self) -> Decimal:
        return (Decimal(self.unit_price) * self.count).quantize(Decimal("0.01"))


class ProjectEvent(WorkflowEvent):
    subject = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("项目记录")


class NegativeListCategory(models.TextChoices):
    PROHIBITED = "prohibited", _("禁止类")
    RESTRICTED = "restricted", _("限制类")


class NegativeListVersion(models.Model):
    """One published version of the negative list; the latest is in force, the earlier ones stay for the
    decisions that used them. Rows and their entries are only added, never changed."""

    version = models.CharField(max_length=40, unique=True)
    note = models.TextField(blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published", "-id"]
        verbose_name = _("负面清单版本")

    def __str__(self) -> str:
        return self.version


class NegativeListEntry(models.Model):
    """An entry: matched when the enterprise's industry code starts with one of `industries` (if it lists
    any) and the project's text holds one of its keywords (if it lists any)."""

    version = models.ForeignKey(NegativeListVersion, on_delete=models.CASCADE, related_name="entries")
    code = models.CharField(max_length=20)
    category = models.CharField(max_length=12, choices=NegativeListCategory.choices)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    industries = models.JSONField(default=list, blank=True)  # GB/T 4754 codes or prefixes
    keywords_zh = models.JSONField(default=list, blank=True)
    keywords_en = models.JSONField(default=list, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="projects_nl_entry_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class LandQuota(models.Model):
    """A city's land quota for a year as a provincial officer set it (rows only added: the latest holds);
    without one, data/projects/land_quota.yaml's share of the province's yearly quota holds."""

    city = models.ForeignKey("base.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    mu = models.DecimalField(max_digits=10, decimal_places=2)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["city", "year", "-at", "-id"]
        indexes = [models.Index(fields=["city", "year", "at"])]
        verbose_name = _("用地指标")


from .fund_models import AllocationRun, FundApplication, FundRound, Payment, PaymentEvent  # noqa: E402,F401
from .models_subsidy import *  # noqa: E402, F403  (the subsidies' models: rules, invoices, claims)
