"""Diagnosis pages: the questionnaire (one dimension per page), results, history, officers' overview."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhigai.base.crumbs import enterprise_trail
from zhigai.base.selectors import access_enterprise, region_options_html
from zhigai.core.crumbs import Crumb, crumbs
from zhigai.core.errors import ZhigaiError
from zhigai.core.models import User
from zhigai.core.pages import errors_as_messages, page_number
from zhigai.core.policy import DB_ID_MAX, permitted
from zhigai.core.text import ascii_int
from zhigai.core.types import AuthenticatedRequest

from . import charts, selectors, services, stats
from .check_text import check_value_text
from .evaluation import annual_figures, checks_outcome, missing_answers
from .models import Assessment, Kind
from .policy import EXPERT_ROLES
from .queue import queue_counts
from .results import assessment_result, benchmark, level_stage_text, rule_text
from .views_work import unassessed_region


def _error_details(exc: ZhigaiError) -> list[str]:
    return [d.get("message", "") if isinstance(d, dict) else str(d) for d in exc.details]


@login_required
def overview(request: AuthenticatedRequest) -> HttpResponse:
    """Officers: levels by region, industry, size; cohorts; not assessed. Others: their own work."""
    user = request.user
    ctx: dict[str, Any] = {"models": selectors.model_list(), "drafts": selectors.assessment_drafts(user=user)}
    if permitted(user, "diagnosis.figures.view"):
        model = selectors.model_get(ref=request.GET.get("model") or "ladder")
        figures = stats.level_figures(user=user, model=model)
        levels = figures["levels"]
        ctx.update(
            model=model,
            figures=figures,
            charts={
                "levels_region": charts.stacked_levels(figures["by_region"], levels),
                "levels_industry": charts.stacked_levels(figures["by_industry"], levels),
                "levels_size": charts.stacked_levels(figures["by_size"], levels),
            },
            cohort_rows=list(zip(levels, figures["cohort_matrix"], strict=True)),
        )
        region, refused = unassessed_region(request)
        pending = stats.unassessed(user=user, region_code=region)
        ctx.update(unassessed_page=Paginator(pending, 25).get_page(page_number(request)), region=region,
                   region_refused=refused, regions=region_options_html(user=user))
    if permitted(user, "diagnosis.assignment.list_own"):
        ctx["queue_counts"] = queue_counts(user=user)
    return render(request, "diagnosis/overview.html", ctx)


def _assessment_crumbs(assessment: Assessment) -> list[Crumb]:
    """An assessment's pages sit under its enterprise's diagnosis page."""
    e = assessment.enterprise
    return crumbs(*enterprise_trail(e), Crumb(_("诊断"), reverse("diagnosis:enterprise", args=[e.uscc])),
                  current=f"{assessment.get_kind_display()} · {assessment.model.name}")


@login_required
def enterprise_diagnosis(request: AuthenticatedRequest, uscc: str) -> HttpResponse:
    """An enterprise's assessments over time, and where to start a new one."""
    user = request.user
    enterprise = access_enterprise(user=user, uscc=uscc)
    history = list(selectors.assessment_history(user=user, enterprise=enterprise))
    submitted = [a for a in history if not a.is_draft]
    experts = None
    if permitted(user, "diagnosis.assignment.create", enterprise):
        experts = User.objects.filter(role__in=EXPERT_ROLES, is_active=True).order_by("username")
    return render(request, "diagnosis/enterprise.html", {
        "e": enterprise,
        "crumbs": crumbs(*enterprise_trail(enterprise), current=_("诊断")),
        "history": history,
        "progress": charts.progress(submitted) if submitted else None,
        "models": selectors.model_list(),
        "can_self": permitted(user, "diagnosis.assessment.self_assess", enterprise),
        "can_diagnose": permitted(user, "diagnosis.assessment.diagnose", enterprise),
        "experts": experts,
        "assigned": selectors.assignments_of(enterprise=enterprise),
        "can_unassign": permitted(user, "diagnosis.assignment.delete", enterprise),
    })


