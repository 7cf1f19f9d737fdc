"""The enterprise's filing form, and its negative-list answer as they type (an htmx partial that asks the
same decision function the filing does)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhigai.base.models import Enterprise
from zhigai.base.selectors import access_enterprise
from zhigai.core.crumbs import crumbs
from zhigai.core.errors import InvalidInput
from zhigai.core.types import AuthenticatedRequest

from . import services
from .commitment import commitment_current
from .decision import decision_data, decision_reason
from .models import EquipmentKind, Origin
from .negative_list import negative_list_check
from .policy import FILE
from .views import list_trail

LINES_SHOWN = 5
INVESTMENT_LABELS = {"equipment": gettext_lazy("设备"), "software": gettext_lazy("软件"),
                     "construction": gettext_lazy("建设"), "services": gettext_lazy("服务")}


def _enterprise(request: AuthenticatedRequest) -> Enterprise:
    """The enterprise filed for: the one named (?enterprise=), else the user's own; 404 when the user may not
    see it, 403 when it may not file for it."""
    own = request.user.enterprise
    code = request.POST.get("enterprise") or request.GET.get("enterprise") or (own.uscc if own else "")
    return access_enterprise(user=request.user, uscc=code, action=FILE)


def _lines(post: Any) -> list[dict[str, Any]]:
    out = []
    for i in range(LINES_SHOWN):
        line = {k: post.get(f"eq_{k}_{i}", "").strip() for k in ("kind", "type", "origin", "count", "unit_price")}
        if line["type"] or line["count"] or line["unit_price"]:
            out.append(line)
    return out


def _data(request: HttpRequest, enterprise: Enterprise) -> dict[str, Any]:
    post = request.POST
    return {
        "enterprise": enterprise.uscc, "title": post.get("title", ""), "description": post.get("description", ""),
        "start": post.get("start", ""), "end": post.get("end", ""),
        "investment": {k: post.get(f"inv_{k}", "") or "0" for k in services.INVESTMENT_KINDS},
        "equipment": _lines(post),
        "land_mu": post.get("land_mu", "") if post.get("land") == "new" else "0",
        "expected": {k: post.get(f"exp_{k}", "") for k in services.EXPECTED_KEYS if post.get(f"exp_{k}", "").strip()},
        "commitment": {"signed": post.get("sign") == "yes", "name": post.get("sign_name", "")},
    }


def _rows(post: Any) -> list[dict[str, Any]]:
    return [{"i": i, **{k: post.get(f"eq_{k}_{i}", "") for k in ("kind", "type", "origin", "count", "unit_price")}}
            for i in range(LINES_SHOWN)]


@login_required
def project_new(request: AuthenticatedRequest) -> HttpResponse:
    enterprise = _enterprise(request)
    errors: dict[str, str] = {}
    refused = None
    if request.method == "POST":
        try:
            project = services.project_file(by=request.user, data=_data(request, enterprise))
        except services.ProjectRefused as exc:
            refused = {"reason": decision_reason(exc.decision), "entry": exc.decision.get("negative_list_entry")}
        except InvalidInput as exc:
            errors = {d.get("field", ""): d.get("message", "") for d in exc.details}
            messages.error(request, exc.message)
        else:
            messages.success(request, _("项目已提交：%(state)s") % {"state": project.get_state_display()})
            return redirect("projects:detail", project_id=project.pk)
    post = request.POST
    title = _("备案技术改造项目")
    return render(request, "projects/new.html", {
        "e": enterprise, "title": title, "crumbs": crumbs(*list_trail(), current=title),
        "v": post, "errors": errors, "refused": refused, "rows": _rows(post),
        "line_errors": {k: v for k, v in errors.items() if k.startswith("equipment")},
        "investment": [(k, INVESTMENT_LABELS[k], post.get(f"inv_{k}", "")) for k in services.INVESTMENT_KINDS],
        "expected": [(k, services.EXPECTED_LABELS[k], post.get(f"exp_{k}", "")) for k in services.EXPECTED_KEYS],
        "kinds": EquipmentKind.choices, "origins": Origin.choices,
        "land": post.get("land", "none"),
        "commitment": commitment_current(),
        "answer": _answer(request, enterprise) if request.method == "POST" else None,
    }, status=422 if errors or refused else 200)


def _answer(request: HttpRequest, enterprise: Enterprise) -> dict[str, Any]:
    source = request.POST if request.method == "POST" else request.GET
    texts = [source.get("title", ""), source.get("description", ""),
             *(source.get(f"eq_type_{i}", "") for i in range(LINES_SHOWN))]
    check = negative_list_check(industry_code=enterprise.industry.code, texts=[t[:4000] for t in texts])
    signed = source.get("sign") == "yes"
    land = source.get("land_mu", "") if source.get("land") == "new" else 0
    decision = decision_data(check, signed=signed, state="")
    return {"category": check.category, "entry": decision["negative_list_entry"], "version": check.version.version,
            "reason": decision_reason(decision, land_mu=land), "signed": signed}


@login_required
def project_check(request: AuthenticatedRequest) -> HttpResponse:
    """The negative list's answer for the form as typed (htmx): the same function the filing calls."""
    enterprise = _enterprise(request)
    return render(request, "projects/partials/answer.html", {"answer": _answer(request, enterprise)})
