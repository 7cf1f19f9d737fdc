"""Every read of engagements, filtered by who may see them (market/policy.py): the getter, the lists, the
documents, the given diagnosis, and what waits for each user (the inbox)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhigai.base.policy import enterprise_scope
from zhigai.base.selectors import scoped_enterprises
from zhigai.core.cache import cached_figures
from zhigai.core.errors import InvalidInput
from zhigai.core.models import REGION_ROLES, Role
from zhigai.core.policy import require, seen_or_404
from zhigai.core.types import Actor

from .deadlines import local_today
from .errors import MarketError
from .models import OPEN_STATES, Engagement, EngagementDocument, EngagementState, Membership

VIEW = "market.engagement.view"


def _visible(user: Actor) -> QuerySet[Engagement]:
    """The engagements `user` may view, as market.engagement.view says: its provider's, its enterprise's,
    those of the enterprises in an officer's region."""
    if not user.is_authenticated or not user.is_active:
        return Engagement.objects.none()
    if user.is_superuser:
        return Engagement.objects.all()
    seen = Q(provider__in=Membership.objects.filter(user_id=user.pk).values("provider_id"))
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        seen |= Q(enterprise_id=user.enterprise_id)
    if user.role in REGION_ROLES:
        seen |= Q(enterprise__in=scoped_enterprises(enterprise_scope(user)))
    return Engagement.objects.filter(seen)


def access_engagement(*, user: Actor, engagement_id: int, action: str = "view") -> Engagement:
    """The engagement if the user may view it and do `action` (a move's name, "attach"); Http404 when it
    may not view it (another provider, another enterprise, an officer of another region), 403 when it may
    not act."""
    found = seen_or_404(Engagement.objects.select_related("enterprise", "enterprise__region", "enterprise__industry",
                                                          "provider", "assessment", "requested_by"),
                        engagement_id, user, VIEW)
    if action != "view":
        require(user, f"market.engagement.{action}", found, message=_("您不能对这项服务进行此操作。"),
                code=MarketError.FORBIDDEN)
    return found


def engagement_list(*, user: Actor, state: str = "", overdue: bool = False) -> QuerySet[Engagement]:
    """The user's engagements (market.engagement.view), newest first; `state` one of EngagementState or
    "open"; an unknown state is bad input (422), not an empty list."""
    qs = _visible(user)
    if state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state:
        if state not in EngagementState.values:
            raise InvalidInput(_("没有这个状态：%(s)s") % {"s": state}, details=[{"field": "state", "message": state}])
        qs = qs.filter(state=state)
    if overdue:
        qs = qs.filter(state__in=OPEN_STATES, due__lt=local_today())
    return qs.select_related("enterprise", "enterprise__region", "provider").order_by("-created", "-id")


def state_counts(*, user: Actor) -> dict[str, int]:
    """How many of the user's engagements are in each state (the board's columns)."""
    rows = _visible(user).values("state").annotate(n=Count("id")).values_list("state", "n")
    return {state: n for state, n in rows}


def document_get(*, user: Actor, document_id: int) -> EngagementDocument:
    """A document of an engagement the user may view; Http404 otherwise (as for one that does not exist)."""
    return seen_or_404(EngagementDocument.objects.select_related("engagement", "engagement__enterprise"), document_id,
                       user, VIEW, of=lambda document: document.engagement)


def given_result(engagement: Engagement) -> Any:
    """The result of the diagnosis the enterprise gave with its request (the one diagnosis its provider
    reads, through the engagement: market.policy), or None."""
    from zhigai.diagnosis.results import assessment_result

    a = engagement.assessment
    if a is None or a.enterprise_id != engagement.enterprise_id or a.status != "submitted":
        return None
    return assessment_result(a)


# --- what waits for a user (core.inbox.waiting_register) -------------------------------------------------------

# Whose turn each open state is: the provider's or the enterprise's.
PROVIDER_TURN = {
    EngagementState.REQUESTED: gettext_lazy("待响应的服务申请"),
    EngagementState.ACCEPTED: gettext_lazy("待开始诊断调研"),
    EngagementState.RESEARCH: gettext_lazy("待提交诊断报告"),
    EngagementState.PLAN_DESIGN: gettext_lazy("待提交改造方案"),
    EngagementState.PLAN_APPROVED: gettext_lazy("待开始实施"),
    EngagementState.IMPLEMENTATION: gettext_lazy("实施中，待申请验收"),
}
ENTERPRISE_TURN = {EngagementState.PLAN_REVIEW: gettext_lazy("待确认的改造方案"),
                   EngagementState.ACCEPTANCE: gettext_lazy("待验收的项目")}


@dataclass(frozen=True)
class Waiting:
    label: str
    url: str
    count: int


def waiting_for(user: Actor) -> list[Waiting]:
    """What waits for the user in the market: the moves that are its turn, by state, and the overdue ones
    (a provider's own; an officer's region's). Counted in two or three queries, kept until an engagement or
    a membership changes (the "access" area) or the day does (every page's header asks)."""
    if not user.is_authenticated:
        return []
    counts = cached_figures(("market-waiting", user.pk, user.role, user.enterprise_id, user.region_id,
                             local_today().isoformat()), lambda: _waiting_counts(user), areas=("access", "reference"))
    board = reverse("market:engagements")
    turn = PROVIDER_TURN if counts["side"] == "provider" else ENTERPRISE_TURN if counts["side"] == "enterprise" \
        else {}
    out = [Waiting(str(label), f"{board}?state={state}", counts["states"][state])
           for state, label in turn.items() if counts["states"].get(state)]
    if counts["late"]:
        out.append(Waiting(_("已逾期的服务"), f"{board}?overdue=1", counts["late"]))
    return out


def _waiting_counts(user: Any) -> dict[str, Any]:
    side, mine, states = "", Q(), list[str]()
    if Membership.objects.filter(user_id=user.pk).exists():
        side, mine, states = "provider", Q(provider__members__user_id=user.pk), list(PROVIDER_TURN)
    elif user.role == Role.ENTERPRISE and user.enterprise_id:
        side, mine, states = "enterprise", Q(enterprise_id=user.enterprise_id), list(ENTERPRISE_TURN)
    counts = dict(Engagement.objects.filter(mine, state__in=states).values("state").annotate(n=Count("id"))
                  .values_list("state", "n")) if side else {}
    late = engagement_list(user=user, overdue=True).count() if side == "provider" or user.role in REGION_ROLES \
        else 0
    return {"side": side, "states": counts, "late": late}


def engagements_shown(user: Actor) -> bool:
    """Whether the header links the board: users who may have engagements (a provider's, an enterprise's,
    an officer of a region)."""
    if not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.role in REGION_ROLES or (user.role == Role.ENTERPRISE and user.enterprise_id)
                or Membership.objects.filter(user_id=user.pk).exists())


def offered_assessments(*, enterprise: Any) -> list[Any]:
    """The submitted diagnoses an enterprise may give with its request, newest first."""
    from zhigai.diagnosis.models import Assessment

    return list(Assessment.objects.filter(enterprise=enterprise, status="submitted").select_related("model")
                .order_by("-submitted", "-id")[:10])