@login_required
@require_POST
def assessment_start(request: AuthenticatedRequest, uscc: str) -> HttpResponse:
    enterprise = access_enterprise(user=request.user, uscc=uscc)
    with errors_as_messages(request):
        model = services.model_chosen(request.POST.get("model", ""))
        assessment = services.assessment_start(by=request.user, enterprise=enterprise, model=model)
        return redirect("diagnosis:fill", assessment_id=assessment.pk, step=1)
    return redirect("diagnosis:enterprise", uscc=enterprise.uscc)


@login_required
@require_POST
def assignment_add(request: AuthenticatedRequest, uscc: str) -> HttpResponse:
    enterprise = access_enterprise(user=request.user, uscc=uscc)
    expert_id = ascii_int(request.POST.get("expert"), low=1, high=DB_ID_MAX)  # not "5²", not "１２"
    expert = User.objects.filter(pk=expert_id, role__in=EXPERT_ROLES).first() if expert_id else None
    if expert is None:
        messages.error(request, _("请选择一位专家或工程服务公司用户。"))
    else:
        with errors_as_messages(request):
            services.assignment_add(by=request.user, expert=expert, enterprise=enterprise)
            messages.success(request, _("已指派 %(name)s 诊断该企业。") % {"name": expert.username})
    return redirect("diagnosis:enterprise", uscc=enterprise.uscc)


