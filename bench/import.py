"""Import throughput: the platform's CSV import against the database's own raw bulk load.

Builds a CSV of enterprises (uscc,name,region,industry,founded_year,stage) and a CSV of annual
indicators (uscc,year,month + every indicator column) with valid codes and real county/industry
codes, then, into a FRESH database:

  platform  zhigai.base.importer.import_file of both files as the `province` user (read, validate
            the whole file, bulk upsert, refresh derived fields, audit) — the code `zhigai import` runs;
            on PostgreSQL its writer process works beside the validation (base/import_pipe.py;
            IMPORT_PIPELINE=0 in the environment measures the write after the validation instead);
  raw       the same rows, already resolved to ids (not timed), loaded after truncating the tables (the
            enterprises, the stage record of each, as the platform keeps the file's stages by year, and
            the indicators):
            PostgreSQL COPY ... FROM STDIN (psycopg write_row), SQLite one executemany of a plain
            INSERT per table in one transaction.

Prints rows/s for each and the ratio platform/raw (target >= 0.25), by wall time and by CPU time (this
process and its children plus the PostgreSQL server's; the steadier figure on a shared machine). The last
line is the headline.

    .venv/bin/python bench/import.py                      # 100,000 enterprises x 9 years, both DBs
    .venv/bin/python bench/import.py --enterprises 2000   # quick
    .venv/bin/python bench/import.py --db postgres --sql       # + the platform's slow SQL statements
    .venv/bin/python bench/import.py --db postgres --profile   # + cProfile of the platform's import
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _each_db import pg_admin, run_each_database, run_one_database

FIRST_YEAR = 2012


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--enterprises", type=int, default=100_000)
    p.add_argument("--years", type=int, default=9, help="annual indicator rows per enterprise (from 2012)")
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--seed", type=int, default=2013)
    p.add_argument("--profile", action="store_true", help="run the platform's import under cProfile, print top")
    p.add_argument("--sql", action="store_true", help="print the platform's SQL statements that take over 0.2 s")
    p.add_argument("--keep", action="store_true", help="keep the temporary folder (CSV files, SQLite file)")
    return p.parse_args(argv)


# ----------------------------------------------------------------------------------------------- data


def build_data(n: int, years: int, seed: int) -> dict:
    """Enterprises and indicators as columns of strings (exactly what goes into the CSV files)."""
    import numpy as np

    from zhigai.base.models import Industry, Region, RegionLevel, Stage
    from zhigai.base.uscc import ALPHABET, make_uscc

    rng = np.random.default_rng(seed)
    counties = list(Region.objects.filter(level=RegionLevel.COUNTY).order_by("code").values_list("code", "name_zh"))
    industries = list(Industry.objects.filter(parent__isnull=True).order_by("code").values_list("code", flat=True))
    stages = [s.value for s in Stage]

    county_idx = rng.integers(0, len(counties), n)
    industry_idx = rng.integers(0, len(industries), n)
    body_chars = rng.integers(0, len(ALPHABET), (n, 9))
    usccs: list[str] = []
    seen: set[str] = set()
    brands = "宏达恒信金马华美永盛新力天成东方鑫源瑞丰正泰立信海天光明福星长城嘉禾中联万通精工博远"
    trades = ["机械", "电子", "纺织", "化工", "五金", "汽车部件", "服饰", "建材", "食品", "装备"]
    names = []
    for i in range(n):
        body = "91" + counties[county_idx[i]][0] + "".join(ALPHABET[j] for j in body_chars[i])
        while body in seen:
            body = body[:8] + "".join(ALPHABET[j] for j in rng.integers(0, len(ALPHABET), 9))
        seen.add(body)
        usccs.append(make_uscc(body))
        place = counties[county_idx[i]][1][:2]
        b = 2 * (i % (len(brands) // 2))
        names.append(f"{place}{brands[b:b + 2]}{trades[(i // 7) % len(trades)]}有限公司{i}")
    enterprises = {
        "uscc": usccs,
        "name": names,
        "region": [counties[k][0] for k in county_idx],
        "industry": [industries[k] for k in industry_idx],
        "founded_year": [str(y) for y in rng.integers(1985, FIRST_YEAR, n)],
        "stage": [stages[k] for k in rng.integers(0, len(stages), n)],
    }

    # Indicators: enterprise-major, one row per enterprise and year, month 0 (the whole year).
    m = n * years
    employees = np.maximum(8, np.rint(rng.lognormal(np.log(45), 1.0, m))).astype(np.int64)
    revenue = employees * rng.lognormal(np.log(300_000), 0.5, m)
    output = revenue * rng.uniform(1.0, 1.08, m)
    added = output * rng.uniform(0.18, 0.3, m)
    industrial = revenue * rng.uniform(0.01, 0.1, m)

    def money(a: np.ndarray) -> list[str]:
        return [f"{v:.2f}" for v in a.tolist()]

    def ints(a: np.ndarray) -> list[str]:
        return [str(v) for v in a.astype(np.int64).tolist()]

    values = {
        "revenue": money(revenue),
        "output_value": money(output),
        "added_value": money(added),
        "profit": money(revenue * rng.normal(0.06, 0.045, m)),
        "employees": ints(employees),
        "frontline_employees": ints(np.rint(employees * rng.uniform(0.5, 0.9, m))),
        "wage_bill": money(employees * rng.uniform(35_000, 80_000, m)),
        "industrial_investment": money(industrial),
        "tech_investment": money(industrial * rng.uniform(0.2, 0.8, m)),
        "robots": ints(rng.poisson(2.0, m)),
        "rd_spending": money(revenue * rng.uniform(0.004, 0.03, m)),
        "defect_rate": [f"{v:.4f}" for v in rng.uniform(0.001, 0.08, m).tolist()],
        "energy_use": [f"{v:.1f}" for v in (revenue / 10_000 * rng.uniform(0.03, 0.12, m)).tolist()],
        "cloud_level": ints(rng.integers(0, 4, m)),
        "unfilled_positions": ints(rng.poisson(3.0, m)),
        "positions_replaced": ints(rng.poisson(1.0, m)),
        "frontline_wage": money(rng.uniform(40_000, 90_000, m)),
    }
    year_list = [str(FIRST_YEAR + k) for k in range(years)]
    indicators = {
        "uscc": [u for u in usccs for _k in range(years)],
        "year": year_list * n,
        "month": ["0"] * m,
        **values,
    }
    return {"enterprises": enterprises, "indicators": indicators}


def write_csv(path: Path, columns: dict[str, list[str]], order: list[str]) -> int:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(order)
        writer.writerows(zip(*(columns[c] for c in order), strict=True))
    return len(columns[order[0]])


# ------------------------------------------------------------------------------------------ one run


def _pg_database_url(name: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def run_one(args: argparse.Namespace, db: str) -> str:
    """Set up a fresh database of kind `db`, run both loads, print the figures; return the headline."""
    tmp = Path(tempfile.mkdtemp(prefix=f"zhigai-bench-import-{db}-"))
    pg_name = f"zhigai_bench_import_{os.getpid()}"
    os.environ["ZHIGAI_VAR_DIR"] = str(tmp)
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhigai.config.settings"
    if db == "postgres":
        pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')
        pg_admin(f'CREATE DATABASE "{pg_name}"')
        os.environ["DATABASE_URL"] = _pg_database_url(pg_name)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    try:
        return _run_in_django(args, db, tmp)
    finally:
        from django.db import connections

        connections.close_all()
        if db == "postgres":
            pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def _run_in_django(args: argparse.Namespace, db: str, tmp: Path) -> str:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from zhigai.base.reference import reference_data_ensure
    from zhigai.core.models import User
    from zhigai.demo import demo_users_ensure

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    reference_data_ensure()
    demo_users_ensure()
    user = User.objects.get(username="province")
    vendor = connection.vendor
    print(f"[{vendor}] fresh database migrated in {time.perf_counter() - t:.1f} s", flush=True)

    from zhigai.base.validation import INDICATOR_COLUMNS

    t = time.perf_counter()
    data = build_data(args.enterprises, args.years, args.seed)
    ent_csv, ind_csv = tmp / "enterprises.csv", tmp / "indicators.csv"
    ent_cols = ["uscc", "name", "region", "industry", "founded_year", "stage"]
    n_ent = write_csv(ent_csv, data["enterprises"], ent_cols)
    n_ind = write_csv(ind_csv, data["indicators"], INDICATOR_COLUMNS)
    total = n_ent + n_ind
    size_mb = (ent_csv.stat().st_size + ind_csv.stat().st_size) / 1e6
    print(f"[{vendor}] data: {n_ent:,} enterprises + {n_ind:,} indicator rows = {total:,} rows, "
          f"{size_mb:.0f} MB CSV, built in {time.perf_counter() - t:.1f} s", flush=True)

    platform = _platform_import(user, [(ent_csv, n_ent), (ind_csv, n_ind)], vendor, args.profile, args.sql)
    _check_counts(n_ent, n_ind, "platform")
    raw = _raw_load(data, vendor, INDICATOR_COLUMNS)
    _check_counts(n_ent, n_ind, "raw")

    (p_wall, p_cpu), (r_wall, r_cpu) = platform, raw
    p_rate, r_rate = total / p_wall, total / r_wall
    ratio, cpu_ratio = p_rate / r_rate, r_cpu / p_cpu
    how = "COPY FROM STDIN" if vendor == "postgresql" else "executemany INSERT, one transaction"
    print(f"[{vendor}] platform import: {p_wall:7.2f} s (CPU {p_cpu:6.2f} s)  {p_rate:>9,.0f} rows/s "
          f"({total / p_cpu:,.0f} per CPU-second)")
    print(f"[{vendor}] raw bulk load:   {r_wall:7.2f} s (CPU {r_cpu:6.2f} s)  {r_rate:>9,.0f} rows/s "
          f"({total / r_cpu:,.0f} per CPU-second; {how})")
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"[{vendor}] machine: {os.cpu_count()} CPUs, load average now {load}; CPU = this process"
          f"{' and its writer + the server' if vendor == 'postgresql' else ''}"
          " (other work on the machine skews wall time)")
    verdict = "meets" if ratio >= 0.25 else "MISSES"
    print(f"[{vendor}] ratio platform/raw = {ratio:.2f} by wall time, {cpu_ratio:.2f} by CPU time "
          f"({verdict} target >= 0.25)", flush=True)
    return f"import: {p_rate:,.0f} rows/s = {ratio:.2f} × raw bulk load ({vendor}; {cpu_ratio:.2f} × by CPU time)"


def _platform_import(user: object, files: list[tuple[Path, int]], vendor: str, profile: bool,
                     sql: bool) -> tuple[float, float]:
    from django.db import connection

    from zhigai.base.importer import import_file

    profiler = None
    statements: list[tuple[float, str]] = []
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    elapsed = cpu = 0.0
    for path, rows in files:
        marks: dict[str, float] = {}

        def progress(fraction: float, marks: dict[str, float] = marks) -> None:
            if fraction >= 0.9 and "write" not in marks:
                marks["write"] = time.perf_counter()  # import_file reports 0.9 when validation is done

        _settle()
        clock = Clock()
        t0, c0 = clock.now()
        if profiler:
            profiler.enable()
        with connection.execute_wrapper(_sql_timer(statements)):
            errors, summary = import_file(user=user, path=path, filename=path.name, dry_run=False,
                                          progress=progress)
        if profiler:
            profiler.disable()
        t1, c1 = clock.now()
        if errors:
            raise SystemExit(f"platform import of {path.name} failed: {errors[:5]}")
        w = marks.get("write", t1)
        elapsed += t1 - t0
        cpu += c1 - c0
        print(f"[{vendor}] platform {path.name:<16} {rows:>9,} rows {t1 - t0:7.2f} s (CPU {c1 - c0:6.2f} s) "
              f"(read+validate {w - t0:6.2f} s, write {t1 - w:6.2f} s)  {rows / (t1 - t0):>9,.0f} rows/s  "
              f"{summary}", flush=True)
    if profile or sql:
        print(f"[{vendor}] SQL statements of the platform import taking over 0.2 s:")
        for dt, sql in statements:
            if dt > 0.2:
                print(f"[{vendor}]   {dt:7.2f} s  {sql}")
    if profiler:
        import pstats

        print(f"[{vendor}] cProfile of the platform import (top 30 by own time):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(40)
    return elapsed, cpu


class Clock:
    """Wall time, and CPU time of this process and its children plus the PostgreSQL server's.

    The machine may be shared: CPU time is the figure that other work on it skews least. The server's CPU is
    read off the postmaster: its live children's (the backends and the server's own writers: WAL, checkpoints,
    which a load causes too) plus what it collected from those that ended (cutime + cstime). A quiet server
    does nothing else; on a shared one, other databases' work counts too.
    """

    def __init__(self) -> None:
        from django.db import connection

        self.tick = os.sysconf("SC_CLK_TCK")
        self.postmaster = 0
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                backend = cursor.fetchone()[0]
            with contextlib.suppress(OSError):  # a server on another machine: own CPU only
                self.postmaster = int(self._stat(backend)[1])  # its parent

    @staticmethod
    def _stat(pid: int) -> list[str]:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2:].split()  # from field 3 (state) on

    def _server(self) -> float:
        ticks = sum(int(f) for f in self._stat(self.postmaster)[13:15])  # cutime, cstime
        children = Path(f"/proc/{self.postmaster}/task/{self.postmaster}/children").read_text().split()
        for child in children:
            with contextlib.suppress(OSError):  # ended meanwhile: in cutime from the next reading on
                ticks += sum(int(f) for f in self._stat(int(child))[11:13])  # utime, stime
        return ticks / self.tick

    def now(self) -> tuple[float, float]:
        server = self._server() if self.postmaster else 0.0
        ended = os.times()  # the import's writer process (base/import_pipe.py), once it has ended
        return time.perf_counter(), time.process_time() + ended.children_user + ended.children_system + server


def _settle() -> None:
    """Flush what earlier phases left in the WAL so that each timed phase starts from the same state."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT" if connection.vendor == "postgresql" else "PRAGMA wal_checkpoint(TRUNCATE)")


