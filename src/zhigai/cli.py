"""The `zhigai` command: demo, serve, worker, seed, import, load-reference, and Django's own commands."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhigai.config.settings")
    import django

    django.setup()
    from django.conf import settings

    # The default SQLite file lives in VAR_DIR: create it before anything opens the database.
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _prepare() -> None:
    """Create the data folder, migrate and load the reference data if it is missing."""
    from django.conf import settings

    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    _manage("migrate", "--verbosity", "0")
    from django.core.cache import cache

    from zhigai.base.reference import reference_data_ensure

    reference_data_ensure()
    from zhigai.diagnosis.loader import maturity_models_load

    maturity_models_load()
    from zhigai.core.reference import reference_loaders

    for loader in reference_loaders():  # each module's data files, what is missing only
        loader.ensure()
    # Cached figures are keyed by the data areas' versions, not by code version: a new release starts clean.
    cache.clear()


def _terminate_on_sigterm() -> None:
    """SIGTERM (what `kill`, systemd and container runtimes send) stops the command as Ctrl+C does, so its
    `finally` runs and stops the processes it started; Python's default would end it on the spot."""

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def _stop(child: subprocess.Popen[bytes]) -> None:
    child.terminate()
    try:
        child.wait(timeout=15)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("DJANGO_DEBUG", "0")
    # Static files as production serves them (see cmd_serve): hashed names cached for a year, and gzip
    # copies, which WhiteNoise sends to browsers that accept them (Plotly: 4.8 MB, about 1.4 MB gzipped).
    os.environ.setdefault("ZHIGAI_MANIFEST_STATIC", "1")
    _terminate_on_sigterm()
    _django()
    _prepare()
    _manage("collectstatic", "--noinput", "--verbosity", "0")
    from zhigai.base.models import Enterprise
    from zhigai.demo import DEMO_PASSWORD, demo_modules_seed, demo_users_ensure

    if not Enterprise.objects.exists():
        print("Generating the demo province (2012–2020)…", flush=True)
        _seed(args, progress=lambda m: print("  " + m, flush=True))
    logins = demo_users_ensure()
    demo_modules_seed(seed=args.seed, progress=lambda m: print(m, flush=True))
    worker = subprocess.Popen([sys.executable, "-m", "zhigai.cli", "worker"], env=os.environ.copy())
    print(f"Background worker started (process {worker.pid}).", flush=True)
    print(f"\nzhigai demo is running at http://127.0.0.1:{args.port}")
    print(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for username, description in logins:
        print(f"  {username:<12} {description}")
    print("Stop with Ctrl+C.\n", flush=True)
    try:
        from django.core.management import call_command

        os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        call_command("runserver", f"127.0.0.1:{args.port}", "--noreload")
    except KeyboardInterrupt:
        pass
    finally:
        _stop(worker)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    if not os.environ.get("SECRET_KEY"):
        print("zhigai serve needs SECRET_KEY (and ALLOWED_HOSTS, DATABASE_URL) in the environment.", file=sys.stderr)
        return 2
    os.environ.setdefault("ZHIGAI_MANIFEST_STATIC", "1")  # hashed names, cached forever by browsers
    # Served to users: secure cookies, HTTPS redirect, HSTS (ZHIGAI_PRODUCTION=0 to try it over plain HTTP).
    os.environ.setdefault("ZHIGAI_PRODUCTION", "1")
    _django()
    _prepare()
    _manage("collectstatic", "--noinput", "--verbosity", "0")
    bind = f"{args.host}:{args.port}"
    os.execvp(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "zhigai.config.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(args.workers),
            "--access-logfile",
            "-",
        ],
    )
    return 0  # pragma: no cover - execvp does not return


def cmd_worker(args: argparse.Namespace) -> int:
    _django()
    _manage("db_worker")
    return 0


def _seed(args: argparse.Namespace, progress: Callable[[str], None]) -> dict[str, Any]:
    from zhigai.demo import demo_province_seed

    return demo_province_seed(enterprises=args.enterprises, scale=args.scale, seed=args.seed, progress=progress)


