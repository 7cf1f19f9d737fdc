"""Every write of the diagnosis module: start, answer, attach evidence, submit, assign experts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from zhigai.base.models import Enterprise, Indicator
from zhigai.core.access import scope_for
from zhigai.core.audit import audit_record
from zhigai.core.cache import areas_changed
from zhigai.core.errors import Conflict, InvalidInput, PermissionDenied
from zhigai.core.models import Role

from .definition import ModelDef
from .models import Assessment, Assignment, Evidence, Kind, MaturityModel, Status
from .scoring import check_fulfilment, check_value, evaluate

EXPERT_ROLES = (Role.EXPERT, Role.PROVIDER)
# What an evidence file may be, recognised by its first bytes as well as its name.
EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
}
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024


def can_self_assess(*, user: Any, enterprise: Enterprise) -> bool:
    return bool(user.is_superuser or (user.role == Role.ENTERPRISE and user.enterprise_id == enterprise.id))


def can_diagnose(*, user: Any, enterprise: Enterprise) -> bool:
    if user.is_superuser:
        return True
    return user.role in EXPERT_ROLES and Assignment.objects.filter(user=user, enterprise=enterprise).exists()


def can_edit(*, user: Any, assessment: Assessment) -> bool:
    """Only a draft changes, and only in the hands of whoever may run that kind of assessment."""
    if assessment.status != Status.DRAFT:
        return False
    if assessment.kind == Kind.SELF:
        return can_self_assess(user=user, enterprise=assessment.enterprise)
    # An expert diagnosis is one expert's verification: another expert assigned to the enterprise
    # starts their own draft instead of changing a colleague's answers and evidence.
    if not (user.is_superuser or assessment.created_by_id == user.id):
        return False
    return can_diagnose(user=user, enterprise=assessment.enterprise)


def _kind_for(user: Any, enterprise: Enterprise) -> str:
    if can_self_assess(user=user, enterprise=enterprise) and not user.is_superuser:
        return Kind.SELF
    if can_diagnose(user=user, enterprise=enterprise):
        return Kind.EXPERT
    raise PermissionDenied(
        _("只有该企业的用户可以自评，只有指派给该企业的专家或工程服务公司可以诊断。"), code="diagnosis_forbidden"
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
def assessment_start(*, by: Any, enterprise: Enterprise, model: MaturityModel, kind: str | None = None) -> Assessment:
    """A new draft (or the user's open draft of the same model, so work is never split in two).

    An expert diagnosis starts from the enterprise's latest self-assessment: its answers are the
    claims the expert verifies, and they fill the questionnaire until the expert changes them."""
    if not scope_for(by).contains(enterprise):
        raise PermissionDenied(_("您无权访问该企业。"), code="diagnosis_forbidden")
    wanted = kind or _kind_for(by, enterprise)  # _kind_for checks the right it picks; a given kind is checked here
    if kind == Kind.SELF and not can_self_assess(user=by, enterprise=enterprise):
        raise PermissionDenied(_("只有该企业的用户可以自评。"), code="diagnosis_forbidden")
    if kind == Kind.EXPERT and not can_diagnose(user=by, enterprise=enterprise):
        raise PermissionDenied(_("只有指派给该企业的专家或工程服务公司可以诊断。"), code="diagnosis_forbidden")
    if not model.current:
        raise Conflict(_("该模型版本已停用，请使用当前版本。"), code="model_not_current")
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
    *, by: Any, assessment: Assessment, answers: Mapping[str, Any], notes: Mapping[str, str] | None = None
) -> Assessment:
    """Save some answers (an empty option clears one) and notes; the rest stay as they were."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not can_edit(user=by, assessment=assessment):
        raise PermissionDenied(_("这份评估已提交或不归您填写，不能再修改。"), code="assessment_locked")
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


def missing_answers(assessment: Assessment) -> list[str]:
    return [r.id for r in assessment.model.spec.requirements if r.id not in assessment.answers]


def annual_figures(enterprise: Enterprise) -> list[dict[str, Any]]:
    """The enterprise's annual indicator rows, newest first, as {field: value} (year included)."""
    rows = Indicator.objects.filter(enterprise=enterprise, month=0).order_by("-year").values()
    return [dict(row) for row in rows]


def objective_checks(spec: ModelDef, enterprise: Enterprise, answers: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    return checks_outcome(spec, annual_figures(enterprise), answers)


def checks_outcome(
    spec: ModelDef, years: list[dict[str, Any]], answers: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    """For each checked requirement: the figure from the latest year that has the data, its fulfilment,
    and the answer's fulfilment beside it (None everywhere when the enterprise has no such data)."""
    out: dict[str, dict[str, Any]] = {}
    for req in spec.requirements:
        if req.check is None:
            continue
        row = next((y for y in years if all(y.get(f) is not None for f in req.check.indicators)), None)
        value = check_value(req.check, row) if row else None
        option = spec.option(answers.get(req.id, ""))
        out[req.id] = {
            "year": row["year"] if row and value is not None else None,
            "value": None if value is None else round(value, 4),
            "fulfilment": None if value is None else round(check_fulfilment(req.check, value), 4),
            "answered": option.value if option else None,
        }
    return out


def assessment_score(assessment: Assessment, spec: ModelDef, years: list[dict[str, Any]]) -> None:
    """Fill the result fields from the answers (and, for an expert diagnosis, the data checks)."""
    options = {o.id: o.value for o in spec.options}
    fulfilment = {rid: options[oid] for rid, oid in assessment.answers.items() if oid in options}
    if assessment.kind == Kind.EXPERT:
        assessment.checks = checks_outcome(spec, years, assessment.answers)
        for rid, outcome in assessment.checks.items():
            if outcome["fulfilment"] is not None:
                fulfilment[rid] = outcome["fulfilment"]
    result = evaluate(spec, fulfilment)
    assessment.fulfilment = fulfilment
    assessment.level, assessment.score = result.level, result.score
    assessment.dimension_scores = result.dimensions
    assessment.level_fulfilment = {str(k): v for k, v in result.level_fulfilment.items()}
    assessment.gaps = result.gaps
    assessment.status = Status.SUBMITTED


@transaction.atomic
def assessment_submit(*, by: Any, assessment: Assessment) -> Assessment:
    """Score a complete assessment and freeze it. An expert diagnosis takes objective checks from the
    data instead of the answer, and sets the enterprise's stage; a self-assessment does neither."""
    assessment = Assessment.objects.select_for_update().select_related("enterprise", "model").get(pk=assessment.pk)
    if not can_edit(user=by, assessment=assessment):
        raise PermissionDenied(_("这份评估已提交或不归您填写，不能再提交。"), code="assessment_locked")
    spec = assessment.model.spec
    missing = missing_answers(assessment)
    if missing:
        raise InvalidInput(
            ngettext("还有 %(n)d 个问题未回答，不能提交：%(ids)s", "还有 %(n)d 个问题未回答，不能提交：%(ids)s",
                     len(missing)) % {"n": len(missing), "ids": ", ".join(missing)},
            code="assessment_incomplete",
            details=[{"field": f"answers.{rid}", "message": _("未回答")} for rid in missing],
        )
    years = annual_figures(assessment.enterprise) if assessment.kind == Kind.EXPERT else []
    assessment_score(assessment, spec, years)
    assessment.submitted = timezone.now()
    assessment.save()
    audit_record(actor=by, action="submit", entity="assessment", entity_id=assessment.pk,
                 summary=f"{assessment.enterprise.uscc} level {assessment.level} score {assessment.score}",
                 after={"level": assessment.level, "score": assessment.score, "kind": assessment.kind})
    if assessment.kind == Kind.EXPERT:
        _stage_set(by=by, enterprise=assessment.enterprise, spec=spec, level=assessment.level or 0)
    return assessment


def _stage_set(*, by: Any, enterprise: Enterprise, spec: ModelDef, level: int) -> None:
    """The stage of the level reached, for models whose levels name stages. Below level 1 an enterprise
    is on its way to the first stage, which is where the platform's stage scale starts."""
    reached = spec.level(level) or spec.levels[0]
    if reached.stage is None or reached.stage == enterprise.stage:
        return
    before = enterprise.stage
    Enterprise.objects.filter(pk=enterprise.pk).update(stage=reached.stage)
    areas_changed(Enterprise)  # update() sends no signals
    enterprise.stage = reached.stage
    audit_record(actor=by, action="update", entity="enterprise", entity_id=enterprise.uscc,
                 summary=_("专家诊断确定改造阶段"), before={"stage": before}, after={"stage": reached.stage})


@transaction.atomic
def evidence_add(*, by: Any, assessment: Assessment, requirement: str, upload: UploadedFile) -> Evidence:
    """Attach a file to one answer of an expert diagnosis draft; its type and size are checked."""
    if assessment.kind != Kind.EXPERT or not can_edit(user=by, assessment=assessment):
        raise PermissionDenied(_("只能给本人未提交的专家诊断附加证据。"), code="assessment_locked")
    if assessment.model.spec.requirement(requirement) is None:
        raise InvalidInput(_("没有这个问题：%(id)s") % {"id": requirement}, details=[{"field": "requirement"}])
    name = (upload.name or "").rsplit("/", 1)[-1]
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if ext not in EVIDENCE_TYPES:
        raise InvalidInput(
            _("不接受这种文件：%(name)s。可上传：%(types)s")
            % {"name": name, "types": " ".join(sorted(EVIDENCE_TYPES))},
            details=[{"field": "file", "message": "type"}],
        )
    size = upload.size or 0
    if size == 0 or size > EVIDENCE_MAX_BYTES:
        raise InvalidInput(
            _("文件为空或超过 %(mb)d MB：%(name)s") % {"mb": EVIDENCE_MAX_BYTES // (1024 * 1024), "name": name},
            details=[{"field": "file", "message": "size"}],
        )
    content_type, magics = EVIDENCE_TYPES[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise InvalidInput(
            _("文件内容与扩展名 %(ext)s 不符：%(name)s") % {"ext": ext, "name": name},
            details=[{"field": "file", "message": "content"}],
        )
    evidence = Evidence.objects.create(
        assessment=assessment, requirement=requirement, file=upload, filename=name[:255], size=size,
        content_type=content_type, uploaded_by=by,
    )
    audit_record(actor=by, action="create", entity="evidence", entity_id=evidence.pk,
                 summary=f"{assessment.pk} {requirement} {name}"[:255])
    return evidence


@transaction.atomic
def evidence_delete(*, by: Any, evidence: Evidence) -> None:
    if not can_edit(user=by, assessment=evidence.assessment):
        raise PermissionDenied(_("只能删除本人未提交的专家诊断中的证据。"), code="assessment_locked")
    audit_record(actor=by, action="delete", entity="evidence", entity_id=evidence.pk,
                 summary=f"{evidence.assessment_id} {evidence.requirement} {evidence.filename}"[:255])
    evidence.file.delete(save=False)
    evidence.delete()


@transaction.atomic
def assignment_add(*, by: Any, expert: Any, enterprise: Enterprise) -> Assignment:
    """An officer whose region holds the enterprise assigns an expert or service company to it."""
    scope = scope_for(by)
    if not (by.is_superuser or (by.role in (Role.PROVINCE, Role.CITY) and scope.contains(enterprise))):
        raise PermissionDenied(_("只有该企业所在地区的主管部门可以指派专家。"), code="diagnosis_forbidden")
    if expert.role not in EXPERT_ROLES:
        raise InvalidInput(_("只能指派专家或工程服务公司用户。"), details=[{"field": "expert"}])
    assignment, created = Assignment.objects.get_or_create(
        user=expert, enterprise=enterprise, defaults={"assigned_by": by}
    )
    if created:
        audit_record(actor=by, action="create", entity="assignment", entity_id=assignment.pk,
                     summary=f"{expert.username} → {enterprise.uscc}")
    return assignment


def model_chosen(ref: int | str) -> MaturityModel:
    """The model a user asked for (id, code or code@version); an unknown one is bad input, not a 404."""
    from django.http import Http404

    from .selectors import model_get

    try:
        return model_get(ref=ref)
    except Http404:
        raise InvalidInput(
            _("没有这个诊断模型：%(ref)s") % {"ref": ref}, details=[{"field": "model", "message": "unknown"}]
        ) from None


@transaction.atomic
def assessment_record(
    *,
    by: Any,
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
