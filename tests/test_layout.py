"""Every page fits the window, in both languages, at the widths officers use; the main pages pass axe-core.

The pages are not listed by hand: every named route of the URL configuration is visited, its arguments
filled with real objects of a running `zhigai demo` (PARAMS), as each of the roles that use the platform
(ROLES). What a route answers with HTML and 200 for a role is that role's page; everything else (a
download, a POST-only action, a page the role may not see) is not a page for it. Every route must be a
page for some role or answer a file or 405, so a new page is checked the day it lands.

The demo always runs on its own SQLite file, whatever the suite's database is, so under PostgreSQL
(DATABASE_URL set) this module would check exactly what the SQLite run checked: it runs once per CI run.
"""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.demo_server import CHROMIUM, CHROMIUM_ARGS, chromium_required, demo_running

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the demo runs on SQLite: checked in that run"),
]
chromium_required()

ROLES = {"province": "province", "city": "hangzhou", "enterprise": "enterprise", "expert": "expert",
         "provider": "provider2", "finance": "finance", "visitor": ""}
LANGUAGES = ("zh-hans", "en")
WIDTHS = (1024, 1366, 1440)
SKIP_NAMESPACES = ("admin",)  # Django's own pages
# Routes that are neither pages nor downloads, and where they are checked.
ACTIONS = {"set_language": "test_changing_the_language_keeps_the_page_and_its_filters"}


@dataclass
class Demo:
    base: str
    db: Path
    draft: int = 0  # an expert's diagnosis in progress, started by the fixture
    job: int = 0  # an import with errors, uploaded by the fixture
    seen: dict[str, set[str]] = field(default_factory=dict)  # route -> the roles it is a page for
    pages: dict[str, list[str]] = field(default_factory=dict)  # role -> the URLs of its pages

    def column(self, sql: str, *args: Any) -> list[Any]:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True) as con:
            return [row[0] for row in con.execute(sql, args)]

    def one(self, sql: str, *args: Any) -> Any:
        values = self.column(sql, *args)
        assert values, sql
        return values[0]


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "zhigai-demo")
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[Demo]:
    """The demo, with what it lacks for some pages made through them: a diagnosis in progress with an
    evidence file, and an import with errors."""
    var = tmp_path_factory.mktemp("var")
    with demo_running(var) as base:
        demo = Demo(base, var / "zhigai.sqlite3")
        page = browser.new_page()
        _sign_in(page, base, "expert")
        page.goto(f"{base}/enterprises/{_uscc(demo, 'expert')}/diagnosis/")
        page.click("[data-testid=start]")
        page.wait_for_url(re.compile(r"/assessments/\d+/fill/1/"))
        demo.draft = int(re.findall(r"/assessments/(\d+)/", page.url)[0])
        evidence = var / "evidence.pdf"
        evidence.write_bytes(b"%PDF-1.4\n%%EOF\n")
        page.set_input_files("input[name=file]", str(evidence))
        page.click("form[enctype] button[type=submit]")
        page.wait_for_selector("ul.evidence a")  # uploaded and listed
        page.context.clear_cookies()
        _sign_in(page, base, "province")
        page.goto(base + "/imports/")
        bad = var / "bad.csv"
        bad.write_text("uscc,name,region,industry\n91330102MA27XYZ12X,测试,330102,34\n", encoding="utf-8")
        page.set_input_files("[data-testid=import-file]", str(bad))
        page.click("[data-testid=import-submit]")
        page.wait_for_url(re.compile(r"/imports/\d+/"))
        demo.job = int(re.findall(r"/imports/(\d+)/", page.url)[0])
        page.context.clear_cookies()
        _sign_in(page, base, "provider2")  # its registration was returned: it attaches a qualification file
        page.goto(f"{base}/providers/{_provider(demo, 'provider2')}/")
        page.set_input_files("[data-testid=upload] input[name=file]", str(evidence))
        page.click("[data-testid=upload] button[type=submit]")
        page.wait_for_selector("[data-testid=files] a")
        page.close()
        for role in ROLES:
            _classify(demo, browser, role)
        yield demo


# --- the routes and their arguments ---------------------------------------------------------------------------

def _uscc(demo: Demo, role: str) -> str:
    """The enterprise a role works on: the enterprise user's own; for the others, one the expert is assigned
    to (in Hangzhou, so inside the city officer's jurisdiction too)."""
    if role == "enterprise":
        return str(demo.one("select e.uscc from base_enterprise e join core_user u on u.enterprise_id = e.id"
                            " where u.username = 'enterprise'"))
    return str(demo.one("select e.uscc from base_enterprise e join diagnosis_assignment a on a.enterprise_id = e.id"
                        " join core_user u on a.user_id = u.id where u.username = 'expert'"
                        " and exists (select 1 from diagnosis_assessment s where s.enterprise_id = e.id"
                        " and s.status = 'submitted') order by a.id"))


def _provider(demo: Demo, username: str) -> int:
    return int(demo.one("select m.provider_id from market_membership m join core_user u on m.user_id = u.id"
                        " where u.username = ?", username))


