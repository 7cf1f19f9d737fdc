"""Import of enterprises and indicators from CSV/XLSX (SPEC §2).

The whole file is validated first (pass 1, no writes, progress visible); only a file without a single
error is written (pass 2, one transaction, idempotent upserts). Files above IMPORT_BACKGROUND_BYTES run
in the background worker.
"""

from __future__ import annotations

import gc
import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_tasks import task

from zhigai.core.audit import audit_record
from zhigai.core.bulk import bulk_upsert, in_values
from zhigai.core.cache import areas_changed
from zhigai.core.errors import InvalidInput, PermissionDenied
from zhigai.core.models import User
from zhigai.core.policy import require

from .fields import money_fen_column
from .import_audit import enterprise_changes, indicator_changes
from .models import INDICATOR_FIELDS, Enterprise, ImportJob, ImportStatus, Indicator, Stage
from .policy import enterprise_scope
from .selectors import scoped_enterprises
from .services import enterprise_refresh_derived
from .tabular import FileProblem, Table, read_tables
from .uscc import USCCError, normalize_uscc
from .validation import IndicatorTable, Lookups, clean_enterprise_values

log = logging.getLogger(__name__)
SUMMARY_LABELS = {
    "rows": _lazy("数据行"),
    "enterprises": _lazy("企业记录"),
    "indicators": _lazy("指标记录"),
    "enterprises_created": _lazy("新增企业"),
    "enterprises_updated": _lazy("更新企业"),
    "indicators_created": _lazy("新增指标"),
    "indicators_updated": _lazy("更新指标"),
}
MAX_ERRORS = 1000  # report at most this many; a file with more is surely the wrong file
ENTERPRISE_DB_FIELDS = ["name", "region_id", "industry_id", "founded_year", "stage", "cluster_id"]


@dataclass
class IndicatorRows:
    """The clean rows of one indicator table: each sheet of a workbook may have its own columns."""

    columns: list[str]
    # (uscc, year, month, values in `columns` order; money may be its text: fields.money_texts)
    rows: list[tuple[str, int, int, Sequence[Any]]] = field(default_factory=list)


@dataclass
class Plan:
    """What pass 1 found: clean rows ready to write, or the errors that stop the import."""

    errors: list[dict[str, Any]] = field(default_factory=list)
    enterprises: list[dict[str, Any]] = field(default_factory=list)
    enterprise_columns: list[str] = field(default_factory=list)
    indicator_tables: list[IndicatorRows] = field(default_factory=list)
    rows: int = 0

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
        self._codes: dict[str, tuple[str | None, str]] = {}  # cell text -> (code, error message)

    def run(self, tables: list[Table]) -> Plan:
        plan = Plan()
        total = sum(len(t.rows) for t in tables) or 1
        tables = sorted(tables, key=lambda t: t.kind != "enterprises")  # enterprises first
        file_usccs: set[str] = set()
        for table in tables:
            if table.kind == "enterprises":
                self._enterprises(table, plan, file_usccs, total)
            else:
                self._indicators(table, plan, file_usccs, total)
        return plan

    def _tick(self, plan: Plan, total: int) -> None:
        plan.rows += 1
        if plan.rows % 5000 == 0:
            self.progress(0.9 * plan.rows / total)

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
                known = (None, str(exc))
            if type(raw) is str:
                self._codes[raw] = known
        return known

    def _enterprises(self, table: Table, plan: Plan, file_usccs: set[str], total: int) -> None:
        columns = table.columns
        plan.enterprise_columns = columns
        first_row: dict[str, int] = {}
        existing_others = None
        for number, cells in table.rows:
            self._tick(plan, total)
            raw = dict(zip(columns, cells, strict=True))
            uscc = self._uscc(raw.pop("uscc"), number, plan, table.sheet)
            clean, errors = clean_enterprise_values(raw, self.lookups)
            for column, message in errors:
                plan.error(number, column, message, table.sheet)
            if uscc is None:
                continue
            if uscc in first_row:
                plan.error(number, "uscc", _("与第%(n)d行的统一社会信用代码重复") % {"n": first_row[uscc]}, table.sheet)
                continue
            first_row[uscc] = number
            if uscc not in self.writable:
                if existing_others is None:
                    everyone = set(Enterprise.objects.order_by().values_list("uscc", flat=True))
                    existing_others = everyone - set(self.writable)
                if uscc in existing_others:
                    plan.error(number, "uscc", _("该企业已登记在您管辖范围之外的地区"), table.sheet)
                    continue
            if errors:
                continue
            if clean.get("stage") is None:
                clean["stage"] = self.writable.get(uscc) or Stage.MECHANIZATION.value
            clean["uscc"] = uscc
            file_usccs.add(uscc)
            plan.enterprises.append(clean)

    def _indicators(self, table: Table, plan: Plan, file_usccs: set[str], total: int) -> None:
        clean = IndicatorTable(table.columns, [cells for _number, cells in table.rows])
        out = IndicatorRows(columns=clean.value_columns)
        plan.indicator_tables.append(out)
        uscc_at = table.columns.index("uscc")
        if self._all_clean(clean, [cells[uscc_at] for _n, cells in table.rows], plan, out, file_usccs, total):
            return
        sheet = table.sheet
        seen: dict[tuple[str, int, int], int] = {}
        for k, (number, cells) in enumerate(table.rows):
            self._tick(plan, total)
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
                    _("企业%(c)s未登记或不在您的管辖范围内（可在同一文件的企业表中登记）") % {"c": uscc},
                    sheet,
                )
                continue
            key = (uscc, year, month)
            if key in seen:
                plan.error(number, "year", _("与第%(n)d行是同一企业同一期间") % {"n": seen[key]}, sheet)
                continue
            seen[key] = number
            if not errors:
                out.rows.append((uscc, year, month, clean.values[k]))

    def _all_clean(
        self,
        clean: IndicatorTable,
        uscc_cells: list[object],
        plan: Plan,
        out: IndicatorRows,
        file_usccs: set[str],
        total: int,
    ) -> bool:
        """Take a table in which no row has a problem in one go, or do nothing and return False.

        The usual case of a large file: what the row loop of _indicators would do, at C speed. When any
        row has a problem, that loop runs instead and reports each one in its place.
        """
        if clean.bad_rows or not all(type(raw) is str for raw in uscc_cells):
            return False
        codes: dict[object, str] = {}
        for raw in set(uscc_cells):
            code, _message = self._code(raw)
            if code is None or (code not in self.writable and code not in file_usccs):
                return False
            codes[raw] = code
        usccs = list(map(codes.__getitem__, uscc_cells))
        periods = list(zip(usccs, clean.years, clean.months, strict=True))
        if len(set(periods)) != len(periods):  # the same enterprise and period twice
            return False
        out.rows.extend(zip(usccs, clean.years, clean.months, clean.values, strict=True))  # type: ignore[arg-type]
        before, plan.rows = plan.rows, plan.rows + len(periods)
        if plan.rows // 5000 > before // 5000:
            self.progress(0.9 * plan.rows / total)
        return True


