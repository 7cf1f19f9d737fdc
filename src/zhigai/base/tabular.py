"""Reading an uploaded CSV or XLSX file into tables of rows, with the kind of each table detected.

A table is "enterprises" (has a name column) or "indicators" (has a year column). A header cell names its
column by code or label, in Chinese or English (columns.header_code). The template's example row, if left
as the first row of a table, is skipped (columns.EXAMPLE_USCC).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_noop

from zhigai.core.phrases import Phrase

from .columns import EXAMPLE_USCC, column_label, header_code
from .validation import ENTERPRISE_COLUMNS, INDICATOR_TABLE_COLUMNS

REQUIRED = {"enterprises": ["uscc", "name", "region", "industry"], "indicators": ["uscc", "year"]}
KNOWN = {"enterprises": ENTERPRISE_COLUMNS, "indicators": INDICATOR_TABLE_COLUMNS}
EXCEL_LAST_ROW = 1_048_576  # the most rows an Excel sheet has
MAX_XLSX_PARTS = 10_000  # a workbook has a few dozen parts; tens of thousands are an attack on the reader
SHEET_KINDS = {"enterprises": "enterprises", "企业": "enterprises", "indicators": "indicators", "指标": "indicators"}


class FileProblem(ValueError):
    """The file as a whole cannot be read; carries (row, column, message) problems."""

    def __init__(self, problems: list[dict[str, Any]]):
        super().__init__("; ".join(p["message"] for p in problems))
        self.problems = problems


class BeyondCap(FileProblem):
    """The file is larger than a cap allows, found without reading it."""


@dataclass
class Table:
    kind: str
    columns: list[str]
    sheet: str | None = None
    # (row number in the file, cells): streamed from the file, so read once; read_tables lists them.
    rows: Iterable[tuple[int, list[object]]] = field(default_factory=list)
    # Rows with more cells than the header, found while `rows` is read (those rows are left out of it).
    problems: list[dict[str, Any]] = field(default_factory=list)


def _header(cells: Iterable[object]) -> list[str]:
    out = [header_code(cell) for cell in cells]
    while out and not out[-1]:
        out.pop()
    return out


def _blank(cells: Sequence[object]) -> bool:
    try:
        return not "".join(cells).strip()  # type: ignore[arg-type]  # a CSV row: text only, checked at C speed
    except TypeError:  # a spreadsheet row with empty or number cells
        return not any(c is not None and str(c).strip() for c in cells)


def _too_many_rows(number: int) -> FileProblem:
    return FileProblem(
        [
            {
                "row": number,
                "column": "",
                "message": Phrase(
                    gettext_noop(
                        "文件超过了导入的行数上限（%(max)s行数据，IMPORT_MAX_ROWS）：读到第%(row)s行时停止。"
                        "请把文件拆分后分别导入。"
                    ),
                    {"max": f"{settings.IMPORT_MAX_ROWS:,}", "row": f"{number:,}"},
                ),
            }
        ]
    )


def _capped(rows: Iterable[tuple[int, Sequence[object]]]) -> Iterator[tuple[int, Sequence[object]]]:
    """A sheet's rows up to Excel's last row: a sheet claiming more is refused, so its cost stays bounded.

    (openpyxl yields an empty row for each row number a sheet skips: a lone row numbered a billion would
    make a billion of them.)
    """
    for number, cells in rows:
        if number > EXCEL_LAST_ROW:
            raise FileProblem(
                [{"row": number, "column": "", "message": Phrase(gettext_noop("无法读取该Excel文件，文件可能已损坏"))}]
            )
        yield number, cells


def _table(
    header_cells: Sequence[object], rows: Iterable[tuple[int, Sequence[object]]], sheet: str | None, header_row: int = 1
) -> Table:
    columns = _header(header_cells)
    kind = SHEET_KINDS.get((sheet or "").strip().lower()) or (
        "indicators" if "year" in columns else "enterprises" if "name" in columns else ""
    )
    where = {"sheet": sheet} if sheet else {}
    cap = settings.IMPORT_MAX_COLUMNS
    if len(columns) > cap:
        message = Phrase(
            gettext_noop("表头有%(n)s列，超过了导入的列数上限（%(max)s列，IMPORT_MAX_COLUMNS）"),
            {
                "n": len(columns),
                "max": cap,
            },
        )
        raise FileProblem([{"row": header_row, "column": "", "message": message, **where}])
    if not kind:
        raise FileProblem(
            [
                {
                    "row": header_row,
                    "column": "",
                    "message": Phrase(
                        gettext_noop("无法识别表格内容：企业表须有 name 列，指标表须有 year 列（请使用下载的模板）")
                    ),
                    **where,
                }
            ]
        )
    problems = []
    for col in columns:
        if col not in KNOWN[kind]:
            problems.append(
                {
                    "row": header_row,
                    "column": col,
                    "message": Phrase(gettext_noop("未知列“%(c)s”"), {"c": col}),
                    **where,
                }
            )
    seen: set[str] = set()
    for col in columns:
        if col in seen:
            problems.append(
                {
                    "row": header_row,
                    "column": col,
                    "message": Phrase(gettext_noop("列“%(c)s”重复"), {"c": col}),
                    **where,
                }
            )
        seen.add(col)
    for col in REQUIRED[kind]:
        if col not in columns:
            problems.append(
                {
                    "row": header_row,
                    "column": col,
                    "message": Phrase(gettext_noop("缺少必需的列“%(c)s”"), {"c": column_label(col)}),
                    **where,
                }
            )
    if problems:
        raise FileProblem(problems)
    table = Table(kind=kind, columns=columns, sheet=sheet)
    table.rows = _data_rows(table, rows, where)
    return table


def _data_rows(
    table: Table, rows: Iterable[tuple[int, Sequence[object]]], where: dict[str, Any]
) -> Iterator[tuple[int, list[object]]]:
    width = len(table.columns)
    left = settings.IMPORT_MAX_ROWS
    example_at = table.columns.index("uscc")
    first = True
    for number, cells in rows:
        # Blank lines are not data. A first cell with text says at once that the row is not blank.
        if not (cells and type(first_cell := cells[0]) is str and first_cell.strip()) and _blank(cells):
            continue
        if first:
            first = False
            if str(cells[example_at] if len(cells) > example_at else "").strip().upper() == EXAMPLE_USCC:
                continue  # the template's example row, left in the file: not data
        left -= 1
        if left < 0:
            raise _too_many_rows(number)
        if len(cells) != width:
            if len(cells) > width and not _blank(cells[width:]):
                if len(table.problems) < 1000:
                    table.problems.append(
                        {"row": number, "column": "", "message": Phrase(gettext_noop("该行的单元格比表头多")), **where}
                    )
                continue
            cells = (list(cells) + [None] * width)[:width]
        yield number, cells if type(cells) is list else list(cells)  # a CSV row is a new list already


class Tables(list[Table]):
    """The tables of an open file; `fraction()` tells how much of the file has been read so far."""

    def __init__(self, tables: Iterable[Table] = (), fraction: Callable[[], float] = lambda: 0.0):
        super().__init__(tables)
        self.fraction = fraction


def _encoding(path: Path) -> str:
    # Spreadsheet programs on Chinese systems save CSV as GB18030/GBK; accept it as well as UTF-8. The file
    # is checked in pieces (at C speed) and then read as a stream: it is never held whole.
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as handle:
                while piece := handle.read(1 << 20):
                    decoder.decode(piece)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise FileProblem(
        [{"row": 0, "column": "", "message": Phrase(gettext_noop("文件编码无法识别，请保存为UTF-8编码的CSV"))}]
    )


@contextmanager
def open_tables(path: Path, filename: str) -> Iterator[Tables]:
    """The file's tables, their rows streamed from the file while it is open (the caps apply as it is read)."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        encoding = _encoding(path)
        size = max(Path(path).stat().st_size, 1)
        with open(path, "rb") as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
            reader = csv.reader(text)
            try:
                header = next(reader)
            except StopIteration:
                raise FileProblem([{"row": 1, "column": "", "message": Phrase(gettext_noop("文件是空的"))}]) from None
            # The reader makes a new list per row: no copy needed.
            rows: Iterator[tuple[int, Sequence[object]]] = enumerate(reader, start=2)
            yield Tables([_table(header, rows, None)], lambda: raw.tell() / size)
        return
    if suffix in (".xlsx", ".xlsm"):
        with _open_xlsx(path) as tables:
            yield tables
        return
    raise FileProblem([{"row": 0, "column": "", "message": Phrase(gettext_noop("只能导入 .csv 或 .xlsx 文件"))}])


