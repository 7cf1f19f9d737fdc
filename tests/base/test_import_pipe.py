"""The import's write beside its validation (base/import_pipe.py), as it runs outside any transaction on
PostgreSQL, in a child process: what it writes is what the sequential write writes; an error anywhere in the
file, a failure of the write, the writer's death or the importer's own failure leave nothing; inside a
caller's transaction (every other test) it writes in order."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests.base.test_import import ent, ind, run, write_csv
from tests.conftest import new_uscc
from zhigai.base import import_pipe
from zhigai.base.import_write import ImportWrite
from zhigai.base.models import Enterprise, Indicator, Region, StageRecord
from zhigai.base.validation import ENTERPRISE_COLUMNS, INDICATOR_COLUMNS
from zhigai.core.models import AuditLog, Role, User

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL"), reason="the pipe runs on PostgreSQL only")


@pytest.fixture
def committed(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The test database without a test transaction: what is written is committed (the write runs on its own
    connection and must see the officer), and no flush follows, which would take this worker's reference data
    with it: each test removes what it wrote (`officer`)."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def officer(committed: None, settings: Any) -> Iterator[User]:
    settings.IMPORT_BACKGROUND_BYTES = 100_000  # the files here are of a few hundred kilobytes
    user = User.objects.create(username="pipe-province", role=Role.PROVINCE,
                               region=Region.objects.get(code="330000"))
    codes: list[str] = []
    user.codes = codes  # type: ignore[attr-defined]  (the tests add the codes they import)
    yield user
    Indicator.objects.filter(enterprise__uscc__in=codes).delete()
    StageRecord.objects.filter(enterprise__uscc__in=codes).delete()
    Enterprise.objects.filter(uscc__in=codes).delete()
    AuditLog.objects.filter(actor=user).delete()
    user.delete()


@pytest.fixture
def pipes(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    made: list[Any] = []
    original = import_pipe.WritePipe.__init__

    def spy(self: Any, **kwargs: Any) -> None:
        made.append(self)
        original(self, **kwargs)

    monkeypatch.setattr(import_pipe.WritePipe, "__init__", spy)
    return made


def _files(tmp_path: Path, codes: list[str], *, bad_last: bool = False) -> tuple[Path, Path]:
    enterprises = write_csv(tmp_path / "e.csv", ENTERPRISE_COLUMNS, [ent(c) for c in codes])
    rows = [ind(c, year=str(y)) for c in codes for y in range(2014, 2021)]
    if bad_last:
        rows[-1] = ind(codes[-1], year="2021", revenue="many")
    return enterprises, write_csv(tmp_path / "i.csv", INDICATOR_COLUMNS, rows)


def _trail(user: User, codes: list[str]) -> dict[str, int]:
    entries = AuditLog.objects.filter(actor=user, action="import", subject__in=codes)
    return {entity: entries.filter(entity=entity).count() for entity in ("enterprise", "indicator", "stage")}


def test_the_pipe_writes_what_the_sequential_write_writes(officer: User, pipes: list[Any], tmp_path: Path,
                                                          settings: Any) -> None:
    piped, sequential = [new_uscc() for _ in range(7000)], [new_uscc() for _ in range(7000)]  # > a chunk
    officer.codes += piped + sequential  # type: ignore[attr-defined]
    assert not connection.in_atomic_block
    results = []
    for codes, pipeline in ((piped, True), (sequential, False)):
        settings.IMPORT_PIPELINE = pipeline
        enterprises, indicators = _files(tmp_path, codes)
        results.append((run(officer, enterprises), run(officer, indicators)))
    assert len(pipes) == 2, "the first two files went through the pipe, the others not"
    assert results[0] == results[1] and results[0][1][0] == []
    assert results[0][1][1]["indicators_created"] == 49000
    for codes in (piped, sequential):
        assert Enterprise.objects.filter(uscc__in=codes).count() == 7000
        assert Indicator.objects.filter(enterprise__uscc__in=codes).count() == 49000
    assert _trail(officer, piped) == _trail(officer, sequential) != {"enterprise": 0, "indicator": 0, "stage": 0}


def test_an_error_in_the_last_row_leaves_nothing(officer: User, pipes: list[Any], tmp_path: Path) -> None:
    codes = [new_uscc() for _ in range(6000)]
    officer.codes += codes  # type: ignore[attr-defined]
    enterprises, indicators = _files(tmp_path, codes, bad_last=True)
    assert run(officer, enterprises)[0] == []
    errors, _summary = run(officer, indicators)
    assert [(e["row"], e["column"]) for e in errors] == [(len(codes) * 7 + 1, "revenue")]
    assert len(pipes) == 2
    assert not Indicator.objects.filter(enterprise__uscc__in=codes).exists(), "the chunks written were rolled back"
    assert not AuditLog.objects.filter(actor=officer, entity="indicator").exists()


def _breaking(monkeypatch: pytest.MonkeyPatch, name: str, fail: Any) -> None:
    """ImportWrite.<name> fails (`fail()`) at its second chunk: in the writer process, forked after this."""
    original = getattr(ImportWrite, name)
    calls = []

    def broken(self: Any, columns: Any, rows: Any) -> None:
        calls.append(len(rows))
        if len(calls) == 2:
            fail()
        original(self, columns, rows)

    monkeypatch.setattr(ImportWrite, name, broken)


def _disk_full() -> None:
    raise RuntimeError("disk full")


def test_a_failure_of_the_write_reaches_the_importer_and_leaves_nothing(
        officer: User, pipes: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    codes = [new_uscc() for _ in range(6000)]
    officer.codes += codes  # type: ignore[attr-defined]
    enterprises, _indicators = _files(tmp_path, codes)
    _breaking(monkeypatch, "enterprises", _disk_full)
    with pytest.raises(RuntimeError, match="disk full") as raised:
        run(officer, enterprises)
    assert "in the import's writer process" in "".join(raised.value.__notes__)
    assert not Enterprise.objects.filter(uscc__in=codes).exists()
    assert pipes[0]._process.exitcode == 0, "the writer ended by itself, once rolled back"


def test_the_writer_s_death_reaches_the_importer_and_leaves_nothing(
        officer: User, pipes: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    codes = [new_uscc() for _ in range(6000)]
    officer.codes += codes  # type: ignore[attr-defined]
    enterprises, indicators = _files(tmp_path, codes)
    assert run(officer, enterprises)[0] == []
    _breaking(monkeypatch, "indicators", lambda: os._exit(9))  # as if killed: no word, no rollback
    with pytest.raises(RuntimeError, match="ended early"):
        run(officer, indicators)
    assert pipes[1]._process.exitcode == 9
    assert Enterprise.objects.filter(uscc__in=codes).count() == 6000
    assert not Indicator.objects.filter(enterprise__uscc__in=codes).exists(), "the server rolled the write back"


def test_the_importer_s_failure_rolls_the_writer_back(officer: User, pipes: list[Any], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from zhigai.base import importer

    codes = [new_uscc() for _ in range(11000)]
    officer.codes += codes  # type: ignore[attr-defined]
    enterprises, _indicators = _files(tmp_path, codes)
    original = importer._Validator._enterprise
    seen = []

    def failing(self: Any, *args: Any) -> None:
        seen.append(1)
        if len(seen) == 10500:  # two chunks sent, then the importer fails
            raise MemoryError
        original(self, *args)

    monkeypatch.setattr(importer._Validator, "_enterprise", failing)
    with pytest.raises(MemoryError):
        run(officer, enterprises)
    assert pipes[0]._process.exitcode == 0
    assert not Enterprise.objects.filter(uscc__in=codes).exists()


@pytest.mark.django_db
def test_inside_a_transaction_the_write_follows_the_validation(hangzhou_user: User, pipes: list[Any],
                                                               tmp_path: Path, settings: Any) -> None:
    settings.IMPORT_BACKGROUND_BYTES = 0
    code = new_uscc()
    assert run(hangzhou_user, write_csv(tmp_path / "e.csv", ENTERPRISE_COLUMNS, [ent(code)]))[0] == []
    assert pipes == [] and Enterprise.objects.filter(uscc=code).exists()


def test_a_small_file_is_written_after_its_validation(officer: User, pipes: list[Any], tmp_path: Path,
                                                      settings: Any) -> None:
    settings.IMPORT_BACKGROUND_BYTES = 512 * 1024
    codes = [new_uscc() for _ in range(50)]
    officer.codes += codes  # type: ignore[attr-defined]
    assert run(officer, _files(tmp_path, codes)[0])[0] == []
    assert pipes == [] and Enterprise.objects.filter(uscc__in=codes).count() == 50
