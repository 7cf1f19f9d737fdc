"""The enterprise list as a workbook: the rows the list shows for the same user and filters, all of them.

Read through selectors.enterprise_list, so the export's scope is the page's and never wider; rows are
read in chunks (values, not model instances) and labelled from the cached reference data.
"""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhigai.core.exports import Column, xlsx_table
from zhigai.core.types import Actor

from .selectors import EnterpriseFilters, enterprise_list, reference_labels

COLUMNS = [
    Column(gettext_lazy("企业名称"), 36),
    Column(gettext_lazy("统一社会信用代码"), 22),
    Column(gettext_lazy("地区"), 18),
    Column(gettext_lazy("行业"), 30),
    Column(gettext_lazy("规模"), 8),
    Column(gettext_lazy("规上"), 6),
    Column(gettext_lazy("改造阶段"), 12),
]


def enterprise_list_xlsx(*, user: Actor, filters: EnterpriseFilters) -> IO[bytes]:
    labels = reference_labels()
    region, industry = labels["region_labels"], labels["industry_labels"]
    sizes, stages = labels["size_labels"], labels["stage_labels"]
    yes, no = _("是"), _("否")
    fields = ("name", "uscc", "region_id", "industry_id", "size_class", "above_designated_size", "stage")
    rows = (
        (name, uscc, region.get(region_id, ""), industry.get(industry_id, ""), sizes.get(size, ""),
         yes if above else no, stages.get(stage, ""))
        for name, uscc, region_id, industry_id, size, above, stage in
        enterprise_list(user=user, filters=filters).values_list(*fields).iterator(chunk_size=2000)
    )
    return xlsx_table(title=_("企业"), columns=COLUMNS, rows=rows)
