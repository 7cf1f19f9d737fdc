"""The downloadable import templates: every column headed by its label (with unit) and its code, an example
row, and an explanation of each column (a sheet in the workbook), in the reader's language.

The example row carries columns.EXAMPLE_USCC: left as the first row of a table it is skipped on import
(tabular.py), so a template filled in below it imports only what was typed.
"""

from __future__ import annotations

import io

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zhigai.core.exports import csv_bytes, sheet_append

from .columns import COLUMNS, EXAMPLE_USCC
from .validation import ENTERPRISE_COLUMNS, INDICATOR_TABLE_COLUMNS


def _english() -> bool:
    return (get_language() or "").startswith("en")


def _tables() -> list[tuple[str, list[str]]]:
    # Sheet names the reader recognises by name (tabular.SHEET_KINDS, and its skipped explanation sheets).
    if _english():
        return [("enterprises", ENTERPRISE_COLUMNS), ("indicators", INDICATOR_TABLE_COLUMNS)]
    return [("企业", ENTERPRISE_COLUMNS), ("指标", INDICATOR_TABLE_COLUMNS)]


def _rows(columns: list[str]) -> list[list[str]]:
    return [[COLUMNS[c].header() for c in columns], [COLUMNS[c].example for c in columns]]


def example_note() -> str:
    return _("第2行是示例（统一社会信用代码%(c)s），导入时跳过；请在其下填写，或把它改成真实数据。") % {
        "c": EXAMPLE_USCC
    }


def import_template_file(fmt: str) -> tuple[str, io.BytesIO]:
    if fmt.endswith(".csv"):
        columns = ENTERPRISE_COLUMNS if fmt.startswith("enterprises") else INDICATOR_TABLE_COLUMNS
        return f"zhigai-{fmt}", io.BytesIO(csv_bytes(_rows(columns)))
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    for index, (title, columns) in enumerate(_tables()):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        for row in _rows(columns):
            sheet_append(sheet, row)
        for cell, code in zip(sheet[1], columns, strict=True):
            column = COLUMNS[code]
            cell.font = Font(bold=True)
            cell.comment = Comment(_(column.help), "zhigai")  # the explanation, where the header is
            sheet.column_dimensions[cell.column_letter].width = max(14, len(cell.value) * 1.6)
        for cell in sheet[2]:
            cell.font = Font(italic=True, color="808080")
        sheet.freeze_panes = "A2"
    readme = book.create_sheet("readme" if _english() else "说明")
    sheet_append(readme, [example_note()])
    sheet_append(readme, [])
    sheet_append(readme, [_("表"), _("列"), _("代码"), _("单位"), _("必填"), _("说明"), _("示例")])
    for cell in readme[3]:
        cell.font = Font(bold=True)
    for title, columns in _tables():
        for code in columns:
            c = COLUMNS[code]
            unit = _(c.unit) if c.unit else ""
            sheet_append(readme, [title, _(c.label), c.code, unit, _("是") if c.required else "", _(c.help), c.example])
    for letter, width in zip("ABCDEFG", (8, 22, 22, 12, 6, 90, 22), strict=True):
        readme.column_dimensions[letter].width = width
    for row in readme.iter_rows(min_row=4):
        row[5].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return "zhigai-import-template.xlsx", out
