"""Every read of the market's providers, filtered by what the acting user may see (market/policy.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from zhigai.base.models import Industry, Region
from zhigai.base.selectors import region_codes_below
from zhigai.core.errors import InvalidInput
from zhigai.core.policy import permitted, require, seen_or_404
from zhigai.core.text import clean_text
from zhigai.core.types import Actor

from .errors import MarketError
from .models import Membership, Provider, ProviderStatus, ProviderType, QualificationFile, Technology
from .policy import PROVIDER_VIEW, REVIEW


def technology_list() -> QuerySet[Technology]:
    return Technology.objects.order_by("code")


def provider_of(user: Actor) -> Provider | None:
    """The provider the user acts for, if any."""
    if not user.is_authenticated:
        return None
    found = Membership.objects.select_related("provider").filter(user_id=user.pk).first()
    return found.provider if found else None


def _visible(user: Actor) -> QuerySet[Provider]:
    """The providers `user` may view, as market.provider.view says."""
    if not user.is_authenticated or not user.is_active:
        return Provider.objects.none()
    if user.is_superuser:
        return Provider.objects.all()
    seen = Q(status=ProviderStatus.LISTED) | Q(members__user_id=user.pk)
    if permitted(user, REVIEW):
        seen |= ~Q(status=ProviderStatus.DRAFT)
    return Provider.objects.filter(seen).distinct()


def access_provider(*, user: Actor, provider_id: int, action: str = "view") -> Provider:
    """The provider if the user may view it and do `action` ("change", "submit", "review"); Http404 when
    it may not view it, 403 when it may not act."""
    found = seen_or_404(Provider.objects.select_related("home_region", "leader", "industry_focus"), provider_id, user,
                        PROVIDER_VIEW)
    if action != "view":
        require(user, f"market.provider.{action}", found, message=_("您不能对这家服务商进行此操作。"),
                code=MarketError.LOCKED if action == "change" else MarketError.FORBIDDEN)
    return found


def qualification_get(*, user: Actor, file_id: int) -> QualificationFile:
    """A qualification file of a provider the user may view; Http404 otherwise."""
    return seen_or_404(QualificationFile.objects.select_related("provider"), file_id, user, PROVIDER_VIEW,
                       of=lambda file: file.provider)


@dataclass(frozen=True)
class ProviderFilters:
    industry: str = ""
    technology: str = ""
    region: str = ""
    type: str = ""
    status: str = ""
    q: str = ""


def _bad(field: str, value: str, message: str) -> InvalidInput:
    return InvalidInput(message, details=[{"field": field, "message": value}])


def _served_regions(code: str) -> list[int]:
    """A region filter matches providers serving the region, a region above it (a city's providers serve
    its counties, the province's all of it) or one inside it."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise _bad("region", code, _("没有这个地区：%(code)s") % {"code": code})
    ids = set(region_codes_below(code))
    up: Region | None = region
    while up is not None:
        ids.add(up.pk)
        up = up.parent
    return sorted(ids)


def provider_list(*, user: Actor, filters: ProviderFilters = ProviderFilters()) -> QuerySet[Provider]:
    """The providers the user may see that match the filters: listed ones; a reviewer may ask for another
    status (or "all"). An unknown code is bad input (InvalidInput, 422), not an empty list."""
    qs = _visible(user)
    status = filters.status or ProviderStatus.LISTED
    if status != ProviderStatus.LISTED and not permitted(user, REVIEW):
        raise _bad("status", status, _("只有省级主管部门可以按审核状态筛选服务商。"))
    if status != "all":
        if status not in ProviderStatus.values:
            raise _bad("status", status, _("没有这个状态：%(s)s") % {"s": status})
        qs = qs.filter(status=status)
    if filters.type:
        if filters.type not in ProviderType.values:
            raise _bad("type", filters.type, _("没有这种服务商类型：%(t)s") % {"t": filters.type})
        qs = qs.filter(type=filters.type)
    if filters.industry:
        industry = Industry.objects.filter(code=filters.industry).select_related("parent").first()
        if industry is None:
            raise _bad("industry", filters.industry, _("没有这个行业：%(code)s") % {"code": filters.industry})
        division = industry.parent or industry  # providers name divisions; a finer class lies in one
        qs = qs.filter(industries=division)
    if filters.technology:
        technology = Technology.objects.filter(code=filters.technology).first()
        if technology is None:
            raise _bad("technology", filters.technology,
                       _("没有这项技术：%(code)s") % {"code": filters.technology})
        qs = qs.filter(technologies=technology)
    if filters.region:
        qs = qs.filter(regions__in=_served_regions(filters.region))
    if filters.q:
        qs = qs.filter(name__icontains=clean_text(filters.q, field="q", max_length=100))
    # The filters over many-to-many relations may join a provider more than once.
    return (Provider.objects.filter(pk__in=qs.values("pk")).select_related("home_region")
            .prefetch_related("industries", "technologies", "regions").order_by("name", "id"))


def review_queue(*, user: Actor) -> QuerySet[Provider]:
    """The registrations waiting for the reviewer, oldest first."""
    require(user, REVIEW, message=_("只有省级主管部门可以审核服务商。"), code=MarketError.FORBIDDEN)
    return (Provider.objects.filter(status=ProviderStatus.SUBMITTED).select_related("home_region")
            .order_by("updated", "id"))


def provider_members(*, user: Actor, provider: Provider) -> QuerySet[Membership]:
    """The users who act for a provider, by the day they joined; 403 for a user who sees the provider but
    not its members (market.member.view)."""
    require(user, "market.member.view", provider, message=_("只有服务商本方用户和省级主管部门可以查看成员。"),
            code=MarketError.FORBIDDEN)
    return provider.members.select_related("user").order_by("joined", "id")
