"""The engagements' pages: the board (by state), the request form, an engagement with its history and the
moves the user may make, a document's download. Access is the selectors'; writes are the services'."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from zhigai.base.selectors import access_enterprise
from zhigai.core.crumbs import Crumb, crumbs
from zhigai.core.errors import InvalidInput
from zhigai.core.pages import errors_as_messages, page_number
from zhigai.core.policy import permitted, require
from zhigai.core.types import AuthenticatedRequest

from . import selectors, services_engagement
from .deadlines import estimated, is_overdue, local_date
from .engagements import ENGAGEMENT_WORKFLOW, NOTE_REQUIRED, move_label
from .errors import MarketError
from .models import BenefitIndicator, DocumentKind, EngagementState
from .selectors_engagement import (
    access_engagement,
    document_get,
    engagement_list,
    given_result,
    offered_assessments,
    state_counts,
)


def board_trail() -> list[Crumb]:
    return [Crumb(gettext_lazy("服务项目"), reverse("market:engagements"))]


@login_required
def board(request: AuthenticatedRequest) -> HttpResponse:
    """The user's engagements by state: a provider's board, an enterprise's list, an officer's region."""
    state, overdue = request.GET.get("state", "")[:20], request.GET.get("overdue") == "1"
    try:
        found = engagement_list(user=request.user, state=state, overdue=overdue)
    except InvalidInput as exc:
        messages.error(request, exc.message)
        state, found = "", engagement_list(user=request.user)
    counts = state_counts(user=request.user)
    page = Paginator(found, 25).get_page(page_number(request))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "market/engagements.html", {
        "query": query.urlencode(),
        "page": page, "rows": [(e, is_overdue(e.state, e.due)) for e in page],
        "columns": [(s, label, counts.get(s, 0)) for s, label in EngagementState.choices],
        "state": state, "overdue": overdue, "total": sum(counts.values()),
    })


@login_required
def engagement_new(request: AuthenticatedRequest) -> HttpResponse:
    """An enterprise user's request to the provider of `?provider=` (without one: where to choose it)."""
    raw = request.GET.get("provider") or request.POST.get("provider") or ""
    provider = selectors.access_provider(user=request.user, provider_id=int(raw) if raw.isascii() and raw.isdigit()
                                         and len(raw) < 10 else 0) if raw else None
    require(request.user, "market.engagement.request", message=_("只有企业用户可以申请服务。"),
            code=MarketError.FORBIDDEN)
    if provider is None:
        return render(request, "market/engagement_new.html", {"provider": None,
                                                               "crumbs": crumbs(*board_trail(), current=_("申请服务"))})
    own = request.user.enterprise
    if request.method == "POST":
        with errors_as_messages(request):
            enterprise = own or access_enterprise(user=request.user, uscc=request.POST.get("enterprise", "")[:18],
                                                  related=False)
            raw_a = request.POST.get("assessment", "")
            assessment = next((a for a in offered_assessments(enterprise=enterprise) if str(a.pk) == raw_a), None)
            found = services_engagement.engagement_request(by=request.user, enterprise=enterprise, provider=provider,
                                                           need=request.POST.get("need", ""), assessment=assessment)
            messages.success(request, _("服务申请已提交，等待服务商响应。"))
            return redirect("market:engagement", engagement_id=found.pk)
    return render(request, "market/engagement_new.html", {
        "provider": provider, "own": own, "need": request.POST.get("need", ""),
        "assessments": offered_assessments(enterprise=own) if own else [],
        "crumbs": crumbs(*board_trail(), current=_("申请服务")),
    })


# The kind a move's attachment is, unless its user says otherwise; the moves that take no note or file.
KIND_OF = {"submit_report": DocumentKind.REPORT, "submit_plan": DocumentKind.PLAN,
           "report_progress": DocumentKind.PROGRESS, "submit_acceptance": DocumentKind.ACCEPTANCE,
           "accept_work": DocumentKind.ACCEPTANCE}
BARE = frozenset({"accept", "start_research", "approve_plan", "start_implementation"})