def cmd_seed(args: argparse.Namespace) -> int:
    _django()
    _prepare()
    try:
        result = _seed(args, progress=lambda m: print(m, flush=True))
    except ValueError as exc:
        print(f"zhigai seed: {exc}", file=sys.stderr)
        return 2
    print(f"Seeded {result['enterprises']} enterprises ({result['sample_fraction']:.0%} of the province), "
          f"{result['indicators']} indicator rows and {result['stage_records']} stage records.")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    _django()
    _prepare()
    from zhigai.base.importer import import_file
    from zhigai.core.models import User

    path = Path(args.file)
    if not path.is_file():
        print(f"No such file: {path}", file=sys.stderr)
        return 2
    user = User.objects.filter(username=args.user).first()
    if user is None:
        print(f"No such user: {args.user} (use --user with a provincial officer or superuser)", file=sys.stderr)
        return 2
    errors, summary = import_file(
        user=user,
        path=path,
        filename=path.name,
        dry_run=args.dry_run,
        progress=lambda p: print(f"\r{p:5.0%}", end="", file=sys.stderr, flush=True),
    )
    print(file=sys.stderr)
    if errors:
        for e in errors:
            sheet = f"{e['sheet']}!" if e.get("sheet") else ""
            print(f"{sheet}row {e['row']}, column {e['column'] or '-'}: {e['message']}")
        print(f"{len(errors)} error(s); nothing was written.", file=sys.stderr)
        return 1
    verb = "checked (dry run, nothing written)" if args.dry_run else "imported"
    print(f"File {verb}: " + ", ".join(f"{k} {v}" for k, v in summary.items()))
    return 0


def cmd_purge_imports(args: argparse.Namespace) -> int:
    _django()
    _prepare()
    from django.conf import settings

    from zhigai.base.importer import import_files_purge

    count = import_files_purge()
    print(f"Deleted {count} stored import file(s) older than {settings.IMPORT_KEEP_DAYS} days (IMPORT_KEEP_DAYS).")
    return 0


def cmd_load_reference(args: argparse.Namespace) -> int:
    _django()
    _manage("migrate", "--verbosity", "0")
    from zhigai.base.reference import DEFAULT_REGIONS, reference_data_load
    from zhigai.diagnosis.definition import ModelFileError
    from zhigai.diagnosis.loader import maturity_models_load

    counts = reference_data_load(regions_file=Path(args.regions) if args.regions else DEFAULT_REGIONS)
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))
    try:
        models = maturity_models_load()
    except ModelFileError as exc:
        print(f"Maturity model {exc.source} not loaded (nothing was changed):", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print("maturity models: " + ", ".join(f"{k} {v}" for k, v in models.items()))
    from zhigai.core.reference import reference_loaders

    for loader in reference_loaders():
        print(f"{loader.name}: " + ", ".join(f"{k} {v}" for k, v in loader.load().items()))
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zhigai", *args.rest])
    return 0


def _province_arguments(p: argparse.ArgumentParser) -> None:
    """The demo province's options, shared by `demo` and `seed` (docs/demo-economics.md)."""
    p.add_argument("--scale", choices=["sample", "province"], default="sample",
                   help="province: the whole province (100,000 enterprises); sample (default): a balanced sample")
    p.add_argument("--enterprises", type=int, default=None,
                   help="size of the sample (default 20,000, 1 in 5 of the province)")
    p.add_argument("--seed", type=int, default=2013)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zhigai", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="migrate, generate the demo province if empty, run worker and web server")
    p.add_argument("--port", type=int, default=8000)
    _province_arguments(p)
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("serve", help="production server (gunicorn + whitenoise), settings from the environment")
    p.add_argument("--host", default="0.0.0.0")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) * 2))
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser("worker", help="run background tasks (imports, reports, ...)")
    p.set_defaults(func=cmd_worker)
    p = sub.add_parser("seed", help="generate a synthetic province (deterministic for a seed)")
    _province_arguments(p)
    p.set_defaults(func=cmd_seed)
    p = sub.add_parser("import", help="import enterprises and indicators from a CSV or XLSX file")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
    p.add_argument("--user", default="province", help="the user the import acts as (default: province)")
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("purge-imports", help="delete stored import files older than IMPORT_KEEP_DAYS (jobs stay)")
    p.set_defaults(func=cmd_purge_imports)
    p = sub.add_parser("load-reference",
                       help="load regions, industries, clusters, maturity models and the modules' data files")
    p.add_argument("--regions", help="a regions YAML file (default: Zhejiang)")
    p.set_defaults(func=cmd_load_reference)
    p = sub.add_parser("manage", help="run a Django management command, e.g. `zhigai manage createsuperuser`")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
