"""Every read of projects, filtered by what the acting user may see (projects/policy.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zhigai.base.models import Industry
from zhigai.base.policy import enterprise_scope
from zhigai.base.selectors import region_codes_below, scoped_enterprises
from zhigai.core.errors import InvalidInput
from zhigai.core.models import REGION_ROLES, Role
from zhigai.core.policy import require, seen_or_404
from zhigai.core.text import ascii_int, clean_text
from zhigai.core.types import Actor

from .errors import ProjectError
from .models import NegativeListVersion, Project, ProjectState
from .policy import VIEW

SEEING_ROLES = frozenset({*REGION_ROLES, Role.INDUSTRY, Role.ENTERPRISE})
QUEUE_STATES = (ProjectState.UNDER_REVIEW, ProjectState.COMPLETION_DECLARED, ProjectState.INSPECTION)


def visible_projects(user: Actor) -> QuerySet[Project]:
    """The projects `user` may view, as projects.project.view says."""
    if not user.is_authenticated or not user.is_active:
        return Project.objects.none()
    if user.is_superuser:
        return Project.objects.all()
    if user.role not in SEEING_ROLES:
        return Project.objects.none()
    return Project.objects.filter(enterprise__in=scoped_enterprises(enterprise_scope(user)))


def project_seen(*, user: Actor, project_id: int, permission: str = VIEW) -> Project:
    """The project if `user` has `permission` on it (projects.project.view, or a subsidy's or the fund's
    view of it); Http404 otherwise, as for a missing project, so that another enterprise's or another
    region's projects cannot be told from ids that do not exist. The one lookup of a project by id."""
    related = Project.objects.select_related("enterprise", "enterprise__region", "enterprise__region__parent",
                                             "enterprise__industry", "negative_list", "land_city", "created_by")
    return seen_or_404(related, project_id, user, permission)


def access_project(*, user: Actor, project_id: int, action: str = "view") -> Project:
    """The project if the user may view it and do `action` ("act", "review", "inspect"); Http404 when it
    may not view it (another enterprise's, another region's), 403 when it may not act."""
    found = project_seen(user=user, project_id=project_id)
    if action != "view":
        require(user, f"projects.project.{action}", found, message=_("您不能对这个项目进行此操作。"),
                code=ProjectError.FORBIDDEN)
    return found


@dataclass(frozen=True)
class ProjectFilters:
    state: str = ""
    region: str = ""
    industry: str = ""
    year: str = ""  # the year filed
    land: str = ""  # "independent" (no new land) or "land"
    q: str = ""


def _bad(field: str, value: str, message: str) -> InvalidInput:
    return InvalidInput(message, details=[{"field": field, "message": value}])


def project_list(*, user: Actor, filters: ProjectFilters = ProjectFilters()) -> QuerySet[Project]:
    """The projects the user may see that match the filters, newest filed first; an unknown code is bad
    input (422), not an empty list."""
    qs = visible_projects(user)
    if filters.state:
        if filters.state not in ProjectState.values:
            raise _bad("state", filters.state, _("没有这个状态：%(s)s") % {"s": filters.state})
        qs = qs.filter(state=filters.state)
    if filters.region:
        below = region_codes_below(filters.region)
        if not below:
            raise _bad("region", filters.region, _("没有这个地区：%(code)s") % {"code": filters.region})
        qs = qs.filter(enterprise__region_id__in=below)
    if filters.industry:
        industry = Industry.objects.filter(code=filters.industry).first()
        if industry is None:
            raise _bad("industry", filters.industry, _("没有这个行业：%(code)s") % {"code": filters.industry})
        qs = qs.filter(Q(enterprise__industry=industry) | Q(enterprise__industry__parent=industry))
    if filters.year:
        year = ascii_int(filters.year, low=1990, high=2100)
        if year is None:
            raise _bad("year", filters.year, _("年份应为 1990 到 2100 的整数"))
        qs = qs.filter(created__year=year)
    if filters.land:
        if filters.land not in ("independent", "land"):
            raise _bad("land", filters.land, _("应为 independent（不新增用地）或 land（新增用地）"))
        qs = qs.filter(land_mu=0) if filters.land == "independent" else qs.filter(land_mu__gt=0)
    if filters.q:
        qs = qs.filter(title__icontains=clean_text(filters.q, field="q", max_length=100))
    return qs.select_related("enterprise", "enterprise__region", "enterprise__industry").order_by("-created", "-id")


def review_queue(*, user: Actor) -> QuerySet[Project]:
    """What waits for the officers of the user's region: filings under review, declared completions and
    inspections under way, oldest first."""
    require(user, "projects.queue.view", message=_("只有地区主管部门可以审核项目。"), code=ProjectError.FORBIDDEN)
    return (visible_projects(user).filter(state__in=QUEUE_STATES)
            .select_related("enterprise", "enterprise__region", "enterprise__industry")
            .order_by("state_since", "id"))


def negative_list_versions() -> QuerySet[NegativeListVersion]:
    return NegativeListVersion.objects.select_related("published_by").order_by("-published", "-id")
