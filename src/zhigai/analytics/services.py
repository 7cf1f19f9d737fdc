"""Writes of the analytics module: the sample fraction of the data set, and a provincial officer's edits
of the series kept as data (a national reference figure, a price index)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhigai.core.audit import audit_record
from zhigai.core.errors import InvalidInput
from zhigai.core.models import User
from zhigai.core.policy import require

from .errors import AnalyticsError
from .models import SampleFraction, Series, SeriesPoint
from .selectors import YEAR_MAX, YEAR_MIN

INDEX_RANGE = (Decimal(1), Decimal(1000))  # a price index (previous year = 100) outside this is a typing slip
GROWTH_RANGE = (Decimal(-100), Decimal(10000))  # a per-cent growth


def _number(raw: Any, field: str) -> Decimal:
    try:
        value: Decimal | None = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        raise InvalidInput(_("请输入数字。"), details=[{"field": field, "message": _("请输入数字。")}])
    return value


@transaction.atomic
def sample_fraction_set(*, fraction: Decimal | float | str, label: str) -> SampleFraction:
    """State that the enterprise records are this share of the province (0 < fraction ≤ 1; 1 = all of
    it), e.g. from the demo seeding. Totals are then shown as the sample's and, divided by the fraction,
    as the province's estimate. Audited; the row is replaced, so there is always one."""
    value, places = _number(fraction, "fraction"), Decimal("0.000001")
    # Also as stored (six places): a share too small to keep is refused, not stored as 0. The range comes
    # first, so a huge number is never quantized (beyond Decimal's precision, that raises).
    if not (Decimal(0) < value <= 1 and value.quantize(places) > 0):
        message = _("样本比例须大于 0 且不大于 1。")
        raise InvalidInput(message, details=[{"field": "fraction", "message": message}])
    value = value.quantize(places)
    before = SampleFraction.objects.order_by("-id").first()
    SampleFraction.objects.all().delete()
    row = SampleFraction.objects.create(fraction=value, label=label.strip()[:200])
    audit_record(actor="system", action="update", entity="sample_fraction", entity_id=row.pk,
                 summary=label[:255], before={"fraction": str(before.fraction)} if before else None,
                 after={"fraction": str(value)})
    return row


@transaction.atomic
def series_point_set(*, by: User, series_code: str, year: int | str, value: Decimal | float | str) -> SeriesPoint:
    """Set a series' value of a year (add the year when new); audited with the value before."""
    series = Series.objects.filter(code=series_code).first()
    require(by, "analytics.reference.change", series, message=_("只有省级主管部门可以修改参照数据。"))
    if series is None:
        message = _("没有代码为 %(code)s 的数据序列。") % {"code": series_code}
        raise InvalidInput(message, code=AnalyticsError.SERIES_UNKNOWN,
                           details=[{"field": "series", "message": message}])
    problems: list[dict[str, str]] = []
    text = str(year).strip()
    year_number = int(text) if text.isascii() and text.isdigit() else 0
    if not YEAR_MIN <= year_number <= YEAR_MAX:
        problems.append({"field": "year", "message": _("年份须为 %(low)s–%(high)s 之间的整数。")
                         % {"low": YEAR_MIN, "high": YEAR_MAX}})
    try:
        number = _number(value, "value")
    except InvalidInput as exc:
        problems += exc.details
        number = None
    low, high = INDEX_RANGE if series.kind == "price_index" else GROWTH_RANGE
    if number is not None and not low <= number <= high:
        problems.append({"field": "value", "message": _("数值须在 %(low)s 到 %(high)s 之间。")
                         % {"low": low, "high": high}})
    if problems or number is None:
        raise InvalidInput("; ".join(p["message"] for p in problems), details=problems)
    number = number.quantize(Decimal("0.01"))
    point = SeriesPoint.objects.filter(series=series, year=year_number).first()
    before = None if point is None else str(point.value)
    if point is None:
        point = SeriesPoint(series=series, year=year_number)
    point.value, point.updated_by = number, by
    point.save()
    audit_record(actor=by, action="update" if before is not None else "create", entity="series_point",
                 entity_id=f"{series.code}:{year_number}", summary=f"{series.code} {year_number}",
                 before={"value": before} if before is not None else None, after={"value": str(number)})
    return point
