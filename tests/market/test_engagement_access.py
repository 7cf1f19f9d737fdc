"""What an engagement opens to its provider (market.policy's grants), and to nobody else: the client's
profile (from the request on) and indicators (from the acceptance on, while open or once closed), the
diagnosis the enterprise gave — never another enterprise, another of its diagnoses, another module's
records; documents to the parties and the region's officers only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.market.conftest import PDF
from zhigai.base.models import Indicator
from zhigai.core.policy import permitted
from zhigai.diagnosis.evaluation import assessment_score
from zhigai.diagnosis.models import Assessment, Kind, MaturityModel, Status
from zhigai.market import services_engagement as svc
from zhigai.market.models import Engagement
from zhigai.market.selectors_engagement import access_engagement, engagement_list

pytestmark = pytest.mark.django_db


def _submitted(enterprise: Any) -> Assessment:
    model = MaturityModel.objects.get(code="ladder", current=True)
    a = Assessment(enterprise=enterprise, model=model, kind=Kind.SELF,
                   answers={r.id: "full" for r in model.spec.requirements})
    assessment_score(a, model.spec, [])
    a.status = Status.SUBMITTED
    a.save()
    return a


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_provider_sees_its_client_as_far_as_the_engagement_goes(parties: dict[str, Any],
                                                                    django_capture_on_commit_callbacks: Any) -> None:
    users, enterprise = parties["users"], parties["enterprise"]
    Indicator.objects.create(enterprise=enterprise, year=2023, employees=200)
    given, other_diagnosis = _submitted(enterprise), _submitted(enterprise)
    provider = users["provider"]
    assert not permitted(provider, "base.enterprise.view", enterprise)
    with django_capture_on_commit_callbacks(execute=True):  # the test's own transaction never commits
        e = svc.engagement_request(by=users["owner"], enterprise=enterprise, provider=parties["provider"],
                                   need="请诊断", assessment=given)
    # Requested: the profile, to judge the request; not the indicators.
    assert permitted(provider, "base.enterprise.view", enterprise)
    assert not permitted(provider, "base.indicator.view", enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        e = svc.engagement_move(by=provider, engagement=e, to="accepted")
    assert permitted(provider, "base.enterprise.view", enterprise)
    assert permitted(provider, "base.indicator.view", enterprise)
    web = _client(provider)
    assert web.get(f"/enterprises/{enterprise.uscc}/").status_code == 200
    # No diagnosis through the grant, the given one neither: it is read on the engagement's page.
    for a in (given, other_diagnosis):
        assert not permitted(provider, "diagnosis.assessment.view", a)
        assert web.get(f"/assessments/{a.pk}/").status_code == 404
    assert not permitted(provider, "diagnosis.enterprise.view", enterprise)
    page = web.get(f"/market/engagements/{e.pk}/")
    assert page.status_code == 200 and b'data-testid="given-diagnosis"' in page.content
    # Nothing of another enterprise, nothing for another provider's user.
    assert not permitted(provider, "base.enterprise.view", parties["other_enterprise"])
    assert web.get(f"/enterprises/{parties['other_enterprise'].uscc}/").status_code == 404
    assert not permitted(users["other_provider"], "base.enterprise.view", enterprise)
    # Nothing to change, ever.
    assert not permitted(provider, "base.enterprise.change", enterprise)
    assert not permitted(provider, "base.indicator.change", enterprise)


@pytest.mark.parametrize("end", ["declined", "cancelled"])
def test_a_declined_or_cancelled_engagement_opens_nothing(parties: dict[str, Any], engagement_in: Callable[[str], Any],
                                                         end: str) -> None:
    users, enterprise = parties["users"], parties["enterprise"]
    e = engagement_in(end)
    assert e.state == end
    assert not permitted(users["provider"], "base.enterprise.view", enterprise)
    assert access_engagement(user=users["provider"], engagement_id=e.pk) == e  # its own record it still sees


def test_a_closed_engagement_still_opens_the_profile_and_indicators(parties: dict[str, Any],
                                                                   engagement_in: Callable[[str], Any]) -> None:
    engagement_in("closed")
    assert permitted(parties["users"]["provider"], "base.indicator.view", parties["enterprise"])


def test_who_sees_an_engagement(parties: dict[str, Any], engagement_in: Callable[[str], Any]) -> None:
    from django.http import Http404

    e = engagement_in("research")
    users = parties["users"]
    for who in ("provider", "colleague", "owner", "hangzhou", "province", "admin"):
        assert access_engagement(user=users[who], engagement_id=e.pk) == e
        assert list(engagement_list(user=users[who])) == [e]
    for who in ("other_provider", "other_owner", "ningbo", "expert"):
        with pytest.raises(Http404):
            access_engagement(user=users[who], engagement_id=e.pk)
        assert not engagement_list(user=users[who]).exists()


def test_documents_are_served_to_those_who_see_the_engagement_only(parties: dict[str, Any],
                                                                   engagement_in: Callable[[str], Any]) -> None:
    users = parties["users"]
    e = engagement_in("research")
    doc = svc.engagement_document_add(by=users["provider"], engagement=e, upload=SimpleUploadedFile("r.pdf", PDF),
                                      kind="report")
    assert doc.file.name.startswith("engagements/")
    url = f"/market/engagement-documents/{doc.pk}/"
    for who in ("provider", "owner", "hangzhou", "province"):
        response = _client(users[who]).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF, who
    for who in ("other_provider", "other_owner", "ningbo", "expert"):
        assert _client(users[who]).get(url).status_code == 404, who
    assert Engagement.objects.get(pk=e.pk).documents.count() == 1


def test_only_the_enterprises_own_users_request_and_only_of_a_listed_provider(parties: dict[str, Any]) -> None:
    from zhigai.core.errors import InvalidInput, PermissionDenied

    users, enterprise = parties["users"], parties["enterprise"]
    for who in ("provider", "hangzhou", "province", "other_owner"):
        with pytest.raises(PermissionDenied):
            svc.engagement_request(by=users[who], enterprise=enterprise, provider=parties["provider"], need="x")
    parties["provider"].status = "suspended"
    with pytest.raises(InvalidInput) as bad:
        svc.engagement_request(by=users["owner"], enterprise=enterprise, provider=parties["provider"], need="x")
    assert bad.value.details[0]["field"] == "provider"
    with pytest.raises(InvalidInput):
        svc.engagement_request(by=users["owner"], enterprise=enterprise, provider=parties["other"],
                               need="x", assessment=_submitted(parties["other_enterprise"]))
    assert not Engagement.objects.exists()
