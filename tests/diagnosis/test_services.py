"""Writes of the diagnosis module (self-assessment, expert diagnosis, objective checks, evidence, the stage,
the audit trail) and the peer benchmark, through services, selectors and results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhigai.base.models import Enterprise, Indicator, Stage
from zhigai.core.errors import InvalidInput, PermissionDenied
from zhigai.core.models import AuditLog, Role, User
from zhigai.core.policy import permitted
from zhigai.diagnosis import selectors, services
from zhigai.diagnosis.definition import Requirement
from zhigai.diagnosis.models import Assessment, Evidence, Kind, MaturityModel, Status
from zhigai.diagnosis.results import assessment_result, benchmark

pytestmark = pytest.mark.django_db

Choose = Callable[[Requirement], str]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def upto(level: int, above: str = "none") -> Choose:
    """Every requirement up to `level` fully in place, the rest answered `above`."""
    return lambda r: "full" if r.level <= level else above


def answers(model: MaturityModel, choose: Choose) -> dict[str, str]:
    return {r.id: choose(r) for r in model.spec.requirements}


def assess(user: User, enterprise: Enterprise, model: MaturityModel, choose: Choose,
           overrides: dict[str, str] | None = None) -> Assessment:
    """Start (or continue) the user's draft, answer everything and submit."""
    draft = services.assessment_start(by=user, enterprise=enterprise, model=model)
    services.assessment_answer(by=user, assessment=draft, answers={**answers(model, choose), **(overrides or {})})
    return services.assessment_submit(by=user, assessment=draft)


def audit_count(entity: str, action: str) -> int:
    return AuditLog.objects.filter(entity=entity, action=action).count()


@pytest.fixture
def enterprise(make_enterprise: Callable[..., Enterprise]) -> Enterprise:
    return make_enterprise(county="330102", name="杭州测试机械有限公司")


@pytest.fixture
def expert(make_user: Callable[..., User], hangzhou_user: User, enterprise: Enterprise) -> User:
    """An expert the Hangzhou officer has assigned to the enterprise."""
    user = make_user(Role.EXPERT)
    services.assignment_add(by=hangzhou_user, expert=user, enterprise=enterprise)
    return User.objects.get(pk=user.pk)


# --- self-assessment -----------------------------------------------------------------------------------------


