"""The one writer of every Excel and CSV file the platform gives out.

A spreadsheet evaluates a cell whose text begins with `=`, `+`, `-` or `@` (and, after a tab or carriage
return, whatever follows): an enterprise name or an assessment note such as `=HYPERLINK(...)` or
`=cmd|' /C calc'!A0` would run in the officer's spreadsheet that opens the export. Text from users is
therefore never written as a formula: in a workbook such a cell is stored as quoted text (shown as typed,
never evaluated, not even once edited); in a CSV file, which has no types, it gets a leading apostrophe, as
OWASP recommends. Numbers, dates and booleans are written as they are.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.http import FileResponse
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .numbers import yuan_scale

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def evaluates(value: Any) -> bool:
    """Whether a spreadsheet would read this value as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _as_text(cell: Any) -> None:
    """A cell of text a spreadsheet would evaluate, kept as text: stored as a string (openpyxl makes text that
    begins with "=" a formula) and marked as quoted, the apostrophe Excel shows, so that editing the cell in
    Excel does not turn it into a formula either."""
    cell.data_type = "s"
    cell.quotePrefix = True


def sheet_append(sheet: Any, row: Sequence[Any]) -> None:
    """openpyxl's worksheet.append, with text a spreadsheet would evaluate kept as text."""
    sheet.append(list(row))
    for cell in sheet[sheet.max_row]:
        if evaluates(cell.value):
            _as_text(cell)


def csv_cell(value: Any) -> Any:
    return "'" + value if evaluates(value) else value


def csv_bytes(rows: Iterable[Sequence[Any]], *, bom: bool = True) -> bytes:
    """Rows as a UTF-8 CSV file (with a byte-order mark, which Excel needs to read Chinese), every cell
    through csv_cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


# --- tables as workbooks ---------------------------------------------------------------------------------------
# A list page's export: one sheet, a header row in the reader's language, rows streamed from a query into
# openpyxl's write-only workbook (rows go to a temporary file as they come, so 100,000 enterprises take a
# few megabytes, not a tree of cell objects), the result spooled to disk past 8 MB.

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str | Promise
    width: int = 14  # in characters
    money: bool = False  # Decimal yuan, written as a number with the unit in the header


def column_header(column: Column) -> str:
    """The header in the reader's language; a money column's names its unit (core.numbers.yuan_scale)."""
    return yuan_scale().label(str(column.header)) if column.money else str(column.header)


def xlsx_table(*, title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]],
               max_rows: int | None = None) -> IO[bytes]:
    """A workbook of one table (returned rewound); text that would evaluate is kept as text. Past
    `max_rows` (settings.EXPORT_MAX_ROWS by default) the sheet ends with a line saying it was cut."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    limit = settings.EXPORT_MAX_ROWS if max_rows is None else max_rows
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])  # Excel's limit on a sheet name
    for i, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for column in columns:
        cell = WriteOnlyCell(sheet, column_header(column))
        cell.font = bold
        head.append(cell)
    sheet.append(head)
    money = [i for i, column in enumerate(columns) if column.money]
    money_format = yuan_scale().number_format()
    for written, row in enumerate(rows):
        if written == limit:
            sheet.append([_("仅导出前 %(n)s 行，请缩小筛选范围。") % {"n": f"{limit:,}"}])
            break
        values: list[Any] = list(row)
        for i, value in enumerate(values):
            if evaluates(value):
                cell = WriteOnlyCell(sheet, value)
                _as_text(cell)
                values[i] = cell
        for i in money:
            if values[i] is not None:
                cell = WriteOnlyCell(sheet, values[i])
                cell.number_format = money_format
                values[i] = cell
        sheet.append(values)
    # Handed to the response, which closes it when sent: no context manager here.
    out = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115
    book.save(out)
    out.seek(0)
    return out


def xlsx_response(content: IO[bytes], filename: str) -> FileResponse:
    """A workbook as a download named `filename` (ASCII: the name every browser keeps)."""
    return FileResponse(content, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
