"""Every write of the providers: validated (each bad field named), access-checked, audited, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhigai.core.errors import InvalidInput, PermissionDenied
from zhigai.core.models import AuditLog, User
from zhigai.market import services
from zhigai.market.models import Membership, Provider, ProviderStatus, ProviderType, QualificationFile

from .conftest import profile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def _counts() -> tuple[int, ...]:
    return (Provider.objects.count(), Membership.objects.count(), AuditLog.objects.count(),
            QualificationFile.objects.count())


def test_a_registration_is_a_draft_its_user_acts_for_and_audited(people: dict[str, User]) -> None:
    p = services.provider_register(by=people["owner"], profile=profile())
    assert p.status == ProviderStatus.DRAFT and p.created_by == people["owner"]
    assert Membership.objects.get(user=people["owner"]).provider == p
    assert sorted(i.code for i in p.industries.all()) == ["34", "38"]
    assert sorted(t.code for t in p.technologies.all()) == ["mes", "robot"]
    assert [r.code for r in p.regions.all()] == ["330100"]
    entry = AuditLog.objects.get(entity="provider", entity_id=str(p.pk), action="create")
    assert entry.after["technologies"] == ["mes", "robot"] and entry.actor == people["owner"]


@pytest.mark.parametrize(("change", "field"), [
    ({"name": "  "}, "name"),
    ({"type": "shop"}, "type"),
    ({"home_region": "999999"}, "home_region"),
    ({"industries": ["3401"]}, "industries"),  # a class, not a division: providers name divisions
    ({"industries": ["99"]}, "industries"),
    ({"technologies": ["teleport"]}, "technologies"),
    ({"regions": ["1"]}, "regions"),
    ({"regions": "330100"}, "regions"),  # a string is not a list of codes
    ({"capacity": 0}, "capacity"),
    ({"capacity": "３"}, "capacity"),  # ASCII digits only
    ({"price_level": 4}, "price_level"),
    ({"certifications": ["x"] * 21}, "certifications"),
    ({"description": "a\x00b"}, "description"),
    ({"type": "steering"}, "industry_focus"),  # a steering group names the industry it is organised for
    ({"colour": "red"}, "colour"),
])
def test_every_bad_field_is_named_and_nothing_is_written(people: dict[str, User], change: dict[str, Any],
                                                         field: str) -> None:
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        services.provider_register(by=people["owner"], profile=profile(**change))
    assert field in {d["field"] for d in caught.value.details}
    assert _counts() == before


def test_a_steering_group_is_led_by_the_expert_who_registers_it(people: dict[str, User]) -> None:
    p = services.provider_register(by=people["expert"], profile=profile(type="steering", industry_focus="34"))
    assert p.type == ProviderType.STEERING and p.leader == people["expert"] and p.industry_focus.code == "34"


@pytest.mark.parametrize("who", ["province", "city", "enterprise"])
def test_only_provider_users_and_experts_register(people: dict[str, User], who: str) -> None:
    with pytest.raises(PermissionDenied):
        services.provider_register(by=people[who], profile=profile())
    assert not Provider.objects.exists()


def test_a_user_acts_for_one_provider_only(people: dict[str, User]) -> None:
    services.provider_register(by=people["owner"], profile=profile())
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.provider_register(by=people["owner"], profile=profile(name="第二家"))
    assert _counts() == before


def test_an_update_changes_the_fields_given_and_audits_what_changed(
        people: dict[str, User], provider_in: Callable[[str], Provider]) -> None:
    p = provider_in(ProviderStatus.RETURNED)
    services.provider_update(by=people["colleague"], provider=p, profile={"capacity": "6", "technologies": ["erp"]})
    p.refresh_from_db()
    assert p.capacity == 6 and [t.code for t in p.technologies.all()] == ["erp"] and p.name.startswith("杭州服务商")
    entry = AuditLog.objects.filter(entity="provider", entity_id=str(p.pk), action="update").get()
    assert entry.before == {"capacity": 4, "technologies": ["mes", "robot"]}
    assert entry.after == {"capacity": 6, "technologies": ["erp"]}


@pytest.mark.parametrize("state", [ProviderStatus.SUBMITTED, ProviderStatus.LISTED, ProviderStatus.REFUSED,
                                   ProviderStatus.SUSPENDED])
def test_a_registration_under_review_or_decided_is_not_edited(
        people: dict[str, User], provider_in: Callable[[str], Provider], state: str) -> None:
    p = provider_in(state)
    before = _counts()
    with pytest.raises(PermissionDenied):
        services.provider_update(by=people["owner"], provider=p, profile={"capacity": 9})
    assert Provider.objects.get(pk=p.pk).capacity == 4 and _counts() == before


def test_another_providers_user_edits_nothing(people: dict[str, User], provider_in: Callable[[str], Provider]) -> None:
    p = provider_in(ProviderStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        services.provider_update(by=people["other"], provider=p, profile={"capacity": 9})


def test_an_invalid_update_writes_nothing(people: dict[str, User], provider_in: Callable[[str], Provider]) -> None:
    p = provider_in(ProviderStatus.DRAFT)
    before = _counts()
    with pytest.raises(InvalidInput):
        services.provider_update(by=people["owner"], provider=p, profile={"capacity": 5, "regions": ["nowhere"]})
    assert Provider.objects.get(pk=p.pk).capacity == 4 and _counts() == before


@pytest.mark.parametrize("move", ["return", "refuse", "suspend"])
def test_a_return_refusal_or_suspension_needs_its_reason(
        people: dict[str, User], provider_in: Callable[[str], Provider], move: str) -> None:
    p = provider_in(ProviderStatus.LISTED if move == "suspend" else ProviderStatus.SUBMITTED)
    before = _counts()
    with pytest.raises(InvalidInput) as caught:
        services.provider_move(by=people["province"], provider=p, move=move, note="  ")
    assert caught.value.code == "provider_note_required" and _counts() == before
    with pytest.raises(PermissionDenied):  # one who may not move it learns nothing of the rule
        services.provider_move(by=people["city"], provider=p, move=move)
    done = services.provider_move(by=people["province"], provider=p, move=move, note="资质证书已过期")
    assert done.events.latest("id").note == "资质证书已过期"


def test_a_returned_registration_is_resubmitted(people: dict[str, User],
                                                provider_in: Callable[[str], Provider]) -> None:
    p = provider_in(ProviderStatus.RETURNED)
    p = services.provider_submit(by=people["owner"], provider=p)
    assert p.status == ProviderStatus.SUBMITTED
    assert [e.transition for e in p.events.all()] == ["submit", "return", "resubmit"]


def test_an_unknown_move_is_bad_input(people: dict[str, User], provider_in: Callable[[str], Provider]) -> None:
    with pytest.raises(InvalidInput):
        services.provider_move(by=people["province"], provider=provider_in(ProviderStatus.SUBMITTED), move="bless")


def test_a_qualification_file_is_checked_by_content_and_size(
        people: dict[str, User], provider_in: Callable[[str], Provider], settings: Any) -> None:
    p = provider_in(ProviderStatus.DRAFT)
    before = _counts()
    for upload in (SimpleUploadedFile("cert.pdf", b"MZ not a pdf"), SimpleUploadedFile("cert.exe", PDF),
                   SimpleUploadedFile("empty.pdf", b"")):
        with pytest.raises(InvalidInput):
            services.qualification_add(by=people["owner"], provider=p, upload=upload)
    settings.EVIDENCE_MAX_BYTES = 8
    with pytest.raises(InvalidInput):
        services.qualification_add(by=people["owner"], provider=p, upload=SimpleUploadedFile("big.pdf", PDF))
    assert _counts() == before
    settings.EVIDENCE_MAX_BYTES = 1024
    found = services.qualification_add(by=people["owner"], provider=p, upload=SimpleUploadedFile("资质.pdf", PDF))
    assert (found.filename, found.content_type, found.size) == ("资质.pdf", "application/pdf", len(PDF))
    assert AuditLog.objects.filter(entity="qualification", entity_id=str(found.pk), action="create").exists()
    with pytest.raises(PermissionDenied):
        services.qualification_delete(by=people["other"], qualification=found)
    services.qualification_delete(by=people["colleague"], qualification=found)
    assert not QualificationFile.objects.exists()


def test_files_are_frozen_once_submitted(people: dict[str, User], provider_in: Callable[[str], Provider]) -> None:
    p = provider_in(ProviderStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.qualification_add(by=people["owner"], provider=p, upload=SimpleUploadedFile("c.pdf", PDF))
