"""The access matrix, generated: every route of the URL configuration and the API × every role × its own
and another tenant's object, with the outcome the modules' policies (core.policy) give.

Each route has one row below naming the permission that makes its object visible (else 404, as for a
missing object) and the permission the request needs once it sees it (else the route's refusal: 403, or
the redirect with a message a page answers with). A route with no row fails `test_every_route_has_a_row`,
so a new page or endpoint cannot land without saying who may use it. The outcome is computed from the
policy and compared with what the route really answers: the pages, API and files apply the policy, and
nothing else decides. The cases the policy itself must get right — an assigned expert changes nothing of
the enterprise; a bank's grant opens no diagnosis — are asserted outright at the end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import new_uscc
from tests.projects.fund_fixtures import fund_matrix_world
from zhigai.base.models import Enterprise, ImportJob, ImportStatus, Indicator, Region
from zhigai.config.api import api
from zhigai.core import policy as core_policy
from zhigai.core.models import Role, User
from zhigai.core.policy import Grant, permitted
from zhigai.core.services import api_token_issue
from zhigai.diagnosis import services as diagnosis
from zhigai.diagnosis.evaluation import assessment_score
from zhigai.diagnosis.models import Assessment, Assignment, Evidence, Kind, MaturityModel, Status
from zhigai.market.models import Engagement, EngagementDocument, Membership, Provider, QualificationFile
from zhigai.projects.fund_models import AllocationRun, FundApplication, FundRound, Payment
from zhigai.projects.models import Project, ProjectState

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
OK, REFUSED, HIDDEN = "ok", "refused", "hidden"
ROLES = ["admin", "province", "city", "industry", "enterprise", "expert", "colleague", "provider", "bank",
         "profile-bank", "finance"]


# --- the world: an own enterprise in Hangzhou, a foreign one in Ningbo ------------------------------------------

@dataclass
class Side:
    enterprise: Enterprise
    region: Region
    done: Assessment  # a submitted self-assessment
    draft: Assessment  # an expert diagnosis in progress, complete, by the "expert" login (own side)
    evidence: Evidence
    job: ImportJob
    provider: Provider  # a draft registration, by the "provider" login (own side) or another provider user
    qualification: QualificationFile
    engagement: Engagement  # requested of the side's provider by the side's enterprise, with a document
    document: EngagementDocument
    listed: Provider  # a listed provider no login acts for, to request an engagement of
    # A filed technical-reform project of the enterprise, with a robot line, a submitted subsidy claim and a
    # free invoice (subsidies).
    project: Any = None
    claim: Any = None
    invoice: Any = None
    fund: dict[str, Any] = field(default_factory=dict)  # the special fund's objects (tests/projects/fund_fixtures)


@dataclass
class World:
    users: dict[str, User]
    own: Side
    foreign: Side
    tokens: dict[str, str] = field(default_factory=dict)


def _assessment(enterprise: Enterprise, model: MaturityModel, kind: str, by: User | None, submit: bool) -> Assessment:
    answers = {r.id: "full" for r in model.spec.requirements}
    a = Assessment(enterprise=enterprise, model=model, kind=kind, created_by=by, answers=answers)
    if submit:
        assessment_score(a, model.spec, [])
        a.status = Status.SUBMITTED
    a.save()
    return a


def _provider(user: User, county: str) -> tuple[Provider, QualificationFile]:
    provider = Provider.objects.create(type="engineering", name=f"服务商{county}", home_region=Region.objects.get(
        code=county), created_by=user)
    Membership.objects.create(user=user, provider=provider)
    return provider, QualificationFile.objects.create(provider=provider, file=ContentFile(PDF, name="q.pdf"),
                                                      filename="q.pdf", size=len(PDF), content_type="application/pdf")


def _side(enterprise: Enterprise, region: str, author: User, job_owner: User, provider_user: User) -> Side:
    ladder = MaturityModel.objects.get(code="ladder", current=True)
    Indicator.objects.create(enterprise=enterprise, year=2020, employees=120)
    draft = _assessment(enterprise, ladder, Kind.EXPERT, author, submit=False)
    evidence = Evidence.objects.create(assessment=draft, requirement="EQ-1a", file=ContentFile(PDF, name="e.pdf"),
                                       filename="e.pdf", size=len(PDF), content_type="application/pdf")
    job = ImportJob.objects.create(created_by=job_owner, file=ContentFile(b"uscc\n", name="x.csv"),
                                   filename="x.csv", status=ImportStatus.SUCCEEDED, progress=1.0)
    provider, qualification = _provider(provider_user, enterprise.region.code)
    engagement = Engagement.objects.create(enterprise=enterprise, provider=provider, need="产线改造")
    document = EngagementDocument.objects.create(engagement=engagement, file=ContentFile(PDF, name="r.pdf"),
                                                 filename="r.pdf", size=len(PDF), content_type="application/pdf")
    listed = Provider.objects.create(type="engineering", name=f"入库服务商{region}", status="listed",
                                     home_region=enterprise.region)
    return Side(enterprise, Region.objects.get(code=region), _assessment(enterprise, ladder, Kind.SELF, None, True),
                draft, evidence, job, provider, qualification, engagement, document, listed)


@pytest.fixture
def world(make_enterprise: Any, make_user: Any, monkeypatch: pytest.MonkeyPatch) -> World:
    own = make_enterprise(county="330102", industry="34", name="本方企业")
    foreign = make_enterprise(county="330203", industry="17", name="他方企业")
    users = {
        "admin": User.objects.create_superuser("m-admin", password="x-long-password"),
        "province": make_user(Role.PROVINCE, region="330000"),
        "city": make_user(Role.CITY, region="330100"),
        "industry": make_user(Role.INDUSTRY, industries=["34"]),
        "enterprise": make_user(Role.ENTERPRISE, enterprise=own),
        "expert": make_user(Role.EXPERT),
        "colleague": make_user(Role.EXPERT),
        "provider": make_user(Role.PROVIDER),
        "bank": make_user(Role.BANK),
        "profile-bank": make_user(Role.BANK),  # a grant that opens the profile and not the indicators
        "spare": make_user(Role.EXPERT),  # assigned by the officers in the assignment row
        "finance": make_user(Role.FINANCE),
    }
    for who in ("expert", "colleague", "provider"):
        Assignment.objects.create(user=users[who], enterprise=own)
    Assignment.objects.create(user=make_user(Role.EXPERT), enterprise=foreign)  # one to end on the foreign side
    # A bank's grant as the financing module would register it: the enterprises of its contracts, to read
    # their profile and indicators — and nothing of the diagnosis.
    bank = users["bank"]
    monkeypatch.setitem(core_policy._GRANTS, "test.contract", Grant(
        name="test.contract", roles=frozenset({Role.BANK}), opens=frozenset({"base.enterprise.view",
                                                                             "base.indicator.view"}),
        enterprise_ids=lambda user: [own.id] if user.pk == bank.pk else []))
    profile_bank = users["profile-bank"]
    monkeypatch.setitem(core_policy._GRANTS, "test.profile", Grant(
        name="test.profile", roles=frozenset({Role.BANK}), opens=frozenset({"base.enterprise.view"}),
        enterprise_ids=lambda user: [own.id] if user.pk == profile_bank.pk else []))
    world = World(users, _side(own, "330100", users["expert"], users["city"], users["provider"]),
                  _side(foreign, "330200", users["province"], users["admin"], make_user(Role.PROVIDER)))
    for side in (world.own, world.foreign):
        _subsidy_side(side, users["admin"])
    fund = fund_matrix_world(users["province"], users["city"], own, foreign)
    world.own.fund, world.foreign.fund = fund["own"], fund["foreign"]
    return world


def _subsidy_side(side: Side, admin: User) -> None:
    from tests.projects.factories import project_make
    from tests.projects.subsidy_world import invoice_for, robot_claim
    from zhigai.projects.negative_list import negative_list_ensure
    from zhigai.projects.subsidy_rules import subsidy_rules_ensure

    negative_list_ensure()  # the projects' reference data, which a transactional payments test flushes
    subsidy_rules_ensure()

    side.project = project_make(side.enterprise, [("domestic", 1, "100000.00"), ("imported", 1, "100000.00")])
    Project.objects.filter(pk=side.project.pk).update(decision={  # as a filing under the commitment leaves it
        "version": "2020-1", "category": None, "negative_list_entry": None, "commitment_signed": True})
    side.project.refresh_from_db()
    assert side.project.state == ProjectState.FILED
    first, second = side.project.equipment.order_by("id")
    side.claim = robot_claim(side.project, admin, invoices=[invoice_for(side.project, admin, first)])
    side.invoice = invoice_for(side.project, admin, second)


# --- the rows ---------------------------------------------------------------------------------------------------

Perm = str | tuple[str, ...] | None  # a permission, any of several, or none needed


@dataclass
class Row:
    method: str
    path: str  # with {uscc} {done} {draft} {evidence} {job} {region} {expert_id}
    target: str | None = None  # the object the permissions are tested on: enterprise, done, draft, evidence…
    view: Perm = None  # not permitted: 404
    act: Perm = None  # not permitted: the refusal below
    ok: int = 200
    refused: int = 403
    body: Any = None
    # For a page that answers allowed and refused with the same redirect: what the allowed request changes.
    changes: Callable[[Side], Any] | None = None
    ok_location: str = ""  # where the allowed request is sent (a pattern), when a refusal is sent elsewhere


def _objects(side: Side, user: User) -> dict[str, Any]:
    return {"enterprise": side.enterprise, "region": side.region, "done": side.done, "draft": side.draft,
            "evidence": side.draft, "job": side.job, "provider": side.provider, "engagement": side.engagement,
            "project": side.project, "claim": side.claim, **side.fund, None: None}


def _evidence_count(side: Side) -> int:
    return Evidence.objects.filter(assessment=side.draft).count()


def _provider_state(side: Side) -> str:
    return Provider.objects.get(pk=side.provider.pk).status


def _qualifications(side: Side) -> int:
    return QualificationFile.objects.filter(provider=side.provider).count()


def _engagement_state(side: Side) -> str:
    return Engagement.objects.get(pk=side.engagement.pk).state


def _assignments(side: Side) -> int:
    return Assignment.objects.filter(enterprise=side.enterprise).count()


def _claim_state(side: Side) -> str:
    return str(type(side.claim).objects.get(pk=side.claim.pk).state)


SUBSIDY_INVOICE = {"number": "M-1", "issuer_tax_id": "91330100MA2AAAAA0Y", "date": "2024-04-01",
                   "amount": "100.00"}
ASSESS = ("diagnosis.assessment.self_assess", "diagnosis.assessment.diagnose")


def _fund_rounds(side: Side) -> int:
    return FundRound.objects.count()


def _fund_applications(side: Side) -> int:
    return FundApplication.objects.count()


def _fund_runs(side: Side) -> int:
    return AllocationRun.objects.count()


def _fund_payments(side: Side) -> int:
    return Payment.objects.count()


def _fund_payment_state(side: Side) -> str:
    return Payment.objects.get(pk=side.fund["payment"].pk).state


F_ROUND, F_APP, F_PAY = "projects.fund_round.view", "projects.fund_application.view", "projects.fund_payment.view"
FUND_PAGES: dict[str, Row] = {
    "rounds": Row("get", "/fund/", act=F_ROUND),
    "round_create": Row("post", "/fund/new/", act="projects.fund_round.create", ok=302, refused=302,
                        body={"year": "2031"}, changes=_fund_rounds),
    "round": Row("get", "/fund/{round}/", "round", view=F_ROUND),
    "round_export": Row("get", "/fund/{round}/export.xlsx", "round", view=F_ROUND),
    "apply": Row("post", "/fund/{round2}/applications/", "project2", view="projects.fund_project.view",
                 act="projects.fund_application.create", ok=302, refused=302,
                 body={"project": "{project2}", "amount": "10.00"}, changes=_fund_applications),
    "allocate": Row("post", "/fund/{round2}/allocate/", "round", view=F_ROUND, act="projects.fund_round.allocate",
                    ok=302, refused=302, changes=_fund_runs),
    "pay_request": Row("post", "/fund/applications/{application}/pay/", "application", view=F_APP,
                       act="projects.fund_payment.request", ok=302, refused=302,
                       body={"amount": "5.00", "idempotency_key": "matrix-page"}, changes=_fund_payments),
    "queue": Row("get", "/fund/payments/", act="projects.fund_payment.queue"),
    "payment": Row("get", "/fund/payments/{payment}/", "payment", view=F_PAY),
    "payment_move": Row("post", "/fund/payments/{payment}/move/", "payment", view=F_PAY,
                        act="projects.fund_payment.region_approve", ok=302, refused=302,
                        body={"move": "region_approve"}, changes=_fund_payment_state),
}
FUND_API: dict[str, Row] = {
    "POST /api/v1/fund/rounds": Row("post", "/api/v1/fund/rounds", act="projects.fund_round.create", ok=201,
                                    body={"year": 2031}),
    "GET /api/v1/fund/rounds": Row("get", "/api/v1/fund/rounds"),
    "GET /api/v1/fund/rounds/{round_id}": Row("get", "/api/v1/fund/rounds/{round}", "round", view=F_ROUND),
    "POST /api/v1/fund/rounds/{round_id}/applications": Row(
        "post", "/api/v1/fund/rounds/{round2}/applications", "project2", view="projects.fund_project.view",
        act="projects.fund_application.create", ok=201, body={"project": "{project2}", "amount": "10.00"}),
    "POST /api/v1/fund/rounds/{round_id}/allocate": Row("post", "/api/v1/fund/rounds/{round2}/allocate", "round",
                                                        view=F_ROUND, act="projects.fund_round.allocate", body={}),
    "POST /api/v1/payments": Row("post", "/api/v1/payments", "application", view=F_APP,
                                 act="projects.fund_payment.request", ok=201,
                                 body={"application": "{application}", "amount": "5.00", "idempotency_key": "m"}),
    "GET /api/v1/payments/{payment_id}": Row("get", "/api/v1/payments/{payment}", "payment", view=F_PAY),
    "POST /api/v1/payments/{payment_id}/transitions": Row(
        "post", "/api/v1/payments/{payment}/transitions", "payment", view=F_PAY,
        act="projects.fund_payment.region_approve", body={"move": "region_approve"}),
    "GET /api/v1/ledger": Row("get", "/api/v1/ledger?round={round}", "round", view=F_ROUND, act="ledger.ledger.view"),
}
SUBMIT = ("diagnosis.assessment.submit", "diagnosis.assessment.verify")
NEW_ENTERPRISE = {"name": "新登记企业", "region": "330102", "industry": "34"}
NEW_PROJECT = {"title": "机器人换人", "start": "2026-01-01", "end": "2026-06-30",
               "investment": {"equipment": "300000.00"}, "commitment": {"signed": True, "name": "张三"},
               "equipment": [{"kind": "robot", "type": "六轴机器人", "origin": "domestic", "count": 1,
                              "unit_price": "300000.00"}]}
PROJECT_FILE = "projects.project.file"


def _project_state(side: Side) -> str:
    return Project.objects.get(pk=side.project.pk).state

PAGES: dict[str, Row] = {
    "base:home": Row("get", "/"),
    "base:enterprise_list": Row("get", "/enterprises/"),
    "base:enterprise_export": Row("get", "/enterprises/export.xlsx?q=企业"),
    "base:enterprise_new": Row("get", "/enterprises/new/", act="base.enterprise.create", refused=404),
    "base:enterprise_detail": Row("get", "/enterprises/{uscc}/", "enterprise", view="base.enterprise.view"),
    "base:enterprise_edit": Row("get", "/enterprises/{uscc}/edit/", "enterprise", view="base.enterprise.view",
                                act="base.enterprise.change"),
    "base:indicator_edit": Row("get", "/enterprises/{uscc}/indicators/?year=2020", "enterprise",
                               view="base.enterprise.view", act="base.indicator.change"),
    "base:region_detail": Row("get", "/regions/{region}/", "region", view="base.region.view"),
    "base:import": Row("get", "/imports/", act="base.import.create", refused=404),
    "base:import_template": Row("get", "/imports/template.xlsx"),
    "base:import_status": Row("get", "/imports/{job}/", "job", view="base.import.view"),
    "base:import_report": Row("get", "/imports/{job}/errors.xlsx", "job", view="base.import.view"),
    "analytics:figures": Row("get", "/analytics/?year_from=2019", act="analytics.figures.view"),
    "analytics:figures_export": Row("get", "/analytics/figures.xlsx?year_from=2019", act="analytics.figures.view"),
    "analytics:study": Row("get", "/analytics/study/", act="analytics.figures.view"),
    "analytics:data": Row("get", "/analytics/data/"),
    "core:inbox": Row("get", "/inbox/"),
    "core:logout": Row("post", "/logout/", ok=302),
    "diagnosis:overview": Row("get", "/diagnosis/"),
    "diagnosis:unassessed_export": Row("get", "/diagnosis/not-assessed.xlsx?region=330100",
                                       act="diagnosis.figures.view"),
    "diagnosis:cohorts_export": Row("get", "/diagnosis/cohorts.xlsx?model=ladder", act="diagnosis.figures.view"),
    "diagnosis:queue": Row("get", "/diagnosis/queue/?state=todo", act="diagnosis.assignment.list_own"),
    "diagnosis:queue_export": Row("get", "/diagnosis/queue.xlsx", act="diagnosis.assignment.list_own"),
    "diagnosis:enterprise": Row("get", "/enterprises/{uscc}/diagnosis/", "enterprise",
                                view="diagnosis.enterprise.view"),
    "diagnosis:start": Row("post", "/enterprises/{uscc}/diagnosis/start/", "enterprise", view="base.enterprise.view",
                           act=ASSESS, ok=302, refused=302, body={"model": "ladder"},
                           ok_location=r"/assessments/\d+/fill/1/"),
    "diagnosis:assign": Row("post", "/enterprises/{uscc}/diagnosis/assign/", "enterprise",
                            view="base.enterprise.view", act="diagnosis.assignment.create", ok=302, refused=302,
                            body={"expert": "{spare_expert}"}, changes=_assignments),
    "diagnosis:unassign": Row("post", "/assignments/{assignment}/remove/", "enterprise",
                              view="diagnosis.enterprise.view", act="diagnosis.assignment.delete", ok=302, refused=302,
                              changes=_assignments),
    "diagnosis:detail": Row("get", "/assessments/{done}/", "done", view="diagnosis.assessment.view"),
    "diagnosis:fill": Row("get", "/assessments/{draft}/fill/1/", "draft", view="diagnosis.assessment.view",
                          act="diagnosis.assessment.change", refused=302),
    "diagnosis:review": Row("get", "/assessments/{draft}/review/", "draft", view="diagnosis.assessment.view"),
    "diagnosis:submit": Row("post", "/assessments/{draft}/submit/", "draft", view="diagnosis.assessment.view",
                            act=SUBMIT, ok=302, refused=302, ok_location="/assessments/{draft}/"),
    "diagnosis:report": Row("get", "/assessments/{done}/report.pdf", "done", view="diagnosis.assessment.view"),
    "diagnosis:evidence_upload": Row("post", "/assessments/{draft}/evidence/", "draft",
                                     view="diagnosis.assessment.view", act="diagnosis.assessment.change", ok=302,
                                     refused=302, body={"requirement": "EQ-1a", "step": "1", "file": "<pdf>"},
                                     changes=_evidence_count),
    "diagnosis:evidence": Row("get", "/evidence/{evidence}/", "evidence", view="diagnosis.assessment.view"),
    "diagnosis:evidence_delete": Row("post", "/evidence/{evidence}/delete/", "evidence",
                                     view="diagnosis.assessment.view", act="diagnosis.assessment.change", ok=302,
                                     refused=302, body={"step": "1"}, changes=_evidence_count),
    "market:directory": Row("get", "/providers/?type=engineering&technology=robot"),
    "market:directory_export": Row("get", "/providers/export.xlsx?type=engineering"),
    "market:queue": Row("get", "/providers/review/", act="market.provider.review"),
    "market:provider_new": Row("get", "/providers/new/", act="market.provider.create"),
    "market:provider": Row("get", "/providers/{provider}/", "provider", view="market.provider.view"),
    "market:provider_edit": Row("get", "/providers/{provider}/edit/", "provider", view="market.provider.view",
                                act="market.provider.change"),
    "market:provider_move": Row("post", "/providers/{provider}/move/", "provider", view="market.provider.view",
                                act="market.provider.submit", ok=302, refused=302, body={"move": "submit"},
                                changes=_provider_state),
    "market:file_upload": Row("post", "/providers/{provider}/files/", "provider", view="market.provider.view",
                              act="market.provider.change", ok=302, refused=302, body={"file": "<pdf>"},
                              changes=_qualifications),
    "market:file": Row("get", "/qualifications/{qualification}/", "provider", view="market.provider.view"),
    "market:engagements": Row("get", "/market/engagements/?state=requested"),
    "market:engagement_new": Row("get", "/market/engagements/new/?provider={provider}", "provider",
                                 view="market.provider.view", act="market.engagement.request"),
    "market:engagement": Row("get", "/market/engagements/{engagement}/", "engagement",
                             view="market.engagement.view"),
    "market:engagement_move": Row("post", "/market/engagements/{engagement}/move/", "engagement",
                                  view="market.engagement.view", act="market.engagement.accept", ok=302, refused=302,
                                  body={"to": "accepted"}, changes=_engagement_state),
    "market:engagement_document": Row("get", "/market/engagement-documents/{document}/", "engagement",
                                      view="market.engagement.view"),
    "market:members": Row("get", "/providers/{provider}/members/", "provider", view="market.provider.view",
                          act="market.member.view"),
    "market:overview": Row("get", "/market/overview/?year=2026&region=330100", act="market.overview.view"),
    "market:engagements_export": Row("get", "/market/engagements.xlsx?industry=34", act="market.overview.view"),
    "market:file_delete": Row("post", "/qualifications/{qualification}/delete/", "provider",
                              view="market.provider.view", act="market.provider.change", ok=302, refused=302,
                              changes=_qualifications),
    "market:match": Row("get", "/market/match/{uscc}/?type=engineering", "enterprise",
                        view="market.enterprise.match"),
    "market:matching_policy": Row("get", "/market/matching/policy/", act="market.matching.change"),
    "subsidies:project": Row("get", "/projects/{project}/subsidies/?year=2024", "project",
                             view="projects.subsidy.view"),
    "subsidies:invoice_add": Row("post", "/projects/{project}/subsidies/invoices/", "project",
                                 view="projects.subsidy.view", act="projects.subsidy.claim", ok=302,
                                 body=SUBSIDY_INVOICE),
    "subsidies:claim_add": Row("post", "/projects/{project}/subsidies/claims/", "project",
                               view="projects.subsidy.view", act="projects.subsidy.claim", ok=302,
                               body={"kind": "robot", "program": "city", "year": "2024", "invoices": "{invoice}"}),
    "subsidies:quote_preview": Row("get", "/subsidies/quote-preview/?uscc={uscc}&count-0=1&unit_price-0=9.99",
                                   "enterprise", view="projects.subsidy.view"),
    "subsidies:queue": Row("get", "/subsidies/claims/", act="projects.subsidy_claim.queue"),
    "subsidies:queue_export": Row("get", "/subsidies/claims/export.xlsx?state=submitted",
                                  act="projects.subsidy_claim.queue"),
    "subsidies:claim": Row("get", "/subsidies/claims/{claim}/", "claim", view="projects.subsidy_claim.view"),
    "subsidies:claim_move": Row("post", "/subsidies/claims/{claim}/move/", "claim",
                                view="projects.subsidy_claim.view", act="projects.subsidy_claim.approve", ok=302,
                                refused=302, body={"move": "approve"}, changes=_claim_state),
    "subsidies:rules": Row("get", "/subsidies/rules/", act="projects.subsidy_rules.view"),
    "subsidies:figures": Row("get", "/subsidies/figures/", act="projects.subsidy_figures.view"),
    **{f"fund:{name}": row for name, row in FUND_PAGES.items()},
    "ledger:journal": Row("get", "/ledger/?account=fund:", act="ledger.ledger.view"),
    "ledger:reconciliation": Row("get", "/ledger/reconciliation/", act="ledger.ledger.view"),
    "ledger:export": Row("get", "/ledger/export.xlsx?account=fund:2026:", act="ledger.ledger.view"),
    "projects:list": Row("get", "/projects/?state=filed&land=independent", act="projects.project.list"),
    "projects:export": Row("get", "/projects/export.xlsx?state=filed", act="projects.project.list"),
    "projects:new": Row("get", "/projects/new/?enterprise={uscc}", "enterprise", view="base.enterprise.view",
                        act=PROJECT_FILE),
    "projects:check": Row("get", "/projects/new/check/?enterprise={uscc}&title=新建高炉", "enterprise",
                          view="base.enterprise.view", act=PROJECT_FILE),
    "projects:queue": Row("get", "/projects/review/", act="projects.queue.view"),
    "projects:figures": Row("get", "/projects/figures/", act="projects.figures.view"),
    "projects:land": Row("get", "/projects/land/?year=2026", act="projects.land_quota.view"),
    "projects:negative_list": Row("get", "/projects/negative-list/", act="projects.negative_list.view"),
    "projects:detail": Row("get", "/projects/{project}/", "project", view="projects.project.view"),
    "projects:edit": Row("get", "/projects/{project}/edit/", "project", view="projects.project.view",
                         act="projects.project.change"),
    "projects:move": Row("post", "/projects/{project}/move/", "project", view="projects.project.view",
                         act="projects.project.act", ok=302, refused=302, body={"move": "start"},
                         changes=_project_state),
}

API: dict[str, Row] = {
    "GET /api/v1/me": Row("get", "/api/v1/me"),
    "DELETE /api/v1/auth/token": Row("delete", "/api/v1/auth/token", ok=204),  # every bearer revokes its own
    "GET /api/v1/regions": Row("get", "/api/v1/regions"),
    "GET /api/v1/industries": Row("get", "/api/v1/industries"),
    "GET /api/v1/enterprises": Row("get", "/api/v1/enterprises"),
    "POST /api/v1/enterprises": Row("post", "/api/v1/enterprises", act="base.enterprise.create", ok=201,
                                    body=NEW_ENTERPRISE),
    "GET /api/v1/enterprises/{uscc}": Row("get", "/api/v1/enterprises/{uscc}", "enterprise",
                                          view="base.enterprise.view"),
    "PATCH /api/v1/enterprises/{uscc}": Row("patch", "/api/v1/enterprises/{uscc}", "enterprise",
                                            view="base.enterprise.view", act="base.enterprise.change",
                                            body={"name": "改名企业"}),
    "GET /api/v1/enterprises/{uscc}/stages": Row("get", "/api/v1/enterprises/{uscc}/stages", "enterprise",
                                                 view="base.enterprise.view"),
    "GET /api/v1/enterprises/{uscc}/indicators": Row("get", "/api/v1/enterprises/{uscc}/indicators", "enterprise",
                                                     view="base.indicator.view"),
    "PUT /api/v1/enterprises/{uscc}/indicators/{year}": Row(
        "put", "/api/v1/enterprises/{uscc}/indicators/2020", "enterprise", view="base.enterprise.view",
        act="base.indicator.change", body={"employees": 99}),
    "POST /api/v1/imports": Row("post", "/api/v1/imports", act="base.import.create", ok=201, body="<csv>"),
    "GET /api/v1/imports/{job_id}": Row("get", "/api/v1/imports/{job}", "job", view="base.import.view"),
    "GET /api/v1/figures": Row("get", "/api/v1/figures?year_to=2020", act="analytics.figures.view"),
    "GET /api/v1/diagnosis/models": Row("get", "/api/v1/diagnosis/models"),
    "GET /api/v1/diagnosis/models/{ref}": Row("get", "/api/v1/diagnosis/models/ladder"),
    "POST /api/v1/enterprises/{uscc}/assessments": Row(
        "post", "/api/v1/enterprises/{uscc}/assessments", "enterprise", view="base.enterprise.view", act=ASSESS,
        ok=201, body={"model": "ladder", "answers": {"EQ-1a": "full"}}),
    "GET /api/v1/enterprises/{uscc}/assessments": Row("get", "/api/v1/enterprises/{uscc}/assessments", "enterprise",
                                                      view="diagnosis.enterprise.view"),
    "GET /api/v1/assessments/{assessment_id}": Row("get", "/api/v1/assessments/{done}", "done",
                                                   view="diagnosis.assessment.view"),
    "GET /api/v1/assessments/{assessment_id}/benchmark": Row("get", "/api/v1/assessments/{done}/benchmark", "done",
                                                             view="diagnosis.assessment.view"),
    "GET /api/v1/assessments/{assessment_id}/report.pdf": Row("get", "/api/v1/assessments/{done}/report.pdf", "done",
                                                              view="diagnosis.assessment.view"),
    "GET /api/v1/providers": Row("get", "/api/v1/providers?industry=34&type=engineering"),
    "GET /api/v1/providers/{provider_id}": Row("get", "/api/v1/providers/{provider}", "provider",
                                               view="market.provider.view"),
    "GET /api/v1/enterprises/{uscc}/matches": Row("get", "/api/v1/enterprises/{uscc}/matches?technology=robot",
                                                  "enterprise", view="market.enterprise.match"),
    "POST /api/v1/engagements": Row("post", "/api/v1/engagements", "enterprise", view="base.enterprise.view",
                                    act="market.engagement.request", ok=201,
                                    body={"enterprise": "{uscc}", "provider": "{listed}", "need": "产线改造"}),
    "GET /api/v1/engagements": Row("get", "/api/v1/engagements?state=requested"),
    "GET /api/v1/engagements/{engagement_id}": Row("get", "/api/v1/engagements/{engagement}", "engagement",
                                                   view="market.engagement.view"),
    "POST /api/v1/engagements/{engagement_id}/transitions": Row(
        "post", "/api/v1/engagements/{engagement}/transitions", "engagement", view="market.engagement.view",
        act="market.engagement.accept", body={"to": "accepted"}),
    "POST /api/v1/engagements/{engagement_id}/documents": Row(
        "post", "/api/v1/engagements/{engagement}/documents", "engagement", view="market.engagement.view",
        act="market.engagement.attach", ok=201, body="<pdf>"),
    "GET /api/v1/projects/{project_id}/subsidy-quote": Row("get", "/api/v1/projects/{project}/subsidy-quote?year=2024",
                                                           "project", view="projects.subsidy.view"),
    "POST /api/v1/projects/{project_id}/invoices": Row("post", "/api/v1/projects/{project}/invoices", "project",
                                                       view="projects.subsidy.view", act="projects.subsidy.claim",
                                                       ok=201, body=SUBSIDY_INVOICE),
    "GET /api/v1/projects/{project_id}/invoices": Row("get", "/api/v1/projects/{project}/invoices", "project",
                                                      view="projects.subsidy.view"),
    "POST /api/v1/projects/{project_id}/subsidy-claims": Row(
        "post", "/api/v1/projects/{project}/subsidy-claims", "project", view="projects.subsidy.view",
        act="projects.subsidy.claim", ok=201,
        body=lambda side: {"kind": "robot", "program": "city", "year": 2024, "invoices": [side.invoice.pk]}),
    "GET /api/v1/projects/{project_id}/subsidy-claims": Row("get", "/api/v1/projects/{project}/subsidy-claims",
                                                            "project", view="projects.subsidy.view"),
    "GET /api/v1/subsidy-claims/{claim_id}": Row("get", "/api/v1/subsidy-claims/{claim}", "claim",
                                                 view="projects.subsidy_claim.view"),
    "POST /api/v1/subsidy-claims/{claim_id}/transitions": Row(
        "post", "/api/v1/subsidy-claims/{claim}/transitions", "claim", view="projects.subsidy_claim.view",
        act="projects.subsidy_claim.approve", body={"transition": "approve"}),
    **FUND_API,
    "POST /api/v1/projects": Row("post", "/api/v1/projects", "enterprise", view="base.enterprise.view",
                                 act=PROJECT_FILE, ok=201, body=NEW_PROJECT),
    "GET /api/v1/projects": Row("get", "/api/v1/projects?state=filed&region=330100"),
    "GET /api/v1/projects/{project_id}": Row("get", "/api/v1/projects/{project}", "project",
                                             view="projects.project.view"),
    "POST /api/v1/projects/{project_id}/transitions": Row(
        "post", "/api/v1/projects/{project}/transitions", "project", view="projects.project.view",
        act="projects.project.act", body={"to": "in_progress"}),
}

# Routes every visitor may use, signed in or not, or that Django's own apps guard (the admin: staff only).
PUBLIC = {"core:login", "set_language", "javascript-catalog", "POST /api/v1/auth/token",
          "GET /api/v1/openapi.json", "GET /api/v1/docs"}


# --- the routes the project has -------------------------------------------------------------------------------

def _page_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names = set()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace in ("admin", "api"):  # the admin is Django's; the API is listed from its schema
                continue
            names |= _page_names(p, f"{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern) and p.name:
            names.add(namespace + p.name)
    return names


def _api_operations() -> set[str]:
    paths = api.get_openapi_schema()["paths"]
    return {f"{method.upper()} {path}" for path, ops in paths.items() for method in ops}


def test_every_route_has_a_row() -> None:
    pages, operations = _page_names(get_resolver()), _api_operations() | {"GET /api/v1/openapi.json",
                                                                          "GET /api/v1/docs"}
    missing = sorted((pages | operations) - set(PAGES) - set(API) - PUBLIC)
    assert not missing, f"routes with no row in the access matrix: {missing}"
    stale = sorted((set(PAGES) | set(API)) - pages - operations)
    assert not stale, f"rows for routes that do not exist: {stale}"


def test_every_permission_a_row_names_is_declared() -> None:
    declared = {perm for p in core_policy.policies() for perm in p.permissions()}
    named = set()
    for row in [*PAGES.values(), *API.values()]:
        for perm in (row.view, row.act):
            named |= set(perm) if isinstance(perm, tuple) else {perm} if perm else set()
    assert named <= declared, named - declared


# --- the outcome: from the policy, and from the route --------------------------------------------------------

def _allows(perm: Perm, user: User, obj: Any) -> bool:
    if perm is None:
        return True
    return any(permitted(user, p, obj) for p in (perm if isinstance(perm, tuple) else (perm,)))


def expected(row: Row, user: User, side: Side) -> str:
    obj = _objects(side, user)[row.target]
    if row.target == "job" and side.job.created_by_id != user.pk:
        obj = side.job
    if row.view and not _allows(row.view, user, obj):
        return HIDDEN
    return OK if _allows(row.act, user, obj) else REFUSED


def _fill(text: str, world: World, side: Side) -> str:
    return text.format(uscc=side.enterprise.uscc, done=side.done.pk, draft=side.draft.pk,
                       evidence=side.evidence.pk, job=side.job.pk, region=side.region.code,
                       provider=side.provider.pk, qualification=side.qualification.pk,
                       engagement=side.engagement.pk, document=side.document.pk, listed=side.listed.pk,
                       spare_expert=world.users["spare"].pk, project=side.project.pk, claim=side.claim.pk,
                       invoice=side.invoice.pk,
                       assignment=Assignment.objects.filter(enterprise=side.enterprise).order_by("pk").values_list(
                           "pk", flat=True).first() or 0,
                       **{name: getattr(obj, "pk", obj) for name, obj in side.fund.items()})


def _request(row: Row, world: World, who: str, side: Side, api_call: bool) -> Any:
    path = _fill(row.path, world, side)
    if api_call:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[who]}")
        if row.body == "<csv>":
            csv = f"uscc,name,region,industry\n{new_uscc('330102')},导入企业,330102,34\n".encode()
            return client.post(path, {"file": SimpleUploadedFile("e.csv", csv)})
        if row.body == "<pdf>":
            return client.post(path, {"file": SimpleUploadedFile("new.pdf", PDF), "kind": "report"})
        if row.method == "get":
            return client.get(path)
        body = {**row.body, "uscc": new_uscc("330102")} if row.body is NEW_ENTERPRISE else row.body
        if row.body is NEW_PROJECT:
            body = {**row.body, "enterprise": side.enterprise.uscc}
        body = body(side) if callable(body) else body
        if isinstance(body, dict):  # placeholders filled; an id stays a number
            body = {k: (int(_fill(v, world, side)) if v == "{listed}" else _fill(v, world, side))
                    if isinstance(v, str) else v for k, v in body.items()}
        return getattr(client, row.method)(path, data=json.dumps(body), content_type="application/json")
    client = Client()
    client.force_login(world.users[who])
    if row.method == "get":
        return client.get(path)
    data = {k: _fill(v, world, side) if isinstance(v, str) else v for k, v in (row.body or {}).items()}
    if data.get("file") == "<pdf>":
        data["file"] = SimpleUploadedFile("new.pdf", PDF)
    return client.post(path, data)


def observed(row: Row, response: Any, before: Any, after: Any, world: World, side: Side) -> str:
    status = response.status_code
    if status == 404:
        return REFUSED if row.target is None and row.refused == 404 else HIDDEN
    if row.changes is not None:
        return OK if after != before else REFUSED
    if row.ok == row.refused == 302:
        allowed = re.fullmatch(_fill(row.ok_location, world, side), response["Location"])
        return OK if allowed else REFUSED
    if status == row.ok:
        return OK
    assert status == row.refused, (row.path, status, response.content[:300])
    return REFUSED


def _walk(rows: dict[str, Row], name: str, world: World, api_call: bool) -> list[tuple[str, str, str, str]]:
    row = rows[name]
    if api_call:
        world.tokens = {who: api_token_issue(user=user) for who, user in world.users.items()}
    wrong = []
    for who in ROLES:
        for side_name, side in (("own", world.own), ("foreign", world.foreign)):
            want = expected(row, world.users[who], side)
            with transaction.atomic():  # each request on the same world: what it changes is undone
                before = row.changes(side) if row.changes else None
                response = _request(row, world, who, side, api_call)
                after = row.changes(side) if row.changes else None
                got = observed(row, response, before, after, world, side)
                transaction.set_rollback(True)
            if got != want:
                wrong.append((who, side_name, want, got))
    return wrong


@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_answers_as_the_policy_says(world: World, name: str) -> None:
    assert _walk(PAGES, name, world, api_call=False) == []


@pytest.mark.parametrize("name", sorted(API))
def test_endpoint_answers_as_the_policy_says(world: World, name: str) -> None:
    assert _walk(API, name, world, api_call=True) == []


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(world: World, name: str) -> None:
    row = PAGES[name]
    path = _fill(row.path, world, world.own)
    response = Client().get(path) if row.method == "get" else Client().post(path, {})
    if name == "core:logout":
        assert response.status_code == 302
        return
    assert response.status_code == 302 and response["Location"].startswith("/login/?next="), name


@pytest.mark.parametrize("name", sorted(API))
def test_an_anonymous_api_call_is_401(world: World, name: str) -> None:
    row = API[name]
    response = getattr(Client(), row.method)(_fill(row.path, world, world.own))
    assert response.status_code == 401, name


# --- what the policy itself must say -------------------------------------------------------------------------

def test_an_assigned_expert_reads_the_enterprise_but_changes_nothing_of_it(world: World) -> None:
    """Defect: an assigned expert could save the enterprise's profile and indicators."""
    expert, e = world.users["expert"], world.own.enterprise
    client = Client()
    client.force_login(expert)
    assert client.get(f"/enterprises/{e.uscc}/").status_code == 200
    assert client.get(f"/enterprises/{e.uscc}/edit/").status_code == 403
    assert client.post(f"/enterprises/{e.uscc}/edit/", {"name": "专家改的名"}).status_code == 403
    assert client.get(f"/enterprises/{e.uscc}/indicators/?year=2020").status_code == 403
    assert client.post(f"/enterprises/{e.uscc}/indicators/", {"year": "2020", "employees": "1"}).status_code == 403
    token = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=expert)}")
    patch = token.patch(f"/api/v1/enterprises/{e.uscc}", data=json.dumps({"name": "专家改的名"}),
                        content_type="application/json")
    assert patch.status_code == 403
    put = token.put(f"/api/v1/enterprises/{e.uscc}/indicators/2020", data=json.dumps({"employees": 1}),
                    content_type="application/json")
    assert put.status_code == 403
    e.refresh_from_db()
    assert e.name == "本方企业"
    assert Indicator.objects.get(enterprise=e, year=2020).employees == 120
    # … and runs its diagnosis.
    assert permitted(expert, "diagnosis.assessment.diagnose", e)