def _values(demo: Demo, role: str, param: str) -> list[Any]:
    """Real objects for a URL parameter: every kind a page shows differently (a submitted assessment and
    one in progress; the province and a city)."""
    uscc = _uscc(demo, role)
    if param == "uscc":
        return [uscc]
    if param == "assessment_id":
        # The latest submitted one of each kind (self-assessment, expert diagnosis), if any.
        done = demo.column("select max(s.id) from diagnosis_assessment s join base_enterprise e"
                           " on s.enterprise_id = e.id where e.uscc = ? and s.status = 'submitted' group by s.kind",
                           uscc)
        return [*done, demo.draft]
    if param == "provider_id":
        # A listed company (the `provider` login's), a returned one (provider2's, editable), a steering group.
        return [_provider(demo, "provider"), _provider(demo, "provider2"),
                demo.one("select min(id) from market_provider where type = 'steering'")]
    if param == "code":
        return [demo.one("select code from base_region where level = 1"), "330100"]
    if param == "engagement_id":
        # The enterprise login's latest (a plan to approve or work to accept), and a closed one in Hangzhou, with
        # its whole history, plan and outcomes (the province and the Hangzhou officer see both).
        own = demo.one("select max(g.id) from market_engagement g join base_enterprise e on g.enterprise_id = e.id"
                       " where e.uscc = ?", uscc)
        closed = demo.one("select max(g.id) from market_engagement g join base_enterprise e on g.enterprise_id = e.id"
                          " join base_region r on e.region_id = r.id join base_region c on r.parent_id = c.id"
                          " where c.code = '330100' and g.state = 'closed'")
        return [v for v in (own, closed) if v]
    if param == "project_id":
        # The role's enterprise's latest project and one returned for changes (an enterprise user's own), one
        # waiting for land, one in inspection.
        own = demo.column("select max(p.id) from projects_project p join base_enterprise e on p.enterprise_id = e.id"
                          " where e.uscc = ? group by p.state = 'returned'", uscc)
        return [*(x for x in own if x), demo.one("select min(id) from projects_project where state = 'waiting_land'"),
                demo.one("select min(id) from projects_project where state = 'inspection'")]
    values = {
        "job_id": demo.job, "step": 1,
        "evidence_id": demo.one("select max(id) from diagnosis_evidence"),
        "assignment_id": demo.one("select max(id) from diagnosis_assignment"),
        "file_id": demo.one("select max(id) from market_qualificationfile"),
        "document_id": demo.one("select max(id) from market_engagementdocument"),
        # The `enterprise` login's project (in Hangzhou: the province and the city see it too) and its claim.
        "project_id": demo.one("select min(p.id) from projects_project p join core_user u"
                               " on u.enterprise_id = p.enterprise_id where u.username = 'enterprise'"),
        "claim_id": demo.one("select min(c.id) from projects_subsidyclaim c join projects_project p"
                             " on c.project_id = p.id join core_user u on u.enterprise_id = p.enterprise_id"
                             " where u.username = 'enterprise'"),
    }
    if param in ("round_id", "application_id", "payment_id"):
        return _fund_values(demo, param)
    if param == "fmt":
        return ["pdf", "xlsx", "csv"]
    assert param in values, f"a route takes `{param}`: give it real objects of the demo in _values()"
    return [values[param]]


def _fund_values(demo: Demo, param: str) -> list[Any]:
    """The special fund's round; a funded application (with payments) and one not funded; a payment waiting
    for the city, one waiting for finance, one paid."""
    if param == "round_id":
        return [demo.one("select min(id) from projects_fundround")]
    if param == "application_id":
        return [demo.one("select min(id) from projects_fundapplication where funded"),
                demo.one("select min(id) from projects_fundapplication where not funded")]
    return [demo.one("select min(id) from projects_payment where state = ?", state)
            for state in ("requested", "region_approved", "paid")]


