"""Take the README's screenshots (docs/*.png) from a fresh `zhigai demo` in Debian's Chromium.

    .venv/bin/python scripts/screenshots.py

Starts the demo province (as `zhigai demo` does, on a temporary folder, through the browser tests'
tests/demo_server.py), signs in as the demo users and saves each page at 1440 px wide.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.demo_server import CHROMIUM, CHROMIUM_ARGS, demo_running  # noqa: E402 - after the path

DOCS = ROOT / "docs"
SHOTS = [  # (file, user, path or a callable finding it, what must be drawn first)
    ("dashboard.png", "province", "/", "div.chart .main-svg"),
    ("diagnosis.png", "expert", "verified-result", "div.chart .main-svg"),
    ("providers.png", "province", "/providers/", "table"),
]


def _verified_result(page, base: str) -> str:  # type: ignore[no-untyped-def]
    """The result page of a diagnosis the expert verified: from its queue's verified tab to the enterprise's
    diagnosis page, then its first assessment."""
    page.goto(base + "/diagnosis/queue/?state=verified")
    page.locator("tbody a[href*='/diagnosis/']").first.click()
    page.wait_for_load_state("networkidle")
    return str(page.locator("main a[href^='/assessments/']").first.get_attribute("href"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.parse_args()
    from playwright.sync_api import sync_playwright

    with demo_running(Path(tempfile.mkdtemp(prefix="zhigai-shots-")), province=(), wait=600) as base, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, user, where, drawn in SHOTS:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
            page = context.new_page()
            page.goto(base + "/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", "zhigai-demo")
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            path = _verified_result(page, base) if where == "verified-result" else where
            page.goto(base + path)
            page.locator(drawn).first.wait_for(timeout=20000)
            page.wait_for_timeout(500)
            page.screenshot(path=str(DOCS / name), full_page=False)
            print(f"docs/{name}: {user} {path}")
            context.close()
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
