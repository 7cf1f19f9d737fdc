"""The demo's providers: the study's 54 companies and 22 steering groups with their experts, the other
kinds, the demo logins' companies, every registration's history; written once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import pytest

from zhigai.core.models import Role, User
from zhigai.market.models import Membership, Provider, ProviderEvent, ProviderStatus, ProviderType
from zhigai.market.seed import market_demo_seed

pytestmark = pytest.mark.django_db


def test_the_demo_market(make_user: Callable[..., User]) -> None:
    logins = [make_user(Role.PROVIDER, username="provider"), make_user(Role.PROVIDER, username="provider2")]
    market_demo_seed(seed=3, logins=logins)
    kinds = Counter(Provider.objects.values_list("type", flat=True))
    assert kinds[ProviderType.ENGINEERING] == 54 and kinds[ProviderType.STEERING] == 22
    assert kinds[ProviderType.EQUIPMENT] and kinds[ProviderType.CLOUD] and kinds[ProviderType.BANK]
    for group in Provider.objects.filter(type=ProviderType.STEERING):
        experts = {m.user for m in group.members.select_related("user")}
        assert len(experts) >= 3 and {u.role for u in experts} == {Role.EXPERT}
        assert group.leader in experts and group.industry_focus is not None
    first = Membership.objects.get(user=logins[0]).provider
    assert (first.type, first.home_region.parent.pinyin, first.status) == (
        ProviderType.ENGINEERING, "hangzhou", ProviderStatus.LISTED)
    second = Membership.objects.get(user=logins[1]).provider
    assert second.type == ProviderType.ENGINEERING and second != first
    assert second.status == ProviderStatus.RETURNED and second.events.latest("id").note
    assert set(Provider.objects.values_list("status", flat=True)) == set(ProviderStatus.values) - {
        ProviderStatus.DRAFT}
    # Spread over the province, and each with what it does.
    assert Provider.objects.values("home_region__parent").distinct().count() >= 6
    assert not Provider.objects.filter(technologies=None).exists()
    assert not Provider.objects.exclude(type=ProviderType.STEERING).filter(regions=None).exists()
    # Every registration's history ends in its state.
    for p in Provider.objects.all():
        assert p.events.latest("id").target == p.status, p.name
    made = (Provider.objects.count(), ProviderEvent.objects.count(), User.objects.count())
    assert market_demo_seed(seed=3, logins=logins) == {"providers": 0}
    assert (Provider.objects.count(), ProviderEvent.objects.count(), User.objects.count()) == made
