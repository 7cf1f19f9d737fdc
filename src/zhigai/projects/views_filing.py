"""The enterprise's filing form, and its negative-list answer as they type (an htmx partial that asks the
same decision function the filing does)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhigai.base.models import Enterprise
from zhigai.base.selectors import access_enterprise
from zhigai.core.crumbs import Crumb, crumbs
from zhigai.core.errors import InvalidInput
from zhigai.core.types import AuthenticatedRequest

from . import services
from .commitment import commitment_current
from .decision import decision_data, decision_reason
from .models import EquipmentKind, Origin, Project
from .negative_list import negative_list_check
from .policy import FILE
from .selectors import access_project
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


def _values(project: Project) -> dict[str, Any]:
    """A project as the form's fields (the form's POST names)."""
    values: dict[str, Any] = {
        "title": project.title, "description": project.description, "start": project.start.isoformat(),
        "end": project.end.isoformat(), "land": "new" if project.land_mu else "none",
        "land_mu": str(project.land_mu) if project.land_mu else "",
        "sign": "yes" if project.commitment_signed else "no", "sign_name": project.commitment_name,
        **{f"inv_{k}": str(getattr(project, f"{k}_investment")) for k in services.INVESTMENT_KINDS},
        **{f"exp_{k}": str(v) for k, v in (project.expected or {}).items()},
    }
    for i, line in enumerate(list(project.equipment.all())[:LINES_SHOWN]):
        values.update({f"eq_kind_{i}": line.kind, f"eq_type_{i}": line.type, f"eq_origin_{i}": line.origin,
                       f"eq_count_{i}": str(line.count), f"eq_unit_price_{i}": str(line.unit_price)})
    return values


@login_required
def project_edit(request: AuthenticatedRequest, project_id: int) -> HttpResponse:
    project = access_project(user=request.user, project_id=project_id, action="change")
    return _form(request, project.enterprise, project)


@login_required
def project_new(request: AuthenticatedRequest) -> HttpResponse:
    return _form(request, _enterprise(request), None)


def _form(request: AuthenticatedRequest, enterprise: Enterprise, project: Project | None) -> HttpResponse:
    errors: dict[str, str] = {}
    refused = None
    if request.method == "POST":
        try:
            if project is not None:
                project = services.project_update(by=request.user, project=project,
                                                  data=_data(request, enterprise))
                messages.success(request, _("项目已修改；确认无误后请“修改后重新提交”。"))
                return redirect("projects:detail", project_id=project.pk)
            project = services.project_file(by=request.user, data=_data(request, enterprise))
        except services.ProjectRefused as exc:
            refused = {"reason": decision_reason(exc.decision), "entry": exc.decision.get("negative_list_entry")}
        except InvalidInput as exc:
            errors = {d.get("field", ""): d.get("message", "") for d in exc.details}
            said = _("项目信息有误，未备案：请按各栏下的提示修改（共 %(n)d 处）。") % {"n": len(errors)}
            messages.error(request, said)
        else:
            messages.success(request, _("项目已提交：%(state)s") % {"state": project.get_state_display()})
            return redirect("projects:detail", project_id=project.pk)
    post: Any = request.POST if request.method == "POST" or project is None else _values(project)
    title = _("备案技术改造项目") if project is None else _("修改项目")
    trail = list_trail() if project is None else [
        *list_trail(), Crumb(project.title, reverse("projects:detail", args=[project.pk]))]
    return render(request, "projects/new.html", {
        "e": enterprise, "title": title, "crumbs": crumbs(*trail, current=title), "p": project,
        "v": post, "errors": errors, "refused": refused, "rows": _rows(post),
        "line_errors": {_line_label(k): v for k, v in errors.items() if k.startswith("equipment")},
        "investment": [(k, INVESTMENT_LABELS[k], post.get(f"inv_{k}", "")) for k in services.INVESTMENT_KINDS],
        "expected": [(k, services.EXPECTED_LABELS[k], post.get(f"exp_{k}", "")) for k in services.EXPECTED_KEYS],
        "kinds": EquipmentKind.choices, "origins": Origin.choices,
        "land": post.get("land", "none"),
        "commitment": commitment_current(),
        "answer": _answer(request, enterprise) if request.method == "POST" else None,
        "submit": _("提交备案") if project is None else _("保存修改"),
    }, status=422 if errors or refused else 200)


LINE_FIELDS = {"kind": gettext_lazy("类别"), "type": gettext_lazy("型号或类型"), "origin": gettext_lazy("品牌来源"),
               "count": gettext_lazy("数量"), "unit_price": gettext_lazy("单价")}


def _line_label(field: str) -> str:
    """`equipment[2].count` as the form's reader knows it: 设备第 3 行·数量."""
    found = re.fullmatch(r"equipment\[(\d+)\](?:\.(\w+))?", field)
    if found is None:
        return str(_("设备清单"))
    row = _("设备第 %(n)d 行") % {"n": int(found.group(1)) + 1}
    return f"{row}·{LINE_FIELDS.get(found.group(2) or '', '')}".rstrip("·")


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
