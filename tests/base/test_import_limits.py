"""Files that lie (issue 9): a sheet's declared size, caps on size, rows, columns and unpacked size, what
a web request may parse, bounded memory, and how long a stored upload is kept."""

from __future__ import annotations

import datetime as dt
import re
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.base.test_import import (
    ENTERPRISE_COLUMNS,
    INDICATOR_COLUMNS,
    Api,
    Make,
    ent,
    ind,
    run,
    upload,
    write_csv,
    write_xlsx,
)
from tests.conftest import new_uscc
from zhigai.base import importer
from zhigai.base.importer import import_files_purge, import_job_run
from zhigai.base.models import Enterprise, ImportJob, Indicator
from zhigai.core.models import User


def rewrite_sheet(path: Path, change: Any, sheet: str = "xl/worksheets/sheet1.xml") -> Path:
    """Rewrite one part of a saved workbook (a zip archive) with change(xml) -> xml."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info.filename, change(data.decode()).encode() if info.filename == sheet else data)
    return path


def declare(path: Path, ref: str) -> Path:
    return rewrite_sheet(path, lambda xml: re.sub(r'<dimension ref="[^"]*"', f'<dimension ref="{ref}"', xml))


def test_a_sheet_declaring_fewer_rows_than_it_has_imports_them_all(hangzhou_user: User, tmp_path: Path) -> None:
    codes = [new_uscc() for _ in range(10)]
    path = declare(write_xlsx(tmp_path / "f.xlsx", enterprises=[ent(c) for c in codes]), "A1:D3")
    assert '<dimension ref="A1:D3"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    errors, summary = run(hangzhou_user, path)
    assert errors == []
    assert summary["enterprises_created"] == 10  # not 2 (rows 2-3), nor only columns A-D
    assert set(Enterprise.objects.values_list("uscc", flat=True)) == set(codes)
    assert {e.founded_year for e in Enterprise.objects.all()} == {2005}  # column E was read too


def test_a_sheet_declaring_the_whole_grid_is_read_fast(hangzhou_user: User, tmp_path: Path) -> None:
    """A1:XFD1048576 and a formatted empty row at the very bottom: a few KB that used to take minutes."""
    codes = [new_uscc() for _ in range(3)]
    path = write_xlsx(tmp_path / "f.xlsx", enterprises=[ent(c) for c in codes])
    bottom = '<row r="1048576" s="1" customFormat="1"/></sheetData>'
    path = rewrite_sheet(declare(path, "A1:XFD1048576"), lambda xml: xml.replace("</sheetData>", bottom))
    assert path.stat().st_size < 10_000
    start = time.perf_counter()
    errors, summary = run(hangzhou_user, path)
    assert time.perf_counter() - start < 10
    assert errors == []
    assert summary["enterprises_created"] == 3


def test_a_sheet_with_rows_beyond_excels_last_stops_at_once(hangzhou_user: User, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "f.xlsx", enterprises=[ent(new_uscc())])
    path = rewrite_sheet(path, lambda xml: xml.replace("</sheetData>", '<row r="999999999"/></sheetData>'))
    start = time.perf_counter()
    errors, _summary = run(hangzhou_user, path)
    assert time.perf_counter() - start < 10
    assert errors and "损坏" in errors[0]["message"]
    assert Enterprise.objects.count() == 0


def test_rows_beyond_the_cap_stop_the_import(hangzhou_user: User, settings: Any, tmp_path: Path) -> None:
    settings.IMPORT_MAX_ROWS = 3
    path = write_csv(tmp_path / "f.csv", ENTERPRISE_COLUMNS, [ent(new_uscc()) for _ in range(4)])
    errors, _summary = run(hangzhou_user, path)
    assert len(errors) == 1
    assert errors[0]["row"] == 5
    assert "IMPORT_MAX_ROWS" in errors[0]["message"] and "3行" in errors[0]["message"]
    assert Enterprise.objects.count() == 0
    settings.IMPORT_MAX_ROWS = 4
    assert run(hangzhou_user, path)[0] == []


def test_columns_beyond_the_cap_are_refused(hangzhou_user: User, settings: Any, tmp_path: Path) -> None:
    settings.IMPORT_MAX_COLUMNS = 5
    path = write_xlsx(tmp_path / "f.xlsx", enterprises=[ent(new_uscc())])
    errors, _summary = run(hangzhou_user, path)
    assert len(errors) == 1
    assert "IMPORT_MAX_COLUMNS" in errors[0]["message"] and f"{len(ENTERPRISE_COLUMNS)}列" in errors[0]["message"]


def test_an_upload_beyond_the_size_cap_is_refused(hangzhou_user: User, api_client: Api, client: Any,
                                                  settings: Any, tmp_path: Path) -> None:
    settings.IMPORT_MAX_BYTES = 300
    path = write_csv(tmp_path / "f.csv", ENTERPRISE_COLUMNS, [ent(new_uscc()) for _ in range(5)])
    assert path.stat().st_size > 300
    response = upload(api_client(hangzhou_user), path)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "too_large"
    assert "IMPORT_MAX_BYTES" in body["message"] and "300" in body["message"]
    assert ImportJob.objects.count() == 0
    assert not list((Path(settings.MEDIA_ROOT) / "imports").rglob("*.csv"))
    client.force_login(hangzhou_user)
    with open(path, "rb") as handle:
        page = client.post("/imports/", {"file": handle}, follow=True)
    assert "IMPORT_MAX_BYTES" in page.content.decode()
    assert ImportJob.objects.count() == 0


def bomb(path: Path, megabytes: int) -> Path:
    """A good workbook with one more part that unpacks to `megabytes` of zeros (a few KB packed)."""
    write_xlsx(path, enterprises=[ent(new_uscc())])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/zeros.bin", b"\0" * (megabytes << 20))
    return path


def test_a_zip_bomb_is_refused_unopened(hangzhou_user: User, api_client: Api, settings: Any,
                                        tmp_path: Path) -> None:
    settings.IMPORT_MAX_UNPACKED_BYTES = 8 << 20
    path = bomb(tmp_path / "bomb.xlsx", 64)
    assert path.stat().st_size < 200_000
    errors, _summary = run(hangzhou_user, path)
    assert len(errors) == 1 and "IMPORT_MAX_UNPACKED_BYTES" in errors[0]["message"]
    response = upload(api_client(hangzhou_user), path)
    assert (response.status_code, response.json()["code"]) == (422, "too_large")
    assert ImportJob.objects.count() == 0
    assert Enterprise.objects.count() == 0


def test_a_request_parses_no_workbook_that_unpacks_large(hangzhou_user: User, api_client: Api, settings: Any,
                                                         tmp_path: Path) -> None:
    """Small to upload, large unpacked: the worker reads it, not the web request."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.IMPORT_BACKGROUND_UNPACKED_BYTES = 1 << 20
    path = bomb(tmp_path / "wide.xlsx", 4)
    assert path.stat().st_size < settings.IMPORT_BACKGROUND_BYTES
    client = api_client(hangzhou_user)
    job_id = upload(client, path).json()["id"]
    assert client.get(f"/api/v1/imports/{job_id}").json()["status"] == "pending"
    assert Enterprise.objects.count() == 0
    import_job_run(job_id=job_id)
    assert client.get(f"/api/v1/imports/{job_id}").json()["status"] == "succeeded"
    assert Enterprise.objects.count() == 1


