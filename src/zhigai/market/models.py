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
    # The deadline the step being left had, so that "on time" is computable afterwards (at's local date <= due).
    due = models.DateField(null=True, blank=True)

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("服务对接记录")
