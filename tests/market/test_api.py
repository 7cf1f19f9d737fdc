"""The API's contract for providers (issue 12): the list and its filters, the provider with its track
record, /me naming the user's provider; errors as JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from zhigai.core.models import User
from zhigai.market.models import Provider, ProviderStatus

pytestmark = pytest.mark.django_db


def test_the_list_and_its_filters(people: dict[str, User], provider_in: Callable[[str], Provider],
                                  api_client: Callable[[User], Any]) -> None:
    p = provider_in(ProviderStatus.LISTED)
    provider_in(ProviderStatus.DRAFT)  # the owner's newer one: not listed
    client = api_client(people["enterprise"])
    body = client.get("/api/v1/providers").json()
    assert [x["id"] for x in body] == [p.pk]
    assert body[0]["type"] == "engineering" and body[0]["status"] == "listed"
    assert {t["code"] for t in body[0]["technologies"]} == {"robot", "mes"}
    assert [x["id"] for x in client.get("/api/v1/providers?industry=34&technology=robot&region=330102"
                                        "&type=engineering").json()] == [p.pk]
    assert client.get("/api/v1/providers?technology=erp").json() == []


@pytest.mark.parametrize("query", ["industry=99", "technology=nope", "region=999", "type=shop", "status=submitted",
                                   "industry=%00"])
def test_a_bad_filter_is_422_json(people: dict[str, User], api_client: Callable[[User], Any], query: str) -> None:
    response = api_client(people["enterprise"]).get(f"/api/v1/providers?{query}")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid" and body["details"] and body["message"]


def test_the_province_lists_by_status(people: dict[str, User], provider_in: Callable[[str], Provider],
                                      api_client: Callable[[User], Any]) -> None:
    p = provider_in(ProviderStatus.SUBMITTED)
    body = api_client(people["province"]).get("/api/v1/providers?status=submitted").json()
    assert [x["id"] for x in body] == [p.pk]


def test_a_provider_with_its_track_record(people: dict[str, User], provider_in: Callable[[str], Provider],
                                          api_client: Callable[[User], Any]) -> None:
    p = provider_in(ProviderStatus.LISTED)
    body = api_client(people["city"]).get(f"/api/v1/providers/{p.pk}").json()
    assert body["id"] == p.pk and body["certifications"] == ["ISO 9001"]
    record = body["track_record"]
    assert record["engagements_completed"] == 0 and record["enough"] is False and record["outcomes"] == []
    assert all(record[k] is None for k in ("on_time_share", "response_days", "rating_mean", "outcome_score"))
    assert sorted(m["name"] for m in body["members"]) == sorted([people["owner"].username,
                                                                 people["colleague"].username])
    assert all(set(m) == {"name", "role", "leader"} for m in body["members"])


def test_another_providers_draft_is_404(people: dict[str, User], provider_in: Callable[[str], Provider],
                                        api_client: Callable[[User], Any]) -> None:
    p = provider_in(ProviderStatus.DRAFT)
    response = api_client(people["other"]).get(f"/api/v1/providers/{p.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api_client(people["owner"]).get(f"/api/v1/providers/{p.pk}").status_code == 200


def test_me_names_the_users_provider(people: dict[str, User], provider_in: Callable[[str], Provider],
                                     api_client: Callable[[User], Any]) -> None:
    p = provider_in(ProviderStatus.DRAFT)
    me = api_client(people["colleague"]).get("/api/v1/me").json()
    assert me["provider"] == str(p.pk) and me["role"] == "provider"
    assert api_client(people["province"]).get("/api/v1/me").json()["provider"] is None


def test_a_provider_with_enough_engagements_has_every_figure(people: dict[str, User],
                                                             provider_in: Callable[[str], Provider],
                                                             make_enterprise: Callable[..., Any],
                                                             api_client: Callable[[User], Any]) -> None:
    import datetime

    from zhigai.market.models import Engagement, EngagementState

    p = provider_in(ProviderStatus.LISTED)
    for rating in (5, 4, 4, 3, 5):
        Engagement.objects.create(enterprise=make_enterprise(), provider=p, need="改造", rating=rating,
                                  state=EngagementState.CLOSED, accepted_on=datetime.date(2026, 1, 5))
    record = api_client(people["city"]).get(f"/api/v1/providers/{p.pk}").json()["track_record"]
    assert record["enough"] is True and record["message"] == "" and record["engagements_completed"] == 5
    assert (record["rating_mean"], record["ratings"]) == (4.2, 5)
    assert record["outcomes"] == [] and record["measured"] == 0 and record["outcome_score"] is None
