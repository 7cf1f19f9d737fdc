"""Take the README's screenshots (docs/*.png) from a fresh `zhigai demo` in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [--port 8199]

Starts the demo on a temporary folder, signs in as the demo users and saves each page at 1440 px wide.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
SHOTS = [  # (file, user, path or a callable finding it, what must be drawn first)
    ("dashboard.png", "province", "/", "div.chart .main-svg"),
    ("diagnosis.png", "expert", "verified-result", "div.chart .main-svg"),
]


def _wait(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 240
    while True:
        try:
            urllib.request.urlopen(base + "/login/", timeout=2)
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("zhigai demo did not start") from None
            time.sleep(0.5)


def _verified_result(page, base: str) -> str:  # type: ignore[no-untyped-def]
    """The result page of a diagnosis the expert verified: from its queue's verified tab to the enterprise's
    diagnosis page, then its first assessment."""
    page.goto(base + "/diagnosis/queue/?state=verified")
    page.locator("tbody a[href*='/diagnosis/']").first.click()
    page.wait_for_load_state("networkidle")
    return str(page.locator("main a[href^='/assessments/']").first.get_attribute("href"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8199)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    var = tempfile.mkdtemp(prefix="zhigai-shots-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env["ZHIGAI_VAR_DIR"] = var
    proc = subprocess.Popen([sys.executable, "-m", "zhigai.cli", "demo", "--port", str(args.port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{args.port}"
    try:
        _wait(base, proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            for name, user, where, drawn in SHOTS:
                context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
                page = context.new_page()
                page.goto(base + "/login/")
                page.fill("input[name=username]", user)
                page.fill("input[name=password]", "zhigai-demo")
                page.click("button[type=submit]")
                page.wait_for_load_state("networkidle")
                path = _verified_result(page, base) if where == "verified-result" else where
                page.goto(base + path if path.startswith("/") else path)
                page.locator(drawn).first.wait_for(timeout=20000)
                page.wait_for_timeout(500)
                page.screenshot(path=str(DOCS / name), full_page=False)
                print(f"docs/{name}: {user} {path}")
                context.close()
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
