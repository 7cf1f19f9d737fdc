"""Run a benchmark script once per database, each in its own process (Django reads settings once)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any


def run_one_database(args: Any, run_one: Callable[[Any, str], str]) -> bool:
    """Run the benchmark in this process when one database is asked for (print its headline, return True).

    SIGTERM unwinds like Ctrl+C, so the server is stopped and the temporary database dropped."""
    signal.signal(signal.SIGTERM, lambda _sig, _frame: sys.exit(143))
    if args.db == "both":
        return False
    print(run_one(args, args.db), flush=True)
    return True


def run_each_database(script: str, child_args: list[str]) -> tuple[list[str], int]:
    """Run `script --db DB *child_args` for SQLite then PostgreSQL, echoing their output.

    Returns the last non-blank line of each successful run (its headline) and the first failing exit code.
    """
    headlines: list[str] = []
    failed = 0
    for db in ("sqlite", "postgres"):
        with subprocess.Popen([sys.executable, script, "--db", db, *child_args], stdout=subprocess.PIPE,
                              text=True) as proc:
            assert proc.stdout is not None
            last = ""
            try:
                for line in proc.stdout:
                    print(line, end="", flush=True)
                    last = line.strip() or last
            except BaseException:
                proc.terminate()  # the child cleans up its server / database on SIGTERM
                raise
        if proc.returncode:
            print(f"{db}: failed (exit {proc.returncode})", flush=True)
            failed = failed or proc.returncode
            continue
        headlines.append(last)
    return headlines, failed


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def pg_admin(sql: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the PostgreSQL server, outside a transaction."""
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)
