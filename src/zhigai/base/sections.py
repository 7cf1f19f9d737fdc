"""Sections other modules add to the enterprise page (diagnosis progress, projects, contracts, ...).

The base app knows nothing of those modules: each registers a function (request, enterprise) -> HTML or
None in its AppConfig.ready, and the enterprise page renders them in registration order. The function
reads through its own module's selectors, so access is checked there as everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

Section = Callable[[HttpRequest, Any], SafeString | None]
_SECTIONS: list[Section] = []


def enterprise_section_register(section: Section) -> None:
    if section not in _SECTIONS:
        _SECTIONS.append(section)


def enterprise_sections(request: HttpRequest, enterprise: Any) -> SafeString:
    parts = [html for section in _SECTIONS if (html := section(request, enterprise))]
    return mark_safe("".join(parts))  # each part is a rendered template, escaped by the template engine
