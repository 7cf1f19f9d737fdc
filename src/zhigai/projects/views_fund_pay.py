"""The special fund's payment pages: the queue of payments to approve, a payment and its moves, asking for
one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from zhigai.core.crumbs import crumbs
from zhigai.core.pages import errors_as_messages
from zhigai.core.policy import require
from zhigai.core.types import AuthenticatedRequest

from . import fund_selectors, payments
from .errors_fund import FundError
from .fund_words import reason_text
from .policy_fund import QUEUE
from .views_fund import rounds_trail


def _label(name: str) -> Any:
    found = payments.PAYMENT_WORKFLOW.transitions.get(name)
    return found.label if found else _("申请拨付")


@login_required
@require_GET
def queue(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, QUEUE, message=_("您不能查看拨付审核。"), code=FundError.FORBIDDEN)
    waiting = fund_selectors.payment_queue(user=request.user)
    return render(request, "projects/fund_queue.html", {
        "payments_waiting": waiting,  # not "waiting": the header's count has that name
        "recent": fund_selectors.payment_list(user=request.user).order_by("-state_since", "-id")[:50],
        "crumbs": crumbs(*rounds_trail(), current=_("拨付审核")),
    })


@login_required
@require_GET
def payment_page(request: AuthenticatedRequest, payment_id: int) -> HttpResponse:
    found = fund_selectors.access_payment(user=request.user, payment_id=payment_id)
    application = found.application
    return render(request, "projects/fund_payment.html", {
        "p": found,
        "a": application,
        "city": fund_selectors.city_of(application.project.enterprise.region),
        "reason": reason_text(application.reason),
        "events": [(e, _label(e.transition)) for e in found.events.select_related("by")],
        "moves": [{"name": t.name, "label": t.label, "note": t.name in payments.NOTE_REQUIRED}
                  for t in payments.PAYMENT_WORKFLOW.available(found, request.user)],
        "crumbs": crumbs(*rounds_trail(), current=_("拨付 %(id)s") % {"id": found.pk}),
    })


@login_required
@require_POST
def payment_move(request: AuthenticatedRequest, payment_id: int) -> HttpResponse:
    found = fund_selectors.access_payment(user=request.user, payment_id=payment_id)
    with errors_as_messages(request):
        moved = payments.payment_move(by=request.user, payment=found, move=request.POST.get("move", "")[:40],
                                      note=request.POST.get("note", ""))
        messages.success(request, _("拨付 %(id)s：%(state)s。") % {"id": moved.pk, "state": moved.get_state_display()})
    return redirect("fund:payment", found.pk)


@login_required
@require_POST
def payment_request(request: AuthenticatedRequest, application_id: int) -> HttpResponse:
    application = fund_selectors.access_application(user=request.user, application_id=application_id)
    with errors_as_messages(request):
        made, created = payments.payment_request(by=request.user, application=application,
                                                 amount=request.POST.get("amount", ""),
                                                 idempotency_key=request.POST.get("idempotency_key", ""))
        if created:
            messages.success(request, _("拨付申请已提交，待地市审核。"))
        else:
            messages.info(request, _("这笔拨付申请已经提交过。"))
        return redirect("fund:payment", made.pk)
    return redirect("fund:round", application.round_id)