def _sql_timer(slow: list[tuple[float, str]]) -> Any:
    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            slow.append((time.perf_counter() - t0, sql if len(sql) < 400 else sql[:300] + f"... ({len(sql):,} chars)"))
    return wrapper


def _check_counts(n_ent: int, n_ind: int, what: str) -> None:
    from zhigai.base.models import Enterprise, Indicator

    got = (Enterprise.objects.count(), Indicator.objects.count())
    if got != (n_ent, n_ind):
        raise SystemExit(f"{what} load wrote {got}, expected {(n_ent, n_ind)}")


def _raw_load(data: dict, vendor: str, indicator_columns: list[str]) -> tuple[float, float]:
    """Truncate, then load the same rows (ids resolved beforehand) with the database's own bulk path."""
    from django.db import connection, transaction

    from zhigai.base.models import Industry, Region

    regions = dict(Region.objects.values_list("code", "id"))
    industries = dict(Industry.objects.values_list("code", "id"))
    e = data["enterprises"]
    ids = {u: k + 1 for k, u in enumerate(e["uscc"])}
    ent_cols = ["id", "uscc", "name", "region_id", "industry_id", "founded_year", "stage", "size_class",
                "above_designated_size"]
    ent_rows = [
        (ids[u], u, name, regions[r], industries[i], int(y), s, "micro", False)
        for u, name, r, i, y, s in zip(e["uscc"], e["name"], e["region"], e["industry"], e["founded_year"],
                                       e["stage"], strict=True)
    ]
    # The file's stage of each enterprise is kept by year too (base.StageRecord, the import's year): the raw
    # load writes those rows as well, as the platform does.
    from django.utils import timezone

    year, at = timezone.localdate().year, timezone.now()
    stage_cols = ["enterprise_id", "year", "stage", "source", "reference", "recorded_at"]
    stage_rows = [(ids[u], year, s, "import", "enterprises.csv", at)
                  for u, s in zip(e["uscc"], e["stage"], strict=True)]
    ind = data["indicators"]
    value_cols = indicator_columns[3:]
    ind_cols = ["enterprise_id", "year", "month", *value_cols]
    # Money as the table stores it, whole fen (models.MoneyField), converted here, untimed, like the ids.
    from zhigai.base.fields import money_fen_column
    from zhigai.base.models import INDICATOR_FIELDS

    money = {name for name, kind in INDICATOR_FIELDS if kind == "money"}
    stored = [money_fen_column(ind[c]) if c in money else ind[c] for c in value_cols]
    ind_rows = list(zip([ids[u] for u in ind["uscc"]], ind["year"], ind["month"], *stored, strict=True))

    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("TRUNCATE base_indicator, base_stagerecord, base_enterprise RESTART IDENTITY CASCADE")
        else:
            for table in ("base_indicator", "base_stagerecord", "base_enterprise_tags", "base_enterprise"):
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("VACUUM")  # back to a file without free pages, as fresh as the platform's

    _settle()
    clock = Clock()
    t0, c0 = clock.now()
    with transaction.atomic():
        raw = connection.connection  # the driver's own connection
        cur = raw.cursor()
        for table, cols, rows in (("base_enterprise", ent_cols, ent_rows), ("base_stagerecord", stage_cols, stage_rows),
                                  ("base_indicator", ind_cols, ind_rows)):
            t1, c1 = clock.now()
            if vendor == "postgresql":
                with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cur.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                rows)
            t2, c2 = clock.now()
            print(f"[{vendor}] raw {table:<20} {len(rows):>9,} rows {t2 - t1:7.2f} s (CPU {c2 - c1:6.2f} s)  "
                  f"{len(rows) / (t2 - t1):>9,.0f} rows/s", flush=True)
        cur.close()
    t3, c3 = clock.now()
    return t3 - t0, c3 - c0


# ----------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if run_one_database(args, run_one):
        return 0
    # One process per database: Django's settings are read once per process.
    child_args = ["--enterprises", str(args.enterprises), "--years", str(args.years), "--seed", str(args.seed),
                  *(["--profile"] if args.profile else []), *(["--sql"] if args.sql else []),
                  *(["--keep"] if args.keep else [])]
    headlines, failed = run_each_database(__file__, child_args)
    if not failed:
        print("; ".join(headlines))
    return failed


if __name__ == "__main__":
    sys.exit(main())