def test_validation_in_chunks_gives_the_same_result(hangzhou_user: User, make_enterprise: Make,
                                                    monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    codes = [make_enterprise().uscc for _ in range(3)]
    rows = [ind(c, year=str(y)) for c in codes for y in (2018, 2019, 2020)]
    rows.append(ind(codes[0], year="2018", revenue="1"))  # the same period as row 2, in another chunk
    rows.append(ind(codes[1], year="2017", robots="many"))
    path = write_csv(tmp_path / "i.csv", INDICATOR_COLUMNS, rows)
    whole = run(hangzhou_user, path)
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    assert run(hangzhou_user, path) == whole
    assert [(e["row"], e["column"]) for e in whole[0]] == [(11, "year"), (12, "robots")]
    assert "第2行" in whole[0][0]["message"]
    good = write_csv(tmp_path / "g.csv", INDICATOR_COLUMNS, rows[:9])
    assert run(hangzhou_user, good) == ([], {"rows": 9, "enterprises": 0, "indicators": 9,
                                            "indicators_created": 9, "indicators_updated": 0})
    assert Indicator.objects.count() == 9


def test_memory_stays_bounded_by_the_chunk_not_the_file(hangzhou_user: User, tmp_path: Path) -> None:
    """A dry run of a 3 MB enterprise file: the rows stream, so the peak is a fraction of what they make."""
    path = write_csv(tmp_path / "f.csv", ENTERPRISE_COLUMNS,
                     [ent(new_uscc(), name=f"杭州精工机械有限公司{k}") for k in range(30_000)])
    size = path.stat().st_size
    tracemalloc.start()
    try:
        errors, summary = run(hangzhou_user, path, dry_run=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (errors, summary["enterprises"]) == ([], 30_000)
    assert peak < 6 * size, f"peak {peak:,} bytes for a {size:,}-byte file"


def job_file(job_id: int) -> str:
    return ImportJob.objects.get(id=job_id).file.name or ""


def test_stored_uploads_are_deleted_or_expire(hangzhou_user: User, api_client: Api, settings: Any,
                                              tmp_path: Path) -> None:
    client = api_client(hangzhou_user)
    good = write_csv(tmp_path / "good.csv", ENTERPRISE_COLUMNS, [ent(new_uscc())])
    bad = write_csv(tmp_path / "bad.csv", ENTERPRISE_COLUMNS, [ent("wrong")])
    dry_id = upload(client, good, dry_run=True).json()["id"]
    bad_id = upload(client, bad).json()["id"]
    real_id = upload(client, good).json()["id"]
    media = Path(settings.MEDIA_ROOT)
    # A dry run and a refused file are of no further use: their files go, their jobs stay.
    for job_id in (dry_id, bad_id):
        assert job_file(job_id) == ""
        assert client.get(f"/api/v1/imports/{job_id}").json()["summary"] or ImportJob.objects.get(id=job_id).errors
    assert ImportJob.objects.get(id=bad_id).errors
    assert ImportJob.objects.get(id=dry_id).summary["enterprises"] == 1
    # A written file is the record of what was written: kept IMPORT_KEEP_DAYS days, then deleted.
    kept = media / job_file(real_id)
    assert kept.is_file()
    assert import_files_purge() == 0
    later = timezone.now() + dt.timedelta(days=settings.IMPORT_KEEP_DAYS, minutes=1)
    assert import_files_purge(now=later) == 1
    assert not kept.exists()
    job = ImportJob.objects.get(id=real_id)
    assert (job.file.name, job.status, job.summary["enterprises_created"]) == ("", "succeeded", 1)
    assert sorted(p.name for p in (media / "imports").rglob("*") if p.is_file()) == []


def test_purge_imports_command(settings: Any, hangzhou_user: User, api_client: Api, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    from zhigai.cli import cmd_purge_imports

    job_id = upload(api_client(hangzhou_user), write_csv(tmp_path / "g.csv", ENTERPRISE_COLUMNS,
                                                         [ent(new_uscc())])).json()["id"]
    settings.IMPORT_KEEP_DAYS = 0
    ImportJob.objects.filter(id=job_id).update(finished=timezone.now() - dt.timedelta(seconds=1))
    assert job_file(job_id)
    assert cmd_purge_imports(None) == 0  # type: ignore[arg-type]  # takes no arguments
    assert "Deleted 1" in capsys.readouterr().out
    assert job_file(job_id) == ""
