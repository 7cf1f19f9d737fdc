"""A provider's members: its own users add experts by username, remove them (never the last), name a
steering group's leader; the province sees the page read-only; every change audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from zhigai.core.errors import InvalidInput, PermissionDenied
from zhigai.core.models import AuditLog, Role, User
from zhigai.market import services
from zhigai.market.models import Membership, Provider, ProviderStatus

from .conftest import profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(people: dict[str, User]) -> Provider:
    """A steering group registered (and led) by the expert, submitted so that the province sees it."""
    g = services.provider_register(by=people["expert"], profile=profile(type="steering", industry_focus="34",
                                                                        name="通用设备专家服务指导组"))
    return services.provider_submit(by=people["expert"], provider=g)


def test_a_member_adds_an_expert_by_username_and_names_the_leader(people: dict[str, User], group: Provider,
                                                                  make_user: Callable[..., User]) -> None:
    newcomer = make_user(Role.EXPERT, username="zhang-expert")
    services.provider_member_add(by=people["expert"], provider=group, username=" zhang-expert ")
    assert set(group.members.values_list("user__username", flat=True)) == {people["expert"].username, "zhang-expert"}
    services.provider_leader_set(by=people["expert"], provider=group, user_id=newcomer.pk)
    group.refresh_from_db()
    assert group.leader == newcomer
    # The former leader may now leave; the new one may not before another is named.
    with pytest.raises(InvalidInput, match="组长"):
        services.provider_member_remove(by=people["expert"], provider=group, user_id=newcomer.pk)
    services.provider_member_remove(by=newcomer, provider=group, user_id=people["expert"].pk)
    assert list(group.members.values_list("user_id", flat=True)) == [newcomer.pk]
    actions = list(AuditLog.objects.filter(subject=str(group.pk), entity="provider_member")
                   .values_list("action", flat=True))
    assert sorted(actions) == ["create", "delete"]
    assert AuditLog.objects.filter(entity="provider", entity_id=str(group.pk), action="update",
                                   summary="leader").exists()


@pytest.mark.parametrize(("who", "message"), [
    ("nobody", "没有这个用户"),
    ("", "请填写"),
    ("owner", "须为专家"),  # a provider user is no expert
    ("enterprise", "须为专家"),
    ("other", "须为专家"),
])
def test_a_steering_group_takes_only_experts(people: dict[str, User], group: Provider, who: str,
                                             message: str) -> None:
    name = people[who].username if who in people else who
    with pytest.raises(InvalidInput, match=message):
        services.provider_member_add(by=people["expert"], provider=group, username=name)
    assert group.members.count() == 1


def test_an_expert_of_another_provider_or_already_here_is_refused(people: dict[str, User], group: Provider,
                                                                  make_user: Callable[..., User]) -> None:
    elsewhere = make_user(Role.EXPERT)
    other = services.provider_register(by=elsewhere, profile=profile(type="steering", industry_focus="34"))
    assert other.members.count() == 1
    with pytest.raises(InvalidInput, match="另一家服务商") as caught:
        services.provider_member_add(by=people["expert"], provider=group, username=elsewhere.username)
    assert caught.value.code == "provider_registered"
    with pytest.raises(InvalidInput, match="已是本单位成员"):
        services.provider_member_add(by=people["expert"], provider=group, username=people["expert"].username)
    assert group.members.count() == 1 and Membership.objects.get(user=elsewhere).provider == other


def test_the_last_member_stays_and_the_leader_must_be_a_member(people: dict[str, User], group: Provider,
                                                              make_user: Callable[..., User]) -> None:
    services.provider_leader_set(by=people["expert"], provider=group, user_id=people["expert"].pk)  # no change
    with pytest.raises(InvalidInput, match="最后一位"):
        group.leader = None
        group.save(update_fields=["leader"])
        services.provider_member_remove(by=people["expert"], provider=group, user_id=people["expert"].pk)
    outsider = make_user(Role.EXPERT)
    with pytest.raises(InvalidInput, match="不是本单位成员"):
        services.provider_leader_set(by=people["expert"], provider=group, user_id=outsider.pk)
    with pytest.raises(InvalidInput, match="不是本单位成员"):
        services.provider_member_remove(by=people["expert"], provider=group, user_id=outsider.pk)
    assert group.members.count() == 1


def test_a_company_takes_colleagues_and_has_no_leader(people: dict[str, User],
                                                      provider_in: Callable[[str], Provider],
                                                      make_user: Callable[..., User]) -> None:
    company = provider_in(ProviderStatus.LISTED)
    staff = make_user(Role.PROVIDER)
    services.provider_member_add(by=people["owner"], provider=company, username=staff.username)
    with pytest.raises(InvalidInput, match="只能添加服务商用户或专家"):
        services.provider_member_add(by=people["owner"], provider=company, username=people["city"].username)
    with pytest.raises(InvalidInput, match="只有专家服务指导组设组长"):
        services.provider_leader_set(by=people["owner"], provider=company, user_id=staff.pk)


def test_only_its_own_users_change_the_members(people: dict[str, User], group: Provider,
                                               make_user: Callable[..., User]) -> None:
    newcomer = make_user(Role.EXPERT)
    for who in ("province", "other", "owner", "city"):
        with pytest.raises(PermissionDenied):
            services.provider_member_add(by=people[who], provider=group, username=newcomer.username)
        with pytest.raises(PermissionDenied):
            services.provider_leader_set(by=people[who], provider=group, user_id=people["expert"].pk)
    assert group.members.count() == 1


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_for_members_the_province_and_strangers(people: dict[str, User], group: Provider,
                                                         make_user: Callable[..., User]) -> None:
    url = f"/providers/{group.pk}/members/"
    page = _client(people["expert"]).get(url)
    assert page.status_code == 200 and 'data-testid="add-member"' in page.content.decode()
    read_only = _client(people["province"]).get(url)
    assert read_only.status_code == 200
    assert 'data-testid="add-member"' not in read_only.content.decode()
    assert 'data-testid="read-only"' in read_only.content.decode()
    newcomer = make_user(Role.EXPERT)
    refused = _client(people["province"]).post(url, {"action": "add", "username": newcomer.username}, follow=True)
    assert "只有服务商本方用户可以调整成员" in refused.content.decode() and group.members.count() == 1
    for who in ("owner", "city", "enterprise"):  # the group is not listed: they do not see it at all
        assert _client(people[who]).get(url).status_code == 404, who
    group = services.provider_move(by=people["province"], provider=group, move="approve")
    assert _client(people["owner"]).get(url).status_code == 403  # a listed group: seen, its members not
    # The provider's page links the members page for those who may see it.
    assert f'href="{url}"' in _client(people["province"]).get(f"/providers/{group.pk}/").content.decode()
    assert f'href="{url}"' not in _client(people["owner"]).get(f"/providers/{group.pk}/").content.decode()


def test_the_page_adds_removes_and_names_the_leader(people: dict[str, User], group: Provider,
                                                    make_user: Callable[..., User]) -> None:
    url = f"/providers/{group.pk}/members/"
    client = _client(people["expert"])
    newcomer = make_user(Role.EXPERT)
    response = client.post(url, {"action": "add", "username": newcomer.username}, follow=True)
    assert newcomer.username in response.content.decode() and group.members.count() == 2
    bad = client.post(url, {"action": "add", "username": people["owner"].username}, follow=True)
    assert "专家服务指导组的成员须为专家" in bad.content.decode() and group.members.count() == 2
    client.post(url, {"action": "leader", "user": str(newcomer.pk)})
    group.refresh_from_db()
    assert group.leader == newcomer
    client.post(url, {"action": "remove", "user": str(people["expert"].pk)})
    assert list(group.members.values_list("user_id", flat=True)) == [newcomer.pk]
    assert client.get(url).status_code == 404, "no longer a member of the group, which is not listed"
    client = _client(newcomer)
    for data in ({"action": "remove", "user": "x"}, {"action": "fly"}, {"action": "leader", "user": "１"}):
        assert "msg error" in client.post(url, data, follow=True).content.decode(), data
