"""Maturity models (one row per version of a model file), assessments, evidence and expert assignments."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from zhigai.core.models import StoredDocument, WorkflowEvent

from .definition import ModelDef, stored_model


class MaturityModel(models.Model):
    """A version of a model file, kept for ever: assessments point at the version they used."""

    code = models.CharField(max_length=40)
    version = models.CharField(max_length=20)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    definition = models.JSONField(help_text="the validated model file")
    digest = models.CharField(max_length=64, help_text="SHA-256 of the definition: a changed file needs a new version")
    loaded = models.DateTimeField(auto_now_add=True)
    current = models.BooleanField(default=True, help_text="the version new assessments use")

    class Meta:
        ordering = ["code", "-loaded"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="maturity_model_version")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @cached_property
    def spec(self) -> ModelDef:
        return stored_model(self.digest, self.definition)


class Kind(models.TextChoices):
    SELF = "self", _("企业自评")
    EXPERT = "expert", _("专家诊断")


class Status(models.TextChoices):
    DRAFT = "draft", _("填写中")
    SUBMITTED = "submitted", _("已提交")


class Assessment(models.Model):
    """One run of a questionnaire for one enterprise. Submitted assessments are never changed again:
    a re-assessment is a new row, so the history stays."""

    enterprise = models.ForeignKey("base.Enterprise", on_delete=models.CASCADE, related_name="assessments")
    model = models.ForeignKey(MaturityModel, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    submitted = models.DateTimeField(null=True, blank=True, db_index=True)
    # The self-assessment an expert diagnosis verifies (its answers are the claims shown beside the expert's).
    claims_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answers = models.JSONField(default=dict, blank=True, help_text="requirement id -> option id")
    notes = models.JSONField(default=dict, blank=True, help_text="requirement id -> evidence note")
    # Filled on submit from the model version used, so results never move when a model changes.
    fulfilment = models.JSONField(default=dict, blank=True, help_text="requirement id -> fulfilment 0..1")
    checks = models.JSONField(default=dict, blank=True, help_text="requirement id -> objective check outcome")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    dimension_scores = models.JSONField(default=dict, blank=True)
    level_fulfilment = models.JSONField(default=dict, blank=True)
    gaps = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-submitted", "-created", "-id"]
        indexes = [
            models.Index(fields=["enterprise", "status", "submitted"]),
            models.Index(fields=["model", "status", "submitted"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == Status.DRAFT


class Evidence(StoredDocument):
    """A file attached to one answer of an expert diagnosis."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    requirement = models.CharField(max_length=40)
    file = models.FileField(upload_to="evidence/%Y/%m/")

    class Meta:
        ordering = ["requirement", "uploaded", "id"]


class Assignment(models.Model):
    """An expert or service-company user assigned to diagnose an enterprise (set by an officer)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diagnosis_assignments")
    enterprise = models.ForeignKey("base.Enterprise", on_delete=models.CASCADE, related_name="diagnosis_assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "enterprise"], name="diagnosis_assignment_unique")]


class AssessmentEvent(WorkflowEvent):
    """A move of an assessment on its workflow (diagnosis.workflow): submitted, verified."""

    subject = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")

    class Meta(WorkflowEvent.Meta):
        verbose_name = _("评估流转记录")
