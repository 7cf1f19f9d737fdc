"""Turn Django messages into an HX-Trigger header on htmx requests, so fragments can show them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .cache import request_scope
from .errors import ErrorCode, InvalidInput, ZhigaiError
from .text import text_error, text_problem


class HtmxMessagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.headers.get("HX-Request") or 300 <= response.status_code < 400:
            return response
        messages = [{"level": m.level_tag, "text": str(m.message)} for m in get_messages(request)]
        if messages:
            response.headers["HX-Trigger"] = json.dumps({**_triggers(response), "messages": messages})
        return response


def _triggers(response: HttpResponse) -> dict[str, Any]:
    """The events a view already put in HX-Trigger: a JSON object, or event names separated by commas
    (htmx reads both), so that the messages join them instead of replacing them."""
    header = response.headers.get("HX-Trigger", "").strip()
    if not header:
        return {}
    try:
        found = json.loads(header)
    except ValueError:
        return {name.strip(): None for name in header.split(",") if name.strip()}
    return found if isinstance(found, dict) else {str(found): None}


API_ERROR_CODES = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.UNAUTHORIZED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.TOO_LARGE,
    500: ErrorCode.SERVER_ERROR,
}


def not_found_message() -> str:
    """The API's one answer for what does not exist and for what the user may not see (not told apart)."""
    return _("未找到。")


class ApiJsonErrorsMiddleware:
    """Under /api/, every error is JSON {"code", "message", "details"} — also the ones Django itself
    answers before the API sees the request (an unknown path, a method a route does not have)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith("/api/")
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            status = response.status_code
            code = API_ERROR_CODES.get(status, ErrorCode.ERROR)
            if status == 404:
                message = not_found_message()
            elif status == 405:
                message = _("这里不接受 %(method)s 请求。") % {"method": request.method}
            else:
                message = getattr(response, "reason_phrase", "Error")
            replaced = JsonResponse({"code": code, "message": message, "details": []}, status=status)
            if "Allow" in response:
                replaced["Allow"] = response["Allow"]
            return replaced
        return response


class AreaVersionsMiddleware:
    """At most one read of the area versions per request (cached figures are keyed by them; core.cache)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_scope():
            return self.get_response(request)


def request_text_error(request: HttpRequest) -> InvalidInput | None:
    """The first text of the request that no input may hold (core.text.text_problem) — in its path, a
    query parameter or a form field, names and values — as the error naming it; None when all is well.
    Form values may hold line breaks (text areas); the modules' own checks are stricter where they must
    be (a name is one line). Reading the form here parses a multipart body once, as the view would."""
    problem = text_problem(request.path)
    if problem:
        return text_error("path", problem)
    sources = [(request.GET, False)]
    # A page's form, not the API's body: the API's schemas check every text they read (core.schemas), and
    # parsing its body here would leave nothing for them to read (and turn a too-large or broken
    # multipart body into Django's plain 400 instead of the API's 413/400 JSON).
    if request.method == "POST" and not request.path.startswith("/api/"):
        sources.append((request.POST, True))  # a malformed or oversized body raises here (Django: 400)
    for data, multiline in sources:
        for key, values in data.lists():
            problem = text_problem(key) or next(
                (p for v in values if isinstance(v, str) and (p := text_problem(v, multiline=multiline))), None
            )
            if problem:
                return text_error(key if text_problem(key) is None else "?", problem)
    return None


class PlatformErrorMiddleware:
    """The one way a page turns a platform error (core.errors) into an answer: a page, not the API, that
    lets one escape gets its status and its sentence — 403 for an action the user may not take, 409 for a
    state that does not allow it, 422 for bad input — instead of a server error.

    It also refuses, before any view, a request whose path, query or form holds a NUL, another control
    character or a lone surrogate (PostgreSQL cannot store or even compare a NUL): 422 naming the field,
    as JSON {"code", "message", "details"} under /api/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        error = request_text_error(request)
        if error is not None:
            if request.path.startswith("/api/"):
                return JsonResponse({"code": error.code, "message": error.message, "details": error.details},
                                    status=error.status)
            return render(request, "core/error.html", {"message": error.message, "status": error.status},
                          status=error.status)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ZhigaiError) or request.path.startswith("/api/"):
            return None
        return render(request, "core/error.html", {"message": exception.message, "status": exception.status},
                      status=exception.status)


class PermissionsPolicyMiddleware:
    """Every answer says which browser features the site uses: none (settings.PERMISSIONS_POLICY)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class PrivateResponsesMiddleware:
    """What a signed-in user (session or API token) receives — pages, fragments, exports, files — is
    `Cache-Control: private, no-store`: no shared cache or browser history keeps it after sign-out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(getattr(request, "user", None), "is_authenticated", False):
            response.headers["Cache-Control"] = "private, no-store"
        return response
