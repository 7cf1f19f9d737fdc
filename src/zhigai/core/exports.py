"""The one writer of every Excel and CSV file the platform gives out.

A spreadsheet evaluates a cell whose text begins with `=`, `+`, `-` or `@` (and, after a tab or carriage
return, whatever follows): an enterprise name or an assessment note such as `=HYPERLINK(...)` or
`=cmd|' /C calc'!A0` would run in the officer's spreadsheet that opens the export. Text from users is
therefore never written as a formula: in a workbook such a cell is stored as text (shown as typed, never
evaluated); in a CSV file, which has no types, it gets a leading apostrophe, as OWASP recommends.
Numbers, dates and booleans are written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def evaluates(value: Any) -> bool:
    """Whether a spreadsheet would read this value as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def sheet_append(sheet: Any, row: Sequence[Any]) -> None:
    """openpyxl's worksheet.append, with text a spreadsheet would evaluate kept as text."""
    sheet.append(list(row))
    for cell in sheet[sheet.max_row]:
        if evaluates(cell.value):
            cell.data_type = "s"  # openpyxl made it a formula ("f") because it begins with "="


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
