"""The market's pages: the provider directory (and its export), a provider's page, the review queue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from zhigai.base.selectors import industry_list, region_options_html
from zhigai.core.crumbs import Crumb, crumbs
from zhigai.core.errors import InvalidInput
from zhigai.core.exports import xlsx_response
from zhigai.core.pages import page_number
from zhigai.core.policy import permitted
from zhigai.core.types import AuthenticatedRequest

from . import exports, selectors
from .models import Provider, ProviderStatus, ProviderType
from .policy import MATCH, MATCHING_CHANGE, REVIEW
from .track_record import track_record
from .workflow import NOTE_REQUIRED, PROVIDER_WORKFLOW

FILTERS = ("industry", "technology", "region", "type", "status", "q")


def directory_trail() -> list[Crumb]:
    return [Crumb(gettext_lazy("服务商名录"), reverse("market:directory"))]


def _filters(request: HttpRequest) -> selectors.ProviderFilters:
    return selectors.ProviderFilters(**{name: request.GET.get(name, "").strip()[:100] for name in FILTERS})


def _listed(request: AuthenticatedRequest) -> tuple[Any, selectors.ProviderFilters]:
    """The directory's providers; a filter the selector refuses is dropped, and the page says so."""
    filters = _filters(request)
    try:
        return selectors.provider_list(user=request.user, filters=filters), filters
    except InvalidInput as exc:
        messages.error(request, exc.message)
        return selectors.provider_list(user=request.user), selectors.ProviderFilters()


def _match_for(user: Any) -> Any:
    """An enterprise's user finds the providers that fit it on its matching page."""
    enterprise = user.enterprise
    return enterprise if enterprise is not None and permitted(user, MATCH, enterprise) else None


@login_required
def directory(request: AuthenticatedRequest) -> HttpResponse:
    found, filters = _listed(request)
    page = Paginator(found, 25).get_page(page_number(request))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "market/directory.html", {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "industries": [(i.code, f"{i.code} {i.name}") for i in industry_list().filter(parent__isnull=True)],
        "technologies": [(t.code, t.name) for t in selectors.technology_list()],
        "region_options": region_options_html(user=request.user),
        "types": ProviderType.choices,
        "statuses": ProviderStatus.choices if permitted(request.user, REVIEW) else None,
        "own": selectors.provider_of(request.user),
        "may_register": permitted(request.user, "market.provider.create"),
        "match_for": _match_for(request.user),
        "may_change_rules": permitted(request.user, MATCHING_CHANGE),
    })


@login_required
@require_GET
def directory_export(request: AuthenticatedRequest) -> FileResponse:
    _found, filters = _listed(request)
    return xlsx_response(exports.directory_xlsx(user=request.user, filters=filters),
                         f"providers-{timezone.localdate():%Y%m%d}.xlsx")


def _moves(provider: Provider, user: Any) -> list[dict[str, Any]]:
    return [{"name": t.name, "label": t.label, "note_required": t.name in NOTE_REQUIRED}
            for t in PROVIDER_WORKFLOW.available(provider, user)]


def _move_label(name: str) -> Any:
    found = PROVIDER_WORKFLOW.transitions.get(name)
    return found.label if found else name


@login_required
def provider_page(request: AuthenticatedRequest, provider_id: int) -> HttpResponse:
    provider = selectors.access_provider(user=request.user, provider_id=provider_id)
    user = request.user
    # The review history is the provider's and the reviewers' business; a listed provider's page is public.
    history = permitted(user, "market.provider.submit", provider) or permitted(user, REVIEW)
    return render(request, "market/provider.html", {
        "p": provider,
        "crumbs": crumbs(*directory_trail(), current=provider.name),
        "members": provider.members.select_related("user"),
        "files": provider.files.all(),
        "events": [(e, _move_label(e.transition)) for e in provider.events.select_related("by")] if history else None,
        "moves": _moves(provider, user),
        "may_change": permitted(user, "market.provider.change", provider),
        # An enterprise's user asks a listed provider for an engagement from here (views_engagement).
        "may_request": provider.status == ProviderStatus.LISTED and permitted(user, "market.engagement.request"),
        "record": track_record(provider=provider),
        "may_see_members": permitted(user, "market.member.view", provider),
        "may_change_members": permitted(user, "market.member.change", provider),
    })


@login_required
def review_queue(request: AuthenticatedRequest) -> HttpResponse:
    waiting = selectors.review_queue(user=request.user)
    return render(request, "market/queue.html", {
        "page": Paginator(waiting, 25).get_page(page_number(request)),
        "crumbs": crumbs(*directory_trail(), current=_("服务商审核")),
    })