def _forms(e: Any, user: Any) -> list[dict[str, Any]]:
    return [{"name": t.name, "to": t.target, "label": t.label, "note_required": t.name in NOTE_REQUIRED,
             "kind": KIND_OF.get(t.name, DocumentKind.OTHER), "bare": t.name in BARE,
             "note": t.name not in BARE and t.name != "accept_work"}
            for t in ENGAGEMENT_WORKFLOW.available(e, user)]


@login_required
def engagement_page(request: AuthenticatedRequest, engagement_id: int) -> HttpResponse:
    e = access_engagement(user=request.user, engagement_id=engagement_id)
    plans = list(e.plans.order_by("version"))
    plan = plans[-1] if plans else None
    events = list(e.events.select_related("by"))
    documents = list(e.documents.select_related("uploaded_by"))
    benefits = [(BenefitIndicator(k).label, k, v) for k, v in plan.benefits.items()] if plan else []
    return render(request, "market/engagement.html", {
        "e": e, "plan": plan, "plans": plans, "benefits": benefits,
        "events": [(ev, move_label(ev.transition), None if ev.due is None else local_date(ev.at) <= ev.due,
                    [d for d in documents if d.event_id == ev.pk]) for ev in events],
        "documents": documents, "progress": list(e.progress.all()),
        "outcomes": [(BenefitIndicator(o.indicator).label, o) for o in e.outcomes.select_related("event")],
        "overdue": is_overdue(e.state, e.due), "estimated": estimated(local_date(e.state_since), e.due),
        "moves": _forms(e, request.user), "kinds": DocumentKind.choices,
        "indicators": BenefitIndicator.choices, "result": given_result(e),
        "may_see_enterprise": permitted(request.user, "base.enterprise.view", e.enterprise),
        "crumbs": crumbs(*board_trail(), current=f"{e.enterprise.name} · {e.provider.name}"),
    })


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _plan_from_form(post: Any) -> dict[str, Any]:
    """The plan form's text as the service takes it: equipment "name, quantity" and milestones
    "YYYY-MM-DD name" one a line; the service checks every part."""
    equipment = []
    for line in _lines(post.get("equipment", "")):
        name, _sep, quantity = line.replace("，", ",").rpartition(",")
        equipment.append({"name": name.strip() or line, "quantity": quantity.strip() if name else ""})
    milestones = []
    for line in _lines(post.get("milestones", "")):
        due, _sep, name = line.partition(" ")
        milestones.append({"name": name.strip(), "due": due})
    return {"scope": post.get("scope", ""), "budget": post.get("budget", "").strip(), "equipment": equipment,
            "start": post.get("start", ""), "end": post.get("end", ""), "milestones": milestones,
            "benefits": {k: post.get(f"benefit_{k}").strip() for k in BenefitIndicator.values
                         if (post.get(f"benefit_{k}") or "").strip()}}


@login_required
@require_POST
def engagement_move(request: AuthenticatedRequest, engagement_id: int) -> HttpResponse:
    """One move from the page's forms, with the document it brings (uploaded with it)."""
    e = access_engagement(user=request.user, engagement_id=engagement_id)
    post, to = request.POST, request.POST.get("to", "")
    upload = request.FILES.get("file")
    with errors_as_messages(request):
        moved = services_engagement.engagement_move(
            by=request.user, engagement=e, to=to, note=post.get("note", ""),
            plan=_plan_from_form(post) if to == EngagementState.PLAN_REVIEW else None,
            progress={"milestone": post.get("milestone", ""), "percent": post.get("percent", "")}
            if "milestone" in post else None,
            outcomes={k: post.get(f"outcome_{k}", "").strip() for k in BenefitIndicator.values
                      if f"outcome_{k}" in post} if to == EngagementState.ACCEPTANCE else None,
            rating=post.get("rating") or None, comment=post.get("comment", ""),
            uploads=[(upload, post.get("kind", DocumentKind.OTHER))] if upload else [])
        messages.success(request, _("已处理：%(state)s") % {"state": moved.get_state_display()})
    return redirect("market:engagement", engagement_id=engagement_id)


@login_required
def engagement_document(request: AuthenticatedRequest, document_id: int) -> FileResponse:
    found = document_get(user=request.user, document_id=document_id)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename,
                        content_type=found.content_type)
