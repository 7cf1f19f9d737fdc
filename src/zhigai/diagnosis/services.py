"""Every write of the diagnosis module: start, answer, attach evidence, submit, assign experts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from zhigai.base.models import Enterprise
from zhigai.core.audit import audit_record
from zhigai.core.errors import Conflict, InvalidInput, PermissionDenied
from zhigai.core.models import User
from zhigai.core.policy import permitted, require
from zhigai.core.types import Actor
from zhigai.core.uploads import DOCUMENT_TYPES, document_checked, document_delete
from zhigai.core.workflow import transition_apply

from .definition import ModelDef
from .errors import DiagnosisError
from .models import Assessment, Assignment, Evidence, Kind, MaturityModel, Status
from .policy import EXPERT_ROLES
from .selectors import model_get
from .workflow import ASSESSMENT_WORKFLOW

# What an evidence file may be: the platform's documents (core.uploads), checked by content and size.
EVIDENCE_TYPES = DOCUMENT_TYPES


def _kind_for(user: Actor, enterprise: Enterprise, kind: str | None) -> str:
    """The kind of assessment `user` runs on `enterprise` (the one asked for, or the one its role runs),
    as the policy allows; PermissionDenied otherwise."""
    own = permitted(user, "diagnosis.assessment.self_assess", enterprise)
    assigned = permitted(user, "diagnosis.assessment.diagnose", enterprise)
    if kind is None:
        kind = Kind.SELF if own and not user.is_superuser else Kind.EXPERT if assigned else None
    if kind == Kind.SELF and own:
        return Kind.SELF
    if kind == Kind.EXPERT and assigned:
        return Kind.EXPERT
    messages: dict[str, str] = {
        Kind.SELF: _("只有该企业的用户可以自评。"),
        Kind.EXPERT: _("只有指派给该企业的专家或工程服务公司可以诊断。"),
    }
    raise PermissionDenied(
        messages.get(kind or "", _("只有该企业的用户可以自评，只有指派给该企业的专家或工程服务公司可以诊断。")),
        code=DiagnosisError.FORBIDDEN,
    )


def latest_self_assessment(*, enterprise: Enterprise, model: MaturityModel) -> Assessment | None:
    return (
        Assessment.objects.filter(
            enterprise=enterprise, model__code=model.code, kind=Kind.SELF, status=Status.SUBMITTED
        )
        .order_by("-submitted", "-id")
        .first()
    )


@transaction.atomic
def assessment_start(*, by: User, enterprise: Enterprise, model: MaturityModel, kind: str | None = None) -> Assessment:
    """A new draft (or the user's open draft of the same model, so work is never split in two).

    An expert diagnosis starts from the enterprise's latest self-assessment: its answers are the
    claims the expert verifies, and they fill the questionnaire until the expert changes them."""
    if not permitted(by, "base.enterprise.view", enterprise):
        raise PermissionDenied(_("您无权访问该企业。"), code=DiagnosisError.FORBIDDEN)
    wanted = _kind_for(by, enterprise, kind)
    if not model.current:
        raise Conflict(_("该模型版本已停用，请使用当前版本。"), code=DiagnosisError.MODEL_NOT_CURRENT)
    draft = Assessment.objects.filter(
        enterprise=enterprise, model=model, kind=wanted, status=Status.DRAFT, created_by=by
    ).first()
    if draft is not None:
        return draft
    assessment = Assessment(enterprise=enterprise, model=model, kind=wanted, created_by=by)
    if wanted == Kind.EXPERT:
        claims = latest_self_assessment(enterprise=enterprise, model=model)
        if claims is not None:
            assessment.claims_from = claims
            known = model.spec.requirements_by_id
            assessment.answers = {r: o for r, o in claims.answers.items() if r in known}
    assessment.save()
    audit_record(actor=by, action="create", entity="assessment", entity_id=assessment.pk,
                 summary=f"{assessment.get_kind_display()} {enterprise.uscc} {model.code} {model.version}",
                 after={"enterprise": enterprise.uscc, "model": model.pk, "kind": wanted})
    return assessment


def _answer_problems(spec: ModelDef, answers: Mapping[str, Any]) -> list[dict[str, str]]:
    problems = []
    option_ids = {o.id for o in spec.options}
    for rid, oid in answers.items():
        if spec.requirement(str(rid)) is None:
            problems.append({"field": f"answers.{rid}", "message": _("没有这个问题：%(id)s") % {"id": rid}})
        elif oid not in option_ids and oid not in ("", None):
            problems.append({
                "field": f"answers.{rid}",
                "message": _("选项“%(option)s”不存在；可选：%(options)s")
                % {"option": oid, "options": ", ".join(sorted(option_ids))},
            })
    return problems


@transaction.atomic
def assessment_answer(
    *, by: User, assessment: Assessment, answers: Mapping[str, Any], notes: Mapping[str, str] | None = None
) -> Assessment:
    """Save some answers (an empty option clears one) and notes; the rest stay as they were."""
    assessment = _locked(assessment.pk)
    require(by, "diagnosis.assessment.change", assessment, message=_("这份评估已提交或不归您填写，不能再修改。"),
            code=DiagnosisError.LOCKED)
    spec = assessment.model.spec
    problems = _answer_problems(spec, answers)
    problems += [
        {"field": f"notes.{rid}", "message": _("没有这个问题：%(id)s") % {"id": rid}}
        for rid in (notes or {})
        if spec.requirement(rid) is None
    ]
    if problems:
        raise InvalidInput(_("答案有误，未保存：") + "；".join(p["message"] for p in problems), details=problems)
    before = {"answers": dict(assessment.answers), "notes": dict(assessment.notes)}
    for rid, oid in answers.items():
        if oid in ("", None):
            assessment.answers.pop(rid, None)
        else:
            assessment.answers[rid] = oid
    for rid, note in (notes or {}).items():
        note = (note or "").strip()[:2000]
        if note:
            assessment.notes[rid] = note
        else:
            assessment.notes.pop(rid, None)
    after = {"answers": assessment.answers, "notes": assessment.notes}
    if before != after:
        assessment.save(update_fields=["answers", "notes"])
        changed_before = {k: {r: v for r, v in before[k].items() if after[k].get(r) != v} for k in before}
        changed_after = {k: {r: v for r, v in after[k].items() if before[k].get(r) != v} for k in after}
        audit_record(actor=by, action="update", entity="assessment", entity_id=assessment.pk,
                     summary=f"{assessment.enterprise.uscc}", before=changed_before, after=changed_after)
    return assessment


def assessment_submit(*, by: User, assessment: Assessment, note: str = "") -> Assessment:
    """Score a complete assessment and freeze it: a self-assessment is submitted, an expert diagnosis
    verified (its data checks replace the claims, and it sets the enterprise's stage) — the moves of
    the assessment workflow (diagnosis.workflow)."""
    move = "verify" if assessment.kind == Kind.EXPERT else "submit"
    return cast(Assessment, transition_apply(workflow=ASSESSMENT_WORKFLOW, obj=assessment, name=move, by=by,
                                             note=note))


@transaction.atomic
def evidence_add(*, by: User, assessment: Assessment, requirement: str, upload: UploadedFile) -> Evidence:
    """Attach a file to one answer of an expert diagnosis draft; its type and size are checked."""
    # The row as it is now, locked: a diagnosis verified since the caller read it is frozen.
    assessment = _locked(assessment.pk)
    if assessment.kind != Kind.EXPERT or not permitted(by, "diagnosis.assessment.change", assessment):
        raise PermissionDenied(_("只能给本人未提交的专家诊断附加证据。"), code=DiagnosisError.LOCKED)
    if assessment.model.spec.requirement(requirement) is None:
        raise InvalidInput(_("没有这个问题：%(id)s") % {"id": requirement}, details=[{"field": "requirement"}])
    name, content_type, size = document_checked(upload)
    evidence = Evidence.objects.create(
        assessment=assessment, requirement=requirement, file=upload, filename=name[:255], size=size,
        content_type=content_type, uploaded_by=by,
    )
    audit_record(actor=by, action="create", entity="evidence", entity_id=evidence.pk,
                 summary=f"{assessment.pk} {requirement} {name}"[:255])
    return evidence


@transaction.atomic
def evidence_delete(*, by: User, evidence: Evidence) -> None:
    require(by, "diagnosis.assessment.change", _locked(evidence.assessment_id),
            message=_("只能删除本人未提交的专家诊断中的证据。"), code=DiagnosisError.LOCKED)
    audit_record(actor=by, action="delete", entity="evidence", entity_id=evidence.pk,
                 summary=f"{evidence.assessment_id} {evidence.requirement} {evidence.filename}"[:255])
    document_delete(evidence)


def _locked(assessment_id: int) -> Assessment:
    return Assessment.objects.select_for_update().select_related("enterprise", "model").get(pk=assessment_id)


@transaction.atomic
def assignment_add(*, by: User, expert: Any, enterprise: Enterprise) -> Assignment:
    """An officer whose region holds the enterprise assigns an expert or service company to it."""
    require(by, "diagnosis.assignment.create", enterprise, message=_("只有该企业所在地区的主管部门可以指派专家。"),
            code=DiagnosisError.FORBIDDEN)
    if expert.role not in EXPERT_ROLES:
        raise InvalidInput(_("只能指派专家或工程服务公司用户。"), details=[{"field": "expert"}])
    assignment, created = Assignment.objects.get_or_create(
        user=expert, enterprise=enterprise, defaults={"assigned_by": by}
    )
    if created:
        audit_record(actor=by, action="create", entity="assignment", entity_id=assignment.pk, subject=enterprise.uscc,
                     summary=f"{expert.username} → {enterprise.uscc}", after=_assignment_snapshot(assignment))
    return assignment


@transaction.atomic
def assignment_remove(*, by: User, assignment: Assignment) -> None:
    """An officer whose region holds the enterprise ends an assignment: the expert no longer sees the
    enterprise, and a draft diagnosis of theirs stays, frozen for them until they are assigned again."""
    require(by, "diagnosis.assignment.delete", assignment.enterprise,
            message=_("只有该企业所在地区的主管部门可以取消指派。"), code=DiagnosisError.FORBIDDEN)
    before = _assignment_snapshot(assignment)
    audit_record(actor=by, action="delete", entity="assignment", entity_id=assignment.pk,
                 subject=assignment.enterprise.uscc, summary=f"{before['expert']} ↛ {before['enterprise']}",
                 before=before)
    assignment.delete()


def _assignment_snapshot(assignment: Assignment) -> dict[str, Any]:
    return {"expert": assignment.user.username, "role": assignment.user.role, "enterprise": assignment.enterprise.uscc}


def model_chosen(ref: int | str) -> MaturityModel:
    """The model a user asked for (id, code or code@version); an unknown one is bad input, not a 404."""
    try:
        return model_get(ref=ref)
    except Http404:
        raise InvalidInput(
            _("没有这个诊断模型：%(ref)s") % {"ref": ref}, details=[{"field": "model", "message": "unknown"}]
        ) from None


@transaction.atomic
def assessment_record(
    *,
    by: User,
    enterprise: Enterprise,
    model_ref: int | str,
    answers: Mapping[str, Any],
    notes: Mapping[str, str] | None = None,
    submit: bool = False,
) -> Assessment:
    """Start (or continue) the user's draft, save the answers and submit when asked — all or nothing."""
    assessment = assessment_start(by=by, enterprise=enterprise, model=model_chosen(model_ref))
    assessment = assessment_answer(by=by, assessment=assessment, answers=answers, notes=notes)
    return assessment_submit(by=by, assessment=assessment) if submit else assessment
