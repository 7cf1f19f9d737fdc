"""`zhigai demo` started as a user would start it, for the tests that drive Chromium against it.

Outside CI the browser tests skip when no browser is installed; in CI (CI=true) a missing browser is a
failure (`chromium_required`, called at the top of each browser module).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def chromium_required() -> None:
    if not Path(CHROMIUM).exists() or not shutil.which("chromium"):
        if os.environ.get("CI") == "true":
            raise RuntimeError("CI=true but Chromium is missing: install it with `apt-get install -y chromium`")
        pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def demo_running(var: Path, province: Sequence[str] = ("--enterprises", "400", "--seed", "7"),
                 wait: float = 180) -> Iterator[str]:
    """`zhigai demo` on a fresh SQLite file in `var` with a small province (or the `zhigai demo` options
    given); yields its base URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(ZHIGAI_VAR_DIR=str(var), PYTHONUNBUFFERED="1")
    log = open(var / "demo.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "zhigai.cli", "demo", "--port", str(port), *province],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                urllib.request.urlopen(base + "/login/", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("zhigai demo did not start:\n" + (var / "demo.log").read_text()) from None
                time.sleep(0.5)
        yield base
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=20)
        log.close()
