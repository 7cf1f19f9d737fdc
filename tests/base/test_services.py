"""Writes to the base data: who may change what, refusals that change nothing, and the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import new_uscc
from zhigai.base.models import Enterprise, Indicator
from zhigai.base.services import enterprise_create, enterprise_update, indicator_put
from zhigai.core.errors import InvalidInput, PermissionDenied
from zhigai.core.models import AuditLog, Role, User

Make = Callable[..., Any]


def good(**over: Any) -> dict[str, Any]:
    return {"uscc": new_uscc(), "name": "杭州智造装备有限公司", "region": "330102", "industry": "34", **over}


def refused(call: Callable[..., Any], **kwargs: Any) -> dict[str, str]:
    """Call a service that must refuse the input; return {field: message} and check nothing was written."""
    before = (Enterprise.objects.count(), Indicator.objects.count(), AuditLog.objects.count(),
              sorted(Enterprise.objects.values_list("uscc", "name", "region_id", "industry_id", "stage")),
              sorted(Indicator.objects.values_list("enterprise_id", "year", "month", "revenue", "employees")))
    with pytest.raises(InvalidInput) as info:
        call(**kwargs)
    after = (Enterprise.objects.count(), Indicator.objects.count(), AuditLog.objects.count(),
             sorted(Enterprise.objects.values_list("uscc", "name", "region_id", "industry_id", "stage")),
             sorted(Indicator.objects.values_list("enterprise_id", "year", "month", "revenue", "employees")))
    assert after == before
    assert info.value.status == 422 and info.value.code == "invalid"
    details = {d["field"]: d["message"] for d in info.value.details}
    for field in details:
        assert field in info.value.message  # the sentence names the field too
    return details


def forbidden(call: Callable[..., Any], **kwargs: Any) -> None:
    before = (sorted(Enterprise.objects.values_list("uscc", "name", "region_id", "founded_year", "stage")),
              Indicator.objects.count(), AuditLog.objects.count())
    with pytest.raises(PermissionDenied):
        call(**kwargs)
    assert (sorted(Enterprise.objects.values_list("uscc", "name", "region_id", "founded_year", "stage")),
            Indicator.objects.count(), AuditLog.objects.count()) == before


def last_audit() -> AuditLog:
    return AuditLog.objects.order_by("-id").first()


# --- enterprise_create -------------------------------------------------------------------------------


def test_create_normalises_and_records_who_and_what(hangzhou_user: User) -> None:
    code = new_uscc("330109")
    enterprise = enterprise_create(by=hangzhou_user, data=good(
        uscc=f"  {code.lower()} ", name="  萧山化纤一厂 ", region="330109", founded_year="2008",
        stage="数字化", tags="equipment; traditional", cluster="xiaoshan-chemical-fibre"))
    enterprise.refresh_from_db()
    assert (enterprise.uscc, enterprise.name, enterprise.region.code, enterprise.industry.code) == (
        code, "萧山化纤一厂", "330109", "34")
    assert (enterprise.founded_year, enterprise.stage, enterprise.cluster.code) == (
        2008, "digitization", "xiaoshan-chemical-fibre")
    assert sorted(enterprise.tags.values_list("code", flat=True)) == ["equipment", "traditional"]
    assert (enterprise.size_class, enterprise.above_designated_size) == ("micro", False)
    entry = last_audit()
    assert (entry.actor, entry.action, entry.entity, entry.entity_id) == (hangzhou_user, "create", "enterprise", code)
    assert entry.before is None
    assert entry.after["name"] == "萧山化纤一厂" and entry.after["region"] == enterprise.region.code
    assert entry.after["tags"] == ["equipment", "traditional"]


def test_create_without_stage_starts_at_mechanization(hangzhou_user: User) -> None:
    assert enterprise_create(by=hangzhou_user, data=good()).stage == "mechanization"


CREATE_CASES = {
    "wrong check character": ({"uscc": "91330102MA2H3B4C50"}, "uscc", "校验位"),
    "short code": ({"uscc": "9133010"}, "uscc", "实际为7位"),
    "forbidden letter": ({"uscc": "9133010IMA2H3B4C50"}, "uscc", "第8位"),
    "blank name": ({"name": "  "}, "name", "必填"),
    "name too long": ({"name": "厂" * 201}, "name", "200"),
    "unknown county": ({"region": "339999"}, "region", "339999"),
    "county of another city": ({"region": "330203"}, "region", "不在您的管辖范围内"),
    "city instead of county": ({"region": "330100"}, "region", "330100"),
    "unknown industry": ({"industry": "44"}, "industry", "44"),
    "founded before 1900": ({"founded_year": 1899}, "founded_year", "1900"),
    "founded_year text": ({"founded_year": "old"}, "founded_year", "old"),
    "unknown stage": ({"stage": "robotic"}, "stage", "mechanization"),
    "unknown tag": ({"tags": "equipment;space"}, "tags", "space"),
    "unknown cluster": ({"cluster": "atlantis"}, "cluster", "atlantis"),
}


@pytest.mark.parametrize("case", list(CREATE_CASES))
def test_create_refuses_bad_input_and_writes_nothing(case: str, hangzhou_user: User) -> None:
    over, field, fragment = CREATE_CASES[case]
    details = refused(enterprise_create, by=hangzhou_user, data=good(**over))
    assert list(details) == [field]
    assert fragment in details[field]


@pytest.mark.parametrize("missing", ["name", "region", "industry"])
def test_create_requires_name_region_industry(missing: str, hangzhou_user: User) -> None:
    data = good()
    del data[missing]
    assert refused(enterprise_create, by=hangzhou_user, data=data) == {missing: "必填"}


def test_create_refuses_a_registered_code_and_reports_every_error(hangzhou_user: User,
                                                                  make_enterprise: Make) -> None:
    existing = make_enterprise()
    details = refused(enterprise_create, by=hangzhou_user,
                      data=good(uscc=existing.uscc.lower(), industry="99", founded_year=3000))
    assert set(details) == {"uscc", "industry", "founded_year"}
    assert "已登记" in details["uscc"]


def test_city_officer_creates_only_in_own_city(hangzhou_user: User, ningbo_user: User,
                                                province_user: User) -> None:
    assert "不在您的管辖范围内" in refused(enterprise_create, by=ningbo_user, data=good(region="330106"))["region"]
    assert enterprise_create(by=ningbo_user, data=good(region="330203")).region.code == "330203"
    assert enterprise_create(by=hangzhou_user, data=good(region="330106")).region.code == "330106"
    assert enterprise_create(by=province_user, data=good(region="330203")).region.code == "330203"


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.INDUSTRY, Role.PROVIDER, Role.BANK, Role.EXPERT])
def test_other_roles_cannot_create(role: str, make_user: Make) -> None:
    forbidden(enterprise_create, by=make_user(role, industries=["34"]), data=good())


# --- enterprise_update -------------------------------------------------------------------------------


def test_update_records_only_what_changed(hangzhou_user: User, make_enterprise: Make) -> None:
    enterprise = make_enterprise(name="旧名", founded_year=2001)
    enterprise_update(by=hangzhou_user, enterprise=enterprise, data={
        "uscc": enterprise.uscc.lower(), "name": "新名", "founded_year": 2001, "stage": "networking",
        "tags": "hightech", "region": "330106"})
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.stage, enterprise.region.code) == ("新名", "networking", "330106")
    entry = last_audit()
    assert (entry.actor, entry.action, entry.entity, entry.entity_id) == (
        hangzhou_user, "update", "enterprise", enterprise.uscc)
    # Audits read like the input: region, industry, cluster and tags by their codes, not database ids.
    assert entry.before == {"name": "旧名", "stage": "mechanization", "tags": [], "region": "330102"}
    assert entry.after == {"name": "新名", "stage": "networking", "tags": ["hightech"], "region": "330106"}


def test_update_without_change_writes_no_audit(hangzhou_user: User, make_enterprise: Make) -> None:
    enterprise = make_enterprise(name="不变")
    before = AuditLog.objects.count()
    enterprise_update(by=hangzhou_user, enterprise=enterprise, data={"name": " 不变 ", "region": "330102"})
    assert AuditLog.objects.count() == before


@pytest.mark.parametrize(("data", "field"), [
    ({"name": "好名字", "industry": "99"}, "industry"),
    ({"name": "好名字", "region": "330203"}, "region"),  # cannot move it out of the officer's city
    ({"name": ""}, "name"),
    ({"founded_year": "2100"}, "founded_year"),
    ({"stage": "magic"}, "stage"),
    ({"uscc": "91330102MA2H3B4C50"}, "uscc"),
])
def test_update_refuses_bad_input_and_changes_nothing(data: dict[str, Any], field: str, hangzhou_user: User,
                                                      make_enterprise: Make) -> None:
    enterprise = make_enterprise(name="原名")
    assert field in refused(enterprise_update, by=hangzhou_user, enterprise=enterprise, data=data)
    enterprise.refresh_from_db()
    assert enterprise.name == "原名"


def test_code_cannot_be_changed(hangzhou_user: User, make_enterprise: Make) -> None:
    enterprise = make_enterprise()
    details = refused(enterprise_update, by=hangzhou_user, enterprise=enterprise, data={"uscc": new_uscc()})
    assert "不能修改" in details["uscc"]


@pytest.fixture
def own(make_enterprise: Make, make_user: Make) -> tuple[User, Enterprise]:
    enterprise = make_enterprise(name="自家企业", founded_year=1999)
    return make_user(Role.ENTERPRISE, enterprise=enterprise), enterprise


def test_enterprise_user_changes_name_and_founded_year(own: tuple[User, Enterprise]) -> None:
    user, enterprise = own
    enterprise_update(by=user, enterprise=enterprise, data={"name": "自家新名", "founded_year": 2000})
    enterprise.refresh_from_db()
    assert (enterprise.name, enterprise.founded_year) == ("自家新名", 2000)
    entry = last_audit()
    assert (entry.actor, entry.before, entry.after) == (
        user, {"name": "自家企业", "founded_year": 1999}, {"name": "自家新名", "founded_year": 2000})


@pytest.mark.parametrize("data", [
    {"region": "330106"}, {"industry": "35"}, {"stage": "intelligentization"}, {"tags": "hightech"},
    {"cluster": "fuyang-paper"}, {"name": "新名", "stage": "automation"},
])
def test_enterprise_user_cannot_change_other_fields(data: dict[str, Any], own: tuple[User, Enterprise]) -> None:
    user, enterprise = own
    forbidden(enterprise_update, by=user, enterprise=enterprise, data=data)


def test_enterprise_user_cannot_change_another_enterprise(own: tuple[User, Enterprise],
                                                          make_enterprise: Make, make_user: Make) -> None:
    user, _mine = own
    forbidden(enterprise_update, by=user, enterprise=make_enterprise(), data={"name": "抢来的"})
    industry_officer = make_user(Role.INDUSTRY, industries=["34"])
    forbidden(enterprise_update, by=industry_officer, enterprise=make_enterprise(), data={"name": "x"})


# --- indicator_put ---------------------------------------------------------------------------------

FIGURES = {"revenue": Decimal("25000000.00"), "output_value": Decimal("30000000.00"), "profit": Decimal("-15.50"),
           "employees": 320, "frontline_employees": 200, "defect_rate": 0.02, "cloud_level": 2}


def indicator_audits(enterprise: Enterprise) -> list[AuditLog]:
    return list(AuditLog.objects.filter(entity="indicator", entity_id__startswith=enterprise.uscc).order_by("id"))


def test_put_creates_then_replaces_with_audit(hangzhou_user: User, make_enterprise: Make) -> None:
    enterprise = make_enterprise()
    row = indicator_put(by=hangzhou_user, enterprise=enterprise, year=2020, data=FIGURES)
    row.refresh_from_db()
    assert {k: getattr(row, k) for k in FIGURES} == FIGURES
    (created,) = indicator_audits(enterprise)
    assert (created.actor, created.action, created.entity_id) == (hangzhou_user, "create", f"{enterprise.uscc}/2020/0")
    assert created.before is None
    assert created.after["revenue"] == "25000000.00" and created.after["employees"] == 320
    # PUT sets the period to exactly the data given: what is left out becomes empty.
    indicator_put(by=hangzhou_user, enterprise=enterprise, year="2020", month="0",
                  data={"revenue": Decimal("26000000"), "employees": 320})
    row.refresh_from_db()
    assert (row.revenue, row.employees, row.output_value, row.profit, row.cloud_level) == (
        Decimal("26000000.00"), 320, None, None, None)
    _created, updated = indicator_audits(enterprise)
    assert (updated.action, updated.actor) == ("update", hangzhou_user)
    assert updated.before == {"revenue": "25000000.00", "output_value": "30000000.00", "profit": "-15.50",
                              "frontline_employees": 200, "defect_rate": 0.02, "cloud_level": 2}
    assert updated.after == {"revenue": "26000000.00", "output_value": None, "profit": None,
                             "frontline_employees": None, "defect_rate": None, "cloud_level": None}
    assert Indicator.objects.filter(enterprise=enterprise).count() == 1


def test_put_of_the_same_figures_writes_no_audit(hangzhou_user: User, make_enterprise: Make) -> None:
    enterprise = make_enterprise()
    for _ in range(2):
        indicator_put(by=hangzhou_user, enterprise=enterprise, year=2020, month=3, data=FIGURES)
    assert len(indicator_audits(enterprise)) == 1


def test_put_of_the_same_figures_as_text_writes_no_audit(hangzhou_user: User, make_enterprise: Make) -> None:
    enterprise = make_enterprise()
    for _ in range(2):
        indicator_put(by=hangzhou_user, enterprise=enterprise, year=2020, data={"revenue": "25000000"})
    (created,) = indicator_audits(enterprise)
    assert created.after == {"revenue": "25000000.00"}  # as stored, to the cent


PUT_CASES = [
    ({"revenue": "两千万"}, 2020, 0, "revenue"),
    ({"revenue": "1.234"}, 2020, 0, "revenue"),
    ({"wage_bill": Decimal("-1")}, 2020, 0, "wage_bill"),
    ({"employees": -1}, 2020, 0, "employees"),
    ({"robots": 2.5}, 2020, 0, "robots"),
    ({"employees": 10, "frontline_employees": 11}, 2020, 0, "frontline_employees"),
    ({"industrial_investment": 10, "tech_investment": 11}, 2020, 0, "tech_investment"),
    ({"output_value": 10, "added_value": 11}, 2020, 0, "added_value"),
    ({"defect_rate": 1.5}, 2020, 0, "defect_rate"),
    ({"cloud_level": 4}, 2020, 0, "cloud_level"),
    ({"turnover": 1}, 2020, 0, "turnover"),
    ({}, 2020, 13, "month"),
    ({}, None, 0, "year"),
    ({}, 1948, 0, "year"),
]


@pytest.mark.parametrize(("data", "year", "month", "field"), PUT_CASES)
def test_put_refuses_bad_figures_and_keeps_the_old_ones(data: dict[str, Any], year: Any, month: Any, field: str,
                                                        hangzhou_user: User, make_enterprise: Make) -> None:
    enterprise = make_enterprise(employees=320, revenue="25000000", year=2020)
    details = refused(indicator_put, by=hangzhou_user, enterprise=enterprise, year=year, month=month,
                      data={"revenue": Decimal("1"), **data})
    assert list(details) == [field]
    enterprise.refresh_from_db()
    assert enterprise.size_class == "medium"


def test_enterprise_user_puts_own_indicators_only(own: tuple[User, Enterprise], make_enterprise: Make) -> None:
    user, enterprise = own
    indicator_put(by=user, enterprise=enterprise, year=2020, data={"employees": 1000, "revenue": "400000000"})
    enterprise.refresh_from_db()
    assert enterprise.size_class == "large"
    assert indicator_audits(enterprise)[-1].actor == user
    forbidden(indicator_put, by=user, enterprise=make_enterprise(), year=2020, data={"employees": 5})


@pytest.mark.parametrize("role", [Role.INDUSTRY, Role.PROVIDER, Role.BANK, Role.EXPERT])
def test_roles_without_write_access_cannot_put(role: str, make_user: Make, make_enterprise: Make) -> None:
    forbidden(indicator_put, by=make_user(role, industries=["34"]), enterprise=make_enterprise(), year=2020,
              data={"employees": 5})
