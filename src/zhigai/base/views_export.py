"""Excel exports of the base pages' lists, with the page's own filters and scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from zhigai.core.exports import xlsx_response
from zhigai.core.types import AuthenticatedRequest

from .exports import enterprise_list_xlsx
from .views import list_filters


@login_required
@require_GET
def enterprise_export(request: AuthenticatedRequest) -> FileResponse:
    """The enterprise list as the user sees it (the same scope and filters), every page of it."""
    filters, _refused = list_filters(request)
    content = enterprise_list_xlsx(user=request.user, filters=filters)
    return xlsx_response(content, f"enterprises-{timezone.localdate():%Y%m%d}.xlsx")
