"""The diagnosis pages: the questionnaire one dimension per page, review and submit, the result, the expert's
view, the enterprise's history and the officers' overview — in Chinese and English."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhigai.base.models import Enterprise, Indicator
from zhigai.core.models import Role, User
from zhigai.diagnosis import services
from zhigai.diagnosis.definition import Requirement
from zhigai.diagnosis.models import Assessment, Evidence, Kind, MaturityModel, Status

pytestmark = pytest.mark.django_db


def level1_full_level2_largely(r: Requirement) -> str:
    return {1: "full", 2: "largely"}.get(r.level, "none")


@pytest.fixture
def enterprise(make_enterprise: Callable[..., Enterprise]) -> Enterprise:
    return make_enterprise(county="330102", name="杭州问卷测试有限公司")


def browser(user: User, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


def text(response: Any) -> str:
    return response.content.decode()


def questions_on(response: Any) -> list[str]:
    return re.findall(r'data-testid="question-([A-Z]{2}-\d[a-z]?)"', text(response))


def chart(response: Any, name: str) -> dict[str, Any]:
    body = text(response)
    assert f'data-chart="chart-{name}"' in body
    found = re.search(rf'<script id="chart-{name}" type="application/json">(.*?)</script>', body, re.S)
    assert found, f"no figure for chart {name}"
    return json.loads(found.group(1))


def submitted(user: User, enterprise: Enterprise, model: MaturityModel, choose: Callable[[Requirement], str],
              **overrides: str) -> Assessment:
    draft = services.assessment_start(by=user, enterprise=enterprise, model=model)
    answers = {**{r.id: choose(r) for r in model.spec.requirements}, **overrides}
    services.assessment_answer(by=user, assessment=draft, answers=answers)
    return services.assessment_submit(by=user, assessment=draft)


# --- the questionnaire ---------------------------------------------------------------------------------------


def test_the_enterprise_user_walks_the_questionnaire_one_dimension_per_page(
        owner: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    client = browser(owner)
    start = client.post(f"/enterprises/{enterprise.uscc}/diagnosis/start/", {"model": "ladder"})
    assessment = Assessment.objects.get(enterprise=enterprise)
    assert (assessment.kind, assessment.created_by) == (Kind.SELF, owner)
    assert start["Location"] == f"/assessments/{assessment.pk}/fill/1/"
    spec = ladder.spec

    page = client.get(start["Location"])
    assert page.status_code == 200
    equipment = [r.id for r in spec.dimension_requirements("equipment")]
    assert questions_on(page) == equipment, "page 1 asks the first dimension's questions, and only those"
    assert spec.requirement("EQ-1a").guidance.zh in text(page), "the guidance for the assessor is shown"
    assert 'name="answer-EQ-1a" value="full"' in text(page)

    for step, dimension in enumerate(spec.dimensions, start=1):
        reqs = spec.dimension_requirements(dimension.id)
        last = step == len(spec.dimensions)
        data = {f"answer-{r.id}": level1_full_level2_largely(r) for r in reqs}
        go = "review" if last else "next"
        response = client.post(f"/assessments/{assessment.pk}/fill/{step}/", {**data, "go": go})
        target = f"/assessments/{assessment.pk}/review/" if last else f"/assessments/{assessment.pk}/fill/{step + 1}/"
        assert (response.status_code, response["Location"]) == (302, target)
        if not last:
            assert questions_on(client.get(target)) == [r.id for r in spec.dimension_requirements(
                spec.dimensions[step].id)]
        assessment.refresh_from_db()
        assert all(assessment.answers[r.id] == data[f"answer-{r.id}"] for r in reqs), "progress is saved"
    assert assessment.status == Status.DRAFT

    review = client.get(f"/assessments/{assessment.pk}/review/")
    assert 'data-testid="missing"' not in text(review)
    done = client.post(f"/assessments/{assessment.pk}/submit/")
    assert done["Location"] == f"/assessments/{assessment.pk}/"
    assessment.refresh_from_db()
    assert (assessment.status, assessment.level, assessment.score) == (Status.SUBMITTED, 1, 1.87)
    # Submitted: the questionnaire now leads to the result.
    assert client.get(f"/assessments/{assessment.pk}/fill/1/")["Location"] == f"/assessments/{assessment.pk}/"


def test_back_and_save_stay_on_their_pages(owner: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = services.assessment_start(by=owner, enterprise=enterprise, model=ladder)
    client = browser(owner)
    stay = client.post(f"/assessments/{draft.pk}/fill/2/", {"answer-PR-1a": "started", "go": "stay"})
    assert stay["Location"] == f"/assessments/{draft.pk}/fill/2/"
    back = client.post(f"/assessments/{draft.pk}/fill/2/", {"answer-PR-1b": "none", "go": "prev"})
    assert back["Location"] == f"/assessments/{draft.pk}/fill/1/"
    draft.refresh_from_db()
    assert draft.answers == {"PR-1a": "started", "PR-1b": "none"}
    assert client.get(f"/assessments/{draft.pk}/fill/99/")["Location"] == f"/assessments/{draft.pk}/fill/1/"


def test_a_bad_answer_is_shown_and_not_saved(owner: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = services.assessment_start(by=owner, enterprise=enterprise, model=ladder)
    response = browser(owner).post(f"/assessments/{draft.pk}/fill/1/",
                                   {"answer-EQ-1a": "full", "answer-EQ-1b": "sometimes", "go": "next"})
    assert response.status_code == 200
    assert "sometimes" in text(response) and 'role="alert"' in text(response)
    draft.refresh_from_db()
    assert draft.answers == {}


def test_review_lists_what_is_missing_and_submitting_early_changes_nothing(
        owner: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = services.assessment_start(by=owner, enterprise=enterprise, model=ladder)
    client = browser(owner)
    equipment = {f"answer-{r.id}": "full" for r in ladder.spec.dimension_requirements("equipment")}
    client.post(f"/assessments/{draft.pk}/fill/1/", {**equipment, "go": "next"})

    review = client.get(f"/assessments/{draft.pk}/review/")
    missing = [m["id"] for m in review.context["missing"]]
    assert missing == [r.id for r in ladder.spec.requirements if not r.id.startswith("EQ-")]
    assert 'data-testid="missing"' in text(review)
    assert f'href="/assessments/{draft.pk}/fill/2/">PR-1a</a>' in text(review), "each missing one links to its page"
    assert re.search(r'data-testid="submit"\s+disabled', text(review))

    response = client.post(f"/assessments/{draft.pk}/submit/", follow=True)
    assert response.redirect_chain == [(f"/assessments/{draft.pk}/review/", 302)]
    assert "不能提交" in text(response) and "PR-1a" in text(response)
    draft.refresh_from_db()
    assert (draft.status, draft.level, draft.submitted) == (Status.DRAFT, None, None)
    assert len(draft.answers) == len(equipment)


# --- the result ----------------------------------------------------------------------------------------------


def test_the_result_page_shows_level_score_rule_radar_and_gaps_with_measures(
        owner: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    done = submitted(owner, enterprise, ladder, level1_full_level2_largely)
    page = browser(owner).get(f"/assessments/{done.pk}/")
    assert page.status_code == 200
    body = text(page)
    level = re.search(r'data-testid="level"><span>[^<]*</span><b>([^<]*)</b>', body)
    assert level and level.group(1) == "1 · 机械化"
    assert re.search(r'data-testid="score"><span>[^<]*</span><b>1\.87</b>', body)
    rule = re.search(r'data-testid="rule">([^<]*)<', body)
    assert rule and "0.8" in rule.group(1)

    radar = chart(page, "radar")
    trace = radar["data"][0]
    assert trace["type"] == "scatterpolar"
    assert trace["theta"][:-1] == [d.name.zh for d in ladder.spec.dimensions]
    assert trace["r"][:-1] == [done.dimension_scores[d.id] for d in ladder.spec.dimensions]
    assert radar["layout"]["polar"]["radialaxis"]["range"] == [0, 5]

    gaps = body[body.index('data-testid="gaps"'):]
    robots = ladder.spec.requirement("EQ-2b")
    assert f"<b>EQ-2b</b> {robots.question.zh}" in gaps
    measure = ladder.spec.measures[robots.measures[0]]
    assert measure.name.zh in gaps and measure.technologies[0].zh in gaps
    assert [g.requirement.id for g in page.context["result"].gaps] == done.gaps
    assert 'data-testid="report-pdf"' in body


def test_the_enterprise_page_shows_history_and_progress(
        owner: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    first = submitted(owner, enterprise, ladder, lambda r: "full" if r.level <= 1 else "none")
    second = submitted(owner, enterprise, ladder, lambda r: "full" if r.level <= 3 else "none")
    page = browser(owner).get(f"/enterprises/{enterprise.uscc}/diagnosis/")
    assert [a.pk for a in page.context["history"]] == [second.pk, first.pk]
    progress = chart(page, "progress")
    assert [line["y"] for line in progress["data"]] == [[1.0, 3.0]]
    assert page.context["can_self"] is True and page.context["can_diagnose"] is False


# --- the expert's pages --------------------------------------------------------------------------------------


@pytest.fixture
def expert(make_user: Callable[..., User], hangzhou_user: User, enterprise: Enterprise) -> User:
    user = make_user(Role.EXPERT)
    services.assignment_add(by=hangzhou_user, expert=user, enterprise=enterprise)
    return user


def test_the_expert_sees_claims_and_data_checks_then_the_differences(
        owner: User, expert: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    submitted(owner, enterprise, ladder, lambda r: "full")
    Indicator.objects.create(enterprise=enterprise, year=2023, robots=0, frontline_employees=80)
    client = browser(expert)
    start = client.post(f"/enterprises/{enterprise.uscc}/diagnosis/start/", {"model": "ladder"})
    draft = Assessment.objects.get(kind=Kind.EXPERT)
    assert start["Location"] == f"/assessments/{draft.pk}/fill/1/"
    page = client.get(start["Location"])
    robots = text(page)[text(page).index('data-testid="question-EQ-2b"'):]
    robots = robots[:robots.index("</fieldset>")]
    assert 'value="full" checked' in robots, "prefilled with the self-assessment"
    assert "全面实现" in robots, "the claim is shown beside the question"
    assert "0 台/百名一线工人（2023 年）" in robots, "and the figure the check will use, its unit and year"

    client.post(f"/assessments/{draft.pk}/submit/")
    result = client.get(f"/assessments/{draft.pk}/")
    body = text(result)
    differences = body[body.index('data-testid="differences"'):]
    assert "<b>EQ-2b</b>" in differences
    assert "<b>EQ-1a</b>" not in differences
    assert 'data-testid="checks"' in body
    checks = body[body.index('data-testid="checks"'):]
    assert "0 台/百名一线工人（2023 年）" in checks[:checks.index("</table>")], "the figure with its unit and year"
    # The verified level and the stage on the record, and how they relate.
    enterprise.refresh_from_db()
    relation = body[body.index('data-testid="level-stage"'):]
    assert "每一级对应一个改造阶段" in relation and f"当前：{enterprise.get_stage_display()}" in relation
    radar = chart(result, "radar")
    assert len(radar["data"]) == 2, "the self-assessment is drawn beside the verified scores"


def test_evidence_upload_on_the_page_checks_the_file(
        expert: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = services.assessment_start(by=expert, enterprise=enterprise, model=ladder)
    client = browser(expert)
    refused = client.post(f"/assessments/{draft.pk}/evidence/",
                          {"requirement": "EQ-1a", "step": "1", "file": SimpleUploadedFile("tool.exe", b"MZ")},
                          follow=True)
    assert refused.redirect_chain == [(f"/assessments/{draft.pk}/fill/1/", 302)]
    assert "tool.exe" in text(refused)
    assert not Evidence.objects.exists()
    accepted = client.post(f"/assessments/{draft.pk}/evidence/",
                           {"requirement": "EQ-1b", "step": "1",
                            "file": SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)},
                           follow=True)
    ev = Evidence.objects.get()
    assert (ev.requirement, ev.content_type) == ("EQ-1b", "image/png")
    assert f'href="/evidence/{ev.pk}/">photo.png</a>' in text(accepted)


# --- the officers' overview ----------------------------------------------------------------------------------


def test_the_officers_overview_shows_distributions_cohorts_and_the_unassessed(
        make_enterprise: Callable[..., Enterprise], make_user: Callable[..., User], hangzhou_user: User,
        ladder: MaturityModel) -> None:
    moved = make_enterprise(county="330102", name="两次评估企业")
    user = make_user(Role.ENTERPRISE, enterprise=moved)
    submitted(user, moved, ladder, lambda r: "full" if r.level <= 1 else "none")
    submitted(user, moved, ladder, lambda r: "full" if r.level <= 3 else "none")
    make_enterprise(county="330106", name="尚未评估企业")
    make_enterprise(county="330203", name="宁波未评估企业")  # outside Hangzhou

    page = browser(hangzhou_user).get("/diagnosis/")
    assert page.status_code == 200
    figures = page.context["figures"]
    assert figures["assessed"] == 1
    assert (figures["cohort_total"], figures["improved"]) == (1, 1)
    assert figures["cohort_matrix"][1][3] == 1, "from level 1 at T0 to level 3 at T1"
    by_size = dict(figures["by_size"])
    assert sum(sum(counts.values()) for counts in by_size.values()) == 1
    for name in ("region", "industry", "size"):
        levels = chart(page, f"levels-{name}")
        names = [trace["name"] for trace in levels["data"]]
        assert names[1:] == [lv.name.zh for lv in ladder.spec.levels] and len(names) == 6  # level 0 first
    region = chart(page, "levels-region")
    assert sum(sum(trace["x"]) for trace in region["data"]) == 1

    body = text(page)
    cohorts = body[body.index('data-testid="cohorts"'):]
    assert cohorts.index("L1 机械化") < cohorts.index("L3 数字化")
    unassessed = body[body.index('data-testid="unassessed"'):]
    unassessed = unassessed[:unassessed.index("</table>")]
    assert "尚未评估企业" in unassessed
    assert "两次评估企业" not in unassessed
    assert "宁波未评估企业" not in body


# --- languages -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "lang_attr", "level", "dimension"), [
    ("zh-hans", "zh-hans", "机械化", "装备与自动化"),
    ("en", "en", "Mechanization", "Equipment and automation"),
])
def test_pages_render_in_chinese_and_english(
        owner: User, enterprise: Enterprise, ladder: MaturityModel, language: str, lang_attr: str, level: str,
        dimension: str) -> None:
    done = submitted(owner, enterprise, ladder, level1_full_level2_largely)
    client = browser(owner, language)
    result = client.get(f"/assessments/{done.pk}/")
    assert f'<html lang="{lang_attr}">' in text(result)
    assert f"1 · {level}</b>" in text(result)
    assert chart(result, "radar")["data"][0]["theta"][0].replace("<br>", " ") == dimension
    question = ladder.spec.requirement("EQ-2b").question
    assert (question.en if language == "en" else question.zh) in text(result)

    draft = services.assessment_start(by=owner, enterprise=enterprise, model=ladder)
    fill = client.get(f"/assessments/{draft.pk}/fill/1/")
    first = ladder.spec.requirement("EQ-1a")
    assert (first.question.en if language == "en" else first.question.zh) in text(fill)
    for path in ("/diagnosis/", f"/enterprises/{enterprise.uscc}/diagnosis/", f"/assessments/{draft.pk}/review/",
                 f"/assessments/{done.pk}/report.pdf"):
        assert client.get(path).status_code == 200, path


def test_the_language_switch_changes_the_questionnaire(
        owner: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = services.assessment_start(by=owner, enterprise=enterprise, model=ladder)
    client = browser(owner)
    first = ladder.spec.requirement("EQ-1a")
    assert first.question.zh in text(client.get(f"/assessments/{draft.pk}/fill/1/"))
    switched = client.post("/i18n/setlang/", {"language": "en", "next": f"/assessments/{draft.pk}/fill/1/"})
    assert switched.status_code == 302
    page = client.get(f"/assessments/{draft.pk}/fill/1/")
    assert first.question.en in text(page)
    assert first.question.zh not in text(page)
