"""Regions, industries, enterprises and their indicators (SPEC §2)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Bilingual(models.Model):
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=150)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县（市、区）")


class Region(Bilingual):
    code = models.CharField(max_length=12, unique=True)
    level = models.PositiveSmallIntegerField(choices=RegionLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    pinyin = models.CharField(max_length=40, blank=True)
    share = models.FloatField(default=0, help_text="share of the province's enterprises, for the demo generator")

    class Meta:
        ordering = ["code"]


class Tag(Bilingual):
    code = models.CharField(max_length=32, unique=True)

    class Meta:
        ordering = ["code"]


class Industry(Bilingual):
    """A GB/T 4754-2017 manufacturing division (two digits) or a finer class below one."""

    code = models.CharField(max_length=8, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    tags = models.ManyToManyField(Tag, blank=True, related_name="industries")
    share = models.FloatField(default=0)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "industries"


class Cluster(Bilingual):
    """An industrial cluster ("block economy") of a county."""

    code = models.CharField(max_length=64, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="clusters")
    industry = models.ForeignKey(Industry, on_delete=models.PROTECT, related_name="clusters")

    class Meta:
        ordering = ["code"]


class Stage(models.TextChoices):
    MECHANIZATION = "mechanization", _("机械化")
    AUTOMATION = "automation", _("自动化")
    DIGITIZATION = "digitization", _("数字化")
    NETWORKING = "networking", _("网络化")
    INTELLIGENTIZATION = "intelligentization", _("智能化")


STAGE_ORDER = [s.value for s in Stage]
STAGE_RANKED = STAGE_ORDER[::-1]  # the most advanced stage first


def rank_sql(column: str, values: list[str], *, table: str = "") -> str:
    """CASE mapping each value to its position (the order to sort by); values are our own enum codes."""
    ref = f'"{table}"."{column}"' if table else f'"{column}"'
    whens = " ".join(f"WHEN '{value}' THEN {rank}" for rank, value in enumerate(values))
    return f"CASE {ref} {whens} ELSE 9 END"


class SizeClass(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class Enterprise(models.Model):
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("企业名称"), max_length=200)
    # No index of their own: (region, name) and (industry, name) below serve every lookup by them, and each
    # index an import keeps up to date costs it (db_index=False is Django's documented switch).
    region = models.ForeignKey(
        Region, verbose_name=_("所在县（市、区）"), on_delete=models.PROTECT, related_name="enterprises", db_index=False
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("行业"), on_delete=models.PROTECT, related_name="enterprises", db_index=False
    )
    founded_year = models.PositiveSmallIntegerField(_("成立年份"), null=True, blank=True)
    stage = models.CharField(_("改造阶段"), max_length=20, choices=Stage.choices, default=Stage.MECHANIZATION)
    tags = models.ManyToManyField(Tag, verbose_name=_("标签"), blank=True, related_name="enterprises")
    cluster = models.ForeignKey(
        Cluster,
        verbose_name=_("产业集群"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprises",
    )
    # Derived from the latest annual indicators by services.enterprise_refresh_derived; never typed in.
    # Deliberately in no index, so that the refresh after an import rewrites no index entry: with the free
    # room left in each page (migration 0006, PostgreSQL's fillfactor) its updates stay on their page (HOT).
    size_class = models.CharField(_("规模"), max_length=8, choices=SizeClass.choices, default=SizeClass.MICRO)
    above_designated_size = models.BooleanField(_("规模以上"), default=False)

    class Meta:
        ordering = ["name"]
        indexes = [
            # Declared here, not as db_index on the field: on PostgreSQL that also builds a varchar_pattern_ops
            # copy for prefix searches, and names are searched by words inside them (search.py), never by prefix.
            models.Index(fields=["name"], name="base_enterprise_name"),
            models.Index(fields=["region", "name"]),
            models.Index(fields=["industry", "name"]),
            models.Index(fields=["stage", "name"]),
            # The enterprise list sorted by stage walks this instead of sorting every row: the expression is
            # selectors.STAGE_RANK's. Declared here (it was RunSQL, migration 0003) so that SQLite's rebuilds
            # of the table keep it.
            models.Index(
                RawSQL(rank_sql("stage", STAGE_RANKED), ()), F("name"), F("id"), name="base_enterprise_stage_rank"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# Indicator fields in SPEC §2 order: (name, kind). Kinds: money (Decimal yuan), count, ratio, float.
INDICATOR_FIELDS: list[tuple[str, str]] = [
    ("revenue", "money"),
    ("output_value", "money"),
    ("added_value", "money"),
    ("profit", "money"),
    ("employees", "count"),
    ("frontline_employees", "count"),
    ("wage_bill", "money"),
    ("industrial_investment", "money"),
    ("tech_investment", "money"),
    ("robots", "count"),
    ("rd_spending", "money"),
    ("defect_rate", "ratio"),
    ("energy_use", "float"),
    ("cloud_level", "cloud"),
    ("unfilled_positions", "count"),
    ("positions_replaced", "count"),
    ("frontline_wage", "money"),
]
MONEY_INDICATORS = frozenset(name for name, kind in INDICATOR_FIELDS if kind == "money")


class CloudLevel(models.IntegerChoices):
    NONE = 0, _("未上云")
    INFRASTRUCTURE = 1, _("基础设施上云")
    BUSINESS = 2, _("业务系统上云")
    DEEP = 3, _("深度用云（工业互联网）")


class MoneyField(models.Field):  # type: ignore[type-arg]
    """Decimal yuan to the fen, stored as a 64-bit integer count of fen (BIGINT on both databases).

    Why not a DecimalField: SQLite has no decimal type and keeps a "decimal" column as a double, which
    drops the fen above about 1e15 yuan and rounds 9999999999999999.99 to 1e16, a value a DecimalField
    then fails to read. An integer is exact on SQLite and PostgreSQL alike, and the databases still
    compare and sum the column in SQL (size classes, the dashboard): the same storage on both, so both
    give the same figures. Python sees Decimal yuan with two places everywhere (`from_db_value`,
    `get_prep_value`); money figures stay within fields.MONEY_LIMIT (9e15 yuan, 9e17 fen, ten times
    inside the 64-bit range); for sums use MoneySum, exact at any row count.
    """

    description = "Money in yuan, stored as integer fen"

    def get_internal_type(self) -> str:
        return "BigIntegerField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        # scaleb moves the point: exact (an int, or PostgreSQL's numeric sum), two places even for 0.
        return None if value is None else Decimal(value).scaleb(-2)

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        return Decimal(str(value))

    def get_prep_value(self, value: Any) -> int | None:
        value = super().get_prep_value(value)
        if value is None:
            return None
        if isinstance(value, int):
            return value * 100
        fen = Decimal(str(value) if isinstance(value, float) else value).scaleb(2)
        if fen != fen.to_integral_value():
            raise ValueError(f"{value!r} is not a whole number of fen")
        return int(fen)

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().formfield(**{"form_class": forms.DecimalField, "decimal_places": 2, **kwargs})


_PART = 10**9  # SQLite sums fen in two parts below and above this (MoneySum)


class MoneySum(models.Sum):
    """SUM of a MoneyField as Decimal yuan, exact at any row count on both databases.

    PostgreSQL sums a bigint column as numeric, exactly. SQLite's SUM of integers stops with "integer
    overflow" past 2^63 fen (about 9.2e16 yuan: eleven figures at the limit); there the column is summed
    in two parts, fen / 10^9 and fen % 10^9 (both truncate toward zero, so fen = 10^9 * high + low), whose
    sums stay below 2^63 for nine billion rows, and the two are added in Python.
    """

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, tuple[Any, ...]]:
        expression = self.get_source_expressions()[0]
        if self.filter is not None:
            expression = models.Case(models.When(self.filter, then=expression))
        sql, params = compiler.compile(expression)
        return f"(SUM(({sql}) / {_PART}) || ',' || SUM(({sql}) %% {_PART}))", (*params, *params)

    def convert_value(self, value: Any, expression: Any, connection: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, str):
            high, low = value.split(",")
            return int(high) * _PART + int(low)
        return int(value)  # PostgreSQL's numeric sum of whole fen


def _money(verbose: Any) -> MoneyField:
    return MoneyField(verbose, null=True, blank=True)


class Indicator(models.Model):
    """One enterprise's figures for a year (month 0) or one month of it (1–12)."""

    # No index of its own: the unique (enterprise, year, month) serves every lookup by enterprise.
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="indicators", db_index=False)
    year = models.PositiveSmallIntegerField(_("年份"))
    month = models.PositiveSmallIntegerField(_("月份"), default=0, help_text="0 = the whole year")
    revenue = _money(_("主营业务收入（元）"))
    output_value = _money(_("工业总产值（元）"))
    added_value = _money(_("工业增加值（元）"))
    profit = _money(_("利润总额（元）"))
    employees = models.PositiveIntegerField(_("从业人员"), null=True, blank=True)
    frontline_employees = models.PositiveIntegerField(_("一线生产人员"), null=True, blank=True)
    wage_bill = _money(_("工资总额（元）"))
    industrial_investment = _money(_("工业投资（元）"))
    tech_investment = _money(_("技术改造投资（元）"))
    robots = models.PositiveIntegerField(_("在役工业机器人（台）"), null=True, blank=True)
    rd_spending = _money(_("研发经费（元）"))
    defect_rate = models.FloatField(_("产品不良率"), null=True, blank=True)
    energy_use = models.FloatField(_("综合能耗（吨标煤）"), null=True, blank=True)
    cloud_level = models.PositiveSmallIntegerField(_("上云水平"), choices=CloudLevel.choices, null=True, blank=True)
    # What the figures of docs/figures.md need beyond SPEC §2's list: the employment gap (positions open
    # and unfilled at the year's end), and labor cost saved (frontline positions that machines replaced in
    # the year, times the average annual wage of a frontline worker).
    unfilled_positions = models.PositiveIntegerField(_("用工缺口（人）"), null=True, blank=True)
    positions_replaced = models.PositiveIntegerField(_("机器换人减少一线岗位（个）"), null=True, blank=True)
    frontline_wage = _money(_("一线人员年平均工资（元）"))

    class Meta:
        ordering = ["enterprise", "year", "month"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year", "month"], name="indicator_unique_period"),
        ]
        indexes = [models.Index(fields=["year", "month"])]