def test_a_bank_grant_opens_the_profile_and_no_diagnosis(world: World) -> None:
    """Defect: a grant registered for a bank let it read the enterprise's draft assessments."""
    bank, side = world.users["bank"], world.own
    client = Client()
    client.force_login(bank)
    page = client.get(f"/enterprises/{side.enterprise.uscc}/")
    assert page.status_code == 200
    assert 'data-testid="diagnosis-progress"' not in page.content.decode(), "no diagnosis section either"
    for path in (f"/assessments/{side.draft.pk}/", f"/assessments/{side.done.pk}/", f"/evidence/{side.evidence.pk}/",
                 f"/enterprises/{side.enterprise.uscc}/diagnosis/", f"/assessments/{side.done.pk}/report.pdf"):
        assert client.get(path).status_code == 404, path
    token = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=bank)}")
    assert token.get(f"/api/v1/assessments/{side.draft.pk}").status_code == 404
    assert token.get(f"/api/v1/enterprises/{side.enterprise.uscc}/assessments").status_code == 404
    assert token.get(f"/api/v1/enterprises/{side.enterprise.uscc}").status_code == 200
    assert not permitted(bank, "base.enterprise.change", side.enterprise)
    assert not permitted(bank, "base.enterprise.history", side.enterprise)
    assert not permitted(bank, "diagnosis.assessment.view", side.draft)


