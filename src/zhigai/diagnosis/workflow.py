"""The assessment's workflow as data (core.workflow): a draft is submitted by the enterprise's user (a
self-assessment) or verified by its author, an assigned expert (an expert diagnosis), which sets the
enterprise's stage. Submitted assessments never change; a re-assessment is a new draft."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from zhigai.base.models import StageSource
from zhigai.base.services import enterprise_stage_set
from zhigai.core.errors import InvalidInput
from zhigai.core.models import User
from zhigai.core.workflow import Transition, Workflow

from .errors import DiagnosisError
from .evaluation import annual_figures, assessment_score, missing_answers
from .models import Assessment, AssessmentEvent, Assignment, Status


def complete(assessment: Assessment) -> None:
    """Guard: every question answered."""
    missing = missing_answers(assessment)
    if missing:
        raise InvalidInput(
            ngettext("还有 %(n)d 个问题未回答，不能提交：%(ids)s", "还有 %(n)d 个问题未回答，不能提交：%(ids)s",
                     len(missing)) % {"n": len(missing), "ids": ", ".join(missing)},
            code=DiagnosisError.INCOMPLETE,
            details=[{"field": f"answers.{rid}", "message": _("未回答")} for rid in missing],
        )


def scored_on_answers(assessment: Assessment, by: User) -> None:
    assessment_score(assessment, assessment.model.spec, [])
    assessment.submitted = timezone.now()


def scored_on_data(assessment: Assessment, by: User) -> None:
    """An expert diagnosis takes the objective checks from the enterprise's data instead of the answer."""
    assessment_score(assessment, assessment.model.spec, annual_figures(user=by, enterprise=assessment.enterprise))
    assessment.submitted = timezone.now()


def stage_from_level(assessment: Assessment, by: User) -> None:
    """The stage of the level reached, for models whose levels name stages. Below level 1 an enterprise
    is on its way to the first stage, which is where the platform's stage scale starts."""
    spec = assessment.model.spec
    reached = spec.level(assessment.level or 0) or spec.levels[0]
    if reached.stage is not None:
        # The stage of the year the diagnosis was made in (an assessment has no other year: it reads the
        # enterprise's latest figures and verifies where it stands when it is submitted).
        year = timezone.localtime(assessment.submitted or timezone.now()).year
        enterprise_stage_set(by=by, enterprise=assessment.enterprise, stage=reached.stage, year=year,
                             source=StageSource.DIAGNOSIS, reference=str(assessment.pk),
                             reason=_("专家诊断确定改造阶段"))


def assigned_experts(assessment: Assessment) -> list[Any]:
    return [a.user for a in Assignment.objects.filter(enterprise=assessment.enterprise_id).select_related("user")]


def enterprise_users(assessment: Assessment) -> list[Any]:
    return list(User.objects.filter(enterprise_id=assessment.enterprise_id, is_active=True))


REFUSED = gettext_lazy("这份评估已提交或不归您填写，不能再提交。")

ASSESSMENT_WORKFLOW = Workflow(
    name="assessment",
    model=Assessment,
    event_model=AssessmentEvent,
    url=lambda a: reverse("diagnosis:detail", args=[a.pk]),
    describe=lambda a: {"enterprise": a.enterprise.name},
    transitions=[
        Transition(
            name="submit", source=Status.DRAFT, target=Status.SUBMITTED,
            permission="diagnosis.assessment.submit", label=gettext_lazy("提交自评"),
            guards=[complete], effects=[scored_on_answers], notify=assigned_experts,
            notice=gettext_noop("%(enterprise)s 提交了自评，请您诊断核实。"),
            refusal=REFUSED, refusal_code=DiagnosisError.LOCKED,
        ),
        Transition(
            name="verify", source=Status.DRAFT, target=Status.SUBMITTED,
            permission="diagnosis.assessment.verify", label=gettext_lazy("提交专家诊断"),
            guards=[complete], effects=[scored_on_data], after_save=[stage_from_level], notify=enterprise_users,
            notice=gettext_noop("%(by)s 完成了对 %(enterprise)s 的专家诊断。"),
            refusal=REFUSED, refusal_code=DiagnosisError.LOCKED, audit_action="submit",
        ),
    ],
)
