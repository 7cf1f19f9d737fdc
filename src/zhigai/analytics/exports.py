"""The figures as a workbook: one row per figure, tag and year, with the same filters and scope as the page."""

from __future__ import annotations

from typing import IO

from django.utils.translation import gettext as _

from zhigai.base.selectors import reference_labels
from zhigai.core.exports import Column, xlsx_table

from .display import unit_text
from .figures import FigureRow
from .selectors import Sample


def figures_workbook(rows: list[FigureRow], portion: Sample) -> IO[bytes]:
    """Values as numbers: money in yuan, shares and growth as fractions (formatted by the reader's
    spreadsheet), each row with its unit and definition."""
    columns = [Column(_("指标代码"), 26), Column(_("指标"), 30), Column(_("标签"), 12), Column(_("年份"), 8),
               Column(_("数值"), 20), Column(_("实际增长"), 12), Column(_("参照值"), 12), Column(_("单位"), 10),
               Column(_("定义"), 60)]
    tags = dict(reference_labels()["tag_options"])
    out = ([r.code, r.name, tags.get(r.tag or "", ""), r.year, r.value, r.real_value, r.reference,
            unit_text(r.kind), r.definition] for r in rows)
    title = _("统计指标") if not portion.is_sample else _("统计指标（样本）")
    return xlsx_table(title=title, columns=columns, rows=out)
