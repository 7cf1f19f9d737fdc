"""The matching's API, pages, rules page and the diagnosis result's suggestions (issue 12)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.market.matching_world import diagnosis, engage, level_one_gaps, provider
from zhigai.core.errors import InvalidInput, PermissionDenied
from zhigai.core.models import AuditLog, Role
from zhigai.market import matching
from zhigai.market.matching_data import rules_current
from zhigai.market.models import MatchPolicy, ProviderStatus
from zhigai.market.services_matching import match_policy_set

pytestmark = pytest.mark.django_db

WEIGHTS = {"technology": "1", "industry": "0", "region": "0", "capacity": "0", "outcome": "0", "cost": "0"}


@pytest.fixture
def world(make_enterprise: Any, make_user: Any) -> dict[str, Any]:
    e = make_enterprise(county="330102", industry="34", name="杭州机械")
    level_one_gaps(e)
    fit = provider("甲 数控服务商", technologies=["cnc", "auto-line"])
    other = provider("乙 ERP 服务商", technologies=["erp"])
    busy = provider("丙 满负荷", technologies=["cnc", "auto-line"], capacity=1)
    engage(busy, make_enterprise(), "implementation")
    provider("丁 未入库", status=ProviderStatus.SUBMITTED)
    provider("戊 宁波", regions=["330200"], home="330203")
    return {"e": e, "fit": fit, "other": other, "busy": busy,
            "owner": make_user(Role.ENTERPRISE, enterprise=e),
            "stranger": make_user(Role.ENTERPRISE, enterprise=make_enterprise()),
            "hangzhou": make_user(Role.CITY, region="330100"), "ningbo": make_user(Role.CITY, region="330200"),
            "industry": make_user(Role.INDUSTRY, industries=["34"]), "province": make_user(Role.PROVINCE,
                                                                                         region="330000")}


def test_the_api_answers_the_ranked_list_itself_best_first(world: dict[str, Any], api_client: Any) -> None:
    r = api_client(world["owner"]).get(f"/api/v1/enterprises/{world['e'].uscc}/matches")
    assert r.status_code == 200
    body = r.json()
    assert isinstance(body, list)
    assert [m["provider"] for m in body] == [world["fit"].pk, world["other"].pk, world["busy"].pk]
    first = body[0]
    assert set(first) >= {"provider", "score", "parts", "reason", "flags", "name", "type", "free_capacity"}
    assert set(first["parts"]) == {"technology", "industry", "region", "capacity", "outcome", "cost"}
    assert abs(sum(first["parts"].values()) - first["score"]) < 1e-3
    assert [m["score"] for m in body[:2]] == sorted([m["score"] for m in body[:2]], reverse=True)
    assert body[2]["flags"] == ["full"] and body[2]["free_capacity"] == 0
    assert first["reason"].startswith("主要理由")
    assert first["outcome_measured"] is False


def test_the_api_speaks_english_and_takes_filters(world: dict[str, Any], api_client: Any) -> None:
    client = api_client(world["hangzhou"])
    r = client.get(f"/api/v1/enterprises/{world['e'].uscc}/matches?technology=erp", HTTP_ACCEPT_LANGUAGE="en")
    assert [m["provider"] for m in r.json()] == [world["other"].pk]
    assert r.json()[0]["reason"].startswith("Main reasons")
    bad = client.get(f"/api/v1/enterprises/{world['e'].uscc}/matches?type=wizard")
    assert bad.status_code == 422 and bad.json()["details"][0]["field"] == "type"


@pytest.mark.parametrize("who", ["stranger", "ningbo", "industry"])
def test_others_get_404_for_the_matches(world: dict[str, Any], api_client: Any, client: Client, who: str) -> None:
    """Another tenant's enterprise, an officer of another region, an officer who sees the enterprise through
    its industry: all 404, as for a missing enterprise."""
    assert api_client(world[who]).get(f"/api/v1/enterprises/{world['e'].uscc}/matches").status_code == 404
    client.force_login(world[who])
    assert client.get(f"/market/match/{world['e'].uscc}/").status_code == 404


def test_the_page_shows_the_hard_filters_the_ranked_list_and_the_flags(world: dict[str, Any], client: Client) -> None:
    client.force_login(world["owner"])
    page = client.get(f"/market/match/{world['e'].uscc}/")
    assert page.status_code == 200
    html = page.content.decode()
    for code in ("listed", "region", "industry", "conflict"):
        assert f'data-testid="excluded-{code}"' in html
    assert "戊 宁波" in html, "the names of what the region filter left out, on demand"
    assert "丁 未入库" not in html, "an unlisted provider's name is the reviewers' business"
    assert html.index("甲 数控服务商") < html.index("乙 ERP 服务商") < html.index("丙 满负荷")
    assert 'data-flag="full"' in html and "主要理由" in html
    assert "score-bar" in html


def test_the_province_sees_the_unlisted_names_and_may_change_the_rules(world: dict[str, Any], client: Client) -> None:
    client.force_login(world["province"])
    html = client.get(f"/market/match/{world['e'].uscc}/").content.decode()
    assert "丁 未入库" in html and "/market/matching/policy/" in html


def test_a_bad_filter_on_the_page_is_dropped_and_said(world: dict[str, Any], client: Client) -> None:
    client.force_login(world["owner"])
    page = client.get(f"/market/match/{world['e'].uscc}/?technology=teleport")
    assert page.status_code == 200
    assert "没有这项技术" in page.content.decode()
    assert len(page.context["rows"]) == 3


def test_the_enterprise_page_home_and_directory_link_to_the_matching(world: dict[str, Any], client: Client) -> None:
    url = f"/market/match/{world['e'].uscc}/"
    client.force_login(world["owner"])
    home = client.get("/").content.decode()
    assert 'data-testid="home-matches"' in home and url in home and "甲 数控服务商" in home
    assert url in client.get("/providers/").content.decode()
    client.force_login(world["hangzhou"])
    assert url in client.get(f"/enterprises/{world['e'].uscc}/").content.decode()
    client.force_login(world["industry"])
    assert url not in client.get(f"/enterprises/{world['e'].uscc}/").content.decode()


def test_the_rules_are_the_defaults_until_an_officer_stores_some(world: dict[str, Any]) -> None:
    rules = rules_current()
    assert rules.policy is None and rules.weights["cost"] == Decimal("0.30") and not rules.conflict_allowed
    assert max(rules.weights, key=lambda k: rules.weights[k]) == "cost", "cost-effectiveness first"


@pytest.mark.parametrize("change, field", [
    ({"technology": "-1"}, "technology"), ({"region": "abc"}, "region"), ({"cost": "1.234"}, "cost"),
    ({"outcome": "１"}, "outcome"), ({"technology": "0"}, "weights"), ({"capacity": "1e3"}, "capacity"),
    ({"surprise": "1"}, "surprise"),
])
def test_the_rules_are_validated_and_a_refusal_stores_nothing(world: dict[str, Any], change: dict[str, str],
                                                              field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        match_policy_set(by=world["province"], weights={**WEIGHTS, **change}, conflict_allowed="no")
    assert field in {d["field"] for d in caught.value.details}
    assert not MatchPolicy.objects.exists()


def test_only_the_province_sets_the_rules(world: dict[str, Any], client: Client) -> None:
    with pytest.raises(PermissionDenied):
        match_policy_set(by=world["hangzhou"], weights=WEIGHTS, conflict_allowed="no")
    client.force_login(world["hangzhou"])
    assert client.get("/market/matching/policy/").status_code == 403
    assert client.post("/market/matching/policy/", {**WEIGHTS, "conflict_allowed": "yes"}).status_code == 403
    assert not MatchPolicy.objects.exists()


def test_the_rules_page_stores_audits_keeps_history_and_changes_the_order(world: dict[str, Any],
                                                                          client: Client) -> None:
    client.force_login(world["province"])
    assert client.get("/market/matching/policy/").status_code == 200
    bad = client.post("/market/matching/policy/", {**WEIGHTS, "technology": "-2", "conflict_allowed": "no"})
    assert bad.status_code == 422 and "-2" in bad.content.decode(), "what was typed stays in the form"
    assert not MatchPolicy.objects.exists()
    cheap_first = {**WEIGHTS, "technology": "0", "cost": "1"}
    provider("己 便宜", technologies=["erp"], price=1)
    r = client.post("/market/matching/policy/", {**cheap_first, "conflict_allowed": "yes", "note": "性价比优先"})
    assert r.status_code == 302
    row = MatchPolicy.objects.get()
    assert row.cost == Decimal("1.00") and row.conflict_allowed and row.by == world["province"]
    entry = AuditLog.objects.get(entity="match_policy")
    assert entry.before["cost"] == "0.30" and entry.after["cost"] == "1.00"
    assert entry.before["conflict_allowed"] is False and entry.after["conflict_allowed"] is True
    assert matching.enterprise_matches(user=world["owner"], uscc=world["e"].uscc).matches[0].provider.name == "己 便宜"
    match_policy_set(by=world["province"], weights=WEIGHTS, conflict_allowed=False)
    assert MatchPolicy.objects.count() == 2, "history kept"
    page = client.get("/market/matching/policy/").content.decode()
    assert "性价比优先" in page and 'data-testid="policy-history"' in page


def test_the_diagnosis_result_suggests_the_best_providers_for_each_gap_ranking_once(
        world: dict[str, Any], client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    a = diagnosis(world["e"], answers={"EQ-1a": "none", "EQ-1b": "none", "DA-1a": "none"})
    calls = []
    real = matching.provider_pool
    monkeypatch.setattr(matching, "provider_pool", lambda *args, **kw: calls.append(1) or real(*args, **kw))
    client.force_login(world["owner"])
    page = client.get(f"/assessments/{a.pk}/")
    assert page.status_code == 200
    assert len(calls) == 1, "one ranking for every gap of the page"
    gaps = {g.requirement.id: g for g in page.context["result"].gaps}
    assert [s.name for s in gaps["EQ-1a"].suggestions] == ["甲 数控服务商", "丙 满负荷"], "the full one last"
    assert [s.name for s in gaps["DA-1a"].suggestions] == ["乙 ERP 服务商"]
    suggestion = gaps["EQ-1a"].suggestions[0]
    assert suggestion.url == f"/providers/{world['fit'].pk}/" and suggestion.note.startswith("提供")
    assert "已满负荷" in gaps["EQ-1a"].suggestions[1].note
    html = page.content.decode()
    assert 'data-testid="gap-suggestions"' in html and "甲 数控服务商" in html