def _routes(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[tuple[str, list[str]]]:
    """(name, its parameters) for every named route outside Django's admin."""
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace not in SKIP_NAMESPACES and p.app_name != "ninja":
                yield from _routes(p, f"{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace + p.name, list(p.pattern.regex.groupindex)


def _urls(demo: Demo, role: str) -> list[tuple[str, str]]:
    out = []
    for name, params in _routes():
        for combo in itertools.product(*(_values(demo, role, param) for param in params)):
            out.append((name, reverse(name, kwargs=dict(zip(params, combo, strict=True)))))
    return out


def _classify(demo: Demo, browser: Any, role: str) -> None:
    """Which routes are pages for this role: those that answer it with HTML and 200."""
    context = browser.new_context()
    if ROLES[role]:
        _sign_in(context.new_page(), demo.base, ROLES[role])
    demo.pages[role] = []
    for name, url in _urls(demo, role):
        response = context.request.get(demo.base + url, max_redirects=0)
        if response.status == 200 and response.headers.get("content-type", "").startswith("text/html"):
            demo.pages[role].append(url)
            demo.seen.setdefault(name, set()).add(role)
        elif response.status in (200, 405):  # a file, or an action that only takes a POST
            demo.seen.setdefault(name, set())
    context.close()


# --- the checks -------------------------------------------------------------------------------------------------

def _wait_for_charts(page: Any) -> None:
    page.wait_for_function("document.querySelectorAll('div.chart[data-chart]:not([data-drawn])').length === 0",
                           timeout=15000)


def _settle(page: Any) -> None:
    """Let a resize take effect: Plotly redraws its charts 100 ms after the window's resize event."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 150)))")


def _overflow(page: Any) -> dict[str, Any] | None:
    """The document's width if it is wider than the window, with the widest elements that stick out."""
    return page.evaluate("""() => {
      const width = window.innerWidth, doc = document.documentElement.scrollWidth;
      if (doc <= width) return null;
      const out = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width)
        .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
      return {document: doc, window: width, elements: out};
    }""")


def _signed_in(browser: Any, demo: Demo, role: str, language: str, width: int = WIDTHS[0]) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": demo.base}])
    page = context.new_page()
    if ROLES[role]:
        _sign_in(page, demo.base, ROLES[role])
    return page


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_the_window(demo: Demo, browser: Any, role: str) -> None:
    """Each page is loaded once per language at the widest window, then the window is narrowed to each
    width, as a user narrows it (the charts redraw to their boxes); loading it afresh at each width would
    triple the time for the same layout."""
    too_wide = []
    widths = sorted(WIDTHS, reverse=True)
    page = _signed_in(browser, demo, role, LANGUAGES[0], width=widths[0])
    for language in LANGUAGES:
        page.context.add_cookies([{"name": "django_language", "value": language, "url": demo.base}])
        for url in demo.pages[role]:
            page.set_viewport_size({"width": widths[0], "height": 900})
            page.goto(demo.base + url)
            _wait_for_charts(page)
            for width in widths:
                page.set_viewport_size({"width": width, "height": 900})
                _settle(page)
                if wide := _overflow(page):
                    too_wide.append((language, width, url, wide))
    page.context.close()
    assert demo.pages[role], f"{role} sees no page at all"
    assert too_wide == [], too_wide


def test_every_route_was_checked(demo: Demo) -> None:
    """Each route was a page for some role, a file, an action that takes only a POST, or in ACTIONS."""
    names = {name for name, _ in _routes()} - set(ACTIONS)
    assert names - set(demo.seen) == set(), "routes no role could open, nor a download or POST-only action"
    assert {n for n, roles in demo.seen.items() if roles} >= {
        "base:home", "base:enterprise_detail", "diagnosis:detail", "diagnosis:fill", "core:login"}


MAIN_PAGES = {"province": ["/", "/enterprises/", "/enterprises/{uscc}/", "/diagnosis/", "/regions/330100/",
                           "/imports/", "/imports/{job}/", "/assessments/{done}/", "/inbox/", "/analytics/",
                           "/analytics/study/", "/analytics/data/"],
              "expert": ["/assessments/{draft}/fill/1/", "/assessments/{draft}/review/"],
              "enterprise": ["/enterprises/{uscc}/diagnosis/", "/enterprises/{uscc}/edit/"],
              "visitor": ["/login/"]}


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_have_no_serious_accessibility_violations(demo: Demo, browser: Any, language: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = []
    done = _values(demo, "province", "assessment_id")[0]
    for role, paths in MAIN_PAGES.items():
        page = _signed_in(browser, demo, role, language, width=1366)
        for path in paths:
            page.goto(demo.base + path.format(uscc=_uscc(demo, role), done=done, draft=demo.draft, job=demo.job))
            _wait_for_charts(page)
            for v in axe.run(page).response["violations"]:
                if v["impact"] in ("serious", "critical"):
                    found.append((path, v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]))
        page.context.close()
    assert found == [], found


@pytest.mark.parametrize("role", ["province", "visitor"])
def test_changing_the_language_keeps_the_page_and_its_filters(demo: Demo, browser: Any, role: str) -> None:
    page = _signed_in(browser, demo, role, "zh-hans")
    for url in demo.pages[role]:
        page.goto(demo.base + url)
        before = page.url
        page.click("[data-testid=lang-switch]")
        page.wait_for_function("document.documentElement.lang === 'en'")
        assert page.url == before, url
        page.click("[data-testid=lang-switch]")
        page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    if role == "province":
        # Filters chosen on the page (htmx puts them in the address after the page was rendered) are kept.
        from playwright.sync_api import expect

        page.goto(demo.base + "/enterprises/")
        page.fill("[data-testid=search]", "有限")
        page.select_option("select[name=size]", index=3)  # the filters are sent as the user changes them
        expect(page).to_have_url(re.compile(r"q=%E6%9C%89%E9%99%90.*size="))
        before = page.url
        page.click("[data-testid=lang-switch]")
        page.wait_for_function("document.documentElement.lang === 'en'")
        assert page.url == before
        expect(page.locator("[data-testid=search]")).to_have_value("有限")
        expect(page.locator("select[name=size] option:checked")).to_have_text("Small")
    page.context.close()
