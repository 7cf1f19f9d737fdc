"""Page latency under load: the platform's main pages against an empty Django view, on the real server.

Seeds a fresh database with the demo province (zhigai.base.seed.seed_province; --reuse skips this and
uses DATABASE_URL as it is), starts gunicorn on a free loopback port (bench/_wsgi.py: the platform's
settings and URLs plus `bench/empty/`, a view that returns an empty response — the peer), signs in as
`province` (POST /login/ with CSRF) and drives each endpoint in turn with 8 concurrent keep-alive
clients. Prints median and p95 latency per endpoint and p95 / p95 of the empty view (target <= 5).
The last line is the headline: the worst ratio.

    .venv/bin/python bench/pages.py                             # 100,000 enterprises, SQLite and PostgreSQL
    .venv/bin/python bench/pages.py --db sqlite --enterprises 20000 --profile
    DATABASE_URL=... .venv/bin/python bench/pages.py --db postgres --reuse
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _each_db import pg_admin, run_each_database, run_one_database

BENCH_DIR = Path(__file__).resolve().parent
PASSWORD = "zhigai-demo"
TARGET = 5.0
HOST = "127.0.0.1"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--enterprises", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=2013)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--reuse", action="store_true", help="use DATABASE_URL (already seeded) instead of seeding")
    p.add_argument("--keep", action="store_true", help="keep the seeded database (prints its DATABASE_URL)")
    p.add_argument("--requests", type=int, default=400, help="measured requests per endpoint")
    p.add_argument("--rounds", type=int, default=8, help="endpoints take turns in this many rounds")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.add_argument("--profile", action="store_true",
                   help="afterwards, profile the endpoints that miss the target in-process (cProfile, SQL time)")
    return p.parse_args(argv)


# -------------------------------------------------------------------------------------------- client


class Client:
    """One keep-alive HTTP/1.1 connection with its own cookies (a signed-in browser tab)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        h = {"Host": f"{HOST}:{self.port}", "Accept-Language": "zh-hans", **(headers or {})}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=h)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # the server closed an idle keep-alive connection: reconnect once
                if attempt == 2:
                    raise
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                k, _sep, v = value.split(";", 1)[0].partition("=")
                self.cookies[k.strip()] = v.strip()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data

    def sign_in(self, username: str, password: str) -> None:
        status, _h, page = self.request("GET", "/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            raise SystemExit(f"GET /login/ gave {status} without a CSRF token")
        form = urllib.parse.urlencode({"username": username, "password": password, "next": "/",
                                       "csrfmiddlewaretoken": match.group(1).decode()})
        status, _headers, _b = self.request("POST", "/login/", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://{HOST}:{self.port}"})
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"sign-in as {username} failed: HTTP {status}")

    def close(self) -> None:
        self.conn.close()


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[max(0, math.ceil(q * len(sorted_values)) - 1)]


def drive(clients: list[Client], paths: list[str], check: bytes | None) -> tuple[list[float], int]:
    """Send every path once, spread over the clients running concurrently; return latencies (s) and bytes."""
    latencies: list[float] = []
    sizes: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    shares = [paths[i::len(clients)] for i in range(len(clients))]
    start = threading.Barrier(len(clients))

    def work(client: Client, mine: list[str]) -> None:
        start.wait()
        for path in mine:
            t0 = time.perf_counter()
            status, _h, body = client.request("GET", path)
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                sizes.append(len(body))
                if status != 200 or (check is not None and check not in body):
                    errors.append(f"{path}: HTTP {status}, {len(body)} bytes")

    threads = [threading.Thread(target=work, args=(c, s)) for c, s in zip(clients, shares, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit(f"{len(errors)} bad responses, e.g. {errors[:3]}")
    return latencies, (sum(sizes) // len(sizes) if sizes else 0)


# -------------------------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(args: argparse.Namespace, env: dict[str, str], log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "_wsgi:application", "--pythonpath", str(BENCH_DIR),
           "--workers", str(args.workers), "--threads", str(args.threads), "--bind", f"{HOST}:{port}",
           "--keep-alive", "30", "--timeout", "120", "--error-logfile", str(log)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            c = http.client.HTTPConnection(HOST, port, timeout=5)
            c.request("GET", "/bench/empty/", headers={"Host": f"{HOST}:{port}"})
            if c.getresponse().status == 200:
                c.close()
                return proc, port
            c.close()
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit(f"gunicorn did not answer within 90 s:\n{log.read_text()[-3000:]}")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ----------------------------------------------------------------------------------------------- run


def run_one(args: argparse.Namespace, db: str) -> str:
    tmp = Path(tempfile.mkdtemp(prefix=f"zhigai-bench-pages-{db}-"))
    pg_name = f"zhigai_bench_pages_{os.getpid()}"
    created_pg = False
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "zhigai.config.settings"
    os.environ["SECRET_KEY"] = "bench-pages-not-secret-" + "x" * 40
    os.environ["ALLOWED_HOSTS"] = f"{HOST},testserver"
    os.environ["ZHIGAI_MANIFEST_STATIC"] = "0"
    if not args.reuse or not os.environ.get("ZHIGAI_VAR_DIR"):
        os.environ["ZHIGAI_VAR_DIR"] = str(tmp)
    if args.reuse:
        if not os.environ.get("DATABASE_URL") and db == "postgres":
            raise SystemExit("--reuse needs DATABASE_URL")
    elif db == "postgres":
        pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}"')
        pg_admin(f'CREATE DATABASE "{pg_name}"')
        created_pg = True
        os.environ["DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{pg_name}"
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    try:
        return _run_in_django(args, tmp)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep:
            print(f"kept: DATABASE_URL={os.environ['DATABASE_URL']} ZHIGAI_VAR_DIR={os.environ['ZHIGAI_VAR_DIR']}")
        else:
            if created_pg:
                pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            shutil.rmtree(tmp, ignore_errors=True)


def _run_in_django(args: argparse.Namespace, tmp: Path) -> str:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from zhigai.base.models import Enterprise
    from zhigai.base.reference import reference_data_ensure
    from zhigai.demo import demo_users_ensure

    vendor = connection.vendor
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    if not args.reuse:
        from zhigai.base.seed import seed_province

        reference_data_ensure()
        result = seed_province(enterprises=args.enterprises, seed=args.seed)
        if vendor == "postgresql":
            with connection.cursor() as cursor:
                # What autovacuum does within a minute of a bulk load (PostgreSQL 13+ vacuums after inserts
                # too): the statistics, and the visibility map that index-only scans read.
                cursor.execute("VACUUM ANALYZE")
        print(f"[{vendor}] seeded {result['enterprises']:,} enterprises, {result['indicators']:,} indicator rows "
              f"in {time.perf_counter() - t:.0f} s", flush=True)
    demo_users_ensure()
    from django.core.cache import cache

    cache.clear()  # as `zhigai serve` does: entries of an older release must not be served (--reuse)
    n = Enterprise.objects.count()
    usccs = list(Enterprise.objects.order_by("id").values_list("uscc", flat=True))
    rng = random.Random(args.seed)
    connection.close()  # the server has the database to itself while measuring

    q = urllib.parse.quote("机械")
    words = urllib.parse.quote("万通 机械")  # two words, in any order (base/search.py)
    endpoints: list[tuple[str, str, list[str], bytes | None]] = [
        ("empty", "empty Django view (peer)", ["/bench/empty/"], None),
        ("list_filtered", "enterprise list ?region=330100&industry=34&sort=name",
         ["/enterprises/?region=330100&industry=34&sort=name"], "有限公司".encode()),
        ("list_page50", "enterprise list page 50", ["/enterprises/?page=50"], "有限公司".encode()),
        ("list_search", "enterprise list ?q=机械", [f"/enterprises/?q={q}"], "有限公司".encode()),
        ("list_words", "enterprise list ?q=万通 机械", [f"/enterprises/?q={words}"], None),
        ("detail", "enterprise page (random)", [f"/enterprises/{u}/" for u in rng.sample(usccs, min(len(usccs), 2000))],
         None),
        ("dashboard", "province dashboard /", ["/"], None),
    ]

    Path(os.environ["ZHIGAI_VAR_DIR"], "static").mkdir(parents=True, exist_ok=True)  # whitenoise wants it
    env = {**os.environ}
    env["PYTHONPATH"] = os.pathsep.join([str(BENCH_DIR), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc, port = start_server(args, env, tmp / "gunicorn.log")
    results: dict[str, tuple[float, float, int]] = {}
    try:
        clients = [Client(port) for _ in range(args.clients)]
        for c in clients:
            c.sign_in("province", PASSWORD)
        # First request of each page per worker: cold caches (dashboard figures are cached per data version).
        cold = {}
        for key, _label, paths, check in endpoints:
            t0 = time.perf_counter()
            drive(clients[:1], paths[:1], check)
            cold[key] = time.perf_counter() - t0
        for _key, _label, paths, check in endpoints:  # warm-up: every worker, every connection
            drive(clients, [paths[i % len(paths)] for i in range(2 * args.clients)], check)
        rounds = max(1, min(args.rounds, args.requests // args.clients))
        print(f"[{vendor}] server: gunicorn {args.workers} workers x {args.threads} threads on {HOST}:{port}; "
              f"{n:,} enterprises; {args.clients} concurrent clients, {args.requests} requests per endpoint "
              f"in {rounds} rounds",
              flush=True)
        # Rounds: every endpoint gets a slice of its requests in every round, so a burst of other work on
        # the machine hits the peer and the pages alike instead of whichever endpoint it coincides with.
        latencies: dict[str, list[float]] = {key: [] for key, *_rest in endpoints}
        sizes: dict[str, int] = {}
        busy: dict[str, float] = dict.fromkeys(latencies, 0.0)
        for r in range(rounds):
            for key, _label, paths, check in endpoints:
                count = args.requests * (r + 1) // rounds - args.requests * r // rounds
                first = args.requests * r // rounds
                sample = [paths[((first + i) * 7919) % len(paths)] for i in range(count)]
                t0 = time.perf_counter()
                lat, sizes[key] = drive(clients, sample, check)
                busy[key] += time.perf_counter() - t0
                latencies[key].extend(lat)
        for key, label, _paths, _check in endpoints:
            lat = sorted(latencies[key])
            results[key] = (percentile(lat, 0.5), percentile(lat, 0.95), sizes[key])
            print(f"[{vendor}]   measured {label:<55} {len(lat) / busy[key]:7.1f} req/s", flush=True)
        for c in clients:
            c.close()
    finally:
        stop_server(proc)

    empty_p95 = results["empty"][1]
    print(f"\n[{vendor}] {'endpoint':<57}{'median':>9}{'p95':>9}{'p95/empty':>11}{'first':>9}{'bytes':>9}")
    worst = ("", 0.0)
    for key, label, _paths, _check in endpoints:
        med, p95, size = results[key]
        ratio = p95 / empty_p95
        mark = "" if ratio <= TARGET or key == "empty" else "  MISSES target"
        print(f"[{vendor}] {label:<57}{med * 1000:7.1f}ms{p95 * 1000:7.1f}ms{ratio:10.1f}×"
              f"{cold[key] * 1000:7.0f}ms{size:9,}{mark}")
        if key != "empty" and ratio > worst[1]:
            worst = (label, ratio)
    print(f"[{vendor}] target: p95 <= {TARGET:.0f}× the empty view's p95 ({empty_p95 * 1000:.1f} ms)", flush=True)

    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"[{vendor}] machine: {os.cpu_count()} CPUs, load average now {load} "
          "(server, clients and any other work share them)", flush=True)
    if args.profile:
        missing = [e for e in endpoints if e[0] != "empty" and results[e[0]][1] / empty_p95 > TARGET]
        try:
            _profile(missing or endpoints[1:], vendor)
        except Exception as exc:  # the figures above stand even when profiling fails
            print(f"[{vendor}] profiling failed: {exc!r}", flush=True)
    verdict = "meets" if worst[1] <= TARGET else "MISSES"
    return (f"pages: worst p95 = {worst[1]:.1f} × empty view ({worst[0]}; {verdict} target <= {TARGET:.0f}×; "
            f"{n:,} enterprises, {vendor})")


def _profile(endpoints: list, vendor: str) -> None:
    """In-process: SQL queries and time per request, then cProfile of 20 requests, per endpoint."""
    import cProfile
    import pstats

    from django.conf import settings
    from django.db import connection
    from django.test import Client as DjangoClient

    from zhigai.core.models import User

    settings.ROOT_URLCONF = "_urls"  # bench/ is on sys.path when this file runs as a script
    client = DjangoClient(SERVER_NAME=HOST)
    client.force_login(User.objects.get(username="province"))
    for _key, label, paths, _check in endpoints:
        path = paths[0]
        client.get(path)  # warm
        timed: list[tuple[float, str]] = []

        def wrapper(execute, sql, params, many, context, timed=timed):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timed.append((time.perf_counter() - t0, sql))

        with connection.execute_wrapper(wrapper):
            t0 = time.perf_counter()
            response = client.get(path)
            total = time.perf_counter() - t0
        assert response.status_code == 200, (path, response.status_code)
        sql_time = sum(t for t, _sql in timed)
        print(f"\n[{vendor}] PROFILE {label} ({path}): {total * 1000:.1f} ms in-process, {len(timed)} SQL queries, "
              f"SQL {sql_time * 1000:.1f} ms ({sql_time / total:.0%}); slowest queries:")
        for t, sql in sorted(timed, key=lambda x: x[0], reverse=True)[:5]:
            print(f"[{vendor}]     {t * 1000:7.2f} ms  {sql[:260]}")
        profiler = cProfile.Profile()
        profiler.enable()
        for i in range(20):
            client.get(paths[i % len(paths)])
        profiler.disable()
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(15)
        stats.sort_stats("cumulative").print_stats(
            r"zhigai|django/(template|db/models/sql/compiler|core/paginator)", 25)


# ----------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if run_one_database(args, run_one):
        return 0
    child_args = ["--enterprises", str(args.enterprises), "--seed", str(args.seed), "--requests", str(args.requests),
                  "--rounds", str(args.rounds),
                  "--clients", str(args.clients), "--workers", str(args.workers), "--threads", str(args.threads),
                  *(["--profile"] if args.profile else []), *(["--keep"] if args.keep else [])]
    headlines, failed = run_each_database(__file__, child_args)
    headlines = [h for h in headlines if h.startswith("pages:")]
    if headlines:
        worst = max(headlines, key=lambda h: float(re.search(r"= ([\d.]+) ×", h).group(1)))  # type: ignore[union-attr]
        print(worst)
    return failed


if __name__ == "__main__":
    sys.exit(main())
