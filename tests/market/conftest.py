"""Providers in every state of their registration, and the people who act on them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from zhigai.core.models import Role, User
from zhigai.market import services
from zhigai.market.models import Provider, ProviderStatus

# The moves that bring a new draft to each state, made by its owner ("owner") or the province ("province").
PATH_TO = {
    ProviderStatus.DRAFT: [],
    ProviderStatus.SUBMITTED: [("owner", "submit")],
    ProviderStatus.RETURNED: [("owner", "submit"), ("province", "return")],
    ProviderStatus.REFUSED: [("owner", "submit"), ("province", "refuse")],
    ProviderStatus.LISTED: [("owner", "submit"), ("province", "approve")],
    ProviderStatus.SUSPENDED: [("owner", "submit"), ("province", "approve"), ("province", "suspend")],
}


def profile(**changes: Any) -> dict[str, Any]:
    return {"type": "engineering", "name": "杭州智造工程服务有限公司", "home_region": "330102",
            "industries": ["34", "38"], "technologies": ["robot", "mes"], "regions": ["330100"],
            "capacity": 4, "price_level": 2, "certifications": ["ISO 9001"], "description": "产线改造",
            **changes}


@pytest.fixture
def people(make_user: Callable[..., User], province_user: User, hangzhou_user: User,
           make_enterprise: Callable[..., Any]) -> dict[str, User]:
    return {
        "owner": make_user(Role.PROVIDER),
        "colleague": make_user(Role.PROVIDER),  # acts for the owner's provider too (see `draft`)
        "other": make_user(Role.PROVIDER),  # acts for another provider
        "province": province_user,
        "city": hangzhou_user,
        "enterprise": make_user(Role.ENTERPRISE, enterprise=make_enterprise()),
        "expert": make_user(Role.EXPERT),
        "admin": User.objects.create_superuser("market-admin", password="x-long-password"),
    }


@pytest.fixture
def provider_in(people: dict[str, User]) -> Callable[[str], Provider]:
    """A new provider of the owner (with the colleague as a second user) brought to `state`."""
    from zhigai.market.models import Membership

    serial = iter(range(1, 10_000))

    def make(state: str) -> Provider:
        owner = people["owner"]
        Membership.objects.filter(user__in=[owner, people["colleague"]]).delete()
        p = services.provider_register(by=owner, profile=profile(name=f"杭州服务商{next(serial)}"))
        Membership.objects.create(user=people["colleague"], provider=p)
        for who, move in PATH_TO[state]:
            p = services.provider_move(by=people[who], provider=p, move=move, note="理由")
        assert p.status == state
        return Provider.objects.get(pk=p.pk)

    return make


@pytest.fixture
def other_provider(people: dict[str, User]) -> Provider:
    return services.provider_register(by=people["other"], profile=profile(name="宁波他方服务商", home_region="330203"))
