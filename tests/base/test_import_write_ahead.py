"""The import's write ahead on PostgreSQL (core.write_ahead): the write begins while the file is still being
validated, in a thread's own transaction, and leaves exactly what the write after validation leaves — or
nothing, when the file turns out to have an error, the write fails or the file goes beyond a cap.

These tests commit (transactional_db), as an import outside tests does: a test's own open transaction makes
the import write after validation, since another connection could not see it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.base.test_import import counts, ent, ind, run, tables, write_xlsx
from tests.conftest import new_uscc
from zhigai.base import importer
from zhigai.base.import_write import ImportWrite
from zhigai.base.models import Enterprise, StageRecord
from zhigai.core import write_ahead
from zhigai.core.models import AuditLog, Role, User

pytestmark = pytest.mark.skipif("not __import__('os').environ.get('DATABASE_URL')",
                                reason="the write ahead runs on PostgreSQL only (SQLite: one writer at a time)")


@pytest.fixture
def officer(reference_reloaded: None, transactional_db: None) -> User:
    from zhigai.base.models import Region

    return User.objects.create_user(username="officer-ahead", password="x" * 12, role=Role.CITY,
                                    region=Region.objects.get(code="330100"))


@pytest.fixture
def aheads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[write_ahead.WriteAhead]]:
    """The write aheads the imports start, in 7-row chunks (an enterprise's rows cross chunks)."""
    started: list[write_ahead.WriteAhead] = []

    class Counted(write_ahead.WriteAhead):
        def __init__(self) -> None:
            super().__init__()
            started.append(self)

    monkeypatch.setattr(importer, "WriteAhead", Counted)
    monkeypatch.setattr(importer, "CHUNK_ROWS", 7)
    yield started
    assert not [t for t in threading.enumerate() if t.name == "write-ahead"], "a write ahead was left running"


def _state() -> dict[str, Any]:
    audits = sorted((a.entity, a.entity_id, a.subject, a.summary, json.dumps(a.before or {}, sort_keys=True),
                     json.dumps(a.after, sort_keys=True)) for a in AuditLog.objects.filter(action="import"))
    return {"tables": tables(), "audits": audits,
            "stages": sorted(StageRecord.objects.values_list("enterprise__uscc", "year", "stage", "source",
                                                             "reference")),
            "tags": sorted(Enterprise.tags.through.objects.values_list("enterprise__uscc", "tag__code"))}


def _two_loads(tmp_path: Path, codes: list[str]) -> tuple[Path, Path]:
    """A first load, then a file that changes enterprises and records, adds periods and enterprises."""
    first = write_xlsx(tmp_path / "first.xlsx",
                       enterprises=[ent(c, name=f"企业{i}", stage="digitization" if i % 3 else "automation")
                                    for i, c in enumerate(codes[:10])],
                       indicators=[ind(c, year=str(y), employees=str(250 + i)) for i, c in enumerate(codes[:10])
                                   for y in (2018, 2019, 2020)])
    second = write_xlsx(tmp_path / "second.xlsx",
                        enterprises=[ent(c, name=f"新名{i}", tags="traditional") for i, c in enumerate(codes[8:])],
                        indicators=[ind(c, year=str(y), revenue="26000000.00") for c in codes[6:]
                                    for y in (2020, 2021)])
    return first, second


def test_the_write_ahead_leaves_what_the_write_after_validation_leaves(
        officer: User, aheads: list[write_ahead.WriteAhead], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    codes = [new_uscc() for _ in range(13)]
    first, second = _two_loads(tmp_path, codes)
    results = [run(officer, first), run(officer, second)]
    assert len(aheads) == 2 and [errors for errors, _summary in results] == [[], []]
    ahead = _state()
    assert len(ahead["tables"][0]) == 13 and len(ahead["tables"][1]) == 30 + 14 - 4  # 2020 of codes 6..9 again

    Enterprise.objects.all().delete()
    AuditLog.objects.all().delete()
    monkeypatch.setattr(importer, "possible", lambda: False)
    after = [run(officer, first), run(officer, second)]
    assert len(aheads) == 2  # none more: written after validation
    assert after == results
    assert _state() == ahead


def test_an_error_late_in_the_file_leaves_nothing(officer: User, aheads: list[write_ahead.WriteAhead],
                                                  tmp_path: Path) -> None:
    codes = [new_uscc() for _ in range(6)]
    path = write_xlsx(tmp_path / "f.xlsx", enterprises=[ent(c) for c in codes],
                      indicators=[*(ind(c, year=str(y)) for c in codes for y in (2019, 2020)),
                                  ind(codes[0], year="2018", defect_rate="2")])
    before, snapshot = counts(), _state()
    errors, summary = run(officer, path)
    assert [(e["row"], e["column"]) for e in errors] == [(14, "defect_rate")]
    assert len(aheads) == 1 and summary["indicators"] == 12
    assert counts() == before and _state() == snapshot and not StageRecord.objects.exists()


def test_a_failing_write_is_raised_and_undone(officer: User, aheads: list[write_ahead.WriteAhead],
                                              monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = []
    real = ImportWrite.indicators

    def failing(self: ImportWrite, *args: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        real(self, *args)

    monkeypatch.setattr(ImportWrite, "indicators", failing)
    codes = [new_uscc() for _ in range(6)]
    path = write_xlsx(tmp_path / "f.xlsx", enterprises=[ent(c) for c in codes],
                      indicators=[ind(c, year=str(y)) for c in codes for y in (2018, 2019, 2020)])
    before = counts()
    with pytest.raises(RuntimeError, match="went away"):
        run(officer, path)
    assert len(aheads) == 1 and len(calls) == 2  # the chunks after the failure were skipped
    assert counts() == before and not StageRecord.objects.exists()


def test_a_file_beyond_a_cap_half_way_leaves_nothing(officer: User, aheads: list[write_ahead.WriteAhead],
                                                     settings: Any, tmp_path: Path) -> None:
    settings.IMPORT_MAX_ROWS = 10  # per table: the indicator table goes beyond it
    codes = [new_uscc() for _ in range(6)]
    path = write_xlsx(tmp_path / "f.xlsx", enterprises=[ent(c) for c in codes],
                      indicators=[ind(c, year=str(y)) for c in codes for y in (2018, 2019, 2020)])
    before = counts()
    errors, summary = run(officer, path)
    assert "IMPORT_MAX_ROWS" in str(errors[0]["message"]) and summary == {}
    assert len(aheads) == 1 and counts() == before


def test_nothing_is_seen_before_the_commit_and_a_dry_run_writes_nothing(
        officer: User, aheads: list[write_ahead.WriteAhead], tmp_path: Path) -> None:
    codes = [new_uscc() for _ in range(8)]
    path = write_xlsx(tmp_path / "f.xlsx", enterprises=[ent(c) for c in codes],
                      indicators=[ind(c, year=str(y)) for c in codes for y in range(2012, 2021)])
    seen: list[int] = []

    def progress(_fraction: float) -> None:  # during validation, on the importing thread's own connection
        seen.append(Enterprise.objects.filter(uscc__in=codes).count())

    errors, summary = importer.import_file(user=officer, path=path, filename=path.name, dry_run=True)
    assert not errors and summary["indicators"] == 72 and not aheads and not Enterprise.objects.exists()
    errors, _summary = importer.import_file(user=officer, path=path, filename=path.name, dry_run=False,
                                            progress=progress)
    assert not errors and len(aheads) == 1
    assert seen and set(seen) == {0}  # others see the write only once it is committed
    assert Enterprise.objects.filter(uscc__in=codes).count() == 8
    assert connection.vendor == "postgresql"