def _write(plan: Plan, *, user: User, filename: str) -> dict[str, int]:
    summary = {"enterprises": len(plan.enterprises), "indicators": plan.indicator_count}
    with transaction.atomic():
        if plan.enterprises:
            summary.update(_write_enterprises(plan, user=user, filename=filename))
        ids: dict[str, int] = {}
        if plan.indicator_count:
            ids = _ids_of({row[0] for table in plan.indicator_tables for row in table.rows})
            counts = {"indicators_created": 0, "indicators_updated": 0}
            # One write per table, in the file's order: a period given in two sheets gets both sheets'
            # columns, the later sheet's value where both give one.
            for table in plan.indicator_tables:
                if table.rows:
                    for key, n in _write_indicators(table, ids, user=user, filename=filename).items():
                        counts[key] += n
            summary.update(counts)
        touched = len(ids) or len(plan.enterprises)
        if touched > 20000:
            enterprise_refresh_derived(ids=None)
        elif touched:
            enterprise_refresh_derived(
                ids=ids.values() if ids else _ids_of(e["uscc"] for e in plan.enterprises).values()
            )
    return summary


def _write_enterprises(plan: Plan, *, user: User, filename: str) -> dict[str, int]:
    fields = [f for f in ENTERPRISE_DB_FIELDS if f in _db_fields(plan.enterprise_columns)]
    existing = enterprise_changes(user=user, records=plan.enterprises, fields=fields, filename=filename)
    before = Enterprise.objects.count()
    changed = bulk_upsert(
        table=Enterprise._meta.db_table,
        key=["uscc"],
        columns=["uscc", *fields, "size_class", "above_designated_size"],
        rows=_Rows(lambda: ([e["uscc"], *(e[f] for f in fields), "micro", False] for e in plan.enterprises)),
        update=fields,
        new_keys=not existing,
    )
    created = Enterprise.objects.count() - before
    if "tags" in plan.enterprise_columns:
        _write_tags(plan)
    return {"enterprises_created": created, "enterprises_updated": changed - created}


