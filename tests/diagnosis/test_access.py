"""Who may open and change a diagnosis. Another tenant's enterprise or assessment is 404 — never 403,
never the object — on every page, API endpoint and download; officers read but never fill in."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhigai.base.models import Enterprise
from zhigai.core.models import Role, User
from zhigai.diagnosis import services
from zhigai.diagnosis.models import Assessment, Assignment, Evidence, Kind, MaturityModel, Status

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
NAME = "杭州受访精工有限公司"


@dataclass
class World:
    enterprise: Enterprise
    done: Assessment  # the owner's submitted self-assessment
    draft: Assessment  # the assigned expert's diagnosis in progress
    evidence: Evidence
    users: dict[str, User]

    def fill(self, path: str) -> str:
        return path.format(uscc=self.enterprise.uscc, done=self.done.pk, draft=self.draft.pk, ev=self.evidence.pk)

    def snapshot(self) -> tuple:
        draft = Assessment.objects.get(pk=self.draft.pk)
        return (Assessment.objects.count(), Assessment.objects.filter(status=Status.SUBMITTED).count(),
                draft.answers, draft.notes, Evidence.objects.count(), Assignment.objects.count())


@pytest.fixture
def world(make_enterprise: Callable[..., Enterprise], make_user: Callable[..., User], hangzhou_user: User,
          province_user: User, ningbo_user: User) -> World:
    ladder = MaturityModel.objects.get(code="ladder", current=True)
    enterprise = make_enterprise(county="330102", industry="34", name=NAME)
    owner = make_user(Role.ENTERPRISE, enterprise=enterprise)
    expert = make_user(Role.EXPERT)
    services.assignment_add(by=hangzhou_user, expert=expert, enterprise=enterprise)
    expert = User.objects.get(pk=expert.pk)
    done = services.assessment_start(by=owner, enterprise=enterprise, model=ladder)
    services.assessment_answer(by=owner, assessment=done, answers={r.id: "full" for r in ladder.spec.requirements})
    done = services.assessment_submit(by=owner, assessment=done)
    draft = services.assessment_start(by=expert, enterprise=enterprise, model=ladder)
    evidence = services.evidence_add(by=expert, assessment=draft, requirement="EQ-1a",
                                     upload=SimpleUploadedFile("台账.pdf", PDF))

    neighbour = make_enterprise(county="330102", industry="34")
    elsewhere = make_enterprise(county="330203", industry="34")
    other_expert = make_user(Role.EXPERT)
    services.assignment_add(by=province_user, expert=other_expert, enterprise=elsewhere)
    users = {
        "owner": owner,
        "expert": expert,
        "province": province_user,
        "hangzhou": hangzhou_user,
        "ningbo": ningbo_user,
        "other-enterprise": make_user(Role.ENTERPRISE, enterprise=neighbour),
        "unassigned-expert": User.objects.get(pk=other_expert.pk),
        "bank": make_user(Role.BANK),
        "other-industry": make_user(Role.INDUSTRY, industries=["17"]),
    }
    return World(enterprise, done, draft, evidence, users)


def page_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_json(api_client: Callable[[User], Any], user: User, method: str, path: str, body: Any = None) -> Any:
    client = api_client(user)
    if method == "get":
        return client.get(path)
    return client.post(path, data=json.dumps(body), content_type="application/json")


OUTSIDERS = ["ningbo", "other-enterprise", "unassigned-expert", "bank", "other-industry"]
READERS = ["province", "hangzhou", "owner", "expert"]

PAGE_GETS = [
    "/assessments/{done}/",
    "/assessments/{done}/fill/1/",
    "/assessments/{done}/review/",
    "/assessments/{done}/report.pdf",
    "/assessments/{done}/report.xlsx",
    "/assessments/{draft}/",
    "/assessments/{draft}/fill/1/",
    "/assessments/{draft}/review/",
    "/assessments/{draft}/report.pdf",
    "/enterprises/{uscc}/diagnosis/",
    "/evidence/{ev}/",
]
PAGE_POSTS: list[tuple[str, dict[str, Any]]] = [
    ("/assessments/{draft}/fill/1/", {"answer-EQ-1a": "none", "go": "stay"}),
    ("/assessments/{draft}/submit/", {}),
    ("/assessments/{draft}/evidence/", {"requirement": "EQ-1a", "step": "1"}),
    ("/evidence/{ev}/delete/", {"step": "1"}),
    ("/enterprises/{uscc}/diagnosis/start/", {"model": "ladder"}),
    ("/enterprises/{uscc}/diagnosis/assign/", {"expert": "0"}),
]
API_CALLS: list[tuple[str, str, Any]] = [
    ("get", "/api/v1/enterprises/{uscc}/assessments", None),
    ("post", "/api/v1/enterprises/{uscc}/assessments", {"model": "ladder", "answers": {"EQ-1a": "full"}}),
    ("get", "/api/v1/assessments/{done}", None),
    ("get", "/api/v1/assessments/{draft}", None),
    ("get", "/api/v1/assessments/{done}/benchmark", None),
    ("get", "/api/v1/assessments/{done}/report.pdf", None),
]


def assert_no_leak(response: Any, world: World) -> None:
    text = response.content.decode(errors="replace")
    assert NAME not in text
    assert world.enterprise.uscc not in text.replace(response.wsgi_request.get_full_path(), "")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_another_tenant_gets_404_on_every_diagnosis_page(world: World, who: str) -> None:
    client = page_client(world.users[who])
    before = world.snapshot()
    for path in PAGE_GETS:
        response = client.get(world.fill(path))
        assert response.status_code == 404, (who, path, response.status_code)
        assert_no_leak(response, world)
    for path, data in PAGE_POSTS:
        if path.endswith("/evidence/"):
            data = {**data, "file": SimpleUploadedFile("x.pdf", PDF)}
        response = client.post(world.fill(path), data)
        assert response.status_code == 404, (who, path, response.status_code)
        assert_no_leak(response, world)
    assert world.snapshot() == before, "a refused request changes nothing"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_another_tenant_gets_404_on_every_diagnosis_endpoint(
        world: World, api_client: Callable[[User], Any], who: str) -> None:
    before = world.snapshot()
    for method, path, body in API_CALLS:
        response = api_json(api_client, world.users[who], method, world.fill(path), body)
        assert response.status_code == 404, (who, method, path, response.status_code)
        assert response.json() == {"code": "not_found", "message": "未找到。", "details": []}, "as for a missing one"
    assert world.snapshot() == before


@pytest.mark.parametrize("who", READERS)
def test_officers_of_the_region_the_owner_and_the_assigned_expert_read_everything(
        world: World, api_client: Callable[[User], Any], who: str) -> None:
    client = page_client(world.users[who])
    detail = client.get(world.fill("/assessments/{done}/"))
    assert detail.status_code == 200
    assert detail.context["a"] == world.done
    assert NAME in detail.content.decode()
    pdf = client.get(world.fill("/assessments/{done}/report.pdf"))
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF")
    xlsx = client.get(world.fill("/assessments/{done}/report.xlsx"))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    page = client.get(world.fill("/enterprises/{uscc}/diagnosis/"))
    assert page.status_code == 200
    assert {a.pk for a in page.context["history"]} == {world.done.pk, world.draft.pk}
    download = client.get(world.fill("/evidence/{ev}/"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert client.get(world.fill("/assessments/{draft}/review/")).status_code == 200

    user = world.users[who]
    history = api_json(api_client, user, "get", world.fill("/api/v1/enterprises/{uscc}/assessments"))
    assert [a["id"] for a in history.json()] == [world.draft.pk, world.done.pk]
    for path in ("/api/v1/assessments/{done}", "/api/v1/assessments/{draft}", "/api/v1/assessments/{done}/benchmark"):
        assert api_json(api_client, user, "get", world.fill(path)).status_code == 200, path


@pytest.mark.parametrize(("who", "target"), [
    ("province", "/assessments/{draft}/review/"),
    ("hangzhou", "/assessments/{draft}/review/"),
    ("owner", "/assessments/{draft}/review/"),
    ("expert", "/assessments/{draft}/fill/1/"),
])
def test_a_draft_opens_for_filling_only_in_the_hands_of_its_author(world: World, who: str, target: str) -> None:
    response = page_client(world.users[who]).get(world.fill("/assessments/{draft}/"))
    assert (response.status_code, response["Location"]) == (302, world.fill(target))


@pytest.mark.parametrize("who", ["province", "hangzhou"])
def test_an_officer_reads_but_cannot_fill_in_or_submit(world: World, who: str) -> None:
    ladder = world.draft.model
    owner = world.users["owner"]
    complete = services.assessment_start(by=owner, enterprise=world.enterprise, model=ladder)
    services.assessment_answer(by=owner, assessment=complete,
                               answers={r.id: "largely" for r in ladder.spec.requirements})
    before = world.snapshot()
    client = page_client(world.users[who])

    fill = client.get(f"/assessments/{complete.pk}/fill/1/")
    assert (fill.status_code, fill["Location"]) == (302, f"/assessments/{complete.pk}/")
    posted = client.post(f"/assessments/{complete.pk}/fill/1/", {"answer-EQ-1a": "none", "go": "next"})
    assert posted.status_code == 302
    submitted = client.post(f"/assessments/{complete.pk}/submit/", follow=True)
    assert submitted.redirect_chain[0] == (f"/assessments/{complete.pk}/review/", 302)
    assert "不能再提交" in submitted.content.decode(), "the page says why"
    assert 'data-testid="submit"' not in submitted.content.decode()
    started = client.post(world.fill("/enterprises/{uscc}/diagnosis/start/"), {"model": "ladder"})
    assert started.status_code == 302 and started["Location"] == world.fill("/enterprises/{uscc}/diagnosis/")

    complete.refresh_from_db()
    assert complete.status == Status.DRAFT and complete.answers["EQ-1a"] == "largely"
    assert world.snapshot() == before


def test_another_assigned_expert_cannot_change_a_colleague_draft(
        world: World, make_user: Callable[..., User], hangzhou_user: User) -> None:
    colleague = make_user(Role.EXPERT)
    services.assignment_add(by=hangzhou_user, expert=colleague, enterprise=world.enterprise)
    before = world.snapshot()
    client = page_client(colleague)
    assert client.get(world.fill("/assessments/{draft}/fill/1/")).status_code == 302
    client.post(world.fill("/assessments/{draft}/fill/1/"), {"answer-EQ-1a": "none", "go": "stay"})
    client.post(world.fill("/assessments/{draft}/evidence/"),
                {"requirement": "EQ-1a", "step": "1", "file": SimpleUploadedFile("y.pdf", PDF)})
    client.post(world.fill("/evidence/{ev}/delete/"), {"step": "1"})
    assert world.snapshot() == before
    started = client.post(world.fill("/enterprises/{uscc}/diagnosis/start/"), {"model": "ladder"})
    own = Assessment.objects.get(created_by=colleague)
    assert started["Location"] == f"/assessments/{own.pk}/fill/1/"
    assert own.kind == Kind.EXPERT and own.claims_from_id == world.done.pk


def test_the_assigned_expert_sees_the_enterprise(world: World, api_client: Callable[[User], Any]) -> None:
    expert = world.users["expert"]
    client = page_client(expert)
    assert client.get(world.fill("/enterprises/{uscc}/")).status_code == 200
    page = client.get(world.fill("/enterprises/{uscc}/diagnosis/"))
    assert page.status_code == 200 and page.context["can_diagnose"] is True and page.context["can_self"] is False
    assert api_json(api_client, expert, "get", world.fill("/api/v1/enterprises/{uscc}")).status_code == 200
    queue = client.get("/diagnosis/queue/")
    assert [a.enterprise for a in queue.context["page"]] == [world.enterprise]
    assert NAME in queue.content.decode()
    stranger = page_client(world.users["unassigned-expert"]).get("/diagnosis/queue/")
    assert NAME not in stranger.content.decode()
