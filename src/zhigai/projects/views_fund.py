"""The special fund's pages: the rounds, a round (rules, applications, the allocation and its comparison with
the ranking) and its Excel export."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from zhigai.core.crumbs import Crumb, crumbs
from zhigai.core.errors import InvalidInput
from zhigai.core.exports import Column, xlsx_response, xlsx_table
from zhigai.core.pages import errors_as_messages
from zhigai.core.policy import permitted, require
from zhigai.core.types import AuthenticatedRequest
from zhigai.ledger.policy import VIEW as LEDGER_VIEW

from . import allocation, fund, fund_selectors
from .errors_fund import FundError
from .fund_models import AllocationRun, BenefitSource, FundRound, RunStatus
from .fund_words import problem_text, reason_text
from .policy_fund import ALLOCATE, PAYMENT_REQUEST, REVIEW_ANY, ROUND_CREATE, ROUND_VIEW


def rounds_trail() -> list[Crumb]:
    return [Crumb(gettext_lazy("专项资金"), reverse("fund:rounds"))]


@login_required
@require_GET
def rounds(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, ROUND_VIEW, message=_("您不能查看专项资金。"), code=FundError.FORBIDDEN)
    return render(request, "projects/fund_rounds.html", {
        "rounds": fund_selectors.round_list(user=request.user),
        "may_create": permitted(request.user, ROUND_CREATE),
        "default_budget": "200000000.00",
    })


def _int(value: Any, field: str) -> int:
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit() and len(text) < 10):
        raise InvalidInput(_("请填写数字"), details=[{"field": field, "message": text}])
    return int(text)


@login_required
@require_POST
def round_create(request: AuthenticatedRequest) -> HttpResponse:
    with errors_as_messages(request):
        made = fund.fund_round_create(by=request.user, year=_int(request.POST.get("year"), "year"),
                                      budget=request.POST.get("budget", "").strip() or None,
                                      enterprise_cap=request.POST.get("enterprise_cap", "").strip() or None,
                                      city_min_share=request.POST.get("city_min_share", "").strip() or "0")
        messages.success(request, _("已设立 %(y)s 年度专项资金批次，预算已记入账本。") % {"y": made.year})
        return redirect("fund:round", made.pk)
    return redirect("fund:rounds")


def _comparison(run: AllocationRun, rows: list[dict[str, Any]]) -> dict[str, Any]:
    funded, ranked = set(run.funded), set(run.ranking_funded)
    titles = {r["id"]: r for r in rows}
    return {
        "more": run.total_benefit - run.ranking_total_benefit,
        "only_optimum": [titles[i] for i in sorted(funded - ranked) if i in titles],
        "only_ranking": [titles[i] for i in sorted(ranked - funded) if i in titles],
        "share": (run.total_benefit / run.ranking_total_benefit - 1) if run.ranking_total_benefit else None,
    }


@login_required
@require_GET
def round_page(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    user = request.user
    found = fund_selectors.access_round(user=user, round_id=round_id)
    apps = list(fund_selectors.application_list(user=user, fund_round=found))
    rows = fund_selectors.application_rows(apps)
    for row, app in zip(rows, apps, strict=True):
        row["reason_text"] = reason_text(app.reason)
        row["source_label"] = BenefitSource(app.benefit_source).label
        row["may_pay"] = app.funded and not app.clawed_back and permitted(user, PAYMENT_REQUEST, app)
    run = fund_selectors.run_latest(fund_round=found)
    applied = AllocationRun.objects.filter(round=found, applied=True).first()
    return render(request, "projects/fund_round.html", {
        "r": found,
        "crumbs": crumbs(*rounds_trail(), current=_("%(y)s 年度") % {"y": found.year}),
        "rows": rows,
        "asked": sum((r["amount"] for r in rows), Decimal(0)),
        "funded_total": sum((r["amount"] for r in rows if r["funded"]), Decimal(0)),
        "run": run,
        "run_status": RunStatus(run.status).label if run else "",
        "applied": applied,
        "problems": [problem_text(p) for p in run.problems] if run else [],
        "comparison": _comparison(run, rows) if run and run.status in (RunStatus.OPTIMAL, RunStatus.FEASIBLE) else None,
        "tolerance": allocation.GAP_TOLERANCE,
        "may_allocate": permitted(user, ALLOCATE, found),
        "may_apply": found.state == "open",
        "may_review": permitted(user, REVIEW_ANY),
        "may_ledger": permitted(user, LEDGER_VIEW),
        "payments": fund_selectors.payment_list(user=user, fund_round=found).order_by("-requested", "-id")[:200],
        "new_key": uuid.uuid4().hex,
    })


@login_required
@require_POST
def application_create(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    found = fund_selectors.access_round(user=request.user, round_id=round_id)
    with errors_as_messages(request):
        project = fund_selectors.project_for_fund(user=request.user, project_id=_int(request.POST.get("project"),
                                                                                       "project"))
        fund.fund_application_create(by=request.user, fund_round=found, project=project,
                                     amount=request.POST.get("amount", ""),
                                     benefit=request.POST.get("benefit", "").strip() or None,
                                     note=request.POST.get("note", ""))
        messages.success(request, _("申请已登记。"))
    return redirect("fund:round", found.pk)


@login_required
@require_POST
def allocate(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    found = fund_selectors.access_round(user=request.user, round_id=round_id)
    with errors_as_messages(request):
        run = fund.fund_allocate(by=request.user, fund_round=found)
        if run.applied:
            messages.success(request, _("分配完成，已证明最优，分配结果已记入账本。"))
        else:
            messages.warning(request, _("分配未生效：%(s)s。") % {"s": RunStatus(run.status).label})
    return redirect("fund:round", found.pk)


@login_required
@require_GET
def round_export(request: AuthenticatedRequest, round_id: int) -> FileResponse:
    found: FundRound = fund_selectors.access_round(user=request.user, round_id=round_id)
    apps = list(fund_selectors.application_list(user=request.user, fund_round=found))
    rows = fund_selectors.application_rows(apps)
    columns = [Column(_("申请编号"), 10), Column(_("项目编号"), 10), Column(_("项目名称"), 30),
               Column(_("企业名称"), 30),
               Column(_("统一社会信用代码"), 22), Column(_("所在市"), 10), Column(_("申请金额"), 16, money=True),
               Column(_("预期效益"), 12), Column(_("效益来源"), 10), Column(_("是否资助"), 10),
               Column(_("理由"), 60)]
    table = [[r["id"], r["project"], r["project_title"], r["enterprise_name"], r["enterprise"], r["city_name"],
              r["amount"], float(r["benefit"]), str(BenefitSource(r["benefit_source"]).label),
              _("是") if r["funded"] else _("否"), reason_text(a.reason)] for r, a in zip(rows, apps, strict=True)]
    content = xlsx_table(title=_("%(y)s年专项资金") % {"y": found.year}, columns=columns, rows=table)
    return xlsx_response(content, f"fund-round-{found.year}.xlsx")