def test_an_unknown_permission_is_an_error_not_a_refusal(world: World) -> None:
    with pytest.raises(LookupError):
        permitted(world.users["province"], "base.enterprise.veiw", world.own.enterprise)


def test_a_colleague_expert_verifies_only_their_own_draft(world: World) -> None:
    colleague, draft = world.users["colleague"], world.own.draft
    assert permitted(colleague, "diagnosis.assessment.view", draft)
    assert not permitted(colleague, "diagnosis.assessment.change", draft)
    assert not permitted(colleague, "diagnosis.assessment.verify", draft)
    assert permitted(world.users["expert"], "diagnosis.assessment.verify", draft)
    done = diagnosis.assessment_submit(by=world.users["expert"], assessment=draft)
    assert done.status == Status.SUBMITTED
    assert not permitted(world.users["expert"], "diagnosis.assessment.change", done), "submitted: frozen"


def test_a_grant_holder_sees_no_change_history_section(world: World) -> None:
    for who, shown in (("expert", False), ("bank", False), ("city", True), ("enterprise", True)):
        client = Client()
        client.force_login(world.users[who])
        page = client.get(f"/enterprises/{world.own.enterprise.uscc}/").content.decode()
        assert ("变更记录" in page) is shown, who


def test_a_grant_that_opens_the_profile_opens_no_figure_of_the_enterprise(world: World) -> None:
    """Review finding: the dashboard summed the indicators of every enterprise a user could see, so a grant
    that opened only the profile showed the enterprise's revenue and profit."""
    bank, e = world.users["profile-bank"], world.own.enterprise
    client = Client()
    client.force_login(bank)
    home = client.get("/")
    assert home.context["figures"]["total"] == 1, "the enterprise is counted"
    assert home.context["figures"]["years"] == [], "its indicators are not summed"
    page = client.get(f"/enterprises/{e.uscc}/")
    assert page.status_code == 200
    assert 'data-testid="indicators"' not in page.content.decode()
    token = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=bank)}")
    assert token.get(f"/api/v1/enterprises/{e.uscc}").status_code == 200
    assert token.get(f"/api/v1/enterprises/{e.uscc}/indicators").status_code == 404


def test_every_grant_names_models_that_change_the_access_area() -> None:
    """Scopes are cached under "access": a grant read from a model outside it would outlive its records."""
    from zhigai.core.cache import registered_models

    for grant in core_policy.grants():
        if grant.name.startswith("test."):
            continue
        assert grant.models, grant.name
        for model in grant.models:
            assert "access" in registered_models()[model], (grant.name, model)
