"""The enterprise list's name search: every word, in any order (both databases)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from zhigai.base.models import Enterprise
from zhigai.base.selectors import EnterpriseFilters, enterprise_list
from zhigai.core.models import User

NAMES = [
    "三门万通新机械有限公司", "万通纺织有限公司", "杭州机械厂",
    "通万机械公司", "Wantong Machinery Co.", "百分_之%百公司",
]


@pytest.fixture
def firms(make_enterprise: Callable[..., Enterprise]) -> None:
    for name in NAMES:
        make_enterprise(name=name)


@pytest.mark.parametrize(("q", "expected"), [
    ("万通", {"三门万通新机械有限公司", "万通纺织有限公司"}),
    ("万通 机械", {"三门万通新机械有限公司"}),
    ("万通机械", {"三门万通新机械有限公司"}),
    ("机械 万通", {"三门万通新机械有限公司"}),
    ("  万通　机械 ", {"三门万通新机械有限公司"}),  # a fullwidth space between words too
    ("机械万通", set()),  # the characters of one word keep their order
    ("machinery WANTONG", {"Wantong Machinery Co."}),
    ("_", {"百分_之%百公司"}),  # LIKE's wildcards are matched as themselves
    ("%百", {"百分_之%百公司"}),
    ("分%", {"百分_之%百公司"}),
])
def test_words_in_any_order(firms: None, province_user: User, q: str, expected: set[str]) -> None:
    found = set(enterprise_list(user=province_user, filters=EnterpriseFilters(q=q)).values_list("name", flat=True))
    assert found == expected


def test_list_page_finds_words(client: Any, firms: None, province_user: User) -> None:
    client.force_login(province_user)
    page = client.get("/enterprises/", {"q": "万通 机械"}).content.decode()
    assert "三门万通新机械有限公司" in page and "万通纺织有限公司" not in page
