"""Sections other modules add to the enterprise page (diagnosis progress, projects, contracts, ...).

The base app knows nothing of those modules: each registers a function (request, enterprise) -> HTML or
None in its AppConfig.ready, and the enterprise page renders them in registration order. The function
reads through its own module's selectors, so access is checked there as everywhere.

There are two places: "page", the enterprise's page as anyone who may see it reads it, and "home", the
home of the enterprise's own user (what stands, and what to do next in each module).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

Section = Callable[[HttpRequest, Any], SafeString | None]
Place = Literal["page", "home"]
_SECTIONS: dict[str, list[Section]] = {"page": [], "home": []}


def enterprise_section_register(section: Section, *, place: Place = "page") -> None:
    if section not in _SECTIONS[place]:
        _SECTIONS[place].append(section)


def enterprise_sections(request: HttpRequest, enterprise: Any, *, place: Place = "page") -> SafeString:
    parts = [html for section in _SECTIONS[place] if (html := section(request, enterprise))]
    return mark_safe("".join(parts))  # each part is a rendered template, escaped by the template engine


# Sections of the dashboard (the home page of officers and the region pages): a function (request, region
# code or None) -> HTML or None, e.g. the analytics module's figures of a chosen year and stages by year.
DashboardSection = Callable[[HttpRequest, str | None], SafeString | None]
_DASHBOARD: list[DashboardSection] = []


def dashboard_section_register(section: DashboardSection) -> None:
    if section not in _DASHBOARD:
        _DASHBOARD.append(section)


def dashboard_sections(request: HttpRequest, region_code: str | None = None) -> SafeString:
    parts = [html for section in _DASHBOARD if (html := section(request, region_code))]
    return mark_safe("".join(parts))  # each part is a rendered template, escaped by the template engine
