"""What waits for each user, computed from the engagements (core.inbox.waiting_register): requests to
answer, plans to approve, work to accept, overdue items; counted in the header, listed on the inbox page."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from zhigai.core.inbox import waiting_list
from zhigai.market.models import Engagement

pytestmark = pytest.mark.django_db


def _items(user: Any) -> dict[str, int]:
    return {str(i.label): i.count for i in waiting_list(user=user)}


def test_each_party_is_told_what_is_its_turn(parties: dict[str, Any], engagement_in: Callable[[str], Any]) -> None:
    for state in ("requested", "requested", "plan_review", "acceptance", "closed"):
        engagement_in(state)
    users = parties["users"]
    assert _items(users["provider"]) == {"待响应的服务申请": 2}
    assert _items(users["colleague"]) == {"待响应的服务申请": 2}
    assert _items(users["owner"]) == {"待确认的改造方案": 1, "待验收的项目": 1}
    for who in ("other_provider", "other_owner", "ningbo", "expert", "hangzhou"):
        assert _items(users[who]) == {}, who


def test_overdue_work_waits_for_the_provider_and_the_officer(parties: dict[str, Any],
                                                            engagement_in: Callable[[str], Any]) -> None:
    e = engagement_in("research")
    Engagement.objects.filter(pk=e.pk).update(due=datetime.date(2021, 3, 1))
    users = parties["users"]
    assert _items(users["provider"]) == {"待提交诊断报告": 1, "已逾期的服务": 1}
    assert _items(users["hangzhou"]) == {"已逾期的服务": 1}
    assert _items(users["ningbo"]) == {}


def test_the_count_is_in_the_header_and_the_items_on_the_inbox_page(
        parties: dict[str, Any], engagement_in: Callable[[str], Any], django_assert_max_num_queries: Any) -> None:
    engagement_in("requested")
    client = Client()
    client.force_login(parties["users"]["provider"])
    page = client.get("/inbox/").content.decode()
    assert 'data-testid="waiting-badge"' in page and '<span class="pill">1</span>' in page
    assert "待响应的服务申请" in page and "/market/engagements/?state=requested" in page
    from zhigai.market.selectors_engagement import _waiting_counts

    with django_assert_max_num_queries(3):  # membership, counts by state, overdue (then kept: cached_figures)
        _waiting_counts(parties["users"]["provider"])
