from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Router, Status

from zhigai.base.selectors import access_enterprise
from zhigai.core.errors import Conflict
from zhigai.core.types import ApiRequest

from . import selectors, services
from .errors import DiagnosisError
from .evaluation import missing_answers
from .models import Assessment, MaturityModel
from .results import assessment_result, benchmark, rule_text
from .schemas import AssessmentIn, AssessmentOut, BenchmarkOut, ModelDetail, ModelSummary

router = Router(tags=["diagnosis"])


def _summary(m: MaturityModel) -> dict[str, Any]:
    return {"id": m.pk, "code": m.code, "name": m.name, "version": m.version, "current": m.current}


@router.get("/diagnosis/models", response=list[ModelSummary])
def models(request: HttpRequest, all_versions: bool = False) -> list[dict[str, Any]]:
    return [_summary(m) for m in selectors.model_list(current_only=not all_versions)]


@router.get("/diagnosis/models/{ref}", response=ModelDetail)
def model_detail(request: HttpRequest, ref: str) -> dict[str, Any]:
    m = selectors.model_get(ref=ref)
    spec, lang = m.spec, get_language()
    return {
        **_summary(m),
        "name_zh": m.name_zh,
        "name_en": m.name_en,
        "threshold": spec.threshold,
        "rule": rule_text(spec),
        "levels": [
            {"number": lv.number, "code": lv.code, "name": lv.name.get(lang), "name_zh": lv.name.zh,
             "name_en": lv.name.en, "stage": lv.stage}
            for lv in spec.levels
        ],
        "groups": [{"id": gid, "name": text.get(lang)} for gid, text in spec.groups.items()],
        "dimensions": [{"id": d.id, "name": d.name.get(lang), "group": d.group} for d in spec.dimensions],
        "options": [{"id": o.id, "name": o.name.get(lang), "value": o.value} for o in spec.options],
        "requirements": [
            {"id": r.id, "dimension": r.dimension, "level": r.level, "weight": r.weight,
             "question": r.question.get(lang), "guidance": r.guidance.get(lang), "measures": list(r.measures),
             "check": spec.raw["requirements"][i].get("check")}
            for i, r in enumerate(spec.requirements)
        ],
        "measures": spec.raw.get("measures", []),
    }


def assessment_out(a: Assessment) -> dict[str, Any]:
    spec = a.model.spec
    submitted = not a.is_draft
    result = assessment_result(a) if submitted else None
    return {
        "id": a.pk,
        "enterprise": a.enterprise.uscc,
        "model": a.model_id,
        "model_code": a.model.code,
        "model_version": a.model.version,
        "kind": a.kind,
        "status": a.status,
        "created": a.created,
        "submitted": a.submitted,
        "level": a.level,
        "level_name": result.level_name if result else None,
        "score": a.score,
        "dimensions": result.dimensions if result else [],
        "gaps": list(a.gaps),
        "answers": a.answers,
        "missing": [] if submitted else missing_answers(a),
        "rule": rule_text(spec),
        "differences": [
            {"requirement": d.requirement.id, "claimed": d.claimed, "verified": d.verified, "source": d.source}
            for d in (result.differences if result else [])
        ],
    }


@router.post("/enterprises/{uscc}/assessments", response={201: AssessmentOut})
def assessment_create(request: ApiRequest, uscc: str, payload: AssessmentIn) -> Status[dict[str, Any]]:
    user = request.auth
    enterprise = access_enterprise(user=user, uscc=uscc)
    assessment = services.assessment_record(
        by=user, enterprise=enterprise, model_ref=payload.model, answers=payload.answers, notes=payload.notes,
        submit=payload.submit,
    )
    return Status(201, assessment_out(selectors.access_assessment(user=user, assessment_id=assessment.pk)))


@router.get("/enterprises/{uscc}/assessments", response=list[AssessmentOut])
def assessment_history(request: ApiRequest, uscc: str) -> list[dict[str, Any]]:
    user = request.auth
    enterprise = access_enterprise(user=user, uscc=uscc)
    history = selectors.assessment_history(user=user, enterprise=enterprise).select_related("enterprise")
    return [assessment_out(a) for a in history]


@router.get("/assessments/{assessment_id}", response=AssessmentOut)
def assessment_detail(request: ApiRequest, assessment_id: int) -> dict[str, Any]:
    return assessment_out(selectors.access_assessment(user=request.auth, assessment_id=assessment_id))


def _submitted(request: ApiRequest, assessment_id: int) -> Assessment:
    assessment = selectors.access_assessment(user=request.auth, assessment_id=assessment_id)
    if assessment.is_draft:
        raise Conflict("This assessment is not submitted yet: it has no result.", code=DiagnosisError.DRAFT)
    return assessment


@router.get("/assessments/{assessment_id}/benchmark", response=BenchmarkOut)
def assessment_benchmark(request: ApiRequest, assessment_id: int) -> dict[str, Any]:
    return benchmark(assessment=_submitted(request, assessment_id))


@router.get("/assessments/{assessment_id}/report.pdf")
def assessment_report(request: ApiRequest, assessment_id: int) -> HttpResponse:
    from .report import assessment_pdf  # reportlab loads only when a report is asked for

    assessment = _submitted(request, assessment_id)
    pdf = assessment_pdf(assessment_result(assessment), benchmark=benchmark(assessment=assessment))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="diagnosis-{assessment.pk}.pdf"'
    return response
