"""The provider directory as a workbook, read through the directory's own selector with its filters."""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhigai.core.exports import Column, xlsx_table
from zhigai.core.types import Actor

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
