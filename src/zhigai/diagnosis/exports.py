"""The diagnosis pages' tables as workbooks: the not-assessed list, the cohort table, the expert's queue.

Each reads through the same read function as its page (stats.unassessed, stats.level_figures,
queue.assignment_queue), so an export shows what the page shows to the same user, never more.
"""

from __future__ import annotations

from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhigai.base.selectors import reference_labels
from zhigai.core.exports import Column, xlsx_table
from zhigai.core.types import Actor

from . import stats
from .models import MaturityModel
from .queue import STATES, QueueFilters, assignment_queue

ENTERPRISE_COLUMNS = [
    Column(gettext_lazy("企业名称"), 36),
    Column(gettext_lazy("统一社会信用代码"), 22),
    Column(gettext_lazy("地区"), 18),
    Column(gettext_lazy("行业"), 30),
]


def unassessed_xlsx(*, user: Actor, region_code: str = "") -> IO[bytes]:
    labels = reference_labels()
    region, industry = labels["region_labels"], labels["industry_labels"]
    qs = stats.unassessed(user=user, region_code=region_code).values_list("name", "uscc", "region_id", "industry_id")
    rows = ((name, uscc, region.get(r, ""), industry.get(i, "")) for name, uscc, r, i in qs.iterator(chunk_size=2000))
    return xlsx_table(title=_("尚未评估的企业"), columns=ENTERPRISE_COLUMNS, rows=rows)


def cohorts_xlsx(*, user: Actor, model: MaturityModel) -> IO[bytes]:
    """Rows: the first assessment's level; columns: the latest one's; cells: how many enterprises."""
    figures = stats.level_figures(user=user, model=model)
    names = [f"L{n} {name}" for n, name in figures["levels"]]
    columns = [Column(_("首次等级 \\ 最近等级"), 22)] + [Column(name, 16) for name in names]
    rows = [[name, *counts] for name, counts in zip(names, figures["cohort_matrix"], strict=True)]
    return xlsx_table(title=_("等级变化"), columns=columns, rows=rows)


QUEUE_COLUMNS = [
    *ENTERPRISE_COLUMNS[:3],
    Column(gettext_lazy("状态"), 10),
    Column(gettext_lazy("指派日期"), 12),
    Column(gettext_lazy("最近变动"), 12),
]


def queue_xlsx(*, user: Actor, filters: QueueFilters) -> IO[bytes]:
    labels = reference_labels()["region_labels"]
    rows = (
        (a.enterprise.name, a.enterprise.uscc, labels.get(a.enterprise.region_id, ""), str(STATES[a.state]),
         timezone.localdate(a.created), timezone.localdate(a.changed))
        for a in assignment_queue(user=user, filters=filters).iterator(chunk_size=1000)
    )
    return xlsx_table(title=_("指派给我的企业"), columns=QUEUE_COLUMNS, rows=rows)
