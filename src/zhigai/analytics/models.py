"""What the analytics figures are compared with and deflated by, kept as data (docs/figures.md):
reference series (national figures), price indexes, scenarios with their reference values, and how
large a sample of the province the data set is."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from zhigai.base.models import Bilingual


def in_language(zh: str, en: str) -> str:
    """The English text for an English reader when there is one, else the Chinese (data files are Chinese
    first)."""
    return en if en and (get_language() or "").startswith("en") else zh


class SeriesKind(models.TextChoices):
    REFERENCE = "reference", _("参照序列")
    PRICE_INDEX = "price_index", _("价格指数")


class Series(Bilingual):
    """A yearly series: a national reference figure (per cent) or a price index (previous year = 100)."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    kind = models.CharField(_("类别"), max_length=12, choices=SeriesKind.choices)
    figure = models.CharField(_("对照指标"), max_length=40, blank=True,
                              help_text="the figure code a reference series is shown against")
    source = models.CharField(_("来源"), max_length=100)
    source_en = models.CharField(_("来源（英文）"), max_length=150, blank=True)
    unit = models.CharField(_("单位"), max_length=20)
    unit_en = models.CharField(_("单位（英文）"), max_length=40, blank=True)
    note = models.TextField(_("说明"), blank=True)
    note_en = models.TextField(_("说明（英文）"), blank=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("数据序列")
        verbose_name_plural = _("数据序列")

    @property
    def source_text(self) -> str:
        return in_language(self.source, self.source_en)

    @property
    def unit_text(self) -> str:
        return in_language(self.unit, self.unit_en)

    @property
    def note_text(self) -> str:
        return in_language(self.note, self.note_en)


class SeriesPoint(models.Model):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="points")
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.DecimalField(_("数值"), max_digits=9, decimal_places=2)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_index=False)

    class Meta:
        ordering = ["series", "year"]
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="analytics_point_unique_year")]


class Scenario(Bilingual):
    """A set of reference values; the default one is the study's (SPEC §9), the simulator adds more."""

    code = models.CharField(_("代码"), max_length=40, unique=True)
    is_default = models.BooleanField(_("默认情景"), default=False)
    description = models.TextField(_("说明"), blank=True)
    description_en = models.TextField(_("说明（英文）"), blank=True)

    class Meta:
        ordering = ["-is_default", "code"]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                               name="analytics_one_default_scenario")]


class ValueKind(models.TextChoices):
    LEVEL = "level", _("水平值")
    GROWTH = "growth", _("期间增长")
    YEARLY_GROWTH = "yearly_growth", _("年均增长")


class ReferenceValue(models.Model):
    """One value of a scenario: a figure (and tag) in a year, or its growth over a range of years.
    Percent values are stored as per cent (16.2), money as yuan."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="values")
    code = models.CharField(_("指标"), max_length=40)
    tag = models.CharField(_("标签"), max_length=32, blank=True)
    year_from = models.PositiveSmallIntegerField(_("起始年份"))
    year_to = models.PositiveSmallIntegerField(_("截止年份"))
    kind = models.CharField(_("类型"), max_length=16, choices=ValueKind.choices, default=ValueKind.LEVEL)
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=20)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    note_en = models.CharField(_("备注（英文）"), max_length=300, blank=True)

    class Meta:
        ordering = ["scenario", "id"]
        constraints = [models.UniqueConstraint(fields=["scenario", "code", "tag", "year_from", "year_to", "kind"],
                                               name="analytics_reference_value_unique")]

    @property
    def note_text(self) -> str:
        return in_language(self.note, self.note_en)


class SampleFraction(models.Model):
    """The share of the province the enterprise records are (1 = all of it; the default demo is a stated
    sample). One row; totals are shown as the sample's and, divided by the fraction, as the province's."""

    fraction = models.DecimalField(_("样本比例"), max_digits=7, decimal_places=6, default=Decimal(1),
                                   validators=[MinValueValidator(Decimal("0.000001")), MaxValueValidator(1)])
    label = models.CharField(_("样本说明"), max_length=200, blank=True)
    set_at = models.DateTimeField(default=timezone.now)
