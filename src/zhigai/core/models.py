"""Users and their roles, audit trail, sign-in throttling and API tokens (SPEC §1, §11)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PROVINCE = "province", _("省级主管部门")
    CITY = "city", _("市县主管部门")
    INDUSTRY = "industry", _("行业主管部门")
    ENTERPRISE = "enterprise", _("企业用户")
    PROVIDER = "provider", _("工程服务公司")
    EXPERT = "expert", _("专家")
    BANK = "bank", _("银行")
    FINANCE = "finance", _("财政部门")


# Roles whose scope is a region of the tree (the province officer's region is the province itself).
REGION_ROLES = frozenset({Role.PROVINCE, Role.CITY})


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, default=Role.ENTERPRISE)
    region = models.ForeignKey(
        "base.Region", verbose_name=_("辖区"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enterprise = models.ForeignKey(
        "base.Enterprise", verbose_name=_("企业"), null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    industries = models.ManyToManyField("base.Industry", verbose_name=_("主管行业"), blank=True, related_name="+")

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")


class AuditLog(models.Model):
    """Append-only trail of sign-ins and every change to data: who, when, what, before and after."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Indexed only as the trail is read: by time (the admin's list) and by subject (a record's history).
    # An import writes an entry per record, each paying for every index, and nothing looks entries up by
    # actor or by entity id (the admin's search on it scans whatever the index).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32)
    entity = models.CharField(max_length=64, blank=True)
    entity_id = models.CharField(max_length=64, blank=True)
    # Whose history the entry belongs to: the key before the first "/" of entity_id unless the writer
    # says otherwise (an indicator "<uscc>/2020/0" belongs to enterprise <uscc>). An equality on it is
    # an index lookup, where a prefix LIKE on entity_id scanned every indicator entry.
    subject = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=255, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["subject", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.entity} {self.entity_id}"


class SignInThrottle(models.Model):
    """Failed sign-ins counted under one key (core.throttle): a username from one address, an address, or a
    username from anywhere. In the database, so every web process counts the same; a row is locked while it
    is counted, so concurrent guesses cannot all pass the check."""

    key = models.CharField(max_length=255, unique=True)
    failures = models.PositiveIntegerField(default=0)
    last_failure = models.DateTimeField(null=True, blank=True)
    last_success = models.DateTimeField(null=True, blank=True)


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its SHA-256 digest is stored."""

    digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    created = models.DateTimeField(auto_now_add=True)
    expires = models.DateTimeField(db_index=True)


class DataVersion(models.Model):
    """The version of one area of the data (core.cache.AREAS): cached figures are keyed by the versions of
    the areas they depend on, so they are never stale. Changed only by core.cache, on commit."""

    name = models.CharField(max_length=32, unique=True)
    value = models.BigIntegerField(default=0)


class StoredDocument(models.Model):
    """A file a user attached, as core.uploads.document_checked accepted it: its name, size and type as
    received, who sent it and when. A subclass declares `file` with its own folder under the media root."""

    filename = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class WorkflowEvent(models.Model):
    """One move of a workflow (core.workflow): each module's event model adds `subject`, a foreign key to
    the object that moved, so its history is a typed relation, not text."""

    transition = models.CharField(max_length=40)
    source = models.CharField(max_length=40)
    target = models.CharField(max_length=40)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)
    files = models.JSONField(default=list, blank=True, help_text="stored names of the files the move brought")

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class Notification(models.Model):
    """A line in a user's inbox: something that happened to their work and where to see it."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    at = models.DateTimeField(auto_now_add=True)
    text = models.CharField(max_length=255, help_text="a message id, translated when read")
    params = models.JSONField(default=dict, blank=True, help_text="the values of its placeholders")
    url = models.CharField(max_length=255, blank=True)
    read = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["recipient", "read", "at"])]
