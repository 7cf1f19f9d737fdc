"""The market's pages: the directory with its filters and export, registration and edit by the provider
user, its qualification files, the officer's review queue and decisions — in both languages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.xlsx import sheet_rows, signed_in
from zhigai.core.models import User
from zhigai.market.models import Membership, Provider, ProviderStatus, QualificationFile

from .conftest import profile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def test_the_directory_lists_the_listed_providers_and_exports_what_it_shows(
        people: dict[str, User], provider_in: Callable[[str], Provider]) -> None:
    listed, draft = provider_in(ProviderStatus.LISTED), provider_in(ProviderStatus.DRAFT)
    client = signed_in(people["enterprise"])
    page = client.get("/providers/?technology=mes")
    assert page.status_code == 200
    body = page.content.decode()
    assert listed.name in body and draft.name not in body and "导出 Excel" in body
    rows = sheet_rows(client.get("/providers/export.xlsx?technology=mes"))
    assert rows[0][0] == "服务商名称" and [r[0] for r in rows[1:]] == [listed.name]
    assert [r[0] for r in sheet_rows(client.get("/providers/export.xlsx?technology=erp"))[1:]] == []
    assert listed.name not in client.get("/providers/?technology=erp").content.decode()


def test_a_bad_filter_is_said_and_dropped(people: dict[str, User], provider_in: Callable[[str], Provider]) -> None:
    listed = provider_in(ProviderStatus.LISTED)
    client = signed_in(people["city"])
    page = client.get("/providers/?industry=99")
    assert page.status_code == 200
    body = page.content.decode()
    assert "没有这个行业：99" in body and listed.name in body
    page = client.get("/providers/?status=submitted")  # not a reviewer: the status filter is refused
    assert "只有省级主管部门可以按审核状态筛选服务商" in page.content.decode()


def test_a_provider_user_registers_edits_attaches_and_submits(people: dict[str, User]) -> None:
    user = people["owner"]
    client = signed_in(user)
    assert 'data-testid="register"' in client.get("/providers/").content.decode()
    data = {**profile(), "certifications": "ISO 9001\nCMMI 3"}
    bad = client.post("/providers/new/", {**data, "capacity": "0"})
    assert bad.status_code == 422 and not Provider.objects.exists()
    assert 'class="field-error"' in bad.content.decode()
    response = client.post("/providers/new/", data)
    p = Provider.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/providers/{p.pk}/"
    assert p.certifications == ["ISO 9001", "CMMI 3"] and Membership.objects.get(user=user).provider == p
    assert client.get("/providers/new/").status_code == 403, "one provider a user"
    assert client.get(f"/providers/{p.pk}/edit/").status_code == 200
    client.post(f"/providers/{p.pk}/edit/", {**data, "capacity": "7"})
    assert Provider.objects.get(pk=p.pk).capacity == 7
    client.post(f"/providers/{p.pk}/files/", {"file": SimpleUploadedFile("营业执照.pdf", PDF)})
    qualification = QualificationFile.objects.get(provider=p)
    assert client.get(f"/qualifications/{qualification.pk}/").status_code == 200
    assert signed_in(people["other"]).get(f"/qualifications/{qualification.pk}/").status_code == 404
    bad_file = client.post(f"/providers/{p.pk}/files/", {"file": SimpleUploadedFile("x.pdf", b"GIF89a")},
                           follow=True)
    assert "文件内容与扩展名" in bad_file.content.decode() and QualificationFile.objects.count() == 1
    page = client.get(f"/providers/{p.pk}/").content.decode()
    assert 'data-testid="move-submit"' in page
    client.post(f"/providers/{p.pk}/move/", {"move": "submit"})
    assert Provider.objects.get(pk=p.pk).status == ProviderStatus.SUBMITTED
    assert client.get(f"/providers/{p.pk}/edit/").status_code == 403, "under review: frozen"


def test_the_officer_reviews_from_the_queue(people: dict[str, User], provider_in: Callable[[str], Provider]) -> None:
    p = provider_in(ProviderStatus.SUBMITTED)
    officer = signed_in(people["province"])
    queue = officer.get("/providers/review/")
    assert queue.status_code == 200 and p.name in queue.content.decode()
    assert signed_in(people["city"]).get("/providers/review/").status_code == 403
    page = officer.get(f"/providers/{p.pk}/").content.decode()
    assert all(f'data-testid="move-{m}"' in page for m in ("approve", "return", "refuse"))
    without = officer.post(f"/providers/{p.pk}/move/", {"move": "return", "note": ""}, follow=True)
    assert "请写明" in without.content.decode() and Provider.objects.get(pk=p.pk).status == ProviderStatus.SUBMITTED
    officer.post(f"/providers/{p.pk}/move/", {"move": "return", "note": "请补充业绩清单"})
    assert Provider.objects.get(pk=p.pk).status == ProviderStatus.RETURNED
    owner_page = signed_in(people["owner"]).get(f"/providers/{p.pk}/").content.decode()
    assert "请补充业绩清单" in owner_page and 'data-testid="move-resubmit"' in owner_page
    signed_in(people["owner"]).post(f"/providers/{p.pk}/move/", {"move": "submit"})
    officer.post(f"/providers/{p.pk}/move/", {"move": "approve"})
    assert Provider.objects.get(pk=p.pk).status == ProviderStatus.LISTED
    # The review history is the provider's and the reviewers' business, not every reader's.
    public = signed_in(people["enterprise"]).get(f"/providers/{p.pk}/").content.decode()
    assert 'data-testid="events"' not in public and "请补充业绩清单" not in public
    assert 'data-testid="track-record"' in public and "暂无业绩记录" in public


def test_the_pages_in_english(people: dict[str, User], provider_in: Callable[[str], Provider]) -> None:
    p = provider_in(ProviderStatus.LISTED)
    client = signed_in(people["province"])
    client.cookies["django_language"] = "en"
    directory = client.get("/providers/?status=all").content.decode()
    assert "Provider directory" in directory and "Export to Excel" in directory and "Technologies" in directory
    page = client.get(f"/providers/{p.pk}/").content.decode()
    assert "Not enough engagements yet" in page and "Suspend" in page and "Review history" in page
    assert "Industrial robots" in page, "technologies named in the reader's language"


def test_the_home_page_says_where_the_users_provider_stands(people: dict[str, User],
                                                            provider_in: Callable[[str], Provider]) -> None:
    returned = provider_in(ProviderStatus.RETURNED)
    home = signed_in(people["owner"]).get("/").content.decode()
    section = home[home.index('data-testid="my-provider"'):]
    assert returned.name in section and "审核退回" in section
    assert f"/providers/{returned.pk}/edit/" in section, "a returned registration can be edited from home"
    assert "导入" not in home[home.index('class="empty"'):], "no import hint for a user who cannot import"

    listed = provider_in(ProviderStatus.LISTED)
    home = signed_in(people["owner"]).get("/").content.decode()
    assert listed.name in home and "已列入服务商名录" in home and f"/providers/{listed.pk}/edit/" not in home
    for who in ("province", "enterprise"):
        assert 'data-testid="my-provider"' not in signed_in(people[who]).get("/").content.decode()
    region = signed_in(people["owner"]).get("/regions/330000/")
    assert region.status_code != 200 or 'data-testid="my-provider"' not in region.content.decode()
