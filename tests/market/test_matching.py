"""The matching on constructed cases (issue 12): fit ranks first, full ranks down, hard filters exclude,
conflicts are flagged or excluded as the rules say, weights change the order, reasons name the top parts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from tests.market.matching_world import diagnosis, engage, level_one_gaps, member, provider
from zhigai.core.models import Role
from zhigai.diagnosis.models import Assignment, Kind
from zhigai.market import matching
from zhigai.market.matching import MatchFilters, match_enterprise
from zhigai.market.matching_data import PARTS, Rules, default_rules, need_from_gaps, requirement_technologies
from zhigai.market.models import ProviderStatus

pytestmark = pytest.mark.django_db


def only(**weights: float) -> Rules:
    """The default rules with these weights alone (the others zero)."""
    base = default_rules()
    return Rules({p: Decimal(str(weights.get(p, 0))) for p in PARTS}, base.conflict_allowed, None, base.scales)


def names(found: matching.Matching) -> list[str]:
    return [m.provider.name for m in found.matches]


@pytest.fixture
def enterprise(make_enterprise: Any) -> Any:
    return make_enterprise(county="330102", industry="34", name="杭州机械")


def test_the_provider_whose_technologies_close_the_gaps_ranks_first(enterprise: Any) -> None:
    level_one_gaps(enterprise)  # needs CNC and automated lines
    provider("乙 ERP 服务商", technologies=["erp"])
    provider("甲 数控服务商", technologies=["cnc", "auto-line"])
    found = match_enterprise(enterprise)
    assert found.need.source == "diagnosis"
    assert names(found) == ["甲 数控服务商", "乙 ERP 服务商"]
    best, other = found.matches
    assert best.values["technology"] == 1.0 and other.values["technology"] == 0.0
    assert best.score > other.score
    assert abs(sum(best.parts.values()) - best.score) < 1e-3, "the parts are the score's shares"
    assert "数控化改造" in best.reason and "自动化生产线" in best.reason
    assert "不提供所需的技术" in other.reason


def test_the_gaps_weigh_by_what_is_missing_and_map_through_the_data_file(enterprise: Any) -> None:
    a = diagnosis(enterprise, answers={"EQ-1a": "none", "DA-1a": "started"})
    need = need_from_gaps(a)
    assert set(need.technologies) == {"cnc", "auto-line", "erp"}
    assert abs(sum(need.technologies.values()) - 1) < 1e-9
    spec = a.model.spec
    assert requirement_technologies(spec, spec.requirement("PE-1a")) == [], "skills: no technology closes it"
    assert requirement_technologies(spec, spec.requirement("EQ-2b")) == ["robot"]


def test_without_a_diagnosis_the_fit_comes_from_stage_and_industry_and_the_reason_says_so(enterprise: Any) -> None:
    provider("机器人公司", technologies=["robot"])
    provider("云服务公司", technologies=["cloud"])
    found = match_enterprise(enterprise)
    assert found.need.source == "profile"
    assert names(found)[0] == "机器人公司"
    assert all("尚无诊断" in m.reason and "机械化" in m.reason for m in found.matches)


def test_a_full_provider_is_shown_ranked_down_and_flagged(enterprise: Any, make_enterprise: Any) -> None:
    level_one_gaps(enterprise)
    busy = provider("甲 满负荷", technologies=["cnc", "auto-line"], capacity=2)
    provider("乙 有空", technologies=["cnc"])
    engage(busy, make_enterprise(), "implementation", n=1)
    engage(busy, make_enterprise(), "requested", n=1)
    engage(busy, make_enterprise(), "closed", n=3)  # closed ones take no capacity
    found = match_enterprise(enterprise)
    assert names(found) == ["乙 有空", "甲 满负荷"]
    full = found.matches[1]
    assert full.flags == ["full"] and full.values["capacity"] == 0.0 and full.candidate.free == 0
    assert "已满负荷" in full.reason
    assert found.matches[0].flags == []


@pytest.mark.parametrize("case", ["listed", "region", "industry"])
def test_each_hard_filter_excludes_and_says_which(enterprise: Any, case: str) -> None:
    provider("合格服务商")
    bad = {"listed": dict(status=ProviderStatus.SUBMITTED), "region": dict(regions=["330200"], home="330203"),
           "industry": dict(industries=["17"])}[case]
    left_out = provider("不合格服务商", **bad)
    found = match_enterprise(enterprise)
    assert names(found) == ["合格服务商"]
    excluded = {x.code: x for x in found.pool.excluded}
    assert [p.pk for p in excluded[case].providers] == [left_out.pk]
    assert all(not x.providers for code, x in excluded.items() if code != case)
    assert {"listed", "region", "industry", "conflict"} <= set(excluded), "hard filters are reported even if empty"
    assert found.pool.considered == 2


def test_a_provider_serving_the_city_or_the_province_covers_the_county(enterprise: Any) -> None:
    provider("本县", regions=["330102"], home="330102")
    provider("本市", regions=["330100"], home="330105")
    provider("全省", regions=["330000"], home="330203")
    provider("邻县", regions=["330105"], home="330105")
    found = match_enterprise(enterprise, rules=only(region=1))
    assert names(found) == ["本县", "本市", "全省"]
    assert [m.candidate.region_kind for m in found.matches] == ["home_county", "home_city", "province_wide"]


def test_the_industry_focus_of_a_steering_group_counts_and_experience_raises_it(
        enterprise: Any, make_enterprise: Any) -> None:
    group = provider("机械专家组", type="steering", industries=[], focus="34", regions=["330000"])
    company = provider("机械公司")
    seasoned = provider("老牌公司")
    for _ in range(3):
        engage(seasoned, make_enterprise(industry="34"), "closed")
    found = match_enterprise(enterprise, rules=only(industry=1))
    assert names(found) == ["老牌公司", "机械专家组", "机械公司"]
    assert {m.provider.pk: m.values["industry"] for m in found.matches} == {
        seasoned.pk: 1.0, group.pk: 0.7, company.pk: 0.4}
    assert "在本行业完成过 3 个项目" in found.matches[0].reason


def test_a_provider_that_diagnosed_the_enterprise_is_excluded_unless_the_rules_allow_it(
        enterprise: Any, make_user: Any) -> None:
    level_one_gaps(enterprise)
    engaged = provider("诊断过的公司", technologies=["cnc"])
    engage(engaged, enterprise, "plan_design")
    assigned = provider("专家所在的组", technologies=["cnc"], type="steering", focus="34")
    Assignment.objects.create(user=member(assigned, make_user(Role.EXPERT)), enterprise=enterprise)
    verified = provider("核验专家的组", technologies=["cnc"], type="steering", focus="34")
    diagnosis(enterprise, kind=Kind.EXPERT, by=member(verified, make_user(Role.EXPERT)))
    researching = provider("调研中的公司", technologies=["cnc"])
    engage(researching, enterprise, "research")  # not past the research: it has not diagnosed yet
    provider("无关公司", technologies=["cnc"])

    found = match_enterprise(enterprise)
    conflict = next(x for x in found.pool.excluded if x.code == "conflict")
    assert {p.name for p in conflict.providers} == {"诊断过的公司", "专家所在的组", "核验专家的组"}
    assert "不允许" in conflict.why
    assert sorted(names(found)) == ["无关公司", "调研中的公司"]

    allowed = default_rules()
    found = match_enterprise(enterprise, rules=Rules(allowed.weights, True, None, allowed.scales))
    flagged = {m.provider.name for m in found.matches if "conflict" in m.flags}
    assert flagged == {"诊断过的公司", "专家所在的组", "核验专家的组"}
    assert all("利益冲突" in m.reason for m in found.matches if "conflict" in m.flags)
    assert "conflict" not in {x.code for x in found.pool.excluded}


def test_weights_change_the_order(enterprise: Any) -> None:
    level_one_gaps(enterprise)
    provider("便宜但不对口", technologies=["erp"], price=1)
    provider("对口但较贵", technologies=["cnc", "auto-line"], price=3)
    assert names(match_enterprise(enterprise, rules=only(cost=1)))[0] == "便宜但不对口"
    assert names(match_enterprise(enterprise, rules=only(technology=1)))[0] == "对口但较贵"


def test_cost_effectiveness_is_the_measured_outcome_per_price_level_and_neutral_without_a_record(
        enterprise: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    measured = provider("有业绩", price=2)
    provider("无业绩", price=1)
    real = matching.track_records

    def records(ids: Any) -> dict[int, dict[str, Any]]:
        out = real(ids)
        out[measured.pk] = {**out[measured.pk], "enough": True, "outcome_score": 0.9}
        return out

    monkeypatch.setattr(matching, "track_records", records)
    found = match_enterprise(enterprise, rules=only(cost=1))
    by = {m.provider.name: m for m in found.matches}
    assert by["有业绩"].values["cost"] == 0.45 and by["有业绩"].candidate.measured
    assert by["无业绩"].values["cost"] == 0.5 and by["无业绩"].values["outcome"] == 0.5
    assert not by["无业绩"].candidate.measured
    assert "成效按中性值计" in by["无业绩"].reason


def test_the_reason_names_the_top_three_parts(enterprise: Any) -> None:
    provider("独家", technologies=["cnc", "robot"], capacity=4)
    m = match_enterprise(enterprise, rules=only(region=3, capacity=2, technology=1, cost=0.5)).matches[0]
    assert m.reason.startswith("主要理由：就在本县（市、区）；尚有 4 个项目的空余产能；提供所需的")
    assert "性价比" not in m.reason, "only the top three"


def test_the_type_and_technology_filters_narrow_the_list_and_say_so(enterprise: Any) -> None:
    provider("工程公司", technologies=["robot"])
    provider("装备商", technologies=["vision"], type="equipment")
    found = match_enterprise(enterprise, filters=MatchFilters(type="equipment"))
    assert names(found) == ["装备商"]
    typed = next(x for x in found.pool.excluded if x.code == "type")
    assert not typed.hard and [p.name for p in typed.providers] == ["工程公司"]
    assert names(match_enterprise(enterprise, filters=MatchFilters(technology="robot"))) == ["工程公司"]
    from zhigai.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        match_enterprise(enterprise, filters=MatchFilters(technology="teleport"))


def test_matching_takes_a_bounded_number_of_queries(enterprise: Any, django_assert_max_num_queries: Any,
                                                    make_enterprise: Any) -> None:
    level_one_gaps(enterprise)
    for n in range(110):
        p = provider(f"服务商{n:03d}", technologies=["cnc", "robot", "mes"][: 1 + n % 3], capacity=1 + n % 4,
                     regions=["330100" if n % 2 else "330000"], industries=["34", "38"])
        if n % 5 == 0:
            engage(p, make_enterprise(), "implementation")
    enterprise = type(enterprise).objects.select_related("region", "region__parent", "industry").get(pk=enterprise.pk)
    match_enterprise(enterprise)  # the region tree's cache filled
    # Rules, area versions, 1 + 3 provider queries, the diagnosing users, the conflicting engagements, two counts
    # of engagements, the track record, the latest diagnosis, the technologies' names: none per provider.
    with django_assert_max_num_queries(15):
        found = match_enterprise(enterprise)
    assert len(found.matches) == 110
