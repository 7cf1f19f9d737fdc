"""The main journey in a real browser, against `zhigai demo` running as a user would start it.

Runs Debian's Chromium through Playwright. Outside CI it skips when no browser is installed; in CI
(CI=true) a missing browser is a failure.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.demo_server import CHROMIUM, CHROMIUM_ARGS, chromium_required, demo_running

pytestmark = pytest.mark.browser
chromium_required()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with demo_running(tmp_path_factory.mktemp("var")) as base:
        yield base


@pytest.fixture
def page(demo_server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        # The pages' Content-Security-Policy (script-src 'self') must block nothing they need: every
        # violation the browser reports, in the console or as an event, fails the test.
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        page.expose_function("zhigaiCspViolation", lambda text: violations.append(text))
        page.add_init_script("document.addEventListener('securitypolicyviolation', function (e) {"
                             " window.zhigaiCspViolation(e.violatedDirective + ' ' + e.blockedURI); });")
        yield page
        assert violations == [], violations
        browser.close()


def test_sign_in_search_open_switch_language_and_read_import_errors(page, demo_server, tmp_path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(demo_server + "/")
    expect(page).to_have_url(f"{demo_server}/login/?next=/")
    page.fill("input[name=username]", "hangzhou")
    page.fill("input[name=password]", "zhigai-demo")
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_contain_text("杭州")
    expect(page.locator("div.chart .main-svg").first).to_be_visible(timeout=15000)

    # Search: take the first enterprise's name from the list and find it by part of its name.
    page.click("header nav >> text=企业")
    first = page.locator("#rows tbody tr td a").first
    name = first.inner_text()
    page.fill("[data-testid=search]", name[2:6])
    expect(page.locator("#rows")).to_contain_text(name)
    page.locator("#rows tbody a", has_text=name).first.click()
    expect(page.locator("h1")).to_contain_text(name)
    expect(page.locator("[data-testid=indicators]")).to_be_visible()

    # Language switch: the page comes back in English, and back again.
    page.click("[data-testid=lang-switch]")
    expect(page.locator("h2").first).to_have_text("Indicators")
    page.click("[data-testid=lang-switch]")
    expect(page.locator("h2").first).to_have_text("指标")

    # A bad file: its errors are listed with row, column and reason; nothing is written.
    bad = tmp_path / "bad.csv"
    bad.write_text("uscc,name,region,industry\n91330102MA27XYZ12X,测试,330102,34\n", encoding="utf-8")
    page.click("header nav >> text=导入")
    page.set_input_files("[data-testid=import-file]", str(bad))
    page.click("[data-testid=import-submit]")
    errors = page.locator("[data-testid=import-errors]")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("uscc")
    expect(errors.locator("tbody tr").first.locator("td").nth(1)).to_have_text("2")
    page.screenshot(path=str(tmp_path / "import-errors.png"), full_page=True)


def _sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "zhigai-demo")
    page.click("button[type=submit]")


def test_enterprise_completes_a_self_assessment_and_sees_its_radar_chart(page, demo_server, tmp_path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    _sign_in(page, demo_server, "enterprise")
    page.click("header nav >> text=诊断")
    page.click("text=本企业的诊断")
    page.click("[data-testid=start]")
    # One dimension per page: answer every question on it, go on; the last page leads to the review.
    for _ in range(20):
        expect(page.locator("[data-testid=steps] li.current")).to_be_visible()
        radios = page.locator("input[type=radio][value=full]")
        for i in range(radios.count()):
            radios.nth(i).check()
        if page.locator("[data-testid=to-review]").count():
            page.click("[data-testid=to-review]")
            break
        page.click("[data-testid=next]")
    expect(page.locator("[data-testid=missing]")).to_have_count(0)
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=level]")).to_contain_text("5")
    expect(page.locator("[data-testid=rule]")).to_contain_text("0.8")
    radar = page.locator("div.chart .main-svg").first
    expect(radar).to_be_visible(timeout=15000)
    expect(page.locator("div.chart .polarlayer")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "self-assessment-result.png"), full_page=True)
    # The PDF report is there for the same user.
    response = page.request.get(page.url + "report.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")


def test_an_expert_works_through_the_queue_and_exports_it(page, demo_server, tmp_path):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    _sign_in(page, demo_server, "expert")
    page.click("header nav >> text=待办")
    expect(page.locator("[data-testid=queue] tbody tr").first).to_be_visible()
    page.click("[data-testid=queue-tabs] >> text=已核实")
    states = page.locator("[data-testid=queue] [data-state]")
    shown = states.evaluate_all("els => els.map(e => e.dataset.state)")
    assert shown and set(shown) == {"verified"}
    with page.expect_download() as download:
        page.click("[data-testid=export]")
    path = tmp_path / "queue.xlsx"
    download.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert rows[0][3] == "状态" and len(rows) == states.count() + 1 and {r[3] for r in rows[1:]} == {"已核实"}
    page.screenshot(path=str(tmp_path / "queue.png"), full_page=True)


def test_a_returned_provider_is_changed_resubmitted_and_listed_by_the_province(page, demo_server):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    _sign_in(page, demo_server, "provider2")
    page.click("header nav >> text=服务商")
    page.click("[data-testid=own-provider]")
    expect(page.locator("[data-testid=status]")).to_have_text("退回修改")
    expect(page.locator("[data-testid=events]")).to_contain_text("业绩清单")  # the reviewer's comments
    name = page.locator("h1").inner_text().split("\n")[0].replace("退回修改", "").strip()
    page.click("[data-testid=edit]")
    page.fill("input[name=capacity]", "6")
    page.check("input[name=technologies][value=vision]")
    page.click("[data-testid=provider-form] button[type=submit]")
    expect(page.locator("[data-testid=profile]")).to_contain_text("机器视觉")
    page.click("[data-testid=move-resubmit]")
    expect(page.locator("[data-testid=status]")).to_have_text("待审核")
    page.context.clear_cookies()

    _sign_in(page, demo_server, "province")
    page.click("header nav >> text=服务商审核")
    page.click(f"[data-testid=queue] >> text={name}")
    page.fill("textarea[name=note]", "材料齐全，同意入库。")
    page.click("[data-testid=move-approve]")
    expect(page.locator("[data-testid=status]")).to_have_text("已入库")
    page.goto(demo_server + "/providers/?technology=vision&type=engineering")
    expect(page.locator("[data-testid=providers]")).to_contain_text(name)


def test_an_enterprise_requests_an_engagement_from_its_matches_and_the_provider_accepts_it_from_its_inbox(  # type: ignore[no-untyped-def]
        page, demo_server):
    import re

    from playwright.sync_api import expect

    _sign_in(page, demo_server, "provider")
    page.click("header nav >> text=服务商")
    page.click("[data-testid=own-provider]")
    provider_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    waiting = int(page.locator("[data-testid=waiting-badge] .pill").inner_text())
    page.context.clear_cookies()

    _sign_in(page, demo_server, "enterprise")
    page.click("[data-testid=home-matches] [data-testid=all-matches]")
    match = page.locator(f"[data-testid=match][data-provider='{provider_id}']")
    expect(match.locator("[data-testid=reason]")).not_to_be_empty()
    match.locator("[data-testid=request-engagement]").click()
    page.fill("[data-testid=need]", "总装车间拧紧工序人工多，希望做自动化改造。")
    page.click("[data-testid=request-submit]")
    expect(page.locator("[data-testid=state]")).to_have_text("待响应")
    expect(page.locator("[data-testid=due]")).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    engagement = page.url.removeprefix(demo_server)
    page.context.clear_cookies()

    _sign_in(page, demo_server, "provider")
    expect(page.locator("[data-testid=waiting-badge] .pill")).to_have_text(str(waiting + 1))
    page.click("[data-testid=waiting-badge]")
    page.click("[data-testid=waiting] >> text=待响应的服务申请")
    page.click(f"a[href='{engagement}']")
    page.click("[data-testid=do-accept]")
    expect(page.locator("[data-testid=state]")).to_have_text("已接受")
    expect(page.locator("[data-testid=events]")).to_contain_text("接受委托")
    expect(page.locator("[data-testid=move-start_research]")).to_be_visible()


def test_an_enterprise_user_lands_on_its_own_home(page, demo_server):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    _sign_in(page, demo_server, "enterprise")
    expect(page.locator("[data-testid=enterprise-home]")).to_be_visible()
    expect(page.locator("[data-testid=next-step]")).to_be_visible()
    expect(page.locator("header nav >> text=企业")).to_have_count(0)


def test_a_provincial_officer_opens_the_study_reproduced(page, demo_server, tmp_path):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    _sign_in(page, demo_server, "province")
    expect(page.locator("[data-testid=dashboard-figures] .kpi").first).to_be_visible()
    page.click("header nav >> text=统计分析")
    expect(page.locator("[data-testid=figures-table]")).to_contain_text("全员劳动生产率")
    page.click("[data-testid=study-link]")
    expect(page.locator("h1")).to_have_text("研究结论复现")
    table = page.locator("[data-testid=study-table]")
    expect(table).to_contain_text("技术改造投资占工业投资比重")
    # Every study value has its platform figure beside it, and a relative difference where it has one.
    assert table.locator("tbody tr").count() == 11
    assert table.locator("[data-testid=difference]").first.inner_text().strip() != ""
    page.screenshot(path=str(tmp_path / "study.png"), full_page=True)


def test_an_enterprise_user_sees_its_projects_subsidy_quote_with_the_working(page, demo_server):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    _sign_in(page, demo_server, "enterprise")
    # A project of the enterprise's that has claimed (the demo claims on projects filed and on).
    page.locator("[data-testid=subsidy-section] tr[data-claimed=yes] [data-testid=subsidy-project]").first.click()
    quote = page.locator("[data-testid=subsidy-quote]")
    expect(quote).to_be_visible()
    expect(page.locator("[data-testid=robot-subsidy]")).to_contain_text("元")
    expect(page.locator("[data-testid=quote-lines] tbody tr").first).to_contain_text("四舍五入到分一次")
    expect(page.locator("[data-testid=claims] tbody tr")).not_to_have_count(0)
    page.locator("[data-testid=lang-switch][value=en]").click()
    expect(page.locator("[data-testid=robot-subsidy]")).to_contain_text("Total")
    expect(page.locator("[data-testid=quote-lines] tbody tr").first).to_contain_text("rounded once to the fen")


def test_an_enterprise_files_a_project_seeing_the_negative_list_as_it_types(page, demo_server):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(demo_server + "/login/")
    page.fill("input[name=username]", "enterprise")
    page.fill("input[name=password]", "zhigai-demo")
    page.click("button[type=submit]")
    page.click("header nav >> text=改造项目")
    page.click("[data-testid=file-project]")
    answer = page.locator("[data-testid=nl-result]")
    # The negative list answers as the title is typed, through the same decision the filing makes.
    page.fill("input[name=title]", "新建高炉，新增炼钢产能")
    expect(answer).to_have_attribute("data-category", "prohibited")
    expect(answer).to_contain_text("P-01")
    page.fill("input[name=title]", "焊接车间机器人换人改造")
    expect(answer).to_have_attribute("data-category", "none")
    page.fill("textarea[name=description]", "在现有厂房内新增焊接机器人。")
    page.fill("input[name=start]", "2026-03-01")
    page.fill("input[name=end]", "2026-12-31")
    page.fill("input[name=inv_equipment]", "900000")
    page.fill("input[name=eq_type_0]", "六轴焊接机器人")
    page.select_option("select[name=eq_origin_0]", "domestic")
    page.fill("input[name=eq_count_0]", "3")
    page.fill("input[name=eq_unit_price_0]", "300000")
    page.check("input[name=land][value=none]")
    page.check("input[name=sign][value=yes]")
    page.fill("input[name=sign_name]", "张建国")
    expect(answer).to_contain_text("承诺制")
    # The robot subsidy is quoted from the lines as typed, with its working, before anything is saved.
    typed = page.locator("[data-testid=subsidy-answer] [data-testid=robot-subsidy]")
    expect(typed).to_contain_text("元")
    expect(page.locator("[data-testid=subsidy-answer] [data-testid=quote-lines] tbody tr")).to_have_count(1)
    quoted = typed.inner_text()
    page.click("[data-testid=submit]")
    expect(page.locator("[data-testid=state]")).to_have_text("已备案")
    expect(page.locator("[data-testid=land-independent]")).to_be_visible()
    expect(page.locator("[data-testid=commitment]")).to_contain_text("张建国")
    expect(page.locator("[data-testid=equipment]")).to_contain_text("90 万元")
    page.click("[data-testid=subsidies-link]")
    expect(page.locator("[data-testid=subsidy-quote] [data-testid=robot-subsidy]")).to_have_text(quoted)
