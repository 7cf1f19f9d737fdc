"""Import of enterprises and indicators from CSV/XLSX (SPEC §2).

The whole file is validated first (pass 1, no writes, progress visible); only a file without a single
error is written (pass 2, one transaction, idempotent upserts chunk by chunk: import_write). Files above
IMPORT_BACKGROUND_BYTES run in the background worker.

Memory stays bounded whatever the file's size: the rows stream from the file (tabular.open_tables) and are
validated CHUNK_ROWS at a time; the clean rows wait for pass 2 in a temporary file (_Spool), and what the
whole file needs at once is small per row (the periods seen, for duplicates; the codes met).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django_tasks import task

from zhigai.core.audit import audit_record
from zhigai.core.errors import ErrorCode, InvalidInput, PermissionDenied
from zhigai.core.models import User
from zhigai.core.phrases import Phrase, reason
from zhigai.core.policy import require

from .import_pipe import WritePipe, pipe_possible
from .import_report import stored_error
from .import_stages import FileStages, default_stage_year, enterprise_row
from .import_write import ImportWrite
from .models import Enterprise, ImportJob, ImportStatus, Stage
from .policy import enterprise_scope
from .selectors import scoped_enterprises
from .spool import Spool as _Spool
from .spool import Tally
from .tabular import BeyondCap, FileProblem, Table, open_tables, xlsx_unpacked_bytes
from .uscc import USCCError, normalize_uscc
from .validation import INDICATOR_NAMES, IndicatorTable, Lookups, clean_enterprise_values

log = logging.getLogger(__name__)
SUMMARY_LABELS = {
    "rows": gettext_lazy("数据行"),
    "enterprises": gettext_lazy("企业记录"),
    "indicators": gettext_lazy("指标记录"),
    "enterprises_created": gettext_lazy("新增企业"),
    "enterprises_updated": gettext_lazy("更新企业"),
    "indicators_created": gettext_lazy("新增指标"),
    "indicators_updated": gettext_lazy("更新指标"),
    "stages": gettext_lazy("改造阶段（企业·年）"),
    "stages_recorded": gettext_lazy("新记录的改造阶段"),
}
MAX_ERRORS = 1000  # report at most this many; a file with more is surely the wrong file
CHUNK_ROWS = 5000  # rows validated at a time (the column checks of validation.IndicatorTable run per chunk)


@dataclass
class IndicatorRows:
    """The clean rows of one indicator table: each sheet of a workbook may have its own columns."""

    columns: list[str]
    # (uscc, year, month, values in `columns` order as the table stores them: money in whole fen)
    rows: _Spool = field(default_factory=_Spool)
    usccs: set[str] = field(default_factory=set)  # the enterprises of `rows`


@dataclass
class Plan:
    """What pass 1 found: clean rows ready to write, or the errors that stop the import."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    enterprises: _Spool = field(init=False)
    enterprise_columns: list[str] = field(default_factory=list)
    indicator_tables: list[IndicatorRows] = field(default_factory=list)
    stages: FileStages = field(default_factory=FileStages)  # the stage by enterprise and year, both tables
    rows: int = 0
    # Pass 2 beside pass 1 (import_pipe): each clean chunk is sent as it is kept, until the first error, and
    # only counted here.
    sink: Callable[[tuple[Any, ...]], None] | None = None

    def __post_init__(self) -> None:
        self.enterprises = self.spool()

    def spool(self) -> _Spool:
        return _Spool() if self.sink is None else Tally()

    def send(self, *item: Any) -> None:
        if self.sink is not None and not self.errors:
            self.sink(item)

    def close(self) -> None:
        self.enterprises.close()
        self.stages.close()
        for table in self.indicator_tables:
            table.rows.close()

    @property
    def indicator_count(self) -> int:
        return sum(len(t.rows) for t in self.indicator_tables)

    def error(self, row: int, column: str, message: str, sheet: str | None) -> None:
        if len(self.errors) < MAX_ERRORS:
            item: dict[str, Any] = {"row": row, "column": column, "message": message}
            if sheet:
                item["sheet"] = sheet
            self.errors.append(item)


