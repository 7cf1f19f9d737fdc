"""`zhigai demo` as a user runs it: stopped with SIGTERM it stops its worker too; it serves static files as
production does (Plotly gzipped, hashed names cached long) and a favicon."""

from __future__ import annotations

import gzip
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.demo_server import free_port

pytestmark = pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")),
                                reason="the demo runs on its own SQLite file: checked in the SQLite run")


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {}, b""
    except OSError:  # not listening yet
        return 0, {}, b""


def test_demo_serves_static_files_as_production_and_stops_with_its_worker_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(ZHIGAI_VAR_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    log = tmp_path / "demo.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "zhigai.cli", "demo", "--port", str(port),
                                 "--enterprises", "30", "--seed", "3"], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    worker = 0
    try:
        deadline = time.monotonic() + 180
        while _get(base + "/login/")[0] != 200:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        worker = int(re.findall(r"Background worker started \(process (\d+)\)", log.read_text())[0])
        assert worker in _children(proc.pid)

        status, _, page = _get(base + "/login/")
        assert _get(base + "/favicon.ico")[0] == 200
        plotly = re.findall(r'data-plotly="([^"]+)"', page.decode())[0]
        assert re.fullmatch(r"/static/plotly/plotly\.min\.[0-9a-f]{12}\.js", plotly), plotly  # a hashed name
        status, headers, body = _get(base + plotly, **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers.get("content-encoding") == "gzip"
        assert len(body) < 2_000_000 and gzip.decompress(body).startswith(b"/**")
        max_age = int(re.findall(r"max-age=(\d+)", headers["cache-control"])[0])
        assert max_age >= 365 * 24 * 3600, headers["cache-control"]

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert not _alive(worker), "the worker outlived `zhigai demo`"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if worker and _alive(worker):
            os.kill(worker, signal.SIGKILL)