@login_required
@require_POST
def assignment_remove(request: AuthenticatedRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.access_assignment(user=request.user, assignment_id=assignment_id)
    uscc, name = assignment.enterprise.uscc, assignment.user.username
    with errors_as_messages(request):
        services.assignment_remove(by=request.user, assignment=assignment)
        messages.success(request, _("已取消 %(name)s 对该企业的诊断指派。") % {"name": name})
    return redirect("diagnosis:enterprise", uscc=uscc)


def _steps(assessment: Assessment) -> list[dict[str, Any]]:
    spec, lang = assessment.model.spec, get_language()
    out = []
    for d in spec.dimensions:
        reqs = spec.dimension_requirements(d.id)
        done = sum(1 for r in reqs if r.id in assessment.answers)
        out.append({"dimension": d, "name": d.name.get(lang), "total": len(reqs), "done": done})
    return out


def _option_name(spec: Any, option_id: str, lang: str | None) -> str:
    option = spec.option(option_id)
    return option.name.get(lang) if option else ""


@login_required
def assessment_fill(request: AuthenticatedRequest, assessment_id: int, step: int) -> HttpResponse:
    """One dimension's questions; saving moves to the next dimension (or back, or to the review)."""
    user = request.user
    assessment = selectors.access_assessment(user=user, assessment_id=assessment_id)
    if not permitted(user, "diagnosis.assessment.change", assessment):
        return redirect("diagnosis:detail", assessment_id=assessment.pk)
    spec, lang = assessment.model.spec, get_language()
    steps = _steps(assessment)
    if not 1 <= step <= len(steps):
        return redirect("diagnosis:fill", assessment_id=assessment.pk, step=1)
    dimension = spec.dimensions[step - 1]
    requirements = spec.dimension_requirements(dimension.id)
    errors: list[str] = []
    if request.method == "POST":
        posted = request.POST
        answers = {r.id: posted[f"answer-{r.id}"] for r in requirements if f"answer-{r.id}" in posted}
        notes = {r.id: posted[f"note-{r.id}"] for r in requirements if f"note-{r.id}" in posted}
        try:
            services.assessment_answer(by=user, assessment=assessment, answers=answers, notes=notes)
        except ZhigaiError as exc:
            errors = _error_details(exc) or [exc.message]
        else:
            go = request.POST.get("go", "next")
            if go == "prev" and step > 1:
                return redirect("diagnosis:fill", assessment_id=assessment.pk, step=step - 1)
            if go == "next" and step < len(steps):
                return redirect("diagnosis:fill", assessment_id=assessment.pk, step=step + 1)
            if go == "stay":
                messages.success(request, _("已保存。"))
                return redirect("diagnosis:fill", assessment_id=assessment.pk, step=step)
            return redirect("diagnosis:review", assessment_id=assessment.pk)
    claims = assessment.claims_from.answers if assessment.claims_from_id and assessment.claims_from else {}
    evidence = selectors.evidence_list(assessment=assessment) if assessment.kind == Kind.EXPERT else {}
    checks = (
        checks_outcome(spec, annual_figures(user=user, enterprise=assessment.enterprise), assessment.answers)
        if assessment.kind == Kind.EXPERT else {}
    )
    questions = [
        {
            "r": r,
            "question": r.question.get(lang),
            "guidance": r.guidance.get(lang),
            "level": spec.level(r.level),
            "level_name": spec.level(r.level).name.get(lang),  # type: ignore[union-attr]
            "answer": assessment.answers.get(r.id, ""),
            "note": assessment.notes.get(r.id, ""),
            "claim": _option_name(spec, claims.get(r.id, ""), lang),
            "evidence": evidence.get(r.id, []),
            "check": checks.get(r.id),
            "check_shown": check_value_text(r.check, (checks.get(r.id) or {}).get("value"),
                                            (checks.get(r.id) or {}).get("year")),
        }
        for r in requirements
    ]
    return render(request, "diagnosis/fill.html", {
        "a": assessment,
        "e": assessment.enterprise,
        "crumbs": _assessment_crumbs(assessment),
        "steps": steps,
        "step": step,
        "dimension_name": dimension.name.get(lang),
        "questions": questions,
        "options": [(o.id, o.name.get(lang), o.value) for o in spec.options],
        "errors": errors,
        "is_expert": assessment.kind == Kind.EXPERT,
        "last": step == len(steps),
        "accept": ",".join(services.EVIDENCE_TYPES),
    })


@login_required
def assessment_review(request: AuthenticatedRequest, assessment_id: int) -> HttpResponse:
    """Progress by dimension, what is still missing, and the submit button."""
    user = request.user
    assessment = selectors.access_assessment(user=user, assessment_id=assessment_id)
    if not assessment.is_draft:
        return redirect("diagnosis:detail", assessment_id=assessment.pk)
    spec, lang = assessment.model.spec, get_language()
    missing = [spec.requirement(rid) for rid in missing_answers(assessment)]
    steps = _steps(assessment)
    step_of = {s["dimension"].id: i + 1 for i, s in enumerate(steps)}
    return render(request, "diagnosis/review.html", {
        "a": assessment,
        "e": assessment.enterprise,
        "crumbs": _assessment_crumbs(assessment),
        "steps": steps,
        "missing": [
            {"id": r.id, "question": r.question.get(lang), "step": step_of[r.dimension]} for r in missing if r
        ],
        "can_edit": permitted(user, "diagnosis.assessment.change", assessment),
    })


@login_required
@require_POST
def assessment_submit(request: AuthenticatedRequest, assessment_id: int) -> HttpResponse:
    assessment = selectors.access_assessment(user=request.user, assessment_id=assessment_id)
    with errors_as_messages(request):
        services.assessment_submit(by=request.user, assessment=assessment)
        messages.success(request, _("已提交，结果如下。"))
        return redirect("diagnosis:detail", assessment_id=assessment.pk)
    return redirect("diagnosis:review", assessment_id=assessment.pk)


@login_required
def assessment_detail(request: AuthenticatedRequest, assessment_id: int) -> HttpResponse:
    user = request.user
    assessment = selectors.access_assessment(user=user, assessment_id=assessment_id)
    if assessment.is_draft:
        editable = permitted(user, "diagnosis.assessment.change", assessment)
        target = "diagnosis:fill" if editable else "diagnosis:review"
        return redirect(reverse(target, args=[assessment.pk, 1] if target == "diagnosis:fill" else [assessment.pk]))
    result = assessment_result(assessment)
    compare = None
    if assessment.kind == Kind.EXPERT and assessment.claims_from and not assessment.claims_from.is_draft:
        compare = assessment_result(assessment.claims_from).dimensions
    return render(request, "diagnosis/result.html", {
        "a": assessment,
        "e": assessment.enterprise,
        "crumbs": _assessment_crumbs(assessment),
        "result": result,
        "radar": charts.radar(result.dimensions, result.spec.top_level, compare=compare),
        "bench": benchmark(assessment=assessment),
        "rule": rule_text(result.spec),
        "level_stage": level_stage_text(result.spec, assessment.level, assessment.enterprise.get_stage_display(),
                                        result.language),
        "next_level": result.spec.level((assessment.level or 0) + 1),
        "lang": result.language,
    })


@login_required
def assessment_report(request: AuthenticatedRequest, assessment_id: int, fmt: str) -> HttpResponse:
    from .report import assessment_pdf, assessment_xlsx  # reportlab loads only when a report is asked for

    if fmt not in ("pdf", "xlsx"):
        raise Http404
    assessment = selectors.access_assessment(user=request.user, assessment_id=assessment_id)
    if assessment.is_draft:
        return redirect("diagnosis:review", assessment_id=assessment.pk)
    result = assessment_result(assessment)
    if fmt == "pdf":
        body, ctype = assessment_pdf(result, benchmark=benchmark(assessment=assessment)), "application/pdf"
        disposition = "inline"
    else:
        body = assessment_xlsx(result)
        ctype, disposition = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment"
    response = HttpResponse(body, content_type=ctype)
    filename = f"diagnosis-{assessment.pk}-{assessment.enterprise.uscc}.{fmt}"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@login_required
@require_POST
def evidence_upload(request: AuthenticatedRequest, assessment_id: int) -> HttpResponse:
    assessment = selectors.access_assessment(user=request.user, assessment_id=assessment_id)
    step = request.POST.get("step", "1")
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
    else:
        with errors_as_messages(request):
            requirement = request.POST.get("requirement", "")
            services.evidence_add(by=request.user, assessment=assessment, requirement=requirement, upload=upload)
            messages.success(request, _("已上传 %(name)s。") % {"name": upload.name})
    return redirect(reverse("diagnosis:fill", args=[assessment.pk, ascii_int(step, low=1, high=99) or 1]))


@login_required
def evidence_download(request: AuthenticatedRequest, evidence_id: int) -> FileResponse:
    ev = selectors.evidence_get(user=request.user, evidence_id=evidence_id)
    return FileResponse(ev.file.open("rb"), as_attachment=True, filename=ev.filename, content_type=ev.content_type)


@login_required
@require_POST
def evidence_delete(request: AuthenticatedRequest, evidence_id: int) -> HttpResponse:
    ev = selectors.evidence_get(user=request.user, evidence_id=evidence_id)
    assessment_id, step = ev.assessment_id, request.POST.get("step", "1")
    with errors_as_messages(request):
        services.evidence_delete(by=request.user, evidence=ev)
    return redirect(reverse("diagnosis:fill", args=[assessment_id, ascii_int(step, low=1, high=99) or 1]))


def enterprise_progress_section(request: HttpRequest, enterprise: Any) -> SafeString | None:
    """The enterprise page's diagnosis section: the current result and the score over time; none for a
    user who sees the enterprise but not its diagnoses (a grant of another module)."""
    if not permitted(request.user, "diagnosis.enterprise.view", enterprise):
        return None
    # Most enterprises have no assessment: a cached set of those that have spares them the query, and
    # their few lines are put together directly (a template render costs more than the page's reads).
    if enterprise.pk not in selectors.assessed_enterprise_ids():
        return format_html(
            '<h2>{}</h2><section class="card" data-testid="diagnosis-progress"><p class="empty">{}</p>'
            '<p><a class="button" href="{}">{}</a></p></section>',
            _("诊断"), _("该企业尚未评估。"), reverse("diagnosis:enterprise", args=[enterprise.uscc]),
            _("诊断记录与新评估"),
        )
    submitted = list(selectors.submitted_of(enterprise=enterprise))
    latest = next((a for a in submitted if a.kind == Kind.EXPERT), submitted[0] if submitted else None)
    # Rendered without the request: the section needs no context processors, and they cost time.
    return render_to_string("diagnosis/partials/enterprise_progress.html", {
        "e": enterprise,
        "latest": latest,
        "progress": charts.progress(submitted) if len(submitted) > 1 else None,
        "level_stage": level_stage_text(latest.model.spec, latest.level, enterprise.get_stage_display(), get_language())
        if latest else "",
    })