class _Validator:
    def __init__(self, user: User, progress: Callable[[float], None]):
        require(user, "base.import.create", message=_("您的角色不能导入企业数据"))
        scope = enterprise_scope(user)
        self.lookups = Lookups.load(writable_region_ids=None if scope.region_ids is None else set(scope.region_ids))
        # Existing enterprises the user may write: code -> stage; others exist but are out of reach.
        # order_by(): lookups need no order, and enterprises sort by name (a sort of the whole table).
        self.writable = dict(scoped_enterprises(scope).order_by().values_list("uscc", "stage"))
        self.progress = progress
        self.this_year = default_stage_year()  # of a stage given without a year; read once, not per row
        self._codes: dict[str, tuple[str | None, str]] = {}  # cell text -> (code, error message)
        self._numbers: dict[str, int] = {}  # code -> a small number, for the periods seen (_period)
        self._read: Callable[[], float] = lambda: 0.0
        self._shown = 0.0
        self._existing_others: set[str] | None = None  # enterprises out of the user's reach, read if needed

    def run(self, tables: list[Table], sink: Callable[[tuple[Any, ...]], None] | None = None) -> Plan:
        """Validate the tables' rows as they stream, sending the clean ones to `sink` as they are kept; a
        FileProblem (a cap, damage) stops it and propagates."""
        plan = Plan(sink=sink)
        self._read = getattr(tables, "fraction", self._read)  # tabular.Tables: how much has been read
        tables = sorted(tables, key=lambda t: t.kind != "enterprises")  # enterprises first
        file_usccs: set[str] = set()
        try:
            for table in tables:
                start = len(plan.errors)
                if table.kind == "enterprises":
                    self._enterprises(table, plan, file_usccs)
                else:
                    self._indicators(table, plan, file_usccs)
                for problem in table.problems:  # rows with more cells than the header
                    plan.error(problem["row"], problem["column"], problem["message"], table.sheet)
                plan.errors[start:] = sorted(plan.errors[start:], key=lambda e: int(e["row"]))
        except BaseException:
            plan.close()
            raise
        return plan

    def _chunks(self, table: Table, plan: Plan) -> Iterator[list[tuple[int, list[object]]]]:
        rows = iter(table.rows)
        while chunk := list(islice(rows, CHUNK_ROWS)):
            plan.rows += len(chunk)
            yield chunk
            shown = min(0.9 * self._read(), 0.9)
            if shown >= self._shown + 0.01:
                self._shown = shown
                self.progress(shown)

    def _period(self, uscc: str, year: int, month: int) -> int:
        """(code, year, month) as one int: a file's periods are kept to find the same one twice."""
        number = self._numbers.setdefault(uscc, len(self._numbers))
        return (number << 18) | (year << 4) | month

    def _uscc(self, raw: object, number: int, plan: Plan, sheet: str | None) -> str | None:
        code, message = self._code(raw)
        if message:
            plan.error(number, "uscc", message, sheet)
        return code

    def _code(self, raw: object) -> tuple[str | None, str]:
        """(the code, "") or (None, what is wrong with it)."""
        # An indicator file repeats each code once per period: check each distinct text once.
        known = self._codes.get(raw) if type(raw) is str else None
        if known is None:
            try:
                known = (normalize_uscc(raw), "")
            except USCCError as exc:
                known = (None, reason(exc))
            if type(raw) is str:
                self._codes[raw] = known
        return known

    def _enterprises(self, table: Table, plan: Plan, file_usccs: set[str]) -> None:
        columns = table.columns
        plan.enterprise_columns = columns
        first_row: dict[str, int] = {}  # code -> its row, and the stage and year it gives (enterprise_row)
        plan.stages.enterprise_tables.append(first_row)
        for chunk in self._chunks(table, plan):
            clean_rows: list[dict[str, Any]] = []
            for number, cells in chunk:
                self._enterprise(columns, number, cells, table, plan, file_usccs, first_row, clean_rows)
            plan.enterprises.add(clean_rows)
            if clean_rows:
                plan.send("enterprises", columns, clean_rows)

    def _enterprise(
        self,
        columns: list[str],
        number: int,
        cells: list[object],
        table: Table,
        plan: Plan,
        file_usccs: set[str],
        first_row: dict[str, int],
        out: list[dict[str, Any]],
    ) -> None:
        raw = dict(zip(columns, cells, strict=True))
        try:  # each code once in an enterprise table: not kept in the cache of _code
            uscc: str | None = normalize_uscc(raw.pop("uscc"))
        except USCCError as exc:
            uscc = None
            plan.error(number, "uscc", reason(exc), table.sheet)
        clean, errors = clean_enterprise_values(raw, self.lookups)
        for column, message in errors:
            plan.error(number, column, message, table.sheet)
        if uscc is None:
            return
        if uscc in first_row:
            duplicate = Phrase(gettext_noop("与第%(n)d行的统一社会信用代码重复"),
                               {"n": FileStages.row_number(first_row[uscc])})
            plan.error(number, "uscc", duplicate, table.sheet)
            return
        given, year = clean.pop("stage", None), clean.pop("stage_year", None) or self.this_year
        first_row[uscc] = enterprise_row(number, None if errors else given, year)
        if uscc not in self.writable:
            if self._existing_others is None:
                everyone = set(Enterprise.objects.order_by().values_list("uscc", flat=True))
                self._existing_others = everyone - set(self.writable)
            if uscc in self._existing_others:
                plan.error(number, "uscc", Phrase(gettext_noop("该企业已登记在您管辖范围之外的地区")), table.sheet)
                return
        if errors:
            return
        if given is not None:  # recorded by the write (_write_stages)
            clean["stage_given"], clean["stage_year"] = given, year
        # The current stage of an enterprise that exists is the latest year's recorded (services.stage_record):
        # left as it is here, and moved by the stage records the write makes, if at all.
        clean["stage"] = self.writable.get(uscc) or given or Stage.MECHANIZATION.value
        clean["uscc"] = uscc
        file_usccs.add(uscc)
        out.append(clean)

    def _indicators(self, table: Table, plan: Plan, file_usccs: set[str]) -> None:
        out = IndicatorRows(columns=[c for c in table.columns if c in INDICATOR_NAMES], rows=plan.spool())
        plan.indicator_tables.append(out)
        uscc_at = table.columns.index("uscc")
        seen: dict[int, int] = {}  # _period -> its row number
        for chunk in self._chunks(table, plan):
            clean = IndicatorTable(table.columns, [cells for _number, cells in chunk])
            if not self._all_clean(clean, chunk, uscc_at, out, file_usccs, seen, plan):
                self._indicator_rows(clean, chunk, uscc_at, table.sheet, plan, out, file_usccs, seen)
            plan.stages.flush()
        plan.send("table_done")

    def _indicator_rows(
        self,
        clean: IndicatorTable,
        chunk: list[tuple[int, list[object]]],
        uscc_at: int,
        sheet: str | None,
        plan: Plan,
        out: IndicatorRows,
        file_usccs: set[str],
        seen: dict[int, int],
    ) -> None:
        rows = []
        for k, (number, cells) in enumerate(chunk):
            uscc = self._uscc(cells[uscc_at], number, plan, sheet)
            year, month, errors = clean.years[k], clean.months[k], clean.errors(k)
            for column, message in errors:
                plan.error(number, column, message, sheet)
            if uscc is None or year is None:
                continue
            if uscc not in self.writable and uscc not in file_usccs:
                plan.error(
                    number,
                    "uscc",
                    Phrase(
                        gettext_noop("企业%(c)s未登记或不在您的管辖范围内（可在同一文件的企业表中登记）"), {"c": uscc}
                    ),
                    sheet,
                )
                continue
            key = self._period(uscc, year, month)
            if key in seen:
                again = Phrase(gettext_noop("与第%(n)d行是同一企业同一期间"), {"n": seen[key]})
                plan.error(number, "year", again, sheet)
                continue
            seen[key] = number
            stage = clean.stages[k] if clean.stages is not None else None
            if stage is not None:
                conflict = plan.stages.conflict(key & ~15, uscc, year, stage)  # the year, whatever the month
                if conflict:
                    plan.error(number, "stage", conflict, sheet)
                    continue
                if not errors:
                    plan.stages.add(key & ~15, uscc, year, stage, number)
            if not errors:
                rows.append((uscc, year, month, clean.stored[k]))
                out.usccs.add(uscc)
        out.rows.add(rows)
        if rows:
            plan.send("indicators", out.columns, rows)

    def _all_clean(
        self,
        clean: IndicatorTable,
        chunk: list[tuple[int, list[object]]],
        uscc_at: int,
        out: IndicatorRows,
        file_usccs: set[str],
        seen: dict[int, int],
        plan: Plan,
    ) -> bool:
        """Take a chunk in which no row has a problem in one go, or do nothing and return False.

        The usual case of a large file: what the row loop of _indicators would do, at C speed. When any
        row has a problem, that loop runs instead and reports each one in its place.
        """
        uscc_cells = [cells[uscc_at] for _number, cells in chunk]
        if clean.bad_rows or not all(type(raw) is str for raw in uscc_cells):
            return False
        codes: dict[object, str] = {}
        numbers: dict[object, int] = {}
        for raw in set(uscc_cells):
            code, _message = self._code(raw)
            if code is None or (code not in self.writable and code not in file_usccs):
                return False
            codes[raw] = code
            numbers[raw] = self._numbers.setdefault(code, len(self._numbers)) << 18
        years = cast(list[int], clean.years)  # no row has a problem: every year is there
        keys = [n | (y << 4) | m for n, y, m in zip(map(numbers.__getitem__, uscc_cells), years, clean.months,
                                                     strict=True)]  # as _period
        if len(set(keys)) != len(keys) or not seen.keys().isdisjoint(keys):  # the same enterprise and period twice
            return False
        usccs = list(map(codes.__getitem__, uscc_cells))
        stages = plan.stages
        if clean.stages is not None and not stages.fits([key & ~15 for key in keys], usccs, years, clean.stages):
            return False  # a year given two stages: the row loop says where
        seen.update(zip(keys, [number for number, _cells in chunk], strict=True))
        if clean.stages is not None:
            for (number, _cells), key, uscc, year, stage in zip(chunk, keys, usccs, years, clean.stages, strict=True):
                if stage is not None:
                    stages.add(key & ~15, uscc, year, stage, number)
        out.usccs.update(codes.values())
        rows = list(zip(usccs, years, clean.months, clean.stored, strict=True))
        out.rows.add(rows)
        plan.send("indicators", out.columns, rows)
        return True


