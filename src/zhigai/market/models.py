"""Providers of the engineering service market (SPEC §4, issue 12): who they are, what they do and where,
the users who act for them, their qualification files and the history of their review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhigai.base.models import Bilingual
from zhigai.core.models import StoredDocument, WorkflowEvent


class Technology(Bilingual):
    """A technology providers offer (data/market/technologies.yaml)."""

    code = models.CharField(max_length=32, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "technologies"


class ProviderType(models.TextChoices):
    ENGINEERING = "engineering", _("工程服务公司")
    STEERING = "steering", _("专家服务指导组")
    EQUIPMENT = "equipment", _("装备供应商")
    CLOUD = "cloud", _("云服务商")
    BANK = "bank", _("银行")


class ProviderStatus(models.TextChoices):
    DRAFT = "draft", _("填写中")
    SUBMITTED = "submitted", _("待审核")
    RETURNED = "returned", _("退回修改")
    LISTED = "listed", _("已入库")
    REFUSED = "refused", _("不予入库")
    SUSPENDED = "suspended", _("已暂停")


class PriceLevel(models.IntegerChoices):
    ECONOMY = 1, _("经济")
    MODERATE = 2, _("适中")
    PREMIUM = 3, _("较高")


class Provider(models.Model):
    """A provider as registered by its user and reviewed by the province (market.workflow)."""

    type = models.CharField(max_length=12, choices=ProviderType.choices)
    name = models.CharField(max_length=200)
    home_region = models.ForeignKey("base.Region", on_delete=models.PROTECT, related_name="+")
    description = models.TextField(blank=True)
    industries = models.ManyToManyField("base.Industry", blank=True, related_name="+",
                                        help_text="GB/T 4754 divisions it works in")
    technologies = models.ManyToManyField(Technology, blank=True, related_name="providers")
    regions = models.ManyToManyField("base.Region", blank=True, related_name="+",
                                     help_text="regions served (a city or the province covers what lies below)")
    capacity = models.PositiveSmallIntegerField(default=3, help_text="engagements at once")
    price_level = models.PositiveSmallIntegerField(choices=PriceLevel.choices, default=PriceLevel.MODERATE)
    certifications = models.JSONField(default=list, blank=True, help_text="names of certifications held")
    # An expert service steering group's leader (one of its members) and the industry it is organised for.
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    industry_focus = models.ForeignKey("base.Industry", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    status = models.CharField(max_length=10, choices=ProviderStatus.choices, default=ProviderStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["status", "type"])]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user who acts for a provider: its staff, or an expert member of a steering group. A user belongs
    to one provider at most."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_membership")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="members")
    joined = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["provider", "joined", "id"]


class QualificationFile(StoredDocument):
    """A certificate or qualification document a provider attaches to its registration."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="qualifications/%Y/%m/")

    class Meta:
        ordering = ["uploaded", "id"]


class ProviderEvent(WorkflowEvent):
    """A move of a provider's registration (market.workflow): submitted, listed, returned, refused, suspended."""

    subject = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("服务商审核记录")


class EngagementState(models.TextChoices):
    """The states of an engagement (market.engagements declares the moves between them)."""

    REQUESTED = "requested", _("待响应")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已谢绝")
    RESEARCH = "research", _("诊断调研")
    PLAN_DESIGN = "plan_design", _("方案设计")
    PLAN_REVIEW = "plan_review", _("方案待确认")
    PLAN_APPROVED = "plan_approved", _("方案已确认")
    IMPLEMENTATION = "implementation", _("项目实施")
    ACCEPTANCE = "acceptance", _("验收")
    CLOSED = "closed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


# The states in which an engagement is still running (it takes one of its provider's capacity).
OPEN_STATES = frozenset({
    EngagementState.REQUESTED, EngagementState.ACCEPTED, EngagementState.RESEARCH, EngagementState.PLAN_DESIGN,
    EngagementState.PLAN_REVIEW, EngagementState.PLAN_APPROVED, EngagementState.IMPLEMENTATION,
    EngagementState.ACCEPTANCE,
})
# Past the diagnostic research: the provider has diagnosed the enterprise (a conflict of interest if it
# would also implement the plan, issue 12).
DIAGNOSED_STATES = frozenset({
    EngagementState.PLAN_DESIGN, EngagementState.PLAN_REVIEW, EngagementState.PLAN_APPROVED,
    EngagementState.IMPLEMENTATION, EngagementState.ACCEPTANCE, EngagementState.CLOSED,
})