def _write_indicators(table: IndicatorRows, ids: dict[str, int], *, user: User, filename: str) -> dict[str, int]:
    cols = table.columns
    existing = indicator_changes(user=user, rows=table.rows, columns=cols, ids=ids, filename=filename)
    before = Indicator.objects.count()
    stored = _as_stored(cols, [values for _u, _y, _m, values in table.rows])
    changed = bulk_upsert(
        table=Indicator._meta.db_table,
        key=["enterprise_id", "year", "month"],
        columns=["enterprise_id", "year", "month", *cols],
        rows=_Rows(lambda: ((ids[u], y, m, *values) for (u, y, m, _v), values in zip(table.rows, stored,
                                                                                   strict=True))),
        update=cols,
        new_keys=not existing,
    )
    created = Indicator.objects.count() - before
    return {"indicators_created": created, "indicators_updated": changed - created}


_MONEY_FIELDS = {name for name, kind in INDICATOR_FIELDS if kind == "money"}


def _as_stored(columns: list[str], values: list[Sequence[Any]]) -> list[Sequence[Any]]:
    """The values as the table stores them: money as whole fen (models.MoneyField), converted column by
    column, for a bulk upsert goes round the field's own conversion."""
    money = [k for k, c in enumerate(columns) if c in _MONEY_FIELDS]
    if not money or not values:
        return values
    by_column: list[Sequence[Any]] = list(zip(*values, strict=True))
    for k in money:
        by_column[k] = money_fen_column(by_column[k])
    return list(zip(*by_column, strict=True))


class _Rows:
    """Rows made afresh each time they are iterated: bulk_upsert may need them twice."""

    def __init__(self, make: Callable[[], Iterator[Sequence[Any]]]):
        self._make = make

    def __iter__(self) -> Iterator[Sequence[Any]]:
        return self._make()


def _ids_of(codes: Iterable[str]) -> dict[str, int]:
    return dict(Enterprise.objects.filter(uscc__in=in_values(codes)).order_by().values_list("uscc", "id"))


def _db_fields(columns: list[str]) -> set[str]:
    mapping = {
        "name": "name",
        "region": "region_id",
        "industry": "industry_id",
        "founded_year": "founded_year",
        "cluster": "cluster_id",
    }
    return {mapping[c] for c in columns if c in mapping} | {"stage"}


def _write_tags(plan: Plan) -> None:
    through = Enterprise.tags.through
    ids = _ids_of(e["uscc"] for e in plan.enterprises)
    wanted = {(ids[e["uscc"]], t) for e in plan.enterprises for t in e.get("tag_ids", [])}
    current = set(
        through.objects.filter(enterprise_id__in=in_values(ids.values())).values_list("enterprise_id", "tag_id")
    )
    stale = current - wanted
    for enterprise_id, tag_id in stale:
        through.objects.filter(enterprise_id=enterprise_id, tag_id=tag_id).delete()
    through.objects.bulk_create([through(enterprise_id=e, tag_id=t) for e, t in wanted - current], batch_size=5000)
    areas_changed(through)  # bulk writes send no signals


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
    try:
        tables = read_tables(path, filename)
    except FileProblem as exc:
        return exc.problems, {}
    if not any(table.rows for table in tables):
        return [{"row": 2, "column": "", "message": _("文件只有表头，没有数据行")}], {}
    plan = _Validator(user, progress).run(tables)
    summary = {"rows": plan.rows, "enterprises": len(plan.enterprises), "indicators": plan.indicator_count}
    if plan.errors or dry_run:
        return plan.errors, summary
    progress(0.9)
    summary = {"rows": plan.rows, **_write(plan, user=user, filename=filename)}
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    audit_record(actor=user, action="import", entity="file", entity_id=digest, summary=filename, after=summary)
    return [], summary


def import_job_create(*, by: User, upload: UploadedFile, dry_run: bool) -> ImportJob:
    """Store the upload and run it now (small) or in the worker (large)."""
    name = Path(upload.name or "upload").name
    if Path(name).suffix.lower() not in (".csv", ".xlsx", ".xlsm"):
        raise InvalidInput(_("只能导入 .csv 或 .xlsx 文件"), details=[{"field": "file", "message": name}])
    require(by, "base.import.create", message=_("您的角色不能导入企业数据"))
    job = ImportJob.objects.create(created_by=by, file=upload, filename=name, dry_run=dry_run)
    if (upload.size or 0) > settings.IMPORT_BACKGROUND_BYTES:
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
        errors, summary = [{"row": 0, "column": "", "message": _("导入时发生内部错误，已记录，请联系管理员。")}], {}
    ImportJob.objects.filter(id=job.id).update(
        status=ImportStatus.FAILED if errors else ImportStatus.SUCCEEDED,
        progress=1.0,
        errors=errors,
        summary=summary,
        finished=timezone.now(),
    )


@task()
def run_import(job_id: int) -> None:
    """The background worker's side of a large import (the task is found by this module's path)."""
    import_job_run(job_id=job_id)