def test_enterprise_user_starts_answers_and_submits_reusing_the_open_draft(
        owner: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = services.assessment_start(by=owner, enterprise=enterprise, model=ladder)
    assert (draft.kind, draft.status, draft.level) == (Kind.SELF, Status.DRAFT, None)
    first_dimension = {r.id: "full" for r in ladder.spec.dimension_requirements("equipment")}
    services.assessment_answer(by=owner, assessment=draft, answers=first_dimension)

    again = services.assessment_start(by=owner, enterprise=enterprise, model=ladder)
    assert again.pk == draft.pk, "progress is saved: starting again continues the open draft"
    assert again.answers == first_dimension
    assert Assessment.objects.filter(enterprise=enterprise).count() == 1

    # Level 1 fully in place, level 2 largely: 0.7 < 0.8, so level 1 with partial credit 0.7 / 0.8.
    rest = answers(ladder, lambda r: {1: "full", 2: "largely"}.get(r.level, "none"))
    services.assessment_answer(by=owner, assessment=again, answers=rest)
    done = services.assessment_submit(by=owner, assessment=again)
    assert (done.status, done.level, done.score) == (Status.SUBMITTED, 1, 1.87)
    assert done.submitted is not None
    level2 = [r for r in ladder.spec.requirements if r.level == 2]
    assert sorted(done.gaps) == sorted(r.id for r in level2)
    weights = [ladder.spec.requirement(rid).weight for rid in done.gaps]
    assert weights == sorted(weights, reverse=True), "gaps come heaviest first"
    assert set(done.dimension_scores) == {d.id for d in ladder.spec.dimensions}


def test_an_incomplete_assessment_cannot_be_submitted_and_names_every_missing_requirement(
        owner: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = services.assessment_start(by=owner, enterprise=enterprise, model=ladder)
    left_out = ["EQ-1a", "PR-3b", "PE-5a"]
    given = {rid: oid for rid, oid in answers(ladder, upto(5)).items() if rid not in left_out}
    services.assessment_answer(by=owner, assessment=draft, answers=given)
    submits = audit_count("assessment", "submit")

    with pytest.raises(InvalidInput) as caught:
        services.assessment_submit(by=owner, assessment=draft)

    assert caught.value.code == "assessment_incomplete"
    for rid in left_out:
        assert rid in caught.value.message
    assert [d["field"] for d in caught.value.details] == [f"answers.{rid}" for rid in left_out]
    draft.refresh_from_db()
    assert (draft.status, draft.level, draft.score, draft.submitted) == (Status.DRAFT, None, None, None)
    assert draft.answers == given
    assert audit_count("assessment", "submit") == submits


@pytest.mark.parametrize("bad", [
    {"XX-9z": "full"},  # no such requirement
    {"EQ-1b": "sometimes"},  # no such option
], ids=["unknown-requirement", "unknown-option"])
def test_an_unknown_requirement_or_option_is_refused_and_nothing_is_saved(
        owner: User, enterprise: Enterprise, ladder: MaturityModel, bad: dict[str, str]) -> None:
    draft = services.assessment_start(by=owner, enterprise=enterprise, model=ladder)
    updates = audit_count("assessment", "update")
    with pytest.raises(InvalidInput) as caught:
        services.assessment_answer(by=owner, assessment=draft, answers={"EQ-1a": "full", **bad})
    (rid, oid), = bad.items()
    assert [d["field"] for d in caught.value.details] == [f"answers.{rid}"]
    assert (rid if rid.startswith("XX") else oid) in caught.value.message
    draft.refresh_from_db()
    assert draft.answers == {}, "the valid answer sent with the bad one is not saved either"
    assert audit_count("assessment", "update") == updates


def test_a_submitted_assessment_cannot_be_changed(owner: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    done = assess(owner, enterprise, ladder, upto(2))
    frozen = (dict(done.answers), done.level, done.score, done.submitted)
    with pytest.raises(PermissionDenied) as caught:
        services.assessment_answer(by=owner, assessment=done, answers={"EQ-1a": "none"})
    assert caught.value.code == "assessment_locked"
    with pytest.raises(PermissionDenied):
        services.assessment_submit(by=owner, assessment=done)
    done.refresh_from_db()
    assert (done.answers, done.level, done.score, done.submitted) == frozen


def test_a_reassessment_is_a_new_row_and_the_history_is_kept(
        owner: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    first = assess(owner, enterprise, ladder, upto(1))
    second = assess(owner, enterprise, ladder, upto(3))
    assert second.pk != first.pk
    first.refresh_from_db()
    assert (first.level, first.score, first.status) == (1, 1.0, Status.SUBMITTED)
    assert (second.level, second.score) == (3, 3.0)
    history = list(selectors.submitted_history(user=owner, enterprise=enterprise))
    assert [a.pk for a in history] == [second.pk, first.pk], "newest first, both kept"


def test_a_self_assessment_does_not_change_the_stage(
        owner: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    done = assess(owner, enterprise, ladder, upto(5))
    assert done.level == 5
    enterprise.refresh_from_db()
    assert enterprise.stage == Stage.MECHANIZATION
    assert not AuditLog.objects.filter(entity="enterprise", entity_id=enterprise.uscc).exists()


def test_only_the_enterprise_own_users_self_assess(
        make_user: Callable[..., User], make_enterprise: Callable[..., Enterprise], enterprise: Enterprise,
        ladder: MaturityModel, hangzhou_user: User) -> None:
    neighbour = make_user(Role.ENTERPRISE, enterprise=make_enterprise(county="330102"))
    for user in (neighbour, hangzhou_user):
        with pytest.raises(PermissionDenied):
            services.assessment_start(by=user, enterprise=enterprise, model=ladder)
    assert not Assessment.objects.filter(enterprise=enterprise).exists()


# --- expert diagnosis ----------------------------------------------------------------------------------------


def test_an_unassigned_expert_is_refused(
        make_user: Callable[..., User], enterprise: Enterprise, ladder: MaturityModel) -> None:
    stranger = make_user(Role.EXPERT)
    with pytest.raises(PermissionDenied):
        services.assessment_start(by=stranger, enterprise=enterprise, model=ladder)
    with pytest.raises(PermissionDenied):
        services.assessment_start(by=stranger, enterprise=enterprise, model=ladder, kind=Kind.EXPERT)
    assert not Assessment.objects.filter(enterprise=enterprise).exists()


def test_only_an_officer_of_the_enterprise_region_assigns_and_only_experts_or_providers(
        make_user: Callable[..., User], enterprise: Enterprise, ningbo_user: User, province_user: User,
        owner: User) -> None:
    expert = make_user(Role.EXPERT)
    for officer in (ningbo_user, make_user(Role.INDUSTRY, industries=["34"]), owner):
        with pytest.raises(PermissionDenied):
            services.assignment_add(by=officer, expert=expert, enterprise=enterprise)
    with pytest.raises(InvalidInput):
        services.assignment_add(by=province_user, expert=make_user(Role.BANK), enterprise=enterprise)
    assert not selectors.assignments_of(enterprise=enterprise).exists()

    provider = make_user(Role.PROVIDER)
    services.assignment_add(by=province_user, expert=provider, enterprise=enterprise)
    assert permitted(provider, "diagnosis.assessment.diagnose", enterprise)


def test_expert_diagnosis_starts_from_the_latest_self_assessment_and_the_expert_overrides(
        owner: User, expert: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    assess(owner, enterprise, ladder, upto(0))
    latest = assess(owner, enterprise, ladder, upto(3))

    draft = services.assessment_start(by=expert, enterprise=enterprise, model=ladder)
    assert draft.kind == Kind.EXPERT
    assert draft.claims_from_id == latest.pk
    assert draft.answers == latest.answers, "the questionnaire is prefilled with the claims"

    # The expert finds level 3 data requirements not in place (no objective check on these).
    overridden = {"DA-3a": "none", "DA-3b": "none"}
    services.assessment_answer(by=expert, assessment=draft, answers=overridden,
                               notes={"DA-3a": "现场未见 MES 运行"})
    done = services.assessment_submit(by=expert, assessment=draft)

    assert done.fulfilment["DA-3a"] == 0.0 and done.fulfilment["DA-1a"] == 1.0
    assert done.notes == {"DA-3a": "现场未见 MES 运行"}
    assert done.level == 2 and latest.level == 3
    latest.refresh_from_db()
    assert latest.answers["DA-3a"] == "full", "the self-assessment is never overwritten"
    diffs = {d.requirement.id: d for d in assessment_result(done).differences}
    assert set(diffs) == set(overridden)
    assert (diffs["DA-3a"].claimed, diffs["DA-3a"].verified, diffs["DA-3a"].source) == (1.0, 0.0, "expert")


def test_expert_diagnosis_without_a_self_assessment_starts_empty(
        expert: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = services.assessment_start(by=expert, enterprise=enterprise, model=ladder)
    assert draft.claims_from is None and draft.answers == {}
    done = assess(expert, enterprise, ladder, upto(1))
    assert done.pk == draft.pk
    assert assessment_result(done).differences == []


def test_differences_list_only_what_departs_by_more_than_the_tolerance(
        owner: User, expert: User, enterprise: Enterprise, gbt: MaturityModel) -> None:
    """GB/T answers are 0, 0.5, 0.8, 1; the model's tolerance is 0.25."""
    assert gbt.spec.disagreement == 0.25
    assess(owner, enterprise, gbt, upto(5))
    enterprise.stage = Stage.AUTOMATION
    enterprise.save()
    done = assess(expert, enterprise, gbt, upto(5), overrides={"ST-1": "mostly", "ST-2": "partly"})
    diffs = assessment_result(done).differences
    assert [(d.requirement.id, d.claimed, d.verified) for d in diffs] == [("ST-2", 1.0, 0.5)]
    enterprise.refresh_from_db()
    assert enterprise.stage == Stage.AUTOMATION, "GB/T levels name no stage: the stage stays"


# --- objective checks ----------------------------------------------------------------------------------------


def _figures(enterprise: Enterprise) -> None:
    Indicator.objects.create(
        enterprise=enterprise, year=2023, robots=2, frontline_employees=100, cloud_level=0,
        rd_spending=Decimal("1000000"), revenue=Decimal("100000000"))
    Indicator.objects.create(enterprise=enterprise, year=2021, defect_rate=0.03, robots=90, frontline_employees=100)
    # Monthly figures never stand in for a year.
    Indicator.objects.create(enterprise=enterprise, year=2024, month=6, robots=50, frontline_employees=100,
                             cloud_level=3, tech_investment=Decimal(1), industrial_investment=Decimal(1))


def test_a_checked_requirement_takes_its_fulfilment_from_the_data_not_the_answer(
        owner: User, expert: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    _figures(enterprise)
    assess(owner, enterprise, ladder, upto(5))
    done = assess(expert, enterprise, ladder, upto(5))  # the expert accepts every claim ...
    checks, fulfilment = done.checks, done.fulfilment

    # ... but 2 robots per 100 frontline workers (2023, the latest year with both figures):
    assert checks["EQ-2b"] == {"year": 2023, "value": 2.0, "fulfilment": 1.0, "answered": 1.0}  # at least 1
    assert checks["EQ-4b"]["fulfilment"] == 0.5 and fulfilment["EQ-4b"] == 0.5  # at least 3, partial from 1
    assert fulfilment["EQ-5b"] == 0.0  # at least 6, partial from 3
    assert fulfilment["NW-4a"] == 0.0  # cloud level 0, at least 1 needed
    assert fulfilment["PE-4b"] == 0.5  # R&D 1 % of revenue: at least 1.5 %, partial from 0.5 %
    # The defect rate is only known for 2021: 3 % between 5 % (nothing) and 2 % (full).
    assert checks["PR-2b"]["year"] == 2021
    assert fulfilment["PR-2b"] == pytest.approx(2 / 3, abs=1e-4)
    # No technical-investment figures for any year: the answer stands.
    assert checks["PE-3b"] == {"year": None, "value": None, "fulfilment": None, "answered": 1.0}
    assert fulfilment["PE-3b"] == 1.0

    assert done.level == 3, "level 4 falls short once robots, cloud and R&D figures count (claimed: 5)"
    diffs = {d.requirement.id: d for d in assessment_result(done).differences}
    assert set(diffs) == {"EQ-4b", "EQ-5b", "NW-4a", "NW-4b", "NW-5a", "PE-4b", "PR-2b"}
    assert {d.source for d in diffs.values()} == {"data"}
    assert (diffs["EQ-4b"].claimed, diffs["EQ-4b"].verified) == (1.0, 0.5)


def test_without_data_the_expert_answer_stands(
        expert: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    Indicator.objects.create(enterprise=enterprise, year=2023, robots=5)  # no frontline workers: no density
    done = assess(expert, enterprise, ladder, upto(5), overrides={"EQ-2b": "largely"})
    checked = [r.id for r in ladder.spec.requirements if r.check is not None]
    assert set(done.checks) == set(checked)
    assert all(done.checks[rid]["fulfilment"] is None for rid in checked)
    assert done.fulfilment["EQ-2b"] == 0.7
    assert done.checks["EQ-2b"]["answered"] == 0.7


def test_a_self_assessment_answers_every_requirement_itself(
        owner: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    _figures(enterprise)
    done = assess(owner, enterprise, ladder, upto(5))
    assert done.checks == {}
    assert set(done.fulfilment.values()) == {1.0}
    assert done.level == 5


# --- the stage -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("reached", "before", "after"), [
    (3, Stage.MECHANIZATION, Stage.DIGITIZATION),
    (5, Stage.AUTOMATION, Stage.INTELLIGENTIZATION),
    (0, Stage.AUTOMATION, Stage.MECHANIZATION),  # below level 1: on the way to the first stage
])
def test_a_verified_diagnosis_sets_the_stage_of_the_level_reached(
        expert: User, enterprise: Enterprise, ladder: MaturityModel, reached: int, before: str,
        after: str) -> None:
    enterprise.stage = before
    enterprise.save()
    done = assess(expert, enterprise, ladder, upto(reached))
    assert done.level == reached
    enterprise.refresh_from_db()
    assert enterprise.stage == after
    # The stage of the year it was verified in, a record of its own (base.services.stage_record).
    year = timezone.localtime(done.submitted).year
    log = AuditLog.objects.get(entity="stage", entity_id=f"{enterprise.uscc}/{year}")
    assert (log.before, log.actor) == (None, expert)
    assert log.after == {"stage": after, "source": "diagnosis", "reference": str(done.pk)}


# --- evidence ------------------------------------------------------------------------------------------------


def test_a_real_pdf_is_accepted_as_evidence(expert: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = services.assessment_start(by=expert, enterprise=enterprise, model=ladder)
    upload = SimpleUploadedFile("设备台账.pdf", PDF, content_type="application/octet-stream")
    ev = services.evidence_add(by=expert, assessment=draft, requirement="EQ-1a", upload=upload)
    assert (ev.requirement, ev.filename, ev.size) == ("EQ-1a", "设备台账.pdf", len(PDF))
    assert ev.content_type == "application/pdf", "the type is recognised, not taken from the browser"
    with ev.file.open("rb") as stored:
        assert stored.read() == PDF
    assert list(selectors.evidence_list(assessment=draft)) == ["EQ-1a"]


@pytest.mark.parametrize(("name", "content", "why"), [
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "type"),
    ("report.pdf", b"<html>not a pdf</html>", "content"),
    ("scan.pdf", PDF + b"0" * (settings.EVIDENCE_MAX_BYTES + 1 - len(PDF)), "size"),
    ("empty.pdf", b"", "size"),
    ("noextension", PDF, "type"),
])
def test_a_wrong_type_fake_content_or_oversized_file_is_refused(
        expert: User, enterprise: Enterprise, ladder: MaturityModel, name: str, content: bytes, why: str) -> None:
    draft = services.assessment_start(by=expert, enterprise=enterprise, model=ladder)
    with pytest.raises(InvalidInput) as caught:
        services.evidence_add(by=expert, assessment=draft, requirement="EQ-1a",
                              upload=SimpleUploadedFile(name, content, content_type="application/pdf"))
    assert caught.value.details == [{"field": "file", "message": why}]
    assert name in caught.value.message
    assert not Evidence.objects.exists()


def test_a_file_of_exactly_ten_megabytes_is_accepted(
        expert: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = services.assessment_start(by=expert, enterprise=enterprise, model=ladder)
    content = PDF + b"0" * (settings.EVIDENCE_MAX_BYTES - len(PDF))
    ev = services.evidence_add(by=expert, assessment=draft, requirement="EQ-1a",
                               upload=SimpleUploadedFile("big.pdf", content))
    assert ev.size == settings.EVIDENCE_MAX_BYTES


def test_evidence_goes_only_on_the_expert_own_draft(
        make_user: Callable[..., User], hangzhou_user: User, owner: User, expert: User, enterprise: Enterprise,
        ladder: MaturityModel) -> None:
    self_draft = services.assessment_start(by=owner, enterprise=enterprise, model=ladder)
    draft = services.assessment_start(by=expert, enterprise=enterprise, model=ladder)
    colleague = make_user(Role.EXPERT)
    services.assignment_add(by=hangzhou_user, expert=colleague, enterprise=enterprise)
    colleague = User.objects.get(pk=colleague.pk)

    def add(by: User, assessment: Assessment) -> Evidence:
        upload = SimpleUploadedFile("a.pdf", PDF)
        return services.evidence_add(by=by, assessment=assessment, requirement="EQ-1a", upload=upload)

    for by, assessment in ((owner, self_draft), (expert, self_draft), (colleague, draft), (hangzhou_user, draft)):
        with pytest.raises(PermissionDenied):
            add(by, assessment)
    with pytest.raises(PermissionDenied):
        services.assessment_answer(by=colleague, assessment=draft, answers={"EQ-1a": "none"})
    mine = add(expert, draft)
    with pytest.raises(PermissionDenied):
        services.evidence_delete(by=colleague, evidence=mine)

    done = assess(expert, enterprise, ladder, upto(1))
    with pytest.raises(PermissionDenied):
        add(expert, done)
    with pytest.raises(PermissionDenied):
        services.evidence_delete(by=expert, evidence=Evidence.objects.get(pk=mine.pk))
    assert list(Evidence.objects.values_list("pk", flat=True)) == [mine.pk]


def test_evidence_for_an_unknown_requirement_is_refused(
        expert: User, enterprise: Enterprise, ladder: MaturityModel) -> None:
    draft = services.assessment_start(by=expert, enterprise=enterprise, model=ladder)
    with pytest.raises(InvalidInput):
        services.evidence_add(by=expert, assessment=draft, requirement="XX-1", upload=SimpleUploadedFile("a.pdf", PDF))
    assert not Evidence.objects.exists()


# --- the audit trail -----------------------------------------------------------------------------------------


def test_every_write_leaves_an_audit_row(
        make_user: Callable[..., User], hangzhou_user: User, owner: User, enterprise: Enterprise,
        ladder: MaturityModel) -> None:
    def logged(entity: str, action: str, actor: User, run: Callable[[], Any]) -> Any:
        before = AuditLog.objects.filter(entity=entity, action=action, actor=actor).count()
        out = run()
        assert AuditLog.objects.filter(entity=entity, action=action, actor=actor).count() == before + 1, \
            (entity, action)
        return out

    expert = make_user(Role.EXPERT)
    logged("assignment", "create", hangzhou_user,
           lambda: services.assignment_add(by=hangzhou_user, expert=expert, enterprise=enterprise))
    expert = User.objects.get(pk=expert.pk)
    mine = logged("assessment", "create", owner,
                  lambda: services.assessment_start(by=owner, enterprise=enterprise, model=ladder))
    logged("assessment", "update", owner,
           lambda: services.assessment_answer(by=owner, assessment=mine, answers=answers(ladder, upto(5))))
    logged("assessment", "submit", owner, lambda: services.assessment_submit(by=owner, assessment=mine))
    draft = logged("assessment", "create", expert,
                   lambda: services.assessment_start(by=expert, enterprise=enterprise, model=ladder))
    logged("assessment", "update", expert, lambda: services.assessment_answer(
        by=expert, assessment=draft, answers={"EQ-1a": "none"}, notes={"EQ-1a": "设备陈旧"}))
    ev = logged("evidence", "create", expert, lambda: services.evidence_add(
        by=expert, assessment=draft, requirement="EQ-1a", upload=SimpleUploadedFile("a.pdf", PDF)))
    logged("evidence", "delete", expert, lambda: services.evidence_delete(by=expert, evidence=ev))
    logged("assessment", "submit", expert, lambda: services.assessment_submit(by=expert, assessment=draft))
    assert AuditLog.objects.filter(entity="stage", subject=enterprise.uscc, actor=expert).exists()
    update = AuditLog.objects.filter(entity="assessment", action="update", actor=expert).get()
    assert update.before == {"answers": {"EQ-1a": "full"}, "notes": {}}
    assert update.after == {"answers": {"EQ-1a": "none"}, "notes": {"EQ-1a": "设备陈旧"}}


# --- peer benchmark ------------------------------------------------------------------------------------------

NOW = timezone.now()


@pytest.fixture
def peer(make_enterprise: Callable[..., Enterprise], ladder: MaturityModel) -> Callable[..., Enterprise]:
    """An enterprise with a submitted ladder assessment of the given score (written directly: fast)."""

    def make(score: float, county: str = "330102", industry: str = "34", size: str = "small",
             kind: str = Kind.SELF, model: MaturityModel | None = None, days_ago: int = 0,
             status: str = Status.SUBMITTED) -> Enterprise:
        enterprise = make_enterprise(county=county, industry=industry, size_class=size)
        scored(enterprise, model or ladder, score, kind=kind, days_ago=days_ago, status=status)
        return enterprise

    return make


def scored(enterprise: Enterprise, model: MaturityModel, score: float, *, kind: str = Kind.SELF,
           days_ago: int = 0, status: str = Status.SUBMITTED) -> Assessment:
    submitted = NOW - dt.timedelta(days=days_ago) if status == Status.SUBMITTED else None
    return Assessment.objects.create(enterprise=enterprise, model=model, kind=kind, status=status,
                                     submitted=submitted, score=score, level=int(score))


@pytest.fixture
def mine(peer: Callable[..., Enterprise], ladder: MaturityModel) -> Assessment:
    enterprise = peer(2.5)
    return Assessment.objects.get(enterprise=enterprise)


def test_nine_comparable_enterprises_are_never_shown(mine: Assessment, peer: Callable[..., Enterprise]) -> None:
    for i in range(8):
        peer(1.0 + i / 4)
    out = benchmark(assessment=mine)
    assert out["available"] is False
    assert {k: out[k] for k in ("percentile", "group_size", "median", "region")} == dict.fromkeys(
        ("percentile", "group_size", "median", "region"))
    assert "10" in out["reason"]


def test_ten_comparable_enterprises_in_the_county_give_a_percentile(
        mine: Assessment, peer: Callable[..., Enterprise]) -> None:
    for i in range(9):
        peer(1.0 + i / 4)
    out = benchmark(assessment=mine)
    assert out["available"] is True
    assert (out["group_size"], out["region"], out["industry"], out["size_class"]) == (10, "330102", "34", "small")
    assert 0 <= out["percentile"] <= 100


@pytest.mark.parametrize(("elsewhere", "region"), [
    ("330106", "330100"),  # another county of Hangzhou: widen to the city
    ("330203", "330000"),  # a Ningbo county: widen to the province
])
def test_a_small_county_widens_to_the_city_then_the_province(
        mine: Assessment, peer: Callable[..., Enterprise], elsewhere: str, region: str) -> None:
    for _ in range(4):
        peer(1.0)
    for _ in range(5):
        peer(3.0, county=elsewhere)
    out = benchmark(assessment=mine)
    assert (out["available"], out["region"], out["group_size"]) == (True, region, 10)


def test_other_industries_sizes_models_and_drafts_never_count(
        mine: Assessment, peer: Callable[..., Enterprise], gbt: MaturityModel) -> None:
    for _ in range(8):
        peer(1.0)
    peer(1.0, industry="17")
    peer(1.0, size="medium")
    peer(1.0, model=gbt)
    peer(1.0, status=Status.DRAFT)
    scored(mine.enterprise, mine.model, 1.0, days_ago=30)  # its own earlier assessment is no peer
    assert benchmark(assessment=mine)["available"] is False


def test_the_percentile_is_the_mid_rank_of_the_score(mine: Assessment, peer: Callable[..., Enterprise]) -> None:
    for score in (1.0, 1.5, 2.0, 2.5, 2.5, 3.0, 3.5, 4.0, 4.5):
        peer(score)
    out = benchmark(assessment=mine)
    # 3 peers below 2.5, 3 equal (itself included), 10 in all: (3 + 0.5 × 3) / 10 = 45 %.
    assert (out["percentile"], out["group_size"], out["median"]) == (45.0, 10, 2.5)


def test_a_peer_counts_with_its_latest_expert_diagnosis_over_a_newer_self_assessment(
        mine: Assessment, peer: Callable[..., Enterprise], ladder: MaturityModel) -> None:
    for _ in range(8):
        peer(1.0)
    other = peer(0.5, kind=Kind.EXPERT, days_ago=10)
    scored(other, ladder, 4.5, days_ago=1)  # a newer, higher self-assessment does not replace the verified 0.5
    scored(other, ladder, 0.8, kind=Kind.EXPERT, days_ago=20)  # an older diagnosis does not either
    out = benchmark(assessment=mine)
    assert out["group_size"] == 10
    assert out["percentile"] == 95.0  # 9 below 2.5, itself equal: (9 + 0.5) / 10
