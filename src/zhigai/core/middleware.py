"""Turn Django messages into an HX-Trigger header on htmx requests, so fragments can show them."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse, JsonResponse

from .cache import request_scope


class HtmxMessagesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.headers.get("HX-Request") or 300 <= response.status_code < 400:
            return response
        if "HX-Trigger" in response.headers:
            return response
        messages = [{"level": m.level_tag, "text": str(m.message)} for m in get_messages(request)]
        if messages:
            response.headers["HX-Trigger"] = json.dumps({"messages": messages})
        return response


API_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "server_error",
}


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
            code = API_ERROR_CODES.get(status, "error")
            message = {404: "Not found.", 405: f"Method {request.method} is not allowed here."}.get(
                status, getattr(response, "reason_phrase", "Error")
            )
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
