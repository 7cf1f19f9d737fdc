"""The provider directory and the overview's engagements as workbooks, each read through its page's own
selector with the page's filters."""

from __future__ import annotations

from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhigai.core.exports import Column, xlsx_table
from zhigai.core.types import Actor

from .models import Engagement
from .overview import OverviewFilters, overview_engagements
from .selectors import ProviderFilters, provider_list

COLUMNS = [
    Column(gettext_lazy("服务商名称"), 36),
    Column(gettext_lazy("类型"), 16),
    Column(gettext_lazy("所在地区"), 14),
    Column(gettext_lazy("服务行业"), 40),
    Column(gettext_lazy("技术方向"), 40),
    Column(gettext_lazy("服务地区"), 30),
    Column(gettext_lazy("同时承接项目数"), 12),
    Column(gettext_lazy("价格水平"), 10),
    Column(gettext_lazy("状态"), 10),
]


def directory_xlsx(*, user: Actor, filters: ProviderFilters) -> IO[bytes]:
    rows = (
        (p.name, p.get_type_display(), p.home_region.name, "、".join(i.name for i in p.industries.all()),
         "、".join(t.name for t in p.technologies.all()), "、".join(r.name for r in p.regions.all()),
         p.capacity, p.get_price_level_display(), p.get_status_display())
        for p in provider_list(user=user, filters=filters)
    )
    return xlsx_table(title=_("服务商名录"), columns=COLUMNS, rows=rows)


ENGAGEMENT_COLUMNS = [
    Column(gettext_lazy("编号"), 8),
    Column(gettext_lazy("企业名称"), 36),
    Column(gettext_lazy("统一社会信用代码"), 22),
    Column(gettext_lazy("所在地区"), 14),
    Column(gettext_lazy("行业"), 24),
    Column(gettext_lazy("服务商"), 36),
    Column(gettext_lazy("状态"), 12),
    Column(gettext_lazy("提出日期"), 12),
    Column(gettext_lazy("响应日期"), 12),
    Column(gettext_lazy("当前环节期限"), 12),
    Column(gettext_lazy("验收日期"), 12),
    Column(gettext_lazy("评分"), 8),
]


def engagement_row(e: Engagement) -> tuple[Any, ...]:
    """An engagement as the overview's list and its export show it (dates in Asia/Shanghai)."""
    return (e.pk, e.enterprise.name, e.enterprise.uscc, e.enterprise.region.name, e.enterprise.industry.name,
            e.provider.name, e.get_state_display(), timezone.localdate(e.created),
            timezone.localdate(e.responded) if e.responded else None, e.due, e.accepted_on, e.rating)


def engagements_xlsx(*, user: Actor, filters: OverviewFilters) -> IO[bytes]:
    found = overview_engagements(user=user, filters=filters).select_related("enterprise__region",
                                                                            "enterprise__industry")
    return xlsx_table(title=_("服务项目"), columns=ENGAGEMENT_COLUMNS, rows=(engagement_row(e) for e in found))
