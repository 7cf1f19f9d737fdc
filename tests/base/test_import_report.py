"""An import anyone can use: headers by label or code in either language, a template with an example row and
an explanation of each column, error reasons in the reader's language, and the report as an Excel file."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook

from tests.base.test_import import ENTERPRISE, INDICATOR, changes, download, run, write_csv
from tests.conftest import new_uscc
from zhigai.base.columns import COLUMNS, EXAMPLE_USCC
from zhigai.base.importer import import_job_create
from zhigai.base.models import Enterprise, ImportJob, Indicator, StageRecord
from zhigai.base.uscc import normalize_uscc
from zhigai.base.validation import ENTERPRISE_COLUMNS, INDICATOR_COLUMNS, INDICATOR_TABLE_COLUMNS
from zhigai.core.models import User


def _headers(columns: list[str], language: str, form: str) -> list[str]:
    with translation.override(language):
        column = {"title": lambda c: COLUMNS[c].title(), "label": lambda c: str(translation.gettext(COLUMNS[c].label)),
                  "header": lambda c: COLUMNS[c].header(), "code": lambda c: c}[form]
        return [column(c) for c in columns]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("form", ["title", "label", "header", "code"])
def test_every_column_is_read_by_label_or_code(language: str, form: str, hangzhou_user: User,
                                               tmp_path: Path) -> None:
    code = new_uscc()
    enterprises = write_csv(tmp_path / "e.csv", _headers(ENTERPRISE_COLUMNS, language, form),
                            [[{"uscc": code, **ENTERPRISE}[c] for c in ENTERPRISE_COLUMNS]])
    assert run(hangzhou_user, enterprises)[0] == []
    indicators = write_csv(tmp_path / "i.csv", _headers(INDICATOR_COLUMNS, language, form),
                           [[{"uscc": code, **INDICATOR}[c] for c in INDICATOR_COLUMNS]])
    assert run(hangzhou_user, indicators)[0] == []
    row = Indicator.objects.get(enterprise__uscc=code)
    assert (row.employees, row.defect_rate, row.cloud_level) == (320, 0.02, 2)


@pytest.mark.parametrize("header", ["地区", "行业", "所在县（市、区）", "Region", "industry code", "REGION"])
def test_the_headers_officers_write(header: str, hangzhou_user: User, tmp_path: Path) -> None:
    columns = ["统一社会信用代码", "企业名称", "地区", "行业"]
    columns[2 if header.lower().startswith(("地区", "所在", "region")) else 3] = header
    path = write_csv(tmp_path / "e.csv", columns, [[new_uscc(), "甲公司", "330102", "34"]])
    assert run(hangzhou_user, path)[0] == []
    assert Enterprise.objects.filter(name="甲公司").exists()


def test_example_code_is_valid() -> None:
    assert normalize_uscc(EXAMPLE_USCC) == EXAMPLE_USCC


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_xlsx_template_explains_every_column_and_its_example_is_not_imported(
        language: str, hangzhou_user: User, client: Any, tmp_path: Path) -> None:
    client.force_login(hangzhou_user)
    client.cookies["django_language"] = language
    book = load_workbook(io.BytesIO(download(client, "/imports/template.xlsx")))
    first, second, readme = book.worksheets
    assert [c.value for c in first[1]] == _headers(ENTERPRISE_COLUMNS, language, "header")
    assert [c.value for c in second[1]] == _headers(INDICATOR_TABLE_COLUMNS, language, "header")
    assert first.cell(2, 1).value == EXAMPLE_USCC and second.cell(2, 1).value == EXAMPLE_USCC
    assert all(cell.comment for cell in first[1])
    explained = {row[2]: row for row in readme.iter_rows(min_row=4, values_only=True)}
    assert set(explained) == set(ENTERPRISE_COLUMNS) | set(INDICATOR_TABLE_COLUMNS)
    assert all(row[5] for row in explained.values())  # every column explained
    assert explained["revenue"][3] == ("元" if language == "zh-hans" else "yuan")
    assert explained["defect_rate"][3] == "%"
    # As downloaded, the template imports nothing: its example rows are skipped, not data.
    book.save(tmp_path / "as-downloaded.xlsx")
    errors, counted = changes(run(hangzhou_user, tmp_path / "as-downloaded.xlsx"))
    assert [(e["row"], e["column"], e["message"].msgid) for e in errors] == [(2, "", "文件只有表头，没有数据行")]
    assert counted == (0, 0, 0, 0)
    # Filled in below the example, the typed rows go in.
    code = new_uscc()
    first.append([{"uscc": code, **ENTERPRISE}[c] for c in ENTERPRISE_COLUMNS])
    second.append([{"uscc": code, **INDICATOR, "defect_rate": "3.97%", "stage": "数字化"}[c]
                   for c in INDICATOR_TABLE_COLUMNS])
    book.save(tmp_path / "filled.xlsx")
    assert changes(run(hangzhou_user, tmp_path / "filled.xlsx")) == ([], (1, 0, 1, 0))
    assert not Enterprise.objects.filter(uscc=EXAMPLE_USCC).exists()
    assert Indicator.objects.get(enterprise__uscc=code).defect_rate == pytest.approx(0.0397)
    # The indicator sheet's stage is the stage of its row's year, beside this year's from the enterprise sheet.
    assert StageRecord.objects.filter(enterprise__uscc=code, year=2020).get().stage == "digitization"


def test_csv_template_has_label_and_code_headers_and_an_example(hangzhou_user: User, client: Any) -> None:
    client.force_login(hangzhou_user)
    rows = list(csv.reader(io.StringIO(download(client, "/imports/template.indicators.csv").decode("utf-8-sig"))))
    assert rows[0][:3] == ["统一社会信用代码 [uscc]", "年份 [year]", "月份 [month]"]
    assert "主营业务收入（元） [revenue]" in rows[0]
    assert rows[1][0] == EXAMPLE_USCC and len(rows) == 2


def _failed_job(user: User, tmp_path: Path) -> ImportJob:
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = [[new_uscc(), "甲公司", "330102", "99"], ["X", "乙公司", "330102", "34"]]
    path = write_csv(tmp_path / "bad.csv", ["uscc", "name", "region", "industry"], rows)
    with translation.override("zh-hans"):  # uploaded by a Chinese reader
        return import_job_create(by=user, upload=SimpleUploadedFile("bad.csv", path.read_bytes()), dry_run=False)


def test_errors_are_stored_with_their_code_and_shown_in_the_readers_language(hangzhou_user: User, client: Any,
                                                                            tmp_path: Path) -> None:
    job = _failed_job(hangzhou_user, tmp_path)
    job.refresh_from_db()
    industry = next(e for e in job.errors if e["column"] == "industry")
    assert industry["code"].startswith("“%(c)s”不是国民经济行业分类") and industry["params"] == {"c": "99"}
    client.force_login(hangzhou_user)
    zh = client.get(f"/imports/{job.id}/").content.decode()
    assert "行业代码" in zh and "“99”不是国民经济行业分类" in zh
    client.cookies["django_language"] = "en"
    en = client.get(f"/imports/{job.id}/").content.decode()
    table = en[en.index('data-testid="import-errors"'):]
    assert "Industry code" in table and "不是" not in table and "统一社会信用代码" not in table
    assert "“99”" in table or '"99"' in table


def test_the_report_downloads_in_the_readers_language(hangzhou_user: User, client: Any, tmp_path: Path) -> None:
    job = _failed_job(hangzhou_user, tmp_path)
    client.force_login(hangzhou_user)
    client.cookies["django_language"] = "en"
    assert 'data-testid="import-report"' in client.get(f"/imports/{job.id}/").content.decode()
    response = client.get(f"/imports/{job.id}/errors.xlsx")
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [(r[1], r[3]) for r in rows] == [(e["row"], e["column"]) for e in job.errors]
    assert any(r[2] == "Industry code" for r in rows) and all("不是" not in str(r[4]) for r in rows)


def test_errors_stored_before_codes_stay_readable(hangzhou_user: User, client: Any) -> None:
    job = ImportJob.objects.create(created_by=hangzhou_user, filename="old.csv", status="failed",
                                   errors=[{"row": 3, "column": "industry", "message": "“99”不是制造业代码"}])
    client.force_login(hangzhou_user)
    client.cookies["django_language"] = "en"
    page = client.get(f"/imports/{job.id}/").content.decode()
    assert "“99”不是制造业代码" in page and "Industry code" in page
    assert client.get(f"/imports/{job.id}/errors.xlsx").status_code == 200


def test_a_formula_in_an_error_is_written_as_text(hangzhou_user: User, client: Any) -> None:
    job = ImportJob.objects.create(created_by=hangzhou_user, filename="=cmd.csv", status="failed",
                                   errors=[{"row": 2, "column": "name", "message": "=HYPERLINK(1)"}])
    client.force_login(hangzhou_user)
    sheet = load_workbook(io.BytesIO(b"".join(client.get(f"/imports/{job.id}/errors.xlsx").streaming_content))).active
    assert sheet.cell(1, 2).data_type == "s" and sheet.cell(4, 5).data_type == "s"


@pytest.mark.parametrize(("typed", "stored"), [("3.97%", 0.0397), ("0.0397", 0.0397), (0.0397, 0.0397),
                                               ("100%", 1.0), (" 2 %", 0.02)])
def test_one_parser_reads_percentages_for_the_api_and_the_import(typed: Any, stored: float, hangzhou_user: User,
                                                                 make_enterprise: Any, api_client: Any,
                                                                 tmp_path: Path) -> None:
    from zhigai.base.fields import parse_ratio
    from zhigai.base.validation import FAST_INDICATOR_PARSERS

    assert parse_ratio(typed) == pytest.approx(stored) == FAST_INDICATOR_PARSERS["defect_rate"](typed)
    uscc = make_enterprise().uscc
    response = api_client(hangzhou_user).put(f"/api/v1/enterprises/{uscc}/indicators/2020",
                                             {"defect_rate": typed}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["defect_rate"] == pytest.approx(stored)
    path = write_csv(tmp_path / "i.csv", ["uscc", "year", "defect_rate"], [[uscc, "2021", str(typed)]])
    assert run(hangzhou_user, path)[0] == []
    assert Indicator.objects.get(enterprise__uscc=uscc, year=2021).defect_rate == pytest.approx(stored)


@pytest.mark.parametrize("typed", ["3.97", "120%", "-1%", "%", "abc%"])
def test_shares_out_of_range_are_refused_everywhere(typed: str) -> None:
    from zhigai.base.fields import FieldError, parse_ratio
    from zhigai.base.validation import FAST_INDICATOR_PARSERS

    for parse in (parse_ratio, FAST_INDICATOR_PARSERS["defect_rate"]):
        with pytest.raises(FieldError):
            parse(typed)
