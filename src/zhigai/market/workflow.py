"""A provider's registration as data (core.workflow): its user submits it, a provincial officer lists it,
returns it with comments (it is changed and submitted again) or refuses it; a listed provider is suspended
with a reason and listed again. The notes — comments, reasons — are the events' notes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy, gettext_noop

from zhigai.core.models import Role, User
from zhigai.core.workflow import Transition, Workflow

from .errors import MarketError
from .models import Provider, ProviderEvent
from .models import ProviderStatus as S

REVIEW = "market.provider.review"


def provider_users(provider: Provider) -> list[Any]:
    return [m.user for m in provider.members.select_related("user") if m.user.is_active]


def reviewers(provider: Provider) -> list[Any]:
    return list(User.objects.filter(role=Role.PROVINCE, is_active=True))


def _move(name: str, source: str, target: str, label: Any, notice: str, *, permission: str = REVIEW,
          notify: Any = provider_users) -> Transition:
    return Transition(name=name, source=source, target=target, permission=permission, label=label, notify=notify,
                      notice=notice, refusal_code=MarketError.FORBIDDEN)


PROVIDER_WORKFLOW = Workflow(
    name="provider",
    model=Provider,
    event_model=ProviderEvent,
    url=lambda p: reverse("market:provider", args=[p.pk]),
    describe=lambda p: {"provider": p.name},
    transitions=[
        _move("submit", S.DRAFT, S.SUBMITTED, gettext_lazy("提交审核"),
              gettext_noop("%(provider)s 提交了服务商登记，请审核。"), permission="market.provider.submit",
              notify=reviewers),
        _move("resubmit", S.RETURNED, S.SUBMITTED, gettext_lazy("重新提交"),
              gettext_noop("%(provider)s 修改后重新提交了服务商登记，请审核。"), permission="market.provider.submit",
              notify=reviewers),
        _move("approve", S.SUBMITTED, S.LISTED, gettext_lazy("通过，入库"),
              gettext_noop("%(provider)s 已通过审核，列入服务商名录。")),
        _move("return", S.SUBMITTED, S.RETURNED, gettext_lazy("退回修改"),
              gettext_noop("%(provider)s 的登记被退回修改，请查看审核意见。")),
        _move("refuse", S.SUBMITTED, S.REFUSED, gettext_lazy("不予入库"),
              gettext_noop("%(provider)s 的登记未予通过。")),
        _move("suspend", S.LISTED, S.SUSPENDED, gettext_lazy("暂停"),
              gettext_noop("%(provider)s 已被暂停，请查看原因。")),
        _move("relist", S.SUSPENDED, S.LISTED, gettext_lazy("恢复入库"),
              gettext_noop("%(provider)s 已恢复列入服务商名录。")),
    ],
)

# The moves whose note is their reason: a return's comments, a refusal's or a suspension's reason.
NOTE_REQUIRED = frozenset({"return", "refuse", "suspend"})
