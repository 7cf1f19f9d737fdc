"""A provider's members page: its own users add an expert (or a colleague) by username, remove one, and
name a steering group's leader; the province sees the page without the forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from zhigai.core.crumbs import Crumb, crumbs
from zhigai.core.errors import InvalidInput
from zhigai.core.pages import errors_as_messages
from zhigai.core.policy import DB_ID_MAX, permitted
from zhigai.core.text import ascii_int
from zhigai.core.types import AuthenticatedRequest

from . import selectors, services
from .models import ProviderType
from .views import directory_trail

ACTIONS = ("add", "remove", "leader")


def _user_id(request: AuthenticatedRequest) -> int:
    found = ascii_int(request.POST.get("user", ""), low=1, high=DB_ID_MAX)
    if found is None:
        raise InvalidInput(_("请选择一位成员。"), details=[{"field": "user", "message": _("必填")}])
    return found


def _change(request: AuthenticatedRequest, provider_id: int) -> None:
    provider = selectors.access_provider(user=request.user, provider_id=provider_id)
    action = request.POST.get("action", "")
    with errors_as_messages(request):
        if action == "add":
            added = services.provider_member_add(by=request.user, provider=provider,
                                                 username=request.POST.get("username", ""))
            messages.success(request, _("已添加成员：%(name)s") % {"name": added.user.username})
        elif action == "remove":
            services.provider_member_remove(by=request.user, provider=provider, user_id=_user_id(request))
            messages.success(request, _("已移除成员。"))
        elif action == "leader":
            services.provider_leader_set(by=request.user, provider=provider, user_id=_user_id(request))
            messages.success(request, _("已指定组长。"))
        else:
            raise InvalidInput(_("没有这个操作。"), details=[{"field": "action", "message": action[:40]}])


@login_required
def members(request: AuthenticatedRequest, provider_id: int) -> HttpResponse:
    provider = selectors.access_provider(user=request.user, provider_id=provider_id)
    found = selectors.provider_members(user=request.user, provider=provider)  # 403 for a stranger
    if request.method == "POST":
        _change(request, provider_id)
        return redirect("market:members", provider_id=provider.pk)
    title = _("专家成员") if provider.type == ProviderType.STEERING else _("本单位用户")
    return render(request, "market/members.html", {
        "p": provider,
        "members": found,
        "title": title,
        "steering": provider.type == ProviderType.STEERING,
        "may_change": permitted(request.user, "market.member.change", provider),
        "crumbs": crumbs(*directory_trail(), Crumb(provider.name, reverse("market:provider", args=[provider.pk])),
                         current=title),
    })
