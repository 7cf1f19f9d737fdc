"""Turn Django messages into an HX-Trigger header on htmx requests, so fragments can show them."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse


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
