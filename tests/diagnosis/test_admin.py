"""Superusers see the diagnosis data in the admin; submitted assessments cannot be changed there."""

from __future__ import annotations

from typing import Any

from django.test import Client

from zhigai.core.models import User
from zhigai.diagnosis.services import assessment_record


def test_admin_lists_models_assessments_and_assignments_read_only(client: Client, make_enterprise: Any,
                                                                   make_user: Any) -> None:
    enterprise = make_enterprise()
    owner = make_user("enterprise", enterprise=enterprise)
    a = assessment_record(by=owner, enterprise=enterprise, model_ref="ladder", answers={"EQ-1a": "full"})
    admin = User.objects.create_superuser("root", "root@example.org", "long-enough-password")
    client.force_login(admin)
    for url in ("/admin/diagnosis/maturitymodel/", "/admin/diagnosis/assessment/", "/admin/diagnosis/assignment/"):
        assert client.get(url).status_code == 200, url
    assert "ladder" in client.get("/admin/diagnosis/maturitymodel/").content.decode()
    assert client.get("/admin/diagnosis/maturitymodel/add/").status_code == 403
    detail = client.get(f"/admin/diagnosis/assessment/{a.pk}/change/")
    assert detail.status_code == 200 and b'name="_save"' not in detail.content  # view only
    assert client.post(f"/admin/diagnosis/assessment/{a.pk}/delete/", {"post": "yes"}).status_code == 403
