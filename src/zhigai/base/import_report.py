"""An import's error report as its reader reads it: columns and reasons in the reader's language.

A job stores each error with the reason's code and parameters (core.phrases) besides its text as first
written; the page and the downloaded workbook translate the code for whoever reads the report. Errors stored
before codes were kept (text only) are shown as they were written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from zhigai.core.exports import sheet_append
from zhigai.core.phrases import Phrase, phrase_text

from .columns import column_title
from .models import ImportJob


def stored_error(error: dict[str, Any]) -> dict[str, Any]:
    """An error as a job keeps it (JSON): the message's text, and its code and parameters when it has them."""
    message = error.get("message", "")
    out = {**error, "message": str(message)}
    if isinstance(message, Phrase):
        out.update(message.stored())
    return out


@dataclass
class ShownError:
    sheet: str
    row: Any
    column: str  # the column's name in the reader's language
    code: str  # the column's code, as in the template
    message: str


def shown_errors(job: ImportJob) -> list[ShownError]:
    out = []
    for error in job.errors:
        message = str(error.get("message", ""))
        if error.get("code"):
            message = phrase_text(error["code"], error.get("params"), message)
        code = str(error.get("column") or "")
        out.append(
            ShownError(
                str(error.get("sheet") or ""), error.get("row", ""), column_title(code) if code else "", code, message
            )
        )
    return out


def report_workbook(job: ImportJob) -> io.BytesIO:
    """The error report as an Excel workbook (text through core.exports: a cell is never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _("错误")
    sheet_append(sheet, [_("文件"), job.filename])
    sheet_append(sheet, [])
    sheet_append(sheet, [_("工作表"), _("行"), _("列"), _("列代码"), _("原因")])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for e in shown_errors(job):
        sheet_append(sheet, [e.sheet, e.row, e.column, e.code, e.message])
    for letter, width in zip("ABCDE", (14, 8, 24, 18, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out