def _write(plan: Plan, *, user: User, filename: str) -> dict[str, int]:
    """Pass 2: what pass 1 kept, chunk by chunk as it was validated, in one transaction."""
    write = ImportWrite(user=user, filename=filename)
    with transaction.atomic():
        for records in plan.enterprises.chunks():
            write.enterprises(plan.enterprise_columns, records)
        for table in plan.indicator_tables:
            for rows in table.rows.chunks():
                write.indicators(table.columns, rows)
            write.table_done()
        recorded = write.finish(stages=len(plan.stages) > 0, indicator_stages=plan.stages.indicator_stages(),
                                enterprises=plan.enterprises)
        return _written(plan, write.results(recorded))


def _written(plan: Plan, results: dict[str, Any]) -> dict[str, int]:
    """The summary of a written file: its counts and what the write counted (ImportWrite.results)."""
    summary = {"enterprises": len(plan.enterprises), "indicators": plan.indicator_count}
    if len(plan.stages):
        summary["stages"] = len(plan.stages)
    if plan.enterprises:
        summary.update(results["counts"])
    if plan.indicator_count:
        summary.update(results["indicator_counts"])
    if len(plan.stages):
        summary["stages_recorded"] = results["recorded"]
    return summary


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Hold off the cycle collector while a file's millions of cells and rows are built and written.

    They are kept until the end, so every full collection would walk all of them again and again for
    nothing: it took about half of an import's time. Reference counting still frees everything else;
    cycles made meanwhile are collected once collection is back on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_file(
    *, user: User | None, path: Path, filename: str, dry_run: bool, progress: Callable[[float], None] = lambda _p: None
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Validate and (unless dry_run or any error) write one file. Returns (errors, summary)."""
    if user is None:  # a job whose user has since been removed
        raise PermissionDenied(_("您的角色不能导入企业数据"))
    with _cyclic_gc_paused():
        return _import_file(user=user, path=path, filename=filename, dry_run=dry_run, progress=progress)


def _import_file(
    *, user: User, path: Path, filename: str, dry_run: bool, progress: Callable[[float], None]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    validator = _Validator(user, progress)
    pipe = WritePipe(user=user, filename=filename) if pipe_possible(dry_run=dry_run, path=path) else None
    try:
        try:
            with open_tables(path, filename) as tables:
                plan = validator.run(tables, sink=pipe.send if pipe else None)
        except FileProblem as exc:  # unreadable, or beyond a cap: nothing else is reported
            return exc.problems, {}
        try:
            if not plan.rows and not plan.errors:
                return [{"row": 2, "column": "", "message": Phrase(gettext_noop("文件只有表头，没有数据行"))}], {}
            summary = {"rows": plan.rows, "enterprises": len(plan.enterprises), "indicators": plan.indicator_count}
            if len(plan.stages):
                summary["stages"] = len(plan.stages)
            if plan.errors or dry_run:
                return plan.errors, summary
            progress(0.9)
            if pipe is None:
                summary = {"rows": plan.rows, **_write(plan, user=user, filename=filename)}
            else:
                results = pipe.finish(stages=len(plan.stages) > 0, indicator_stages=plan.stages.indicator_stages())
                summary = {"rows": plan.rows, **_written(plan, results)}
        finally:
            plan.close()
    finally:
        if pipe is not None:
            pipe.stop()  # the writer's transaction rolled back unless finish() had it committed
    with open(path, "rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()[:16]
    audit_record(actor=user, action="import", entity="file", entity_id=digest, summary=filename, after=summary)
    return [], summary


def _too_large(message: str, name: str) -> InvalidInput:
    return InvalidInput(message, code=ErrorCode.TOO_LARGE, details=[{"field": "file", "message": name}])


def upload_check(upload: UploadedFile) -> bool:
    """Refuse an upload beyond the caps (before it is stored); True when it may be parsed in the request.

    A request parses only a file whose cost is bounded small: a CSV of at most IMPORT_BACKGROUND_BYTES,
    an Excel file of at most that which unpacks to at most IMPORT_BACKGROUND_UNPACKED_BYTES (read from the
    zip directory, nothing parsed). Everything else goes to the worker.
    """
    name = Path(upload.name or "upload").name
    size = upload.size or 0
    if size > settings.IMPORT_MAX_BYTES:
        raise _too_large(
            _("文件有%(size)s，超过了导入文件的大小上限（%(max)s，IMPORT_MAX_BYTES）。请拆分后分别导入。")
            % {"size": filesizeformat(size), "max": filesizeformat(settings.IMPORT_MAX_BYTES)},
            name,
        )
    small = size <= settings.IMPORT_BACKGROUND_BYTES
    if Path(name).suffix.lower() in (".xlsx", ".xlsm"):
        upload.seek(0)
        try:
            unpacked = xlsx_unpacked_bytes(upload)
        except BeyondCap as exc:
            raise _too_large(exc.problems[0]["message"], name) from None
        except FileProblem:  # not a readable archive: the job says so (and costs nothing to find out)
            unpacked = 0
        finally:
            upload.seek(0)
        small = small and unpacked <= settings.IMPORT_BACKGROUND_UNPACKED_BYTES
    return small


def import_job_create(*, by: User, upload: UploadedFile, dry_run: bool) -> ImportJob:
    """Store the upload and run it now (small) or in the worker (large)."""
    name = Path(upload.name or "upload").name
    if Path(name).suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        raise InvalidInput(_("只能导入 .csv 或 .xlsx 文件"), details=[{"field": "file", "message": name}])
    require(by, "base.import.create", message=_("您的角色不能导入企业数据"))
    in_request = upload_check(upload)
    job = ImportJob.objects.create(created_by=by, file=upload, filename=name, dry_run=dry_run)
    if not in_request:
        run_import.enqueue(job.id)
    else:
        import_job_run(job_id=job.id)
        job.refresh_from_db()
    return job


def import_job_run(*, job_id: int) -> None:
    job = ImportJob.objects.select_related("created_by").get(id=job_id)
    if job.status not in (ImportStatus.PENDING, ImportStatus.RUNNING):
        return  # already done: running a task twice changes nothing
    ImportJob.objects.filter(id=job.id).update(status=ImportStatus.RUNNING)

    def progress(fraction: float) -> None:
        ImportJob.objects.filter(id=job.id).update(progress=round(fraction, 3))

    try:
        errors, summary = import_file(
            user=job.created_by, path=Path(job.file.path), filename=job.filename, dry_run=job.dry_run, progress=progress
        )
    except PermissionDenied as exc:
        errors, summary = [{"row": 0, "column": "", "message": exc.message}], {}
    except Exception:
        # Never leave a job "running" for ever: the page would poll it endlessly.
        log.exception("import job %s failed", job_id)
        failed = Phrase(gettext_noop("导入时发生内部错误，已记录，请联系管理员。"))
        errors, summary = [{"row": 0, "column": "", "message": failed}], {}
    written = not errors and not job.dry_run
    ImportJob.objects.filter(id=job.id).update(
        status=ImportStatus.FAILED if errors else ImportStatus.SUCCEEDED,
        progress=1.0,
        errors=[stored_error(e) for e in errors],  # each with its code and parameters (import_report)
        summary=summary,
        finished=timezone.now(),
        **({} if written else {"file": ""}),
    )
    if not written:  # nothing was written: the upload is of no further use
        job.file.delete(save=False)
    import_files_purge()


def import_files_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the stored files of imports that finished more than IMPORT_KEEP_DAYS days ago.

    The job rows stay, with their errors and summary. Runs after every import job and as
    `zhigai purge-imports`; returns how many files were deleted.
    """
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.IMPORT_KEEP_DAYS)
    deleted = 0
    for job in ImportJob.objects.filter(finished__lt=cutoff).exclude(file="").only("id", "file"):
        job.file.delete(save=False)
        ImportJob.objects.filter(id=job.id).update(file="")
        deleted += 1
    return deleted


@task()
def run_import(job_id: int) -> None:
    """The background worker's side of a large import (the task is found by this module's path)."""
    import_job_run(job_id=job_id)
