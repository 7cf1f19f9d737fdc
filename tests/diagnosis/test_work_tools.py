"""The expert's work queue (states, dates, search, paging, oldest first, export), the overview's
not-assessed and cohort exports, and the diagnosis section of an enterprise user's home."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.xlsx import sheet_rows, signed_in
from zhigai.base.models import Enterprise
from zhigai.core.models import Role, User
from zhigai.diagnosis.evaluation import assessment_score
from zhigai.diagnosis.models import Assessment, Assignment, Kind, MaturityModel, Status

pytestmark = pytest.mark.django_db
Make = Callable[..., Any]


def assess(enterprise: Enterprise, model: MaturityModel, kind: str, by: User | None, *, submit: bool,
           answers: int | None = None) -> Assessment:
    reqs = model.spec.requirements
    a = Assessment(enterprise=enterprise, model=model, kind=kind, created_by=by,
                   answers={r.id: "full" for r in reqs[:answers]})
    if submit:
        assessment_score(a, model.spec, [])
        a.status = Status.SUBMITTED
        a.submitted = timezone.now()
    a.save()
    return a


@pytest.fixture
def queue(make_enterprise: Make, make_user: Make, ladder: MaturityModel) -> dict[str, Any]:
    """An expert assigned to three firms a day apart: one untouched, one in progress, one verified; and
    a firm assigned to a colleague."""
    expert, colleague = make_user(Role.EXPERT), make_user(Role.EXPERT)
    firms = [make_enterprise("330102", "34", name) for name in ("甲待核实", "乙进行中", "丙已核实", "丁同事的")]
    start = timezone.now() - timedelta(days=10)
    for i, firm in enumerate(firms[:3]):
        a = Assignment.objects.create(user=expert, enterprise=firm)
        Assignment.objects.filter(pk=a.pk).update(created=start + timedelta(days=2 - i))  # the verified one oldest
    Assignment.objects.create(user=colleague, enterprise=firms[3])
    assess(firms[1], ladder, Kind.EXPERT, expert, submit=False, answers=3)
    assess(firms[2], ladder, Kind.EXPERT, expert, submit=True)
    assess(firms[0], ladder, Kind.EXPERT, colleague, submit=True)  # a colleague's verdict is not the expert's
    return {"expert": expert, "firms": firms, "start": start}


def queue_names(page: str) -> list[str]:
    table = page[page.index('data-testid="queue"'):]
    table = table[:table.index("</table>")]
    return [name for name in ("甲待核实", "乙进行中", "丙已核实", "丁同事的") if name in table]


def test_the_queue_shows_each_firms_state_oldest_first(queue: dict[str, Any]) -> None:
    page = signed_in(queue["expert"]).get("/diagnosis/queue/").content.decode()
    table = page[page.index('data-testid="queue"'):]
    order = [table.index(n) for n in ("丙已核实", "乙进行中", "甲待核实")]
    assert order == sorted(order), "oldest assignment first"
    assert "丁同事的" not in page, "only the expert's own assignments"
    assert 'data-state="verified">已核实' in table and 'data-state="progress">进行中' in table
    assert 'data-state="todo">待核实' in table
    assert timezone.localtime(queue["start"]).strftime("%Y-%m-%d") in table, "the assignment date (local)"
    assert timezone.localdate().strftime("%Y-%m-%d") in table, "the last change: today's diagnosis"


@pytest.mark.parametrize(("query", "expected"), [
    ({"state": "todo"}, ["甲待核实"]), ({"state": "progress"}, ["乙进行中"]), ({"state": "verified"}, ["丙已核实"]),
    ({"q": "进行"}, ["乙进行中"]), ({"state": "bogus"}, ["甲待核实", "乙进行中", "丙已核实"]),
])
def test_the_queue_filters_by_state_and_search(queue: dict[str, Any], query: dict[str, str],
                                               expected: list[str]) -> None:
    page = signed_in(queue["expert"]).get("/diagnosis/queue/", query).content.decode()
    assert queue_names(page) == expected


def test_the_queue_is_paged_and_counts_each_state(queue: dict[str, Any], make_enterprise: Make) -> None:
    for i in range(30):
        Assignment.objects.create(user=queue["expert"], enterprise=make_enterprise(name=f"批量{i:02d}"))
    client = signed_in(queue["expert"])
    page = client.get("/diagnosis/queue/").content.decode()
    assert page.count("<tr><td><a") == 25 and "第 1 / 2 页" in page
    assert "待核实 31" in page and "进行中 1" in page and "已核实 1" in page
    second = client.get("/diagnosis/queue/", {"page": "2"}).content.decode()
    assert second.count("<tr><td><a") == 8


def test_the_queue_export_is_the_queue_with_its_filters(queue: dict[str, Any]) -> None:
    client = signed_in(queue["expert"])
    rows = sheet_rows(client.get("/diagnosis/queue.xlsx"))
    assert rows[0] == ("企业名称", "统一社会信用代码", "地区", "状态", "指派日期", "最近变动")
    assert [(r[0], r[3]) for r in rows[1:]] == [("丙已核实", "已核实"), ("乙进行中", "进行中"), ("甲待核实", "待核实")]
    assert rows[1][4].date() == timezone.localdate(queue["start"])  # a date cell, not text
    assert [r[0] for r in sheet_rows(client.get("/diagnosis/queue.xlsx", {"state": "todo"}))[1:]] == ["甲待核实"]


def test_only_experts_have_a_queue(hangzhou_user: User) -> None:
    client = signed_in(hangzhou_user)
    assert client.get("/diagnosis/queue/").status_code == 403
    assert client.get("/diagnosis/queue.xlsx").status_code == 403


def test_the_overview_points_the_expert_to_the_queue(queue: dict[str, Any]) -> None:
    page = signed_in(queue["expert"]).get("/diagnosis/").content.decode()
    summary = page[page.index('data-testid="queue-summary"'):]
    assert "待核实 1 家 · 进行中 1 家 · 已核实 1 家" in summary and 'href="/diagnosis/queue/"' in summary
    assert "<table" not in summary[:summary.index("</section>")], "no unpaged list of every firm"


# --- the overview's exports ------------------------------------------------------------------------------------

def test_the_not_assessed_export_has_every_firm_of_the_scope_and_region(
        make_enterprise: Make, hangzhou_user: User, ladder: MaturityModel) -> None:
    done = make_enterprise("330102", "34", "已评企业")
    assess(done, ladder, Kind.SELF, None, submit=True)
    for i in range(30):  # more than one page of the overview
        make_enterprise("330102" if i % 2 else "330106", "34", f"未评{i:02d}")
    make_enterprise("330203", "17", "宁波未评")
    client = signed_in(hangzhou_user)
    page = client.get("/diagnosis/").content.decode()
    assert 'href="/diagnosis/not-assessed.xlsx"' in page
    rows = sheet_rows(client.get("/diagnosis/not-assessed.xlsx"))
    names = [r[0] for r in rows[1:]]
    assert rows[0] == ("企业名称", "统一社会信用代码", "地区", "行业")
    assert len(names) == 30 and "已评企业" not in names and "宁波未评" not in names
    county = sheet_rows(client.get("/diagnosis/not-assessed.xlsx", {"region": "330102"}))
    assert len(county) == 1 + 15
    assert len(sheet_rows(client.get("/diagnosis/not-assessed.xlsx", {"region": "330200"}))) == 31, "ignored"
    filtered = client.get("/diagnosis/", {"region": "330102"}).content.decode()
    assert 'href="/diagnosis/not-assessed.xlsx?region=330102"' in filtered


def test_the_cohort_export_is_the_cohort_table(make_enterprise: Make, province_user: User,
                                               ladder: MaturityModel) -> None:
    firm = make_enterprise("330102", "34", "两次评估企业")
    first = assess(firm, ladder, Kind.SELF, None, submit=True, answers=0)
    assess(firm, ladder, Kind.SELF, None, submit=True)
    Assessment.objects.filter(pk=first.pk).update(submitted=timezone.now() - timedelta(days=400))
    rows = sheet_rows(signed_in(province_user).get("/diagnosis/cohorts.xlsx", {"model": "ladder"}))
    top = ladder.spec.top_level
    assert len(rows) == top + 2 and len(rows[0]) == top + 2
    assert rows[0][1].startswith("L0 ") and rows[1][0].startswith("L0 ")
    assert sum(sum(r[1:]) for r in rows[1:]) == 1 and rows[1][top + 1] == 1, "from L0 to the top level"


def test_the_overview_exports_are_for_officers(make_user: Make, make_enterprise: Make) -> None:
    client = signed_in(make_user(Role.EXPERT))
    assert client.get("/diagnosis/not-assessed.xlsx").status_code == 403
    assert client.get("/diagnosis/cohorts.xlsx").status_code == 403


# --- the enterprise user's home ------------------------------------------------------------------------------

def test_the_home_says_what_to_do_next(make_enterprise: Make, make_user: Make, ladder: MaturityModel) -> None:
    firm = make_enterprise("330102", "34", "自家企业")
    client = signed_in(make_user(Role.ENTERPRISE, enterprise=firm))
    start = client.get("/").content.decode()
    assert f'action="/enterprises/{firm.uscc}/diagnosis/start/"' in start
    draft = assess(firm, ladder, Kind.SELF, None, submit=False, answers=4)
    going = client.get("/").content.decode()
    assert f'href="/assessments/{draft.pk}/"' in going and "继续自评" in going and "已答 4 /" in going
    assert "diagnosis/start/" not in going
    Assessment.objects.filter(pk=draft.pk).delete()
    done = assess(firm, ladder, Kind.SELF, None, submit=True)
    result = client.get("/").content.decode()
    latest = result[result.index('data-testid="latest-self"'):]
    assert f'href="/assessments/{done.pk}/"' in latest[:latest.index("</p>")]
    assert "再做一次自评" in result