class StageSource(models.TextChoices):
    IMPORT = "import", _("导入")
    DIAGNOSIS = "diagnosis", _("诊断核实")
    PROJECT = "project", _("项目验收")
    EDIT = "edit", _("手工修改")
    DEMO = "demo", _("演示数据")


class StageRecord(models.Model):
    """An enterprise's transformation stage in a year, as one source established it (SPEC §2).

    Append-only: a later record for the same year stands beside the earlier one, never over it, and the
    stage of a year is its latest record (services.stage_record, selectors.stage_history). The record that
    the figures, the impact evaluation and the simulator's calibration read; Enterprise.stage is only the
    current stage, kept for lists and filters.
    """

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="stage_records", db_index=False)
    year = models.PositiveSmallIntegerField(_("年份"))
    stage = models.CharField(_("改造阶段"), max_length=20, choices=Stage.choices)
    source = models.CharField(_("来源"), max_length=12, choices=StageSource.choices)
    # What established it: the import's file name, the assessment's or the project's id.
    reference = models.CharField(_("依据"), max_length=255, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["enterprise", "year", "recorded_at", "id"]
        indexes = [models.Index(fields=["enterprise", "year", "recorded_at"]), models.Index(fields=["year"])]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.year} {self.stage} ({self.source})"


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("处理中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("有错误，未写入")


class ImportJob(models.Model):
    """An uploaded file and the outcome of importing it; the page and the API poll it."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    progress = models.FloatField(default=0)
    errors = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]


def indicator_columns() -> list[tuple[str, Any, str]]:
    """(field, translated label, kind) for every indicator, in SPEC order."""
    labels = {f.name: f.verbose_name for f in Indicator._meta.concrete_fields}
    return [(name, labels[name], kind) for name, kind in INDICATOR_FIELDS]
