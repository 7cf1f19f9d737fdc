"""A project's lifecycle as data (core.workflow; SPEC §5, issue 13).

  under_review ─approve→ filed (or ─approve_wait→ waiting_land when its city's land quota has no room)
               ─return→ returned ─resubmit→ under_review;  ─refuse→ refused
  waiting_land ─land_grant→ filed (when the quota has room for it, in filing order)
  filed ─start→ in_progress ─report→ in_progress (a progress report) ─declare→ completion_declared
  completion_declared ─inspect→ inspection ─accept→ accepted
                                          ─rectify→ rectification ─reinspect→ inspection
                                          ─breach→ breached (the clawback hooks run: hooks.breach_handlers)
  under_review, returned, waiting_land, filed ─withdraw_*→ withdrawn (land held is released)

Filing itself is not a move: services.project_file creates the project in under_review, waiting_land or
filed as the negative list, the commitment and the land quota decide."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from zhigai.base.models import Region
from zhigai.core.errors import Conflict, ErrorCode
from zhigai.core.models import Role, User
from zhigai.core.workflow import Transition, Workflow, transition_apply

from .acceptance import acceptance_checks, checks_data
from .errors import ProjectError
from .hooks import breach_handlers
from .models import Project, ProjectEvent
from .models import ProjectState as S
from .policy import ACT, INSPECT, LAND, REVIEW
from .quota import city_of, land_fits, land_room_for, waiting


def enterprise_users(project: Project) -> list[Any]:
    return list(User.objects.filter(enterprise_id=project.enterprise_id, is_active=True))


def region_officers(project: Project) -> list[Any]:
    """The officers of the project's city, and the province's."""
    city = city_of(project.enterprise.region)
    return list(User.objects.filter(Q(role=Role.CITY, region=city) | Q(role=Role.PROVINCE), is_active=True))


def _since(project: Project, by: Any) -> None:
    project.state_since = timezone.now()


def _land_draw(project: Project, by: Any) -> None:
    if project.land_mu:
        project.land_held = True


def _land_release(project: Project, by: Any) -> None:
    project.land_held = False


def _land_room(project: Project) -> None:
    if project.land_mu and not land_fits(project):
        raise Conflict(gettext("本市用地指标不足，项目转入等待用地指标。"), code=ProjectError.NO_LAND)


def _land_short(project: Project) -> None:
    if not project.land_mu or land_fits(project):
        raise Conflict(gettext("用地指标尚有余量，可直接备案。"), code=ProjectError.NO_LAND)


def _inspected(project: Project, by: Any) -> None:
    """The checks as the deciding officer saw them, kept with the decision."""
    project.inspection = {"at": timezone.now().isoformat(), "by": by.pk,
                          "checks": checks_data(acceptance_checks(project, user=by))}


def _advance_after_release(project: Project, by: Any) -> None:
    if project.land_mu and project.land_city_id and project.land_year:
        land_advance(city_id=project.land_city_id, year=project.land_year, by=by)


def _claw_back(project: Project, by: Any) -> None:
    for handler in breach_handlers():
        handler(project, by)


def _move(name: str, source: str, target: str, permission: str, label: Any, notice: str, *,
          notify: Any = enterprise_users, **rest: Any) -> Transition:
    effects = (_since, *rest.pop("effects", ()))
    return Transition(name=name, source=source, target=target, permission=permission, label=label, notify=notify,
                      notice=notice, refusal_code=ProjectError.FORBIDDEN, effects=effects, **rest)


def _withdraw(source: str) -> Transition:
    return _move(f"withdraw_{source}", source, S.WITHDRAWN, ACT, gettext_lazy("撤回项目"),
                 gettext_noop("%(enterprise)s 撤回了项目“%(project)s”。"), notify=region_officers,
                 effects=(_land_release,), after_save=(_advance_after_release,))


PROJECT_WORKFLOW = Workflow(
    name="project",
    model=Project,
    event_model=ProjectEvent,
    state_field="state",
    url=lambda p: reverse("projects:detail", args=[p.pk]),
    describe=lambda p: {"project": p.title, "enterprise": p.enterprise.name},
    transitions=[
        _move("approve", S.UNDER_REVIEW, S.FILED, REVIEW, gettext_lazy("审核通过，予以备案"),
              gettext_noop("项目“%(project)s”已审核通过，予以备案。"), guards=(_land_room,), effects=(_land_draw,)),
        _move("approve_wait", S.UNDER_REVIEW, S.WAITING_LAND, REVIEW, gettext_lazy("审核通过，等待用地指标"),
              gettext_noop("项目“%(project)s”已审核通过，本市用地指标不足，排队等待。"), guards=(_land_short,)),
        _move("return", S.UNDER_REVIEW, S.RETURNED, REVIEW, gettext_lazy("退回修改"),
              gettext_noop("项目“%(project)s”被退回修改，请查看审核意见。")),
        _move("refuse", S.UNDER_REVIEW, S.REFUSED, REVIEW, gettext_lazy("不予备案"),
              gettext_noop("项目“%(project)s”不予备案，请查看理由。")),
        _move("resubmit", S.RETURNED, S.UNDER_REVIEW, ACT, gettext_lazy("修改后重新提交"),
              gettext_noop("%(enterprise)s 修改后重新提交了项目“%(project)s”，请审核。"), notify=region_officers),
        _move("land_grant", S.WAITING_LAND, S.FILED, LAND, gettext_lazy("取得用地指标，予以备案"),
              gettext_noop("项目“%(project)s”已取得用地指标，予以备案。"), effects=(_land_draw,)),
        _move("start", S.FILED, S.IN_PROGRESS, ACT, gettext_lazy("开工实施"),
              gettext_noop("%(enterprise)s 的项目“%(project)s”已开工实施。"), notify=region_officers),
        _move("report", S.IN_PROGRESS, S.IN_PROGRESS, ACT, gettext_lazy("报告进展"),
              gettext_noop("%(enterprise)s 报告了项目“%(project)s”的进展。"), notify=region_officers),
        _move("declare", S.IN_PROGRESS, S.COMPLETION_DECLARED, ACT, gettext_lazy("申报竣工"),
              gettext_noop("%(enterprise)s 申报项目“%(project)s”竣工，请组织验收。"), notify=region_officers),
        _move("inspect", S.COMPLETION_DECLARED, S.INSPECTION, INSPECT, gettext_lazy("开始验收"),
              gettext_noop("项目“%(project)s”进入验收。")),
        _move("accept", S.INSPECTION, S.ACCEPTED, INSPECT, gettext_lazy("验收通过"),
              gettext_noop("项目“%(project)s”已通过验收。"), effects=(_inspected,)),
        _move("rectify", S.INSPECTION, S.RECTIFICATION, INSPECT, gettext_lazy("责令整改"),
              gettext_noop("项目“%(project)s”验收未通过，请按意见整改。"), effects=(_inspected,)),
        _move("reinspect", S.RECTIFICATION, S.INSPECTION, ACT, gettext_lazy("整改完成，申请复验"),
              gettext_noop("%(enterprise)s 已完成项目“%(project)s”的整改，申请复验。"), notify=region_officers),
        _move("breach", S.INSPECTION, S.BREACHED, INSPECT, gettext_lazy("认定违反承诺"),
              gettext_noop("项目“%(project)s”经验收认定违反承诺，已获补助和奖励将予追回。"), effects=(_inspected,),
              after_save=(_claw_back,)),
        *(_withdraw(s) for s in (S.UNDER_REVIEW, S.RETURNED, S.WAITING_LAND, S.FILED)),
    ],
)

# The moves whose note is their reason or content: a return's comments, a refusal's, a rectification's and a
# breach's reasons, a progress report.
NOTE_REQUIRED = frozenset({"return", "refuse", "rectify", "breach", "report"})


def move_to(project: Project, target: str) -> str:
    """The move from the project's state to `target` (the API's {"to": state}); an approval goes to waiting
    for land when the quota has no room. Conflict (409) when the table has no such move."""
    state = project.state
    if state == S.UNDER_REVIEW and target == S.FILED:
        return "approve" if not project.land_mu or land_fits(project) else "approve_wait"
    for t in PROJECT_WORKFLOW.transitions.values():
        if t.source == state and t.target == target and t.name != "approve_wait":
            return t.name
    raise Conflict(gettext("当前状态不能转为该状态。"), code=ErrorCode.TRANSITION_NOT_ALLOWED,
                   details=[{"field": "to", "message": target}])


def land_advance(*, city_id: int, year: int, by: User, note: str = "") -> list[Project]:
    """Move the projects waiting for a city's land in a year on, in filing order, while the quota has room
    (after it is raised or land is released); the first that does not fit stops the queue. The city's row
    is locked, so two requests never hand out the same mu."""
    Region.objects.select_for_update().filter(pk=city_id).first()
    moved = []
    for project in waiting(city_id, year):
        if not land_room_for(project):
            break
        moved.append(transition_apply(workflow=PROJECT_WORKFLOW, obj=project, name="land_grant", by=by, note=note))
    return moved
