"""The JSON API (django-ninja): bearer-token auth and one error shape, {"code", "message", "details"}."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from zhigai.core.errors import ErrorCode, SignInLocked, ZhigaiError
from zhigai.core.middleware import API_ERROR_CODES, not_found_message
from zhigai.core.services import api_token_user

from .openapi import document_errors

log = logging.getLogger(__name__)


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is not None:
            request.user = user
            request.auth_token = token  # type: ignore[attr-defined]
        return user


class ExactParser(Parser):
    """A JSON body whose numbers with a fraction or an exponent are read as Decimal: as a float, money beyond
    2^53 fen lost its fen before any validation could see them (98765432109876.54 became …55)."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        return cast(dict[str, Any], json.loads(request.body, parse_float=Decimal))


class PlatformAPI(NinjaAPI):
    """The API, whose OpenAPI document also says what can go wrong (config.openapi)."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return document_errors(super().get_openapi_schema(*args, **kwargs))


api = PlatformAPI(
    title="zhigai API",
    version="1",
    description="Intelligent transformation of manufacturing — platform API. "
    "Get a token with POST /api/v1/auth/token, then send `Authorization: Bearer <token>`.",
    auth=BearerAuth(),
    urls_namespace="api",
    parser=ExactParser(),
)


def _error(request: HttpRequest, status: int, code: str, message: str, details: Any = None) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "details": details or []}, status=status)


@api.exception_handler(ZhigaiError)
def _zhigai_error(request: HttpRequest, exc: ZhigaiError) -> HttpResponse:
    response = _error(request, exc.status, exc.code, exc.message, exc.details)
    if isinstance(exc, SignInLocked):
        response["Retry-After"] = str(exc.retry_after)
    return response


# pydantic's messages of the errors a client meets most, in the reader's language (the others stay pydantic's).
_PYDANTIC_MESSAGES = {
    "missing": gettext_lazy("必填"),
    "int_parsing": gettext_lazy("应为整数"), "int_type": gettext_lazy("应为整数"),
    "int_from_float": gettext_lazy("应为整数"),
    "float_parsing": gettext_lazy("应为数字"), "float_type": gettext_lazy("应为数字"),
    "decimal_parsing": gettext_lazy("应为数字"), "decimal_type": gettext_lazy("应为数字"),
    "bool_parsing": gettext_lazy("应为 true 或 false"), "bool_type": gettext_lazy("应为 true 或 false"),
    "string_type": gettext_lazy("应为文本"), "list_type": gettext_lazy("应为列表"),
    "dict_type": gettext_lazy("应为对象"), "model_type": gettext_lazy("应为对象"),
    "date_from_datetime_parsing": gettext_lazy("应为日期（YYYY-MM-DD）"),
    "date_parsing": gettext_lazy("应为日期（YYYY-MM-DD）"),
}


def _validation_message(err: dict[str, Any]) -> str:
    """A field's problem for its reader: our validators' own message (pydantic wraps it in "Value error, …"),
    a known pydantic error in the reader's language, else pydantic's text."""
    if err.get("type") == "value_error" and "error" in err.get("ctx", {}):
        return str(err["ctx"]["error"])
    known = _PYDANTIC_MESSAGES.get(str(err.get("type")))
    return str(known) if known is not None else str(err.get("msg", ""))


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path")]
        details.append({"field": ".".join(loc), "message": _validation_message(err)})
    listed = _("；").join(f"{d['field']}: {d['message']}" for d in details)
    return _error(request, 422, ErrorCode.INVALID, _("请求无效：%(problems)s") % {"problems": listed}, details)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, ErrorCode.UNAUTHORIZED,
                  _("请先登录：请求须带有效的 'Authorization: Bearer <token>'。"))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, ErrorCode.NOT_FOUND, not_found_message())


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, API_ERROR_CODES.get(exc.status_code, ErrorCode.ERROR), str(exc))


@api.exception_handler(MultiPartParserError)
def _bad_body(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
    # A multipart body Django cannot read (e.g. a part's headers above its limit): the client's fault.
    return _error(request, 400, ErrorCode.BAD_REQUEST, f"The request body cannot be read: {exc}")


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Django's limits on a request: its size (RequestDataTooBig), its number of fields or files.
    if isinstance(exc, RequestDataTooBig):
        return _error(request, 413, ErrorCode.TOO_LARGE, "The request is too large.")
    return _error(request, 400, ErrorCode.BAD_REQUEST, "The request exceeds a limit of the server.")


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API error", exc_info=exc)
    return _error(request, 500, ErrorCode.SERVER_ERROR, "An unexpected error occurred; it has been logged.")


def _register() -> None:
    from zhigai.analytics.api import router as analytics_router
    from zhigai.base.api import router as base_router
    from zhigai.core.api import router as core_router
    from zhigai.diagnosis.api import router as diagnosis_router
    from zhigai.market.api import router as market_router
    from zhigai.market.api_engagement import router as engagement_router
    from zhigai.market.api_matching import router as matching_router
    from zhigai.projects.api import router as projects_router
    from zhigai.projects.api_fund import router as fund_router
    from zhigai.projects.api_subsidy import router as subsidy_router

    api.add_router("", core_router)
    api.add_router("", base_router)
    api.add_router("", diagnosis_router)
    api.add_router("", analytics_router)
    api.add_router("", market_router)
    # /enterprises/{uscc}/matches: its own path below base's /enterprises/{uscc}, which has no catch-all.
    api.add_router("", matching_router)
    api.add_router("", engagement_router)
    api.add_router("", subsidy_router)
    api.add_router("", fund_router)
    api.add_router("", projects_router)


_register()
