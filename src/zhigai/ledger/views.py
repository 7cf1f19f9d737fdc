"""The ledger's pages: its entries with their legs and the balances by account, the reconciliation (the
invariants, computed live), and the Excel export of the entries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhigai.core.crumbs import Crumb, crumbs
from zhigai.core.exports import Column, xlsx_response, xlsx_table
from zhigai.core.pages import page_number
from zhigai.core.types import AuthenticatedRequest

from .selectors import balance_list, entry_rows, journal_list, reconciliation


def _prefix(request: HttpRequest) -> str:
    """The `?account=` filter: entries and balances of the accounts whose code begins with it."""
    raw = request.GET.get("account", "").strip()[:64]
    return raw if raw.isascii() and raw.isprintable() else ""


def ledger_trail() -> list[Crumb]:
    return [Crumb(gettext_lazy("账本"), reverse("ledger:journal"))]


@login_required
@require_GET
def journal(request: AuthenticatedRequest) -> HttpResponse:
    prefix = _prefix(request)
    entries = journal_list(user=request.user, prefix=prefix).order_by("-at", "-id")
    page = Paginator(entries, 50).get_page(page_number(request))
    return render(request, "ledger/journal.html", {
        "prefix": prefix,
        "page": page,
        "entries": entry_rows(page.object_list),
        "balances": balance_list(user=request.user, prefix=prefix),
        "query": f"account={prefix}" if prefix else "",
    })


@login_required
@require_GET
def reconciliation_page(request: AuthenticatedRequest) -> HttpResponse:
    checks = reconciliation(user=request.user)
    return render(request, "ledger/reconciliation.html", {
        "checks": checks,
        "all_hold": all(c.holds for c in checks),
        "at": timezone.now(),
        "crumbs": crumbs(*ledger_trail(), current=_("对账")),
    })


@login_required
@require_GET
def journal_export(request: AuthenticatedRequest) -> FileResponse:
    prefix = _prefix(request)
    rows = []
    for e in entry_rows(journal_list(user=request.user, prefix=prefix).iterator(chunk_size=500)):
        for leg in e["legs"]:
            when = timezone.localtime(e["when"]).strftime("%Y-%m-%d %H:%M:%S")
            rows.append([e["id"], when, e["kind_name"], e["memo"], e["source"], e["reverses"], leg["account"],
                         leg["name"], leg["debit"], leg["credit"]])
    columns = [Column(_("分录编号"), 10), Column(_("记账时间"), 20), Column(_("类型"), 12), Column(_("摘要"), 40),
               Column(_("来源"), 24), Column(_("冲正分录"), 10), Column(_("账户代码"), 28), Column(_("账户名称"), 36),
               Column(_("借方"), 16, money=True), Column(_("贷方"), 16, money=True)]
    content = xlsx_table(title=_("账本"), columns=columns, rows=rows)
    return xlsx_response(content, f"ledger-{timezone.localdate():%Y%m%d}.xlsx")
