"""How a page carries a platform error (core.errors) to its user: as a message on the page it goes to next.

    with errors_as_messages(request):
        thing = services.thing_do(by=request.user, ...)
        messages.success(request, ...)
        return redirect(thing)
    return redirect(back)

A service writes all or nothing, so when it raises, nothing was changed: the user is told why on the page
the view sends them back to. An error that escapes a view altogether is answered by
core.middleware.PlatformErrorMiddleware with its status and sentence.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib import messages
from django.http import HttpRequest

from .errors import ZhigaiError


@contextmanager
def errors_as_messages(request: HttpRequest) -> Iterator[None]:
    try:
        yield
    except ZhigaiError as exc:
        messages.error(request, exc.message)


def page_number(request: HttpRequest) -> int | str:
    """The `?page=` of a list page for Paginator.get_page: ASCII digits (bounded, so any number past the
    end is the last page, as get_page answers) or "last"; anything else ("１２", "5²", junk) is page 1."""
    raw = request.GET.get("page", "")
    if raw == "last":
        return raw
    if raw.isascii() and raw.isdigit():
        return int(raw) if len(raw) <= 12 else 10**12
    return 1
