"""The projects' sections of the enterprise page and of the enterprise user's home (base.sections): its
projects, their states, and the way to file one."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from zhigai.core.policy import permitted

from .models import Project
from .policy import FILE, VIEW

SHOWN = 5


def _section(request: HttpRequest, enterprise: Any, home: bool) -> SafeString | None:
    probe = Project(enterprise=enterprise)  # the view rule is the enterprise's relation, tested on a project
    if not permitted(request.user, VIEW, probe):
        return None
    projects = list(Project.objects.filter(enterprise=enterprise).order_by("-created", "-id")[:SHOWN])
    html = render_to_string("projects/partials/section.html", {
        "e": enterprise, "projects": projects, "home": home,
        "may_file": permitted(request.user, FILE, enterprise),
        "count": Project.objects.filter(enterprise=enterprise).count(),
    }, request=request)
    return mark_safe(html)  # rendered by the template engine, which escaped every value


def enterprise_section(request: HttpRequest, enterprise: Any) -> SafeString | None:
    return _section(request, enterprise, home=False)


def home_section(request: HttpRequest, enterprise: Any) -> SafeString | None:
    return _section(request, enterprise, home=True)
