from __future__ import annotations

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .errors import InvalidInput, SignInLocked, Unauthorized
from .inbox import inbox_line, inbox_list, inbox_mark_read, waiting_list
from .nav import platform_parts
from .services import user_sign_in


def sign_in(request: HttpRequest) -> HttpResponse:
    error, status = "", 200
    username = ""
    wait = 0
    if request.method == "POST":
        username = request.POST.get("username", "")
        try:
            user = user_sign_in(request=request, username=username, password=request.POST.get("password", ""))
        except (SignInLocked, Unauthorized) as exc:
            error, status = exc.message, exc.status
            wait = getattr(exc, "retry_after", 0)
        except InvalidInput as exc:  # a username no account can have: not a failed attempt
            error, status, username = exc.message, 422, ""
        else:
            login(request, user)
            target = request.POST.get("next") or request.GET.get("next") or "/"
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return redirect(target)
    response = render(
        request,
        "core/login.html",
        {"error": error, "username": username, "next": request.GET.get("next", ""), "parts": platform_parts()},
        status=status,
    )
    if wait:
        response["Retry-After"] = str(wait)  # as the API says it
    return response


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Django's logout; its user_logged_out signal audits it and revokes the user's API tokens (core.apps)."""
    logout(request)
    return redirect("core:login")


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The user's inbox, newest first; opening it marks what was new as read (shown as new this once)."""
    lines = [(line, inbox_line(line)) for line in inbox_list(user=request.user)[:100]]
    inbox_mark_read(user=request.user)
    return render(request, "core/inbox.html", {"lines": lines, "waiting_items": waiting_list(user=request.user)})
