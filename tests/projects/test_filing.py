"""Filing under the negative list and the commitment (SPEC §5, issue 13): the decisions, the version they
keep, and a prohibited filing that stores nothing but its audit entry."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.http import Http404

from tests.projects.conftest import filing
from zhigai.core.errors import InvalidInput, PermissionDenied
from zhigai.core.models import AuditLog, Role
from zhigai.projects import services
from zhigai.projects.models import NegativeListVersion, Project, ProjectEvent, ProjectState
from zhigai.projects.negative_list import negative_list_check, negative_list_publish, version_current

pytestmark = pytest.mark.django_db


def test_a_signed_project_off_the_list_is_filed_at_once(file_project: Any, firm_user: Any) -> None:
    p = file_project()
    assert p.state == ProjectState.FILED
    assert p.decision["negative_list_entry"] is None and p.decision["version"] == "2020-1"
    assert p.negative_list == version_current()
    assert (p.commitment_name, p.commitment_version) == ("张三", "2020-1") and p.commitment_signed is not None
    assert p.land_independent and not p.land_held
    assert p.investment_total == Decimal("1600000.50")
    assert [e.kind for e in p.equipment.all()] == ["robot", "robot"]
    event = ProjectEvent.objects.get(subject=p)
    assert (event.transition, event.target, event.by) == ("file", "filed", firm_user)
    assert AuditLog.objects.filter(entity="project", entity_id=str(p.pk), action="create").exists()


def test_an_unsigned_project_goes_under_review(file_project: Any) -> None:
    p = file_project(commitment={"signed": False, "name": ""})
    assert p.state == ProjectState.UNDER_REVIEW
    assert p.commitment_signed is None and p.commitment_name == ""


def test_a_signed_commitment_needs_the_typed_name(file_project: Any) -> None:
    with pytest.raises(InvalidInput) as err:
        file_project(commitment={"signed": True, "name": " \u200b "})
    assert [d["field"] for d in err.value.details] == ["commitment.name"]


@pytest.mark.parametrize("text", ["新建高炉一座，新增炼钢产能", "Build a NEW BLAST FURNACE", "新增水泥熟料产能",
                                  "new float glass line", "新建电解铝项目", "new coke oven battery"])
def test_new_capacity_in_the_five_industries_is_refused_and_nothing_stored(
        file_project: Any, firm: Any, text: str) -> None:
    before = Project.objects.count()
    with pytest.raises(services.ProjectRefused) as err:
        file_project(description=text)
    decision = err.value.decision
    assert decision["category"] == "prohibited" and decision["negative_list_entry"]["code"].startswith("P-")
    assert decision["negative_list_entry"]["version"] == "2020-1"
    assert Project.objects.count() == before
    audit = AuditLog.objects.get(entity="project_filing", action="refuse")
    assert audit.entity_id == firm.uscc and audit.after["decision"] == decision


def test_a_keyword_in_an_equipment_type_counts(file_project: Any) -> None:
    lines = [{"kind": "other", "type": "燃煤锅炉改造", "origin": "domestic", "count": 1, "unit_price": "80000"}]
    p = file_project(equipment=lines, investment={"equipment": "80000"})
    assert p.state == ProjectState.UNDER_REVIEW
    assert p.decision["negative_list_entry"]["code"] == "R-04"
    assert p.decision["negative_list_entry"]["matched"]["keyword"] == "燃煤锅炉"


def test_an_industry_prefix_makes_a_project_restricted(make_enterprise: Any, make_user: Any) -> None:
    steel = make_enterprise(industry="31")
    user = make_user(Role.ENTERPRISE, enterprise=steel)
    p = services.project_file(by=user, data=filing(steel))
    assert p.state == ProjectState.UNDER_REVIEW
    entry = p.decision["negative_list_entry"]
    assert (entry["code"], entry["category"], entry["matched"]["industry"]) == ("R-01", "restricted", "31")


def test_prohibited_entries_come_before_restricted_ones() -> None:
    check = negative_list_check(industry_code="31", texts=["新增炼钢产能 20 万吨"])
    assert check.entry is not None and check.entry.code == "P-01"
    english = negative_list_check(industry_code="34", texts=["Electroplating line upgrade"])
    assert english.entry is not None and english.entry.code == "R-05"
    assert negative_list_check(industry_code="34", texts=["机器人焊接"]).entry is None


@pytest.mark.parametrize(("text", "code"), [("电解铝扩建项目", "P-04"), ("扩建电解铝 10 万吨", "P-04"),
                                            ("焦炉新建工程", "P-05"), ("高炉扩建", "P-01"), ("浮法玻璃扩建", "P-03")])
def test_a_prohibited_phrase_is_found_in_either_order(text: str, code: str) -> None:
    check = negative_list_check(industry_code="34", texts=[text])
    assert check.entry is not None and check.entry.code == code


def test_reform_inside_a_listed_trade_is_not_prohibited() -> None:
    check = negative_list_check(industry_code="34", texts=["电解铝车间机器人换人改造", "焦炉烟气在线监测改造"])
    assert check.entry is None or check.entry.category != "prohibited"


def test_a_new_version_decides_new_filings_and_old_ones_keep_theirs(file_project: Any, province_user: Any) -> None:
    before = file_project(title="注塑车间自动化")
    negative_list_publish(by=province_user, version="2026-1", note="新增注塑限制", entries=[
        {"code": "R-09", "category": "restricted", "name_zh": "注塑", "name_en": "Injection moulding",
         "keywords_zh": ["注塑"], "keywords_en": ["injection moulding"]}])
    after = file_project(title="注塑车间自动化二期")
    assert after.state == ProjectState.UNDER_REVIEW
    assert after.decision["negative_list_entry"]["version"] == "2026-1"
    before.refresh_from_db()
    assert before.decision["version"] == "2020-1" and before.negative_list.version == "2020-1"
    assert AuditLog.objects.filter(entity="negative_list", action="publish").count() == 1


def test_publishing_is_validated_and_stores_nothing_when_wrong(province_user: Any, city_officer: Any) -> None:
    with pytest.raises(PermissionDenied):
        negative_list_publish(by=city_officer, version="x", entries=[])
    with pytest.raises(InvalidInput) as err:
        negative_list_publish(by=province_user, version="2020-1", entries=(
            "- {code: A, category: banned, name_zh: 甲, name_en: A}\n- {code: A, category: restricted, name_zh: 乙,"
            " name_en: B, industries: [x1]}\n"))
    fields = {d["field"] for d in err.value.details}
    assert {"version", "entries[0].category", "entries[0]", "entries[1].code", "entries[1].industries"} <= fields
    with pytest.raises(InvalidInput):
        negative_list_publish(by=province_user, version="v2", entries="- [unclosed")
    assert NegativeListVersion.objects.count() == 1


@pytest.mark.parametrize(("changes", "fields"), [
    ({"end": "2026-01-01"}, ["end"]),
    ({"start": "2026-02-30"}, ["start"]),
    ({"investment": {"equipment": "-1"}}, ["investment.equipment"]),
    ({"investment": {"equipment": "90000000000000000"}}, ["investment.equipment"]),
    ({"investment": {"equipment": "1.001"}}, ["investment.equipment"]),
    ({"title": "bad\x00title"}, ["title"]),
    ({"land_mu": "-3"}, ["land_mu"]),
    ({"expected": {"positions_saved": "1e400"}}, ["expected.positions_saved"]),
    ({"equipment": [{"kind": "tank", "type": "", "origin": "mars", "count": 0, "unit_price": "0"}]},
     ["equipment[0].type", "equipment[0].unit_price", "equipment[0].kind", "equipment[0].origin",
      "equipment[0].count"]),
])
def test_bad_input_names_its_fields_and_stores_nothing(file_project: Any, changes: dict[str, Any],
                                                        fields: list[str]) -> None:
    with pytest.raises(InvalidInput) as err:
        file_project(**changes)
    assert sorted(d["field"] for d in err.value.details) == sorted(fields)
    assert not Project.objects.exists()


def test_only_the_enterprise_files_and_another_tenant_is_404(firm: Any, make_user: Any, make_enterprise: Any,
                                                             city_officer: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.project_file(by=city_officer, data=filing(firm))
    other = make_user(Role.ENTERPRISE, enterprise=make_enterprise())
    with pytest.raises(Http404):
        services.project_file(by=other, data=filing(firm))
    assert not Project.objects.exists()
