"""Reading an uploaded CSV or XLSX file into tables of rows, with the kind of each table detected.

A table is "enterprises" (has a name column) or "indicators" (has a year column). Header cells may be
the field codes of the template or their Chinese labels.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.utils.translation import gettext as _

from .validation import ENTERPRISE_COLUMNS, INDICATOR_COLUMNS

# Chinese header labels accepted for the field codes (the template's second language).
ALIASES = {
    "统一社会信用代码": "uscc",
    "企业名称": "name",
    "县（市、区）代码": "region",
    "行政区划代码": "region",
    "行业代码": "industry",
    "成立年份": "founded_year",
    "改造阶段": "stage",
    "标签": "tags",
    "产业集群": "cluster",
    "年份": "year",
    "月份": "month",
    "主营业务收入": "revenue",
    "工业总产值": "output_value",
    "工业增加值": "added_value",
    "利润总额": "profit",
    "从业人员": "employees",
    "一线生产人员": "frontline_employees",
    "工资总额": "wage_bill",
    "工业投资": "industrial_investment",
    "技术改造投资": "tech_investment",
    "工业机器人": "robots",
    "研发经费": "rd_spending",
    "产品不良率": "defect_rate",
    "综合能耗": "energy_use",
    "上云水平": "cloud_level",
}
REQUIRED = {"enterprises": ["uscc", "name", "region", "industry"], "indicators": ["uscc", "year"]}
KNOWN = {"enterprises": ENTERPRISE_COLUMNS, "indicators": INDICATOR_COLUMNS}
SHEET_KINDS = {"enterprises": "enterprises", "企业": "enterprises", "indicators": "indicators", "指标": "indicators"}


class FileProblem(ValueError):
    """The file as a whole cannot be read; carries (row, column, message) problems."""

    def __init__(self, problems: list[dict[str, Any]]):
        super().__init__("; ".join(p["message"] for p in problems))
        self.problems = problems


@dataclass
class Table:
    kind: str
    columns: list[str]
    sheet: str | None = None
    rows: list[tuple[int, list[object]]] = field(default_factory=list)  # (row number in the file, cells)


def _header(cells: list[object]) -> list[str]:
    out = []
    for cell in cells:
        text = str(cell if cell is not None else "").strip().lstrip("\ufeff")
        text = text.split("(")[0].split("（")[0].strip() if text not in ALIASES else text
        out.append(ALIASES.get(text, text.lower()))
    while out and not out[-1]:
        out.pop()
    return out


def _blank(cells: list[object]) -> bool:
    try:
        return not "".join(cells).strip()  # type: ignore[arg-type]  # a CSV row: text only, checked at C speed
    except TypeError:  # a spreadsheet row with empty or number cells
        return not any(c is not None and str(c).strip() for c in cells)


def _table(
    header_cells: list[object], rows: Iterator[tuple[int, list[object]]], sheet: str | None, header_row: int = 1
) -> Table:
    columns = _header(header_cells)
    kind = SHEET_KINDS.get((sheet or "").strip().lower()) or (
        "indicators" if "year" in columns else "enterprises" if "name" in columns else ""
    )
    where = {"sheet": sheet} if sheet else {}
    if not kind:
        raise FileProblem(
            [
                {
                    "row": header_row,
                    "column": "",
                    "message": _("无法识别表格内容：企业表须有 name 列，指标表须有 year 列（请使用下载的模板）"),
                    **where,
                }
            ]
        )
    problems = []
    for col in columns:
        if col not in KNOWN[kind]:
            problems.append({"row": header_row, "column": col, "message": _("未知列“%(c)s”") % {"c": col}, **where})
    seen: set[str] = set()
    for col in columns:
        if col in seen:
            problems.append({"row": header_row, "column": col, "message": _("列“%(c)s”重复") % {"c": col}, **where})
        seen.add(col)
    for col in REQUIRED[kind]:
        if col not in columns:
            problems.append(
                {"row": header_row, "column": col, "message": _("缺少必需的列“%(c)s”") % {"c": col}, **where}
            )
    if problems:
        raise FileProblem(problems)
    width = len(columns)
    table = Table(kind=kind, columns=columns, sheet=sheet)
    for number, cells in rows:
        if _blank(cells):
            continue  # blank lines are not data
        if len(cells) != width:
            if len(cells) > width and not _blank(cells[width:]):
                problems.append({"row": number, "column": "", "message": _("该行的单元格比表头多"), **where})
                continue
            cells = (cells + [None] * width)[:width]
        table.rows.append((number, cells))
    if problems:
        raise FileProblem(problems)
    return table


def _decode(data: bytes) -> str:
    # Spreadsheet programs on Chinese systems save CSV as GB18030/GBK; accept it as well as UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem([{"row": 0, "column": "", "message": _("文件编码无法识别，请保存为UTF-8编码的CSV")}])


def read_tables(path: Path, filename: str) -> list[Table]:
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        text = _decode(Path(path).read_bytes())
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except StopIteration:
            raise FileProblem([{"row": 1, "column": "", "message": _("文件是空的")}]) from None
        # The reader makes a new list per row: no copy needed.
        rows: Iterator[tuple[int, list[object]]] = enumerate(cast(Iterator[list[object]], reader), start=2)
        return [_table(list(header), rows, None)]
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    raise FileProblem([{"row": 0, "column": "", "message": _("只能导入 .csv 或 .xlsx 文件")}])


def _read_xlsx(path: Path) -> list[Table]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise FileProblem([{"row": 0, "column": "", "message": _("无法读取该Excel文件，文件可能已损坏")}]) from None
    tables = []
    try:
        # Read-only workbooks parse each sheet lazily: damage inside a sheet shows up only here.
        for sheet in book.worksheets:
            if sheet.title.strip().lower() in ("readme", "说明"):
                continue
            it = sheet.iter_rows(values_only=True)
            # The header is the first non-blank row: sheets often keep a blank line or two on top.
            first, header_row = None, 0
            for header_row, row in enumerate(it, start=1):  # noqa: B007 - header_row is used below
                if any(c is not None and str(c).strip() for c in row):
                    first = row
                    break
            if first is None:
                continue
            rows = ((n, list(r)) for n, r in enumerate(it, start=header_row + 1))
            tables.append(_table(list(first), rows, sheet.title, header_row=header_row))
    except FileProblem:
        raise
    except Exception:
        raise FileProblem([{"row": 0, "column": "", "message": _("无法读取该Excel文件，文件可能已损坏")}]) from None
    finally:
        book.close()
    if not tables:
        raise FileProblem([{"row": 0, "column": "", "message": _("Excel文件中没有数据表")}])
    return tables
