"""Peak memory of importing one large indicator CSV, measured in a fresh process.

Builds a fresh database (SQLite, or a temporary PostgreSQL one) with the reference data and the enterprises
(imported, not measured), writes an indicator CSV of about --mb megabytes, then imports it in a child
process that does nothing else and prints that process's peak resident memory (ru_maxrss) before and after
the import; on PostgreSQL also the peak of the import's writer process (base/import_pipe.py), a fork of it.

    .venv/bin/python bench/import_memory.py            # a 50 MB CSV, SQLite
    .venv/bin/python bench/import_memory.py --mb 10
    .venv/bin/python bench/import_memory.py --db postgres
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _each_db import PG_ADMIN, pg_admin

BYTES_PER_ROW = 130  # an indicator row of bench/import.py's data, about


PG_DATABASE = "zhigai_bench_memory"


def _django(tmp: Path, db: str) -> None:
    os.environ["ZHIGAI_VAR_DIR"] = str(tmp)
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhigai.config.settings"
    os.environ["DATABASE_URL"] = (f"sqlite:///{tmp / 'memory.sqlite3'}" if db == "sqlite" else
                                  PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DATABASE)
    import django

    django.setup()


def prepare(tmp: Path, mb: int, db: str) -> None:
    _django(tmp, db)
    import importlib.util

    from django.core.management import call_command

    from zhigai.base.importer import import_file
    from zhigai.base.reference import reference_data_ensure
    from zhigai.base.validation import INDICATOR_COLUMNS
    from zhigai.core.models import User
    from zhigai.demo import demo_users_ensure

    spec = importlib.util.spec_from_file_location("bench_import", Path(__file__).with_name("import.py"))
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    call_command("migrate", verbosity=0)
    reference_data_ensure()
    demo_users_ensure()
    data = bench.build_data(mb * 1_000_000 // BYTES_PER_ROW // 9, 9, 2013)
    bench.write_csv(tmp / "enterprises.csv", data["enterprises"], ["uscc", "name", "region", "industry",
                                                                   "founded_year", "stage"])
    bench.write_csv(tmp / "indicators.csv", data["indicators"], INDICATOR_COLUMNS)
    user = User.objects.get(username="province")
    errors, _summary = import_file(user=user, path=tmp / "enterprises.csv", filename="enterprises.csv", dry_run=False)
    if errors:
        raise SystemExit(f"enterprise import failed: {errors[:3]}")


def measure(tmp: Path, db: str) -> None:
    _django(tmp, db)
    from zhigai.base.importer import import_file
    from zhigai.core.models import User

    user = User.objects.get(username="province")
    path = tmp / "indicators.csv"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    errors, summary = import_file(user=user, path=path, filename=path.name, dry_run=False)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    writer = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the largest child waited for: the writer
    if errors:
        raise SystemExit(f"import failed: {errors[:3]}")
    size = path.stat().st_size / 1e6
    print(f"indicator CSV {size:.1f} MB, {summary.get('indicators', 0):,} rows: peak RSS {before / 1024:.0f} MiB "
          f"before the import, {after / 1024:.0f} MiB after (the import added {(after - before) / 1024:.0f} MiB, "
          f"{(after - before) * 1024 / (size * 1e6):.1f}× the file)"
          + (f"; its writer process peaked at {writer / 1024:.0f} MiB" if writer else ""))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mb", type=int, default=50)
    p.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--phase", choices=["prepare", "measure"], help=argparse.SUPPRESS)
    p.add_argument("--dir", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.phase == "prepare":
        prepare(Path(args.dir), args.mb, args.db)
        return 0
    if args.phase == "measure":
        measure(Path(args.dir), args.db)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="zhigai-bench-memory-"))
    if args.db == "postgres":
        pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        pg_admin(f"CREATE DATABASE {PG_DATABASE}")
    try:
        for phase in ("prepare", "measure"):
            subprocess.run([sys.executable, __file__, "--phase", phase, "--dir", str(tmp), "--mb", str(args.mb),
                            "--db", args.db], check=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if args.db == "postgres":
            pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
