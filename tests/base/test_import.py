"""Import of enterprises and indicators from CSV/XLSX: checked whole, every error located, nothing half-written."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from tests.conftest import PASSWORD, new_uscc
from zhigai.base.importer import import_file, import_job_run
from zhigai.base.models import Enterprise, ImportJob, Indicator
from zhigai.base.validation import ENTERPRISE_COLUMNS, INDICATOR_COLUMNS
from zhigai.core.errors import PermissionDenied
from zhigai.core.models import AuditLog, Role, User

ENTERPRISE = {"name": "杭州精工机械有限公司", "region": "330102", "industry": "34", "founded_year": "2005",
              "stage": "automation", "stage_year": "", "tags": "equipment;hightech", "cluster": ""}
INDICATOR = {"year": "2020", "month": "0", "revenue": "25000000.00", "output_value": "30000000",
             "added_value": "8000000", "profit": "1200000.50", "employees": "320", "frontline_employees": "200",
             "wage_bill": "9000000", "industrial_investment": "5000000", "tech_investment": "3000000",
             "robots": "12", "rd_spending": "800000", "defect_rate": "0.02", "energy_use": "1500.5",
             "cloud_level": "2", "unfilled_positions": "5", "positions_replaced": "3", "frontline_wage": "61000.00"}
Rows = list[list[Any]]
Make = Callable[..., Any]  # the make_enterprise fixture
Api = Callable[..., Any]  # the api_client fixture


def ent(code: str, /, **over: Any) -> list[Any]:
    values = {"uscc": code, **ENTERPRISE, **over}
    return [values[c] for c in ENTERPRISE_COLUMNS]


def ind(code: str, /, **over: Any) -> list[Any]:
    values = {"uscc": code, **INDICATOR, **over}
    return [values[c] for c in INDICATOR_COLUMNS]


def write_csv(path: Path, header: Sequence[str], rows: Rows, encoding: str = "utf-8") -> Path:
    out = io.StringIO()
    csv.writer(out).writerows([list(header), *rows])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, enterprises: Rows | None = None, indicators: Rows | None = None) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in (("enterprises", ENTERPRISE_COLUMNS, enterprises),
                                ("indicators", INDICATOR_COLUMNS, indicators)):
        if rows is not None:
            sheet = book.create_sheet(title)
            for row in [header, *rows]:
                sheet.append(row)
    book.save(path)
    return path


def run(user: User, path: Path, dry_run: bool = False) -> tuple[list[dict], dict[str, int]]:
    return import_file(user=user, path=path, filename=path.name, dry_run=dry_run)


def csv_errors(user: User, tmp_path: Path, header: Sequence[str], rows: Rows) -> list[dict]:
    return run(user, write_csv(tmp_path / "f.csv", header, rows))[0]


def places(errors: list[dict]) -> list[tuple[int, str]]:
    return [(e["row"], e["column"]) for e in errors]


def one_error(errors: list[dict], row: int, column: str, fragment: str = "") -> dict:
    assert places(errors) == [(row, column)], errors
    assert fragment in errors[0]["message"]
    return errors[0]


def counts() -> tuple[int, int, int]:
    return Enterprise.objects.count(), Indicator.objects.count(), AuditLog.objects.count()


def tables() -> tuple[list[tuple], list[tuple]]:
    enterprises = list(Enterprise.objects.order_by("uscc").values_list(
        "uscc", "name", "region__code", "industry__code", "founded_year", "stage", "cluster__code",
        "size_class", "above_designated_size"))
    indicators = list(Indicator.objects.order_by("enterprise__uscc", "year", "month").values_list(
        "enterprise__uscc", "year", "month", *INDICATOR_COLUMNS[3:]))
    return enterprises, indicators


def changes(result: tuple[list[dict], dict[str, int]]) -> tuple[list[dict], tuple[int, ...]]:
    """The errors and (enterprises created, updated, indicators created, updated) of an import."""
    errors, summary = result
    return errors, tuple(summary.get(f"{kind}_{what}", 0) for kind in ("enterprises", "indicators")
                         for what in ("created", "updated"))


def wrong_check(code: str) -> str:
    return code[:17] + ("0" if code[17] != "0" else "1")


# --- every kind of bad cell, with its row and column ---------------------------------------------

ENTERPRISE_CASES = {
    "uscc too short": ({"uscc": "91330102MA2H3B4C"}, "uscc", "实际为16位"),
    "uscc too long": ({"uscc": "91330102MA2H3B4C5D6"}, "uscc", "实际为19位"),
    "uscc forbidden letter": ({"uscc": "91O30102MA2H3B4C5D"}, "uscc", "第3位字符“O”"),
    "uscc punctuation": ({"uscc": "913301-2MA2H3B4C5D"}, "uscc", "第7位字符“-”"),
    "uscc check character": ({"uscc": "wrong"}, "uscc", "校验位"),
    "unknown region": ({"region": "339999"}, "region", "339999"),
    "city is not a county": ({"region": "330100"}, "region", "330100"),
    "county of another city": ({"region": "330203"}, "region", "不在您的管辖范围内"),
    "unknown industry": ({"industry": "99"}, "industry", "99"),
    "non-manufacturing industry": ({"industry": "12"}, "industry", "12"),
    "founded_year text": ({"founded_year": "二〇〇五"}, "founded_year", "二〇〇五"),
    "founded_year too early": ({"founded_year": "1800"}, "founded_year", "1900"),
    "founded_year in the future": ({"founded_year": str(dt.date.today().year + 2)}, "founded_year", "年份"),
    "bad stage": ({"stage": "robotics"}, "stage", "intelligentization"),
    "unknown tag": ({"tags": "equipment;rocket"}, "tags", "rocket"),
    "unknown cluster": ({"cluster": "moon-cheese"}, "cluster", "moon-cheese"),
    "empty name": ({"name": " "}, "name", "必填"),
}


@pytest.mark.parametrize("case", list(ENTERPRISE_CASES))
def test_bad_enterprise_cell_located(case: str, hangzhou_user: User, tmp_path: Path) -> None:
    over, column, fragment = ENTERPRISE_CASES[case]
    bad = new_uscc()
    if over.get("uscc") == "wrong":
        over = {"uscc": wrong_check(bad)}
    rows = [ent(new_uscc()), ent(bad, **over)]
    before = counts()
    one_error(csv_errors(hangzhou_user, tmp_path, ENTERPRISE_COLUMNS, rows), 3, column, fragment)
    assert counts() == before


INDICATOR_CASES = {
    "money not a number": ({"revenue": "两千万"}, "revenue", "不是金额"),
    "money with 3 decimals": ({"wage_bill": "9000000.125"}, "wage_bill", "两位小数"),
    # Longer than Decimal's 28-digit context with more than 2 decimals: once an "internal error".
    "money of 31 digits with 3 decimals": ({"revenue": "1234567890123456789012345678.123"}, "revenue", "过大"),
    "signed money of 31 digits": ({"profit": "-1234567890123456789012345678.123"}, "profit", "过大"),
    "money with a huge exponent": ({"wage_bill": "1e1000000"}, "wage_bill", "过大"),
    "negative money": ({"rd_spending": "-1"}, "rd_spending", "负数"),
    "negative count": ({"robots": "-2"}, "robots", "负数"),
    "count not an integer": ({"employees": "320.5"}, "employees", "不是整数"),
    "count not a number": ({"robots": "many"}, "robots", "不是整数"),
    "defect_rate above 1": ({"defect_rate": "1.2"}, "defect_rate", "1"),
    "negative energy": ({"energy_use": "-3"}, "energy_use", "0"),
    "cloud_level above 3": ({"cloud_level": "4"}, "cloud_level", "3"),
    "frontline above employees": ({"frontline_employees": "321"}, "frontline_employees", "320"),
    "tech above industrial investment": ({"tech_investment": "5000001"}, "tech_investment", "5000000"),
    "added above output value": ({"added_value": "30000001"}, "added_value", "30000000"),
    "month 13": ({"month": "13"}, "month", "1–12"),
    "negative month": ({"month": "-1"}, "month", "1–12"),
    "missing year": ({"year": ""}, "year", "必填"),
    "year before 1949": ({"year": "1948"}, "year", "1949"),
    "year not a number": ({"year": "2020年"}, "year", "2020年"),
    "uscc check character": ({"uscc": "wrong"}, "uscc", "校验位"),
    "unknown enterprise": ({"uscc": "unknown"}, "uscc", "未登记"),
    "enterprise of another city": ({"uscc": "ningbo"}, "uscc", "不在您的管辖范围内"),
}
INDICATOR_PARAMS = [pytest.param(*case, id=name) for name, case in INDICATOR_CASES.items()] + [
    pytest.param({"employees": "nan"}, "employees", "不是整数", id="count is nan"),
    pytest.param({"robots": "inf"}, "robots", "不是整数", id="count is infinite"),
    pytest.param({"year": "NaN"}, "year", "NaN", id="year is nan"),
]


@pytest.mark.parametrize(("over", "column", "fragment"), INDICATOR_PARAMS)
def test_bad_indicator_cell_located(
        over: dict[str, str], column: str, fragment: str, hangzhou_user: User,
        make_enterprise: Make, tmp_path: Path) -> None:
    known = make_enterprise(county="330106").uscc
    replace = {"wrong": lambda: wrong_check(known), "unknown": new_uscc,
               "ningbo": lambda: make_enterprise(county="330203").uscc}
    if over.get("uscc") in replace:
        over = {"uscc": replace[over["uscc"]]()}
    rows = [ind(known), ind(known, **{"year": "2019", **over})]
    before = counts()
    one_error(csv_errors(hangzhou_user, tmp_path, INDICATOR_COLUMNS, rows), 3, column, fragment)
    assert counts() == before


def test_negative_profit_is_accepted(hangzhou_user: User, make_enterprise: Make, tmp_path: Path) -> None:
    enterprise = make_enterprise()
    rows = [ind(enterprise.uscc, profit="-1200000.50")]
    assert changes(run(hangzhou_user, write_csv(tmp_path / "i.csv", INDICATOR_COLUMNS, rows))) == ([], (0, 0, 1, 0))
    assert str(Indicator.objects.get(enterprise=enterprise).profit) == "-1200000.50"


def test_duplicate_uscc_in_the_file_points_to_the_first_row(hangzhou_user: User, tmp_path: Path) -> None:
    code = new_uscc()
    rows = [ent(code), ent(new_uscc()), ent(code.lower(), name="另一家")]
    one_error(csv_errors(hangzhou_user, tmp_path, ENTERPRISE_COLUMNS, rows), 4, "uscc", "第2行")


def test_enterprise_of_another_city_refused(
        hangzhou_user: User, make_enterprise: Make, tmp_path: Path) -> None:
    ningbo = make_enterprise(county="330203", name="宁波老厂")
    rows = [ent(new_uscc()), ent(ningbo.uscc, region="330102")]
    one_error(csv_errors(hangzhou_user, tmp_path, ENTERPRISE_COLUMNS, rows), 3, "uscc", "管辖范围之外")
    ningbo.refresh_from_db()
    assert (ningbo.name, ningbo.region.code) == ("宁波老厂", "330203")


def test_duplicate_period_points_to_first_row(hangzhou_user: User, make_enterprise: Make,
                                              tmp_path: Path) -> None:
    code = make_enterprise().uscc
    rows = [ind(code), ind(code, month="1"), ind(code, month="", revenue="1")]  # blank month = year = 0
    one_error(csv_errors(hangzhou_user, tmp_path, INDICATOR_COLUMNS, rows), 4, "year", "第2行")


def test_every_bad_row_is_reported_not_only_the_first(hangzhou_user: User, tmp_path: Path) -> None:
    rows = [ent(new_uscc(), industry="99"), ent(new_uscc()), ent("X", region="1", stage="?")]
    errors, _ = run(hangzhou_user, write_csv(tmp_path / "e.csv", ENTERPRISE_COLUMNS, rows))
    assert sorted(places(errors)) == [(2, "industry"), (4, "region"), (4, "stage"), (4, "uscc")]


# --- the file as a whole -------------------------------------------------------------------------

HEADER_CASES = {
    "missing required column": (["uscc", "name", "industry"], "region", "缺少"),
    "unknown column": ([*ENTERPRISE_COLUMNS, "ceo"], "ceo", "未知列"),
    "duplicated column": ([*ENTERPRISE_COLUMNS, "name"], "name", "重复"),
    "indicators without uscc": (["year", "revenue"], "uscc", "缺少"),
    "enterprise column in indicators": (["uscc", "year", "name"], "name", "未知列"),
}


@pytest.mark.parametrize("case", list(HEADER_CASES))
def test_bad_header_is_reported_on_row_1(case: str, hangzhou_user: User, tmp_path: Path) -> None:
    header, column, fragment = HEADER_CASES[case]
    one_error(csv_errors(hangzhou_user, tmp_path, header, [["x"] * len(header)]), 1, column, fragment)


def test_missing_year_column_in_indicator_sheet(hangzhou_user: User, tmp_path: Path) -> None:
    path = tmp_path / "i.xlsx"
    book = Workbook()
    book.active.title = "indicators"
    book.active.append(["uscc", "revenue"])
    book.save(path)
    assert one_error(run(hangzhou_user, path)[0], 1, "year")["sheet"] == "indicators"


def test_row_longer_than_the_header(hangzhou_user: User, tmp_path: Path) -> None:
    rows = [ent(new_uscc()), [*ent(new_uscc()), "多余"], [*ent(new_uscc()), "", " "]]  # blank extras are fine
    one_error(csv_errors(hangzhou_user, tmp_path, ENTERPRISE_COLUMNS, rows), 3, "", "表头多")


@pytest.mark.parametrize(("name", "content", "row", "fragment"), [
    ("empty.csv", b"", 1, "空"),
    ("notes.txt", b"uscc,name\n", 0, ".csv"),
    ("broken.xlsx", b"this is not a spreadsheet", 0, "损坏"),
])
def test_unreadable_file_clear_error(name: str, content: bytes, row: int, fragment: str, hangzhou_user: User,
                                     tmp_path: Path) -> None:
    (tmp_path / name).write_bytes(content)
    before = counts()
    one_error(run(hangzhou_user, tmp_path / name)[0], row, "", fragment)
    assert counts() == before


def test_xlsx_with_a_damaged_worksheet_gets_a_clear_error(hangzhou_user: User, tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", enterprises=[ent(new_uscc())])
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[: len(data) // 2] if item.filename.startswith("xl/worksheets/") else data)
    one_error(run(hangzhou_user, broken)[0], 0, "", "损坏")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_and_chinese_headers(encoding: str, hangzhou_user: User, tmp_path: Path) -> None:
    header = ["统一社会信用代码", "企业名称", "县（市、区）代码", "行业代码", "改造阶段"]
    code = new_uscc()
    path = write_csv(tmp_path / "e.csv", header, [[code, "杭州丝绸織造厂", "330106", "17", "数字化"]], encoding)
    assert changes(run(hangzhou_user, path)) == ([], (1, 0, 0, 0))
    enterprise = Enterprise.objects.get(uscc=code)
    assert (enterprise.name, enterprise.region.code, enterprise.stage) == ("杭州丝绸織造厂", "330106", "digitization")


def test_indicators_of_enterprises_created_in_the_same_workbook(hangzhou_user: User, tmp_path: Path) -> None:
    code = new_uscc()
    path = write_xlsx(tmp_path / "both.xlsx", enterprises=[ent(code)], indicators=[ind(code.lower())])
    assert changes(run(hangzhou_user, path)) == ([], (1, 0, 1, 0))
    enterprise = Enterprise.objects.get(uscc=code)
    assert enterprise.indicators.get(year=2020).employees == 320
    assert sorted(enterprise.tags.values_list("code", flat=True)) == ["equipment", "hightech"]
    # Derived from the imported figures: 320 staff, 25 million yuan.
    assert (enterprise.size_class, enterprise.above_designated_size) == ("medium", True)
    entry = AuditLog.objects.get(action="import", entity="file")  # who imported which file
    assert (entry.actor, entry.summary, entry.after["indicators_created"]) == (hangzhou_user, "both.xlsx", 1)


def test_indicator_sheets_with_different_columns_each_keep_their_own(hangzhou_user: User, make_enterprise: Make,
                                                                       tmp_path: Path) -> None:
    first, second = make_enterprise().uscc, make_enterprise().uscc
    book = Workbook()
    book.remove(book.active)
    sheets = {
        "2019年": (["year", "uscc", "employees", "revenue"],
                  [[2019, first, 120, "5000000.00"], [2019, second, 80, "3000000.50"]]),
        "2020年": (["uscc", "revenue", "year", "robots", "profit", "employees"],
                  [[first, "7000000.00", 2020, 9, "-25.50", 130], [second, "4000000.00", 2020, 3, "100.00", 85]]),
        # The same period as the first sheet, other columns: both sheets' figures end up in it.
        "研发": (["rd_spending", "uscc", "year"], [["60000.00", first, 2019]]),
    }
    for title, (header, rows) in sheets.items():
        sheet = book.create_sheet(title)
        for row in [header, *rows]:
            sheet.append(row)
    book.save(tmp_path / "sheets.xlsx")
    errors, summary = run(hangzhou_user, tmp_path / "sheets.xlsx")
    assert errors == []
    assert (summary["indicators"], summary["indicators_created"]) == (5, 4)
    stored = {(u, y): rest for u, y, *rest in Indicator.objects.values_list(
        "enterprise__uscc", "year", "employees", "revenue", "robots", "profit", "rd_spending")}
    assert stored == {
        (first, 2019): [120, Decimal("5000000.00"), None, None, Decimal("60000.00")],
        (second, 2019): [80, Decimal("3000000.50"), None, None, None],
        (first, 2020): [130, Decimal("7000000.00"), 9, Decimal("-25.50"), None],
        (second, 2020): [85, Decimal("4000000.00"), 3, Decimal("100.00"), None],
    }
    assert changes(run(hangzhou_user, tmp_path / "sheets.xlsx")) == ([], (0, 0, 0, 0))


def test_numbers_typed_into_excel_cells(hangzhou_user: User, tmp_path: Path) -> None:
    code = new_uscc()
    path = write_xlsx(tmp_path / "n.xlsx", enterprises=[ent(code, region=330102, industry=34, founded_year=2005)],
                      indicators=[ind(code, year=2020, month=0, revenue=25000000.5, profit=-12.25, employees=320,
                                      frontline_employees=200.0, defect_rate=0.02, cloud_level=2)])
    assert changes(run(hangzhou_user, path)) == ([], (1, 0, 1, 0))
    assert changes(run(hangzhou_user, path)) == ([], (0, 0, 0, 0))
    row = Indicator.objects.get(enterprise__uscc=code)
    assert (row.revenue, row.profit, row.frontline_employees) == (Decimal("25000000.50"), Decimal("-12.25"), 200)


def test_workbook_errors_name_their_sheet_and_spreadsheet_row(hangzhou_user: User, tmp_path: Path) -> None:
    code = new_uscc()
    path = write_xlsx(tmp_path / "both.xlsx", enterprises=[ent(code), ent(new_uscc(), cluster="x")],
                      indicators=[ind(code), [], [None, None], ind(code, year="2019", cloud_level=7)])
    errors, _ = run(hangzhou_user, path)
    assert sorted((e["sheet"], e["row"], e["column"]) for e in errors) == [
        ("enterprises", 3, "cluster"), ("indicators", 5, "cloud_level")]  # blank rows are skipped, not renumbered


# --- nothing half-written; re-importing changes nothing --------------------------------------------


def good_workbook(path: Path, codes: list[str], **indicator_over: Any) -> Path:
    return write_xlsx(path, enterprises=[ent(c, name=f"企业{i}") for i, c in enumerate(codes)],
                      indicators=[ind(c, year=str(y), **indicator_over) for c in codes for y in (2019, 2020)])


def test_one_bad_row_among_good_rows_writes_nothing(hangzhou_user: User, tmp_path: Path) -> None:
    codes = [new_uscc() for _ in range(5)]
    path = write_xlsx(tmp_path / "f.xlsx", enterprises=[ent(c) for c in codes],
                      indicators=[*(ind(c) for c in codes), ind(codes[-1], year="2019", defect_rate="2")])
    before, snapshot = counts(), tables()
    errors, _ = run(hangzhou_user, path)
    assert places(errors) == [(7, "defect_rate")]
    assert counts() == before
    assert tables() == snapshot


def test_dry_run_writes_nothing_for_a_good_file(hangzhou_user: User, tmp_path: Path) -> None:
    path = good_workbook(tmp_path / "f.xlsx", [new_uscc(), new_uscc()])
    before = counts()
    errors, summary = run(hangzhou_user, path, dry_run=True)
    assert errors == []
    assert summary == {"rows": 6, "enterprises": 2, "indicators": 4, "stages": 2}
    assert counts() == before


def test_reimporting_the_same_file_changes_nothing(hangzhou_user: User, tmp_path: Path) -> None:
    codes = [new_uscc(), new_uscc("330106")]
    path = good_workbook(tmp_path / "f.xlsx", codes)
    assert changes(run(hangzhou_user, path)) == ([], (2, 0, 4, 0))
    snapshot = tables()
    assert changes(run(hangzhou_user, path)) == ([], (0, 0, 0, 0))
    assert tables() == snapshot
    # One changed figure: exactly one indicator updated, and only that value moves.
    book = load_workbook(path)
    book["indicators"]["D3"] = "26000000.10"  # revenue of the first enterprise, 2020
    book.save(path)
    assert changes(run(hangzhou_user, path)) == ([], (0, 0, 0, 1))
    assert str(Indicator.objects.get(enterprise__uscc=codes[0], year=2020).revenue) == "26000000.10"
    enterprises, indicators = tables()
    assert (enterprises, [r for r in indicators if r[:2] != (codes[0], 2020)]) == (
        snapshot[0], [r for r in snapshot[1] if r[:2] != (codes[0], 2020)])
    # One changed name: exactly one enterprise updated.
    book["enterprises"]["B2"] = "改了名字的企业"
    book.save(path)
    assert changes(run(hangzhou_user, path)) == ([], (0, 1, 0, 0))
    assert Enterprise.objects.get(uscc=codes[0]).name == "改了名字的企业"


def test_reimport_without_stage_keeps_stage(hangzhou_user: User, make_enterprise: Make,
                                            tmp_path: Path) -> None:
    enterprise = make_enterprise(stage="networking")
    path = write_csv(tmp_path / "e.csv", ["uscc", "name", "region", "industry"],
                     [[enterprise.uscc, "新名字", "330102", "34"]])
    assert changes(run(hangzhou_user, path)) == ([], (0, 1, 0, 0))
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.stage) == ("新名字", "networking")


# --- through the API and the pages ------------------------------------------------------------------


def upload(client: Any, path: Path, dry_run: bool = False) -> Any:
    with open(path, "rb") as handle:
        return client.post("/api/v1/imports", {"file": handle, "dry_run": "true" if dry_run else "false"})


def api_job(client: Any, path: Path, dry_run: bool = False) -> dict[str, Any]:
    """Upload through the API and read back the job as the API shows it."""
    response = upload(client, path, dry_run)
    assert response.status_code == 201, response.content
    return client.get(f"/api/v1/imports/{response.json()['id']}").json()


def test_api_import_reports_row_and_column(hangzhou_user: User, api_client: Api, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", ENTERPRISE_COLUMNS, [ent(new_uscc()), ent(new_uscc(), region="330203")])
    job = api_job(api_client(hangzhou_user), path)
    assert (job["status"], job["progress"], job["filename"]) == ("failed", 1.0, "e.csv")
    one_error(job["errors"], 3, "region", "不在您的管辖范围内")
    assert Enterprise.objects.count() == 0


def test_job_with_a_number_too_long_for_decimal_reports_its_cell(hangzhou_user: User, api_client: Api,
                                                                  make_enterprise: Make, tmp_path: Path) -> None:
    code = make_enterprise().uscc
    huge = "9" * 29 + ".999"
    path = write_xlsx(tmp_path / "i.xlsx", indicators=[ind(code), ind(code, year="2019", output_value=huge)])
    before = counts()
    job = api_job(api_client(hangzhou_user), path)
    assert job["status"] == "failed"
    error = one_error(job["errors"], 3, "output_value", "过大")
    assert error["sheet"] == "indicators"
    assert counts() == before


def test_api_import_of_a_good_file_and_dry_run(hangzhou_user: User, api_client: Api, tmp_path: Path) -> None:
    client = api_client(hangzhou_user)
    path = good_workbook(tmp_path / "f.xlsx", [new_uscc()])
    dry = api_job(client, path, dry_run=True)
    assert (dry["status"], dry["dry_run"], dry["errors"]) == ("succeeded", True, [])
    assert Enterprise.objects.count() == 0
    real = api_job(client, path)
    assert (real["status"], real["progress"]) == ("succeeded", 1.0)
    assert real["summary"]["indicators_created"] == 2
    assert Indicator.objects.count() == 2


def test_api_wrong_type_and_corrupt_workbook(hangzhou_user: User, api_client: Api, tmp_path: Path) -> None:
    client = api_client(hangzhou_user)
    (tmp_path / "data.txt").write_text("uscc,name\n")
    response = upload(client, tmp_path / "data.txt")
    assert (response.status_code, response.json()["code"]) == (422, "invalid")
    assert ".csv" in response.json()["message"]
    assert ImportJob.objects.count() == 0
    (tmp_path / "x.xlsx").write_bytes(b"PK\x03\x04 truncated")
    job = api_job(client, tmp_path / "x.xlsx")
    assert job["status"] == "failed"
    assert "损坏" in job["errors"][0]["message"]


def test_large_file_runs_in_background(hangzhou_user: User, api_client: Api,
                                       settings: Any, tmp_path: Path) -> None:
    settings.IMPORT_BACKGROUND_BYTES = 10
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = api_client(hangzhou_user)
    job_id = upload(client, good_workbook(tmp_path / "big.xlsx", [new_uscc()])).json()["id"]
    pending = client.get(f"/api/v1/imports/{job_id}").json()
    assert (pending["status"], pending["progress"]) == ("pending", 0.0)
    assert Enterprise.objects.count() == 0
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(args_kwargs__args=[job_id]).count() == 1
    import_job_run(job_id=job_id)
    done = client.get(f"/api/v1/imports/{job_id}").json()
    assert (done["status"], done["progress"], done["errors"]) == ("succeeded", 1.0, [])
    assert Enterprise.objects.count() == 1
    import_job_run(job_id=job_id)  # a task delivered twice changes nothing
    assert (Enterprise.objects.count(), Indicator.objects.count()) == (1, 2)


def test_crashed_job_not_left_running(hangzhou_user: User, api_client: Api,
                                      settings: Any, monkeypatch: Any, tmp_path: Path) -> None:
    settings.IMPORT_BACKGROUND_BYTES = 10
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job_id = upload(api_client(hangzhou_user), good_workbook(tmp_path / "f.xlsx", [new_uscc()])).json()["id"]

    def crash(**_kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("zhigai.base.importer.import_file", crash)
    with contextlib.suppress(RuntimeError):
        import_job_run(job_id=job_id)
    job = ImportJob.objects.get(id=job_id)
    assert (job.status, job.progress) == ("failed", 1.0)
    assert job.errors and job.errors[0]["message"]
    assert Enterprise.objects.count() == 0


def test_other_users_job_not_found(hangzhou_user: User, ningbo_user: User, api_client: Api,
                                   client: Any, tmp_path: Path) -> None:
    job_id = upload(api_client(hangzhou_user), good_workbook(tmp_path / "f.xlsx", [new_uscc()])).json()["id"]
    assert api_client(ningbo_user).get(f"/api/v1/imports/{job_id}").status_code == 404
    assert api_client(hangzhou_user).get(f"/api/v1/imports/{job_id}").status_code == 200
    client.force_login(ningbo_user)
    assert client.get(f"/imports/{job_id}/").status_code == 404


def test_roles_that_cannot_write_cannot_import(make_user: Make, make_enterprise: Make, api_client: Api,
                                              client: Any, tmp_path: Path) -> None:
    user = make_user(Role.ENTERPRISE, enterprise=make_enterprise())
    path = good_workbook(tmp_path / "f.xlsx", [new_uscc()])
    assert upload(api_client(user), path).status_code == 403
    with pytest.raises(PermissionDenied):
        run(user, path)
    client.force_login(user)
    assert client.get("/imports/").status_code == 404
    assert (ImportJob.objects.count(), Enterprise.objects.count()) == (0, 1)


def test_page_upload_shows_every_error(hangzhou_user: User, client: Any, tmp_path: Path) -> None:
    assert client.login(username=hangzhou_user.username, password=PASSWORD)
    path = write_csv(tmp_path / "e.csv", ENTERPRISE_COLUMNS,
                     [ent(new_uscc()), ent(new_uscc(), industry="99"), ent(new_uscc(), tags="rocket")])
    with open(path, "rb") as handle:
        response = client.post("/imports/", {"file": handle})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert response["Location"] == f"/imports/{job.id}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="failed"' in page
    table = page[page.index('data-testid="import-errors"'):]
    assert '<td>3</td><td>行业代码 <span class="muted">industry</span></td>' in table
    assert '<td>4</td><td>标签 <span class="muted">tags</span></td>' in table
    assert "rocket" in table
    assert Enterprise.objects.count() == 0
    assert "e.csv" in client.get("/imports/").content.decode()


@pytest.mark.parametrize(("dry_run", "shown", "written"), [(False, "新增指标", 2), (True, "仅校验", 0)])
def test_page_upload_of_a_good_file(dry_run: bool, shown: str, written: int, hangzhou_user: User, client: Any,
                                    tmp_path: Path) -> None:
    client.force_login(hangzhou_user)
    with open(good_workbook(tmp_path / "f.xlsx", [new_uscc()]), "rb") as handle:
        data = {"file": handle, **({"dry_run": "1"} if dry_run else {})}
        page = client.post("/imports/", data, follow=True).content.decode()
    assert 'data-status="succeeded"' in page and shown in page
    assert Indicator.objects.count() == written


def test_page_upload_of_wrong_type_shows_a_message(hangzhou_user: User, client: Any) -> None:
    client.force_login(hangzhou_user)
    response = client.post("/imports/", {"file": SimpleUploadedFile("a.txt", b"x")}, follow=True)
    assert response.status_code == 200
    assert ".csv" in response.content.decode()
    assert ImportJob.objects.count() == 0


def download(client: Any, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_xlsx_template_filled_in_imports(hangzhou_user: User, client: Any, tmp_path: Path) -> None:
    client.force_login(hangzhou_user)
    book = load_workbook(io.BytesIO(download(client, "/imports/template.xlsx")))
    code = new_uscc()
    book["企业"].append(ent(code))
    book["指标"].append(ind(code))
    book.save(tmp_path / "filled.xlsx")
    assert changes(run(hangzhou_user, tmp_path / "filled.xlsx")) == ([], (1, 0, 1, 0))


@pytest.mark.parametrize(("kind", "row"), [("enterprises", ent), ("indicators", ind)])
def test_csv_templates_filled_in_import(kind: str, row: Callable[..., list[Any]], hangzhou_user: User,
                                        make_enterprise: Make, client: Any, tmp_path: Path) -> None:
    client.force_login(hangzhou_user)
    content = download(client, f"/imports/template.{kind}.csv")
    assert content.startswith("\ufeff".encode())
    code = make_enterprise().uscc if kind == "indicators" else new_uscc()
    line = io.StringIO()
    csv.writer(line).writerow(row(code))
    (tmp_path / "t.csv").write_bytes(content + line.getvalue().encode())
    expected = (1, 0, 0, 0) if kind == "enterprises" else (0, 0, 1, 0)
    assert changes(run(hangzhou_user, tmp_path / "t.csv")) == ([], expected)


def _history() -> list[tuple]:
    return sorted((a.entity, a.entity_id, a.summary, json.dumps(a.before or {}, sort_keys=True),
                   json.dumps(a.after, sort_keys=True)) for a in AuditLog.objects.filter(action="import"))


def test_chunks_that_split_an_enterprise_write_what_one_chunk_writes(
        hangzhou_user: User, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Pass 2 writes chunk by chunk (base.import_write): an enterprise whose rows cross chunks, and one that
    had records before, get the same records and history as when the whole file is one chunk."""
    from zhigai.base import importer

    codes = [new_uscc() for _ in range(13)]
    first = write_xlsx(tmp_path / "first.xlsx", enterprises=[ent(c, name=f"企业{i}") for i, c in enumerate(codes[:10])],
                       indicators=[ind(c, year=str(y), employees=str(250 + i)) for i, c in enumerate(codes[:10])
                                   for y in (2018, 2019, 2020)])
    second = write_xlsx(tmp_path / "second.xlsx",
                        enterprises=[ent(c, name=f"新名{i}", tags="traditional") for i, c in enumerate(codes[8:])],
                        indicators=[ind(c, year=str(y), revenue="26000000.00") for c in codes[6:]
                                    for y in (2020, 2021)])

    def both() -> tuple[list[Any], Any, list[tuple]]:
        results = [run(hangzhou_user, first), run(hangzhou_user, second)]
        assert [errors for errors, _summary in results] == [[], []]
        return results, tables(), _history()

    whole = both()
    assert len(whole[1][1]) == 30 + 14 - 4  # 2020 of codes 6..9 updated, not added
    Enterprise.objects.filter(uscc__in=codes).delete()
    AuditLog.objects.all().delete()
    monkeypatch.setattr(importer, "CHUNK_ROWS", 7)
    assert both() == whole
