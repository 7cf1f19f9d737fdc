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


# --- engagements -------------------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n%%EOF\n"
PLAN = {"scope": "冲压线机器人上下料改造", "budget": "1250000.50", "equipment": [{"name": "六轴机器人", "quantity": 4}],
        "start": "2024-03-01", "end": "2024-09-30",
        "milestones": [{"name": "设备安装", "due": "2024-06-30"}, {"name": "联调试运行", "due": "2024-09-15"}],
        "benefits": {"labor_productivity": 20, "defect_rate": -30}}


def needs(name: str) -> dict[str, Any]:
    """What the table says move `name` needs, as engagement_move takes it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    note = {"note": "理由与说明"}
    return {
        "decline": note, "return_plan": note, "reject_work": note, "cancel": note,
        "submit_report": {"uploads": [(SimpleUploadedFile("report.pdf", PDF), "report")]},
        "submit_plan": {"plan": PLAN},
        "report_progress": {"progress": {"milestone": "设备安装", "percent": 60}, **note},
        "submit_acceptance": {"outcomes": {"labor_productivity": 24, "defect_rate": -33}},
        "accept_work": {"rating": 5, "comment": "按期完成，效果明显"},
    }.get(name, {})


# The moves (by whom: "provider" or "owner", and to which state) that bring a new request to each state.
WALK_TO = {
    "requested": [],
    "accepted": [("provider", "accepted")],
    "declined": [("provider", "declined")],
    "research": [("provider", "accepted"), ("provider", "research")],
    "plan_design": [("provider", "accepted"), ("provider", "research"), ("provider", "plan_design")],
    "plan_review": [("provider", "accepted"), ("provider", "research"), ("provider", "plan_design"),
                    ("provider", "plan_review")],
    "plan_approved": [("provider", "accepted"), ("provider", "research"), ("provider", "plan_design"),
                      ("provider", "plan_review"), ("owner", "plan_approved")],
    "implementation": [("provider", "accepted"), ("provider", "research"), ("provider", "plan_design"),
                       ("provider", "plan_review"), ("owner", "plan_approved"), ("provider", "implementation")],
    "acceptance": [("provider", "accepted"), ("provider", "research"), ("provider", "plan_design"),
                   ("provider", "plan_review"), ("owner", "plan_approved"), ("provider", "implementation"),
                   ("provider", "acceptance")],
    "closed": [("provider", "accepted"), ("provider", "research"), ("provider", "plan_design"),
               ("provider", "plan_review"), ("owner", "plan_approved"), ("provider", "implementation"),
               ("provider", "acceptance"), ("owner", "closed")],
    "cancelled": [("owner", "cancelled")],
}


@pytest.fixture
def parties(make_user: Callable[..., User], make_enterprise: Callable[..., Any], hangzhou_user: User,
            ningbo_user: User, province_user: User) -> dict[str, Any]:
    """An enterprise in Hangzhou and a listed provider, with their users, and everyone else."""
    from zhigai.market.models import Membership

    enterprise = make_enterprise(county="330102", name="杭州对接测试有限公司")
    other_enterprise = make_enterprise(county="330203", name="宁波他方企业")
    region = enterprise.region
    provider = Provider.objects.create(type="engineering", name="杭州测试工程服务公司", home_region=region,
                                       status=ProviderStatus.LISTED)
    other = Provider.objects.create(type="engineering", name="另一家工程服务公司", home_region=region,
                                    status=ProviderStatus.LISTED)
    users = {
        "provider": make_user(Role.PROVIDER), "colleague": make_user(Role.PROVIDER),
        "other_provider": make_user(Role.PROVIDER), "owner": make_user(Role.ENTERPRISE, enterprise=enterprise),
        "other_owner": make_user(Role.ENTERPRISE, enterprise=other_enterprise), "hangzhou": hangzhou_user,
        "ningbo": ningbo_user, "province": province_user, "expert": make_user(Role.EXPERT),
        "admin": User.objects.create_superuser("eng-admin", password="x-long-password"),
    }
    Membership.objects.bulk_create([Membership(user=users["provider"], provider=provider),
                                    Membership(user=users["colleague"], provider=provider),
                                    Membership(user=users["other_provider"], provider=other)])
    return {"enterprise": enterprise, "other_enterprise": other_enterprise, "provider": provider,
            "other": other, "users": users}


@pytest.fixture
def engagement_in(parties: dict[str, Any], django_capture_on_commit_callbacks: Any) -> Callable[[str], Any]:
    """A new request of the parties' enterprise to their provider, walked to `state` by the services (as
    committed: the access scopes the grants cache see it)."""
    from zhigai.market import services_engagement as svc
    from zhigai.market.engagements import move_to

    def make(state: str) -> Any:
        users = parties["users"]
        with django_capture_on_commit_callbacks(execute=True):
            e = svc.engagement_request(by=users["owner"], enterprise=parties["enterprise"],
                                       provider=parties["provider"], need="冲压车间需要机器人上下料")
            for who, to in WALK_TO[state]:
                move = move_to(e.state, to)
                assert move is not None
                e = svc.engagement_move(by=users[who], engagement=e, to=to, **needs(move.name))
        return e

    return make