def read_tables(path: Path, filename: str) -> list[Table]:
    """The file's tables with their rows read into lists (for small files; imports stream open_tables)."""
    with open_tables(path, filename) as tables:
        for table in tables:
            table.rows = list(table.rows)
            if table.problems:
                raise FileProblem(table.problems)
        return list(tables)


def _damaged() -> FileProblem:
    return FileProblem(
        [{"row": 0, "column": "", "message": Phrase(gettext_noop("无法读取该Excel文件，文件可能已损坏"))}]
    )


def xlsx_unpacked_bytes(source: Path | IO[bytes]) -> int:
    """What an Excel file (a zip archive) unpacks to, from its directory alone; refuses more than the cap.

    Python's zipfile never inflates a part beyond the size its directory entry gives (it stops there and
    the checksum fails), so these sizes bound what reading the file can cost, whatever its parts hold.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _damaged() from None
    total = sum(part.file_size for part in parts)
    cap = settings.IMPORT_MAX_UNPACKED_BYTES
    if total > cap or len(parts) > MAX_XLSX_PARTS:
        message = Phrase(
            gettext_noop(
                "Excel文件解压后有%(size)s（%(parts)s个部件），超过了导入的上限（%(max)s，IMPORT_MAX_UNPACKED_BYTES），"
                "不予读取。请另存为CSV或拆分后导入。"
            ),
            {"size": filesizeformat(total), "parts": len(parts), "max": filesizeformat(cap)},
        )
        raise BeyondCap([{"row": 0, "column": "", "message": message}])
    return total


@contextmanager
def _open_xlsx(path: Path) -> Iterator[Tables]:
    from openpyxl import load_workbook

    xlsx_unpacked_bytes(path)  # before anything is parsed
    size = max(Path(path).stat().st_size, 1)
    with open(path, "rb") as raw:
        try:
            book = load_workbook(raw, read_only=True, data_only=True)
        except Exception:
            raise _damaged() from None
        try:
            tables = []
            for sheet in book.worksheets:
                if sheet.title.strip().lower() in ("readme", "说明"):
                    continue
                # The sheet's declared size (<dimension ref="A1:D3">) is the writer's claim: a wrong one made
                # openpyxl stop early (rows lost) or pad every row to it (A1:XFD1048576). Read what is there.
                sheet.reset_dimensions()
                it = _guarded(_capped(enumerate(sheet.iter_rows(values_only=True), start=1)))
                # The header is the first non-blank row: sheets often keep a blank line or two on top.
                first: Sequence[object] | None = None
                header_row = 0
                for header_row, row in it:  # noqa: B007 - header_row is used below
                    if any(c is not None and str(c).strip() for c in row):
                        first = row
                        break
                if first is None:
                    continue
                tables.append(_table(first, it, sheet.title, header_row=header_row))
            if not tables:
                raise FileProblem([{"row": 0, "column": "", "message": Phrase(gettext_noop("Excel文件中没有数据表"))}])
            yield Tables(tables, lambda: raw.tell() / size)
        finally:
            book.close()


def _guarded(rows: Iterator[tuple[int, Sequence[object]]]) -> Iterator[tuple[int, Sequence[object]]]:
    """Read-only workbooks parse each sheet lazily: damage inside a sheet shows up only while reading it."""
    while True:
        try:
            item = next(rows)
        except StopIteration:
            return
        except FileProblem:
            raise
        except Exception:
            raise _damaged() from None
        yield item