class Engagement(models.Model):
    """An enterprise's request to a provider and the work that follows, from diagnostic research to
    acceptance (SPEC §4). Its state moves only through market.engagements."""

    enterprise = models.ForeignKey("base.Enterprise", on_delete=models.PROTECT, related_name="engagements")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="engagements")
    need = models.TextField(help_text="what the enterprise asks for, in its words")
    # The diagnosis the enterprise gave the provider (its results are what the provider may read).
    assessment = models.ForeignKey("diagnosis.Assessment", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    state = models.CharField(max_length=16, choices=EngagementState.choices, default=EngagementState.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    state_since = models.DateTimeField(default=timezone.now, help_text="when the present state began")
    due = models.DateField(null=True, blank=True, help_text="the deadline of the present step (working days)")
    responded = models.DateTimeField(null=True, blank=True, help_text="when the provider accepted or declined")
    accepted_on = models.DateField(null=True, blank=True, help_text="the day the enterprise accepted the work")
    closed = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 to 5, by the enterprise")
    rating_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["provider", "state"]), models.Index(fields=["enterprise", "state"]),
                   models.Index(fields=["state", "due"])]

    def __str__(self) -> str:
        return f"{self.enterprise} ← {self.provider}"


class EngagementEvent(WorkflowEvent):
    """A move of an engagement: who, when, the note and the documents it brought."""

    subject = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="events")
    # The deadline the step being left had: the move was on time when its local date is not after it.
    due = models.DateField(null=True, blank=True)

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("服务对接记录")


class MatchPolicy(models.Model):
    """The matching's weights and conflict rule as a provincial officer set them (market.matching). Rows
    are only added: the latest is in force, the earlier ones are its history; with none stored the
    defaults of data/market/matching.yaml hold."""

    technology = models.DecimalField(max_digits=6, decimal_places=2)
    industry = models.DecimalField(max_digits=6, decimal_places=2)
    region = models.DecimalField(max_digits=6, decimal_places=2)
    capacity = models.DecimalField(max_digits=6, decimal_places=2)
    outcome = models.DecimalField(max_digits=6, decimal_places=2)
    cost = models.DecimalField(max_digits=6, decimal_places=2)
    conflict_allowed = models.BooleanField(
        default=False, help_text="whether a provider that diagnosed the enterprise may be matched to implement")
    note = models.TextField(blank=True, help_text="why the officer changed it")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("匹配规则")
class DocumentKind(models.TextChoices):
    REPORT = "report", _("诊断报告")
    PLAN = "plan", _("改造方案")
    PROGRESS = "progress", _("进度材料")
    ACCEPTANCE = "acceptance", _("验收材料")
    OTHER = "other", _("其他")


class EngagementDocument(StoredDocument):
    """A document of an engagement: uploaded by a party, then brought by one of its moves (`event`)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=12, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    event = models.ForeignKey(EngagementEvent, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="documents", help_text="the move it came with; none until then")
    file = models.FileField(upload_to="engagements/%Y/%m/")

    class Meta:
        ordering = ["uploaded", "id"]


# The indicators a plan promises to change and an acceptance measures: base's figures (labor productivity is
# added value per employee; energy per output is energy use per output value).
class BenefitIndicator(models.TextChoices):
    LABOR_PRODUCTIVITY = "labor_productivity", _("全员劳动生产率")
    FRONTLINE_EMPLOYEES = "frontline_employees", _("一线生产人员")
    DEFECT_RATE = "defect_rate", _("产品不良率")
    ENERGY_PER_OUTPUT = "energy_per_output", _("单位产值能耗")


class EngagementPlan(models.Model):
    """One version of the provider's plan: each submit_plan brings a new one (a returned plan stays)."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="plans")
    version = models.PositiveSmallIntegerField()
    event = models.OneToOneField(EngagementEvent, null=True, on_delete=models.SET_NULL, related_name="plan")
    scope = models.TextField()
    budget = models.DecimalField(max_digits=14, decimal_places=2, help_text="yuan")
    equipment = models.JSONField(default=list, help_text='[{"name", "quantity"}]')
    start = models.DateField()
    end = models.DateField()
    milestones = models.JSONField(default=list, help_text='[{"name", "due"}] in date order')
    # Expected change of each indicator, in percent of its value the year before (-30 = down by 30 %).
    benefits = models.JSONField(default=dict, help_text="indicator -> expected change in percent")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["engagement", "version"]
        constraints = [models.UniqueConstraint(fields=["engagement", "version"], name="engagement_plan_version")]


class ProgressReport(models.Model):
    """A report_progress move's content: a milestone of the plan and how far it is."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="progress")
    event = models.OneToOneField(EngagementEvent, on_delete=models.CASCADE, related_name="progress")
    milestone = models.CharField(max_length=200)
    percent = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["engagement", "id"]


class Outcome(models.Model):
    """A measured outcome at acceptance: an indicator's change, expected by the plan and measured."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="outcomes")
    event = models.ForeignKey(EngagementEvent, on_delete=models.CASCADE, related_name="outcomes")
    indicator = models.CharField(max_length=24, choices=BenefitIndicator.choices)
    expected = models.DecimalField(max_digits=7, decimal_places=1, help_text="percent change")
    measured = models.DecimalField(max_digits=7, decimal_places=1, help_text="percent change")

    class Meta:
        ordering = ["engagement", "event", "indicator"]
