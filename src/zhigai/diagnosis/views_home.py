"""The diagnosis section of an enterprise user's home (base.sections, place "home"): where its diagnosis
stands and the one next step — continue the open self-assessment, or start one — with the latest results."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from zhigai.core.policy import permitted

from . import charts, selectors
from .models import Kind


def enterprise_home_section(request: HttpRequest, enterprise: Any) -> SafeString | None:
    user = request.user
    if not permitted(user, "diagnosis.enterprise.view", enterprise):
        return None
    history = list(selectors.assessment_history(user=user, enterprise=enterprise))
    draft = next((a for a in history if a.is_draft and a.kind == Kind.SELF), None)
    submitted = [a for a in history if not a.is_draft]
    return render_to_string("diagnosis/partials/enterprise_home.html", {
        "e": enterprise,
        "draft": draft,
        "answered": len(draft.answers) if draft else 0,
        "questions": len(draft.model.spec.requirements) if draft else 0,
        "latest_self": next((a for a in submitted if a.kind == Kind.SELF), None),
        "latest_expert": next((a for a in submitted if a.kind == Kind.EXPERT), None),
        "can_self": draft is None and permitted(user, "diagnosis.assessment.self_assess", enterprise),
        "models": selectors.model_list(),
        "progress": charts.progress(submitted) if len(submitted) > 1 else None,
    }, request=request)
