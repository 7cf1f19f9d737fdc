"""The matching's pages: an enterprise's "find providers" page, the officer's page of the matching rules, and
the matching's sections of the enterprise page and of the enterprise user's home (base.sections)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhigai.base.crumbs import enterprise_trail
from zhigai.core.crumbs import Crumb, crumbs
from zhigai.core.errors import InvalidInput
from zhigai.core.policy import permitted, require
from zhigai.core.types import AuthenticatedRequest

from . import matching, selectors
from .errors import MarketError
from .matching_data import PARTS, Rules, rules_current
from .models import MatchPolicy, ProviderType
from .policy import MATCH, MATCHING_CHANGE, REVIEW
from .services_matching import match_policy_set

HISTORY_SHOWN = 20


def _weights_shown(rules: Rules) -> list[dict[str, Any]]:
    total = rules.total
    return [{"name": p, "label": matching.PART_LABELS[p], "weight": rules.weights[p],
             "share": rules.weights[p] / total if total else 0} for p in PARTS]


def _bars(m: matching.Match) -> list[dict[str, Any]]:
    return [{"name": p, "label": matching.PART_LABELS[p], "part": m.parts[p], "value": m.values[p]} for p in PARTS]


@login_required
def match_page(request: AuthenticatedRequest, uscc: str) -> HttpResponse:
    enterprise = matching.access_matches(user=request.user, uscc=uscc)
    filters = matching.MatchFilters(type=request.GET.get("type", "").strip()[:20],
                                    technology=request.GET.get("technology", "").strip()[:40])
    try:
        found = matching.match_enterprise(enterprise, filters=filters)
    except InvalidInput as exc:  # a filter the matching refuses is dropped, and the page says so
        messages.error(request, exc.message)
        filters = matching.MatchFilters()
        found = matching.match_enterprise(enterprise, filters=filters)
    names = {t.code: t.name for t in selectors.technology_list()}
    need = sorted(found.need.technologies.items(), key=lambda kv: -kv[1])
    reviewer = permitted(request.user, REVIEW)
    return render(request, "market/match.html", {
        "e": enterprise,
        "crumbs": crumbs(*enterprise_trail(enterprise), current=_("匹配服务商")),
        "m": found,
        "rows": [{"m": m, "bars": _bars(m), "rank": i} for i, m in enumerate(found.matches, start=1)],
        # Providers not listed are seen only by the province's reviewers (and their own users): others get
        # the count.
        "excluded": [{"x": x, "names": reviewer or x.code != "listed"} for x in found.pool.excluded],
        "need": [(names.get(t, t), w) for t, w in need],
        "weights": _weights_shown(found.pool.rules),
        "filters": filters,
        # The enterprise's own users request an engagement straight from its match.
        "may_request": permitted(request.user, "market.engagement.request", enterprise),
        "types": ProviderType.choices,
        "technologies": [(t.code, t.name) for t in selectors.technology_list()],
        "flag_labels": matching.FLAG_LABELS,
        "may_change_rules": permitted(request.user, MATCHING_CHANGE),
    })


def _form_values(request: HttpRequest, rules: Rules) -> dict[str, Any]:
    if request.method == "POST":
        return {**{p: request.POST.get(p, "") for p in PARTS}, "conflict_allowed": request.POST.get(
            "conflict_allowed", ""), "note": request.POST.get("note", "")}
    return {**{p: rules.weights[p] for p in PARTS}, "conflict_allowed": "yes" if rules.conflict_allowed else "no",
            "note": ""}


@login_required
def policy_page(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, MATCHING_CHANGE, message=_("只有省级主管部门可以修改匹配规则。"), code=MarketError.FORBIDDEN)
    rules = rules_current()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            match_policy_set(by=request.user, weights={p: request.POST.get(p, "") for p in PARTS},
                             conflict_allowed=request.POST.get("conflict_allowed", ""),
                             note=request.POST.get("note", ""))
        except InvalidInput as exc:
            messages.error(request, exc.message)
            errors = {d.get("field", ""): d.get("message", "") for d in exc.details or []}
        else:
            messages.success(request, _("匹配规则已保存，此后的匹配按新规则计算。"))
            return redirect("market:matching_policy")
    values = _form_values(request, rules)
    return render(request, "market/matching_policy.html", {
        "crumbs": crumbs(Crumb(gettext_lazy("服务商名录"), reverse("market:directory")), current=_("服务商匹配规则")),
        "rules": rules,
        "weights": _weights_shown(rules),
        "fields": [{"name": p, "label": matching.PART_LABELS[p], "value": values[p], "error": errors.get(p, "")}
                   for p in PARTS],
        "values": values,
        "errors": errors,
        "history": MatchPolicy.objects.select_related("by").order_by("-at", "-id")[:HISTORY_SHOWN],
        "parts": PARTS,
    }, status=422 if errors else 200)


def _section(request: HttpRequest, enterprise: Any, template: str, top: int) -> SafeString | None:
    if not permitted(request.user, MATCH, enterprise):
        return None
    found = matching.match_enterprise(enterprise) if top else None
    html = render_to_string(template, {"e": enterprise, "m": found,
                                       "top": found.matches[:top] if found else []}, request=request)
    return mark_safe(html)  # rendered by the template engine, which escaped every value


def enterprise_section(request: HttpRequest, enterprise: Any) -> SafeString | None:
    """The enterprise page: a way to its matching (computed on its own page, not on every profile view)."""
    return _section(request, enterprise, "market/partials/match_section.html", 0)


def home_section(request: HttpRequest, enterprise: Any) -> SafeString | None:
    """The enterprise user's home: its three best matches and the way to all of them."""
    return _section(request, enterprise, "market/partials/match_home.html", 3)
