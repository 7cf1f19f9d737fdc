"""Who sees which provider, and the directory's filters."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http import Http404

from zhigai.base.models import Industry
from zhigai.core.errors import InvalidInput, PermissionDenied
from zhigai.core.models import User
from zhigai.market import selectors, services
from zhigai.market.models import Provider, ProviderStatus
from zhigai.market.selectors import ProviderFilters, access_provider, provider_list
from zhigai.market.track_record import track_record

from .conftest import profile

pytestmark = pytest.mark.django_db

# Who sees a provider of the owner in each state (besides the superuser, who sees all).
SEES = {
    ProviderStatus.DRAFT: {"owner", "colleague"},
    ProviderStatus.SUBMITTED: {"owner", "colleague", "province"},
    ProviderStatus.RETURNED: {"owner", "colleague", "province"},
    ProviderStatus.REFUSED: {"owner", "colleague", "province"},
    ProviderStatus.SUSPENDED: {"owner", "colleague", "province"},
    ProviderStatus.LISTED: {"owner", "colleague", "province", "city", "enterprise", "expert", "other"},
}


@pytest.mark.parametrize("state", ProviderStatus.values)
def test_who_sees_a_provider_in_each_state(people: dict[str, User], provider_in: Callable[[str], Provider],
                                           state: str) -> None:
    p = provider_in(state)
    for who, user in people.items():
        visible = who == "admin" or who in SEES[state]
        listed = p.pk in set(provider_list(user=user, filters=ProviderFilters(status="all")).values_list(
            "pk", flat=True)) if who in ("province", "admin") else None
        if visible:
            assert access_provider(user=user, provider_id=p.pk) == p, who
        else:
            with pytest.raises(Http404):  # another provider's draft answers as a missing one
                access_provider(user=user, provider_id=p.pk)
        if listed is not None:
            assert listed is visible, who


def test_the_owner_edits_while_a_draft_and_others_are_refused(people: dict[str, User],
                                                               provider_in: Callable[[str], Provider]) -> None:
    p = provider_in(ProviderStatus.LISTED)
    with pytest.raises(PermissionDenied):
        access_provider(user=people["owner"], provider_id=p.pk, action="change")
    draft = provider_in(ProviderStatus.DRAFT)
    assert access_provider(user=people["colleague"], provider_id=draft.pk, action="change") == draft
    with pytest.raises(Http404):
        access_provider(user=people["other"], provider_id=draft.pk, action="change")
    for missing in (0, -1, 2**40, draft.pk + 1000):
        with pytest.raises(Http404):
            access_provider(user=people["admin"], provider_id=missing)


@pytest.fixture
def listed(people: dict[str, User], provider_in: Callable[[str], Provider],
           other_provider: Provider) -> dict[str, Provider]:
    hangzhou = provider_in(ProviderStatus.LISTED)  # machinery (34) and electrical (38); robots, MES; Hangzhou
    for who, move in (("other", "submit"), ("province", "approve")):
        other_provider = services.provider_move(by=people[who], provider=other_provider, move=move)
    services_edit = Provider.objects.get(pk=other_provider.pk)
    services_edit.industries.set(services_edit.industries.filter(code="34"))
    services_edit.regions.set([])
    return {"hangzhou": hangzhou, "other": services_edit}


def _names(user: User, **filters: str) -> set[str]:
    return {p.name for p in provider_list(user=user, filters=ProviderFilters(**filters))}


def test_the_directory_filters(people: dict[str, User], listed: dict[str, Provider],
                               provider_in: Callable[[str], Provider]) -> None:
    user, h, o = people["enterprise"], listed["hangzhou"].name, listed["other"].name
    assert _names(user) == {h, o}
    assert _names(user, industry="38") == {h}
    division = Industry.objects.get(code="38")
    Industry.objects.create(code="3811", parent=division, name_zh="电动机制造", name_en="Motors")
    assert _names(user, industry="3811") == {h}, "a class matches its division"
    assert _names(user, technology="mes") == {h, o}
    assert _names(user, region="330102") == {h}, "serves Hangzhou, so its districts"
    assert _names(user, region="330000") == {h}, "serves part of the province"
    assert _names(user, region="330200") == set()
    assert _names(user, type="bank") == set()
    assert _names(user, q="宁波") == {o}


@pytest.mark.parametrize(("field", "value"), [("industry", "99"), ("technology", "x"), ("region", "1"),
                                              ("type", "shop"), ("status", "gone")])
def test_an_unknown_filter_is_bad_input(people: dict[str, User], field: str, value: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        provider_list(user=people["province"], filters=ProviderFilters(**{field: value}))
    assert caught.value.details[0]["field"] == field


def test_only_the_province_filters_by_status(people: dict[str, User], provider_in: Callable[[str], Provider]) -> None:
    p = provider_in(ProviderStatus.SUBMITTED)
    assert [x.pk for x in provider_list(user=people["province"], filters=ProviderFilters(status="submitted"))] == [p.pk]
    with pytest.raises(InvalidInput):
        provider_list(user=people["owner"], filters=ProviderFilters(status="submitted"))
    assert list(selectors.review_queue(user=people["province"])) == [p]
    with pytest.raises(PermissionDenied):
        selectors.review_queue(user=people["city"])


def test_the_track_record_says_not_enough_engagements_below_five(people: dict[str, User],
                                                                provider_in: Callable[[str], Provider]) -> None:
    record = track_record(provider=provider_in(ProviderStatus.LISTED))
    assert record["engagements_completed"] == 0 and record["enough"] is False and record["minimum"] == 5
    assert record["message"]


def test_a_users_provider(people: dict[str, User], provider_in: Callable[[str], Provider]) -> None:
    p = provider_in(ProviderStatus.DRAFT)
    assert selectors.provider_of(people["colleague"]) == p
    assert selectors.provider_of(people["province"]) is None
    assert services.provider_register(by=people["expert"], profile=profile(type="steering", industry_focus="34"))
    assert selectors.provider_of(people["expert"]).type == "steering"
