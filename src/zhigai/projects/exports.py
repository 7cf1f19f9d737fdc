"""The projects list and the subsidy claims as workbooks, each read through its page's own selector with
the page's filters (so an export never holds what the page would not show)."""

from __future__ import annotations

from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhigai.core.exports import Column, xlsx_table
from zhigai.core.types import Actor

from .selectors import ProjectFilters, project_list
from .selectors_subsidy import claim_queue

PROJECT_COLUMNS = [
    Column(gettext_lazy("编号"), 8),
    Column(gettext_lazy("项目名称"), 36),
    Column(gettext_lazy("企业名称"), 36),
    Column(gettext_lazy("统一社会信用代码"), 22),
    Column(gettext_lazy("所在地区"), 14),
    Column(gettext_lazy("行业"), 24),
    Column(gettext_lazy("状态"), 12),
    Column(gettext_lazy("设备投资"), 16, money=True),
    Column(gettext_lazy("软件投资"), 16, money=True),
    Column(gettext_lazy("建设投资"), 16, money=True),
    Column(gettext_lazy("服务投资"), 16, money=True),
    Column(gettext_lazy("总投资"), 16, money=True),
    Column(gettext_lazy("新增用地（亩）"), 12),
    Column(gettext_lazy("不新增用地技改"), 10),
    Column(gettext_lazy("承诺制"), 8),
    Column(gettext_lazy("开工日期"), 12),
    Column(gettext_lazy("完工日期"), 12),
    Column(gettext_lazy("备案时间"), 18),
]


def projects_xlsx(*, user: Actor, filters: ProjectFilters) -> IO[bytes]:
    yes, no = _("是"), _("否")
    rows = (
        (p.pk, p.title, p.enterprise.name, p.enterprise.uscc, p.enterprise.region.name, p.enterprise.industry.name,
         p.get_state_display(), p.equipment_investment, p.software_investment, p.construction_investment,
         p.services_investment, p.investment_total, p.land_mu, yes if p.land_independent else no,
         yes if p.commitment_signed else no, p.start, p.end,
         timezone.localtime(p.created).strftime("%Y-%m-%d %H:%M"))
        for p in project_list(user=user, filters=filters).iterator(chunk_size=500)
    )
    return xlsx_table(title=_("改造项目"), columns=PROJECT_COLUMNS, rows=rows)


CLAIM_COLUMNS = [
    Column(gettext_lazy("申领编号"), 10),
    Column(gettext_lazy("企业名称"), 36),
    Column(gettext_lazy("统一社会信用代码"), 22),
    Column(gettext_lazy("所在地区"), 14),
    Column(gettext_lazy("所属项目"), 36),
    Column(gettext_lazy("补贴类型"), 14),
    Column(gettext_lazy("项目层级"), 10),
    Column(gettext_lazy("年度"), 8),
    Column(gettext_lazy("金额"), 16, money=True),
    Column(gettext_lazy("状态"), 10),
    Column(gettext_lazy("提交时间"), 18),
]


def claims_xlsx(*, user: Actor, state: str) -> IO[bytes]:
    rows = (
        (c.pk, c.project.enterprise.name, c.project.enterprise.uscc, c.project.enterprise.region.name,
         c.project.title, c.get_kind_display(), c.get_program_display(), c.year, c.amount, c.get_state_display(),
         timezone.localtime(c.created).strftime("%Y-%m-%d %H:%M"))
        for c in claim_queue(user=user, state=state).iterator(chunk_size=500)
    )
    return xlsx_table(title=_("补贴申领"), columns=CLAIM_COLUMNS, rows=rows)
