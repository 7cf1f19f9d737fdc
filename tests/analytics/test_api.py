"""GET /api/v1/figures: the contract later checks use (codes, fields, units, status codes)."""

from __future__ import annotations

from typing import Any

import pytest

from zhigai.core.models import Role

from .test_figures import world  # noqa: F401  (the hand-built enterprises)

pytestmark = pytest.mark.django_db

CODES = {"labor_productivity", "labor_productivity_growth", "profit", "profit_growth", "labor_cost_saved",
         "employment_gap_share", "tech_investment", "tech_investment_growth", "tech_investment_share",
         "added_value_growth", "added_value_share", "robot_density"}
TAGS = {"equipment", "hightech", "strategic", "traditional"}


def test_every_code_by_year_with_its_fields(world: Any, province_user: Any, api_client: Any) -> None:  # noqa: F811
    response = api_client(province_user).get("/api/v1/figures?year_from=2015&year_to=2016")
    assert response.status_code == 200
    items = response.json()
    assert {i["code"] for i in items} == CODES
    for item in items:
        assert {"code", "name", "year", "value", "unit", "definition", "tag", "real_value", "reference"} <= set(item)
        assert item["year"] in (2015, 2016)
        assert (item["tag"] in TAGS) == (item["code"] in ("added_value_growth", "added_value_share"))
    per_tag = [(i["code"], i["tag"], i["year"]) for i in items if i["tag"]]
    assert len(per_tag) == len(set(per_tag)) == 2 * 4 * 2  # once per tag and year
    by = {(i["code"], i["tag"], i["year"]): i for i in items}
    profit = by["profit", None, 2016]
    assert profit["value"] == "8500000.00" and profit["unit"] == "yuan"  # money: a decimal string, yuan
    growth = by["profit_growth", None, 2016]
    assert growth["value"] == pytest.approx(0.5) and growth["unit"] == "%"  # a fraction: 0.5 = 50 %
    assert growth["reference"] == pytest.approx(0.085) and growth["real_value"] is not None
    assert by["profit_growth", None, 2015]["value"] is None  # nothing to compare with: null, not 0
    assert by["labor_productivity", None, 2016]["unit"] == "yuan/person"
    assert by["robot_density", None, 2016]["value"] == pytest.approx(2000)
    assert by["added_value_share", "equipment", 2016]["value"] == pytest.approx(32 / 37)


def test_a_city_officer_gets_its_region_and_422_for_another(world: Any, make_user: Any,  # noqa: F811
                                                          api_client: Any) -> None:
    client = api_client(make_user(Role.CITY, region="330100"))
    items = client.get("/api/v1/figures?year_from=2016&year_to=2016").json()
    assert next(i for i in items if i["code"] == "profit")["value"] == "4500000.00"  # Hangzhou's only
    refused = client.get("/api/v1/figures?region=330200")
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "invalid" and body["details"][0]["field"] == "region"


@pytest.mark.parametrize("query, field", [
    ("region=999999", "region"), ("industry=99", "industry"), ("tag=nope", "tag"), ("size=huge", "size"),
    ("year_from=2017&year_to=2016", "year_from"), ("year_from=abc", "year_from"),
])
def test_bad_filters_answer_422(province_user: Any, api_client: Any, query: str, field: str) -> None:
    response = api_client(province_user).get(f"/api/v1/figures?{query}")
    assert response.status_code == 422
    assert set(response.json()) == {"code", "message", "details"}
    assert response.json()["details"][0]["field"] == field


def test_unauthenticated_401_and_enterprise_user_403(client: Any, make_user: Any, make_enterprise: Any,
                                                     api_client: Any) -> None:
    assert client.get("/api/v1/figures").status_code == 401
    own = make_user(Role.ENTERPRISE, enterprise=make_enterprise())
    assert api_client(own).get("/api/v1/figures").status_code == 403


def test_no_data_gives_an_empty_list(province_user: Any, api_client: Any) -> None:
    assert api_client(province_user).get("/api/v1/figures").json() == []
