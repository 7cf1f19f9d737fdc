"""The JSON API contract for the base data (SPEC §2, §11): filters, paging, fields, writes, errors.

Every error is JSON {"code", "message", "details"}; a refused write changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.conftest import new_uscc
from zhigai.base.models import Enterprise, Indicator
from zhigai.base.uscc import ALPHABET
from zhigai.core.models import AuditLog

ITEM_FIELDS = {"uscc", "name", "region", "industry", "size_class", "above_designated_size", "stage",
               "founded_year", "cluster", "tags"}


@pytest.fixture
def officer(province_user: Any, api_client: Any) -> Client:
    return api_client(province_user)


@pytest.fixture
def firms(make_enterprise: Any) -> dict[str, Enterprise]:
    """Three enterprises differing in every filterable attribute."""
    return {
        "hz_large": make_enterprise(county="330102", industry="34", name="杭州精密机械有限公司",
                                    employees=1500, revenue="500000000", stage="automation"),
        "hz_micro": make_enterprise(county="330106", industry="17", name="杭州小纺织厂",
                                    employees=5, revenue="1000000"),
        "nb_small": make_enterprise(county="330203", industry="34", name="宁波精密轴承有限公司",
                                    employees=50, revenue="25000000", stage="digitization"),
    }


def send(client: Client, method: str, path: str, body: Any = None) -> Any:
    data = body if isinstance(body, str) else json.dumps(body if body is not None else {})
    return getattr(client, method)(path, data=data, content_type="application/json")


def assert_error(response: Any, status: int, field: str | None = None) -> dict:
    """A JSON error with the one shape; when `field` is given, the details name exactly that field."""
    assert response.status_code == status, response.content[:400]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] and body["message"]
    if field is not None:
        assert field in {d["field"] for d in body["details"]}, body
    return body


def listed(client: Client, **params: Any) -> set[str]:
    body = client.get("/api/v1/enterprises", params).json()
    assert body["count"] == len(body["items"]), "these lists fit on one page"
    return {item["name"] for item in body["items"]}


# --- list --------------------------------------------------------------------------------------------------

NAMES = {"hz_large": "杭州精密机械有限公司", "hz_micro": "杭州小纺织厂", "nb_small": "宁波精密轴承有限公司"}


@pytest.mark.parametrize(("params", "expected"), [
    ({}, {"hz_large", "hz_micro", "nb_small"}),
    ({"q": "精密"}, {"hz_large", "nb_small"}),
    ({"q": "纺织"}, {"hz_micro"}),
    ({"q": "没有这样的企业"}, set()),
    ({"region": "330000"}, {"hz_large", "hz_micro", "nb_small"}),
    ({"region": "330100"}, {"hz_large", "hz_micro"}),  # a city: all its counties
    ({"region": "330106"}, {"hz_micro"}),  # a county: only itself
    ({"region": "330200"}, {"nb_small"}),
    ({"region": "330300"}, set()),
    ({"industry": "34"}, {"hz_large", "nb_small"}),
    ({"industry": "17"}, {"hz_micro"}),
    ({"size": "large"}, {"hz_large"}),
    ({"size": "small"}, {"nb_small"}),
    ({"size": "micro"}, {"hz_micro"}),
    ({"stage": "digitization"}, {"nb_small"}),
    ({"stage": "mechanization"}, {"hz_micro"}),
    ({"region": "330100", "industry": "34"}, {"hz_large"}),
])
def test_list_filters(officer: Client, firms: dict, params: dict, expected: set[str]) -> None:
    assert listed(officer, **params) == {NAMES[k] for k in expected}


@pytest.mark.parametrize("case", [str.upper, str.lower])
def test_list_finds_full_code_in_any_case(officer: Client, firms: dict, case: Any) -> None:
    uscc = firms["nb_small"].uscc
    assert listed(officer, q=case(uscc)) == {NAMES["nb_small"]}
    assert listed(officer, q=f" {case(uscc)} ") == {NAMES["nb_small"]}


def test_list_item_has_exactly_the_documented_fields(officer: Client, firms: dict) -> None:
    item = officer.get("/api/v1/enterprises", {"q": firms["hz_large"].uscc}).json()["items"][0]
    assert set(item) == ITEM_FIELDS
    assert item | {"tags": None} == {
        "uscc": firms["hz_large"].uscc, "name": NAMES["hz_large"], "region": "330102", "industry": "34",
        "size_class": "large", "above_designated_size": True, "stage": "automation",
        "founded_year": None, "cluster": None, "tags": None,
    }
    assert isinstance(item["tags"], list)


def test_list_paging_keeps_total_count(officer: Client, make_enterprise: Any) -> None:
    for i in range(7):
        make_enterprise(name=f"分页企业{i}")
    pages = [officer.get("/api/v1/enterprises", {"page": p, "page_size": 3, "sort": "name"}).json()
             for p in (1, 2, 3, 4)]
    assert [p["count"] for p in pages] == [7, 7, 7, 7]
    assert [len(p["items"]) for p in pages] == [3, 3, 1, 0]
    names = [item["name"] for p in pages for item in p["items"]]
    assert names == sorted(names) and len(set(names)) == 7
    assert (pages[1]["page"], pages[1]["page_size"]) == (2, 3)


@pytest.mark.parametrize(("asked", "given"), [(1000, 500), (500, 500), (0, 1), (-5, 1)])
def test_list_page_size_is_bounded(officer: Client, firms: dict, asked: int, given: int) -> None:
    body = officer.get("/api/v1/enterprises", {"page_size": asked}).json()
    assert body["page_size"] == given and body["count"] == 3


# --- create ------------------------------------------------------------------------------------------------


def new_firm(**overrides: Any) -> dict[str, Any]:
    return {"uscc": new_uscc("330102"), "name": "新登记企业", "region": "330102", "industry": "34",
            **overrides}


def wrong_check_character(uscc: str) -> str:
    return uscc[:17] + ALPHABET[(ALPHABET.index(uscc[17]) + 1) % len(ALPHABET)]


def test_create_returns_201_and_the_item(officer: Client) -> None:
    payload = new_firm(founded_year=2005, stage="automation", tags=["equipment"], cluster="wenling-pumps")
    response = send(officer, "post", "/api/v1/enterprises", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == ITEM_FIELDS
    assert body == {**payload, "size_class": "micro", "above_designated_size": False}  # no indicators yet
    assert AuditLog.objects.filter(action="create", entity="enterprise", entity_id=payload["uscc"]).exists()


def test_create_accepts_a_lowercase_code_and_stores_it_upper(officer: Client) -> None:
    payload = new_firm()
    response = send(officer, "post", "/api/v1/enterprises", {**payload, "uscc": payload["uscc"].lower()})
    assert response.status_code == 201
    assert response.json()["uscc"] == payload["uscc"]


@pytest.mark.parametrize(("change", "field"), [
    (lambda p: {**p, "uscc": wrong_check_character(p["uscc"])}, "uscc"),
    (lambda p: {**p, "uscc": p["uscc"][:17]}, "uscc"),
    (lambda p: {**p, "uscc": "I" + p["uscc"][1:]}, "uscc"),
    (lambda p: {**p, "region": "999999"}, "region"),
    (lambda p: {**p, "region": "330100"}, "region"),  # a city, not a county
    (lambda p: {**p, "industry": "01"}, "industry"),  # agriculture: not manufacturing
    (lambda p: {**p, "name": "  "}, "name"),
    (lambda p: {**p, "stage": "magic"}, "stage"),
    (lambda p: {**p, "tags": ["no-such-tag"]}, "tags"),
    (lambda p: {**p, "founded_year": 3000}, "founded_year"),
    (lambda p: {**p, "colour": "red"}, "colour"),  # unknown fields are refused, not ignored
    (lambda p: {k: v for k, v in p.items() if k != "name"}, "name"),
], ids=["check-character", "short", "bad-character", "unknown-region", "city-region", "industry",
        "blank-name", "stage", "tag", "year", "extra-field", "missing-name"])
def test_create_refuses_bad_input(officer: Client, change: Any, field: str) -> None:
    payload = change(new_firm())
    before = Enterprise.objects.count()
    assert_error(send(officer, "post", "/api/v1/enterprises", payload), 422, field)
    assert Enterprise.objects.count() == before


def test_create_refuses_a_code_already_registered(officer: Client, firms: dict) -> None:
    body = assert_error(send(officer, "post", "/api/v1/enterprises", new_firm(uscc=firms["nb_small"].uscc)),
                        422, "uscc")
    assert body["code"] == "invalid"
    assert Enterprise.objects.get(uscc=firms["nb_small"].uscc).name == NAMES["nb_small"]


# --- update ------------------------------------------------------------------------------------------------


def test_patch_changes_the_name_and_audits_before_and_after(officer: Client, province_user: Any,
                                                          firms: dict) -> None:
    uscc = firms["hz_large"].uscc
    response = send(officer, "patch", f"/api/v1/enterprises/{uscc}", {"name": "杭州精密智造有限公司"})
    assert response.status_code == 200
    assert response.json()["name"] == "杭州精密智造有限公司"
    assert Enterprise.objects.get(uscc=uscc).name == "杭州精密智造有限公司"
    log = AuditLog.objects.get(action="update", entity="enterprise", entity_id=uscc)
    assert (log.before, log.after) == ({"name": NAMES["hz_large"]}, {"name": "杭州精密智造有限公司"})
    assert log.actor == province_user


def test_patch_leaves_fields_not_sent_alone(officer: Client, firms: dict) -> None:
    uscc = firms["nb_small"].uscc
    send(officer, "patch", f"/api/v1/enterprises/{uscc}", {"founded_year": 1999})
    item = officer.get(f"/api/v1/enterprises/{uscc}").json()
    assert (item["founded_year"], item["name"], item["stage"]) == (1999, NAMES["nb_small"], "digitization")


@pytest.mark.parametrize(("payload", "field"), [
    ({"region": "999999"}, "region"), ({"name": ""}, "name"), ({"uscc": "x"}, "uscc"),
    ({"industry": "99"}, "industry"),
])
def test_patch_refuses_bad_input_and_changes_nothing(officer: Client, firms: dict, payload: dict,
                                                     field: str) -> None:
    uscc = firms["hz_micro"].uscc
    assert_error(send(officer, "patch", f"/api/v1/enterprises/{uscc}", payload), 422, field)
    e = Enterprise.objects.get(uscc=uscc)
    assert (e.name, e.region.code, e.industry.code) == (NAMES["hz_micro"], "330106", "17")
    assert not AuditLog.objects.filter(entity="enterprise", entity_id=uscc).exists()


def test_city_officer_cannot_move_an_enterprise_out_of_its_city(hangzhou_user: Any, api_client: Any,
                                                               firms: dict) -> None:
    uscc = firms["hz_micro"].uscc
    assert_error(send(api_client(hangzhou_user), "patch", f"/api/v1/enterprises/{uscc}", {"region": "330203"}),
                 422, "region")
    assert Enterprise.objects.get(uscc=uscc).region.code == "330106"


# --- indicators --------------------------------------------------------------------------------------------


def put(client: Client, uscc: str, year: Any, values: Any) -> Any:
    return send(client, "put", f"/api/v1/enterprises/{uscc}/indicators/{year}", values)


def test_put_indicators_creates_then_updates(officer: Client, make_enterprise: Any) -> None:
    uscc = make_enterprise().uscc
    first = put(officer, uscc, 2019, {"revenue": "25000000.50", "employees": 80, "defect_rate": 0.02})
    assert first.status_code == 200, first.content
    given = {k: v for k, v in first.json().items() if v is not None}
    assert given == {"year": 2019, "month": 0, "revenue": "25000000.50", "employees": 80, "defect_rate": 0.02}
    second = put(officer, uscc, 2019, {"employees": 90})
    assert second.status_code == 200
    row = Indicator.objects.get(enterprise__uscc=uscc, year=2019)
    # PUT sets the period to exactly what is sent: values not sent become empty.
    assert (row.employees, row.revenue, row.defect_rate) == (90, None, None)
    assert Indicator.objects.filter(enterprise__uscc=uscc).count() == 1
    actions = list(AuditLog.objects.filter(entity="indicator", entity_id=f"{uscc}/2019/0")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["create", "update"]


def test_put_indicators_refreshes_the_size_class(officer: Client, make_enterprise: Any) -> None:
    uscc = make_enterprise().uscc
    put(officer, uscc, 2020, {"employees": 400, "revenue": "30000000"})
    item = officer.get(f"/api/v1/enterprises/{uscc}").json()
    assert (item["size_class"], item["above_designated_size"]) == ("medium", True)


@pytest.mark.parametrize(("year", "values", "field"), [
    (2020, {"revenue": "abc"}, "revenue"),
    (2020, {"revenue": "-1"}, "revenue"),
    (2020, {"revenue": "1.001"}, "revenue"),
    (2020, {"employees": -3}, "employees"),
    (2020, {"employees": 10, "frontline_employees": 11}, "frontline_employees"),
    (2020, {"defect_rate": 1.5}, "defect_rate"),
    (2020, {"cloud_level": 9}, "cloud_level"),
    (2020, {"robotz": 3}, "robotz"),
    (1800, {"employees": 1}, "year"),
], ids=["not-a-number", "negative-money", "sub-cent", "negative-count", "bound", "ratio", "cloud",
        "unknown", "year"])
def test_put_indicators_refuses_bad_values_and_changes_nothing(officer: Client, make_enterprise: Any,
                                                               year: int, values: dict, field: str) -> None:
    enterprise = make_enterprise(employees=50, revenue="5000000", year=2020)
    assert_error(put(officer, enterprise.uscc, year, values), 422, field)
    rows = list(Indicator.objects.filter(enterprise=enterprise).values_list("year", "employees", "revenue"))
    assert rows == [(2020, 50, 5000000)]


def test_get_indicators_is_ordered_by_year(officer: Client, make_enterprise: Any) -> None:
    uscc = make_enterprise().uscc
    for year in (2021, 2018, 2020, 2019):
        assert put(officer, uscc, year, {"employees": year - 2000}).status_code == 200
    rows = officer.get(f"/api/v1/enterprises/{uscc}/indicators").json()
    assert [(r["year"], r["employees"]) for r in rows] == [(2018, 18), (2019, 19), (2020, 20), (2021, 21)]


# --- never HTML --------------------------------------------------------------------------------------------


def test_unknown_object_on_a_matching_route_is_json_404(officer: Client) -> None:
    missing = new_uscc("330102")
    for path in (f"/api/v1/enterprises/{missing}", f"/api/v1/enterprises/{missing}/indicators",
                 "/api/v1/imports/987654"):
        assert assert_error(officer.get(path), 404)["code"] == "not_found"


def test_path_parameter_of_wrong_type_is_json_422(officer: Client) -> None:
    assert_error(officer.get("/api/v1/imports/abc"), 422, "job_id")


@pytest.mark.parametrize("path", ["/api/v1/enterprises", "/api/v1/auth/token"])
def test_malformed_json_body_is_json_400(officer: Client, path: str) -> None:
    before = Enterprise.objects.count()
    assert_error(send(officer, "post", path, '{"uscc": "9133'), 400)
    assert Enterprise.objects.count() == before


def test_server_error_is_json_500(officer: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhigai.base import selectors

    def broken(**_kwargs: Any) -> Any:
        raise RuntimeError("database fell over")

    monkeypatch.setattr(selectors, "enterprise_list", broken)
    body = assert_error(officer.get("/api/v1/enterprises"), 500)
    assert body["code"] == "server_error"
    assert "fell over" not in body["message"], "internals are logged, not shown"


@pytest.mark.parametrize(("method", "path", "status"), [
    ("get", "/api/v1/no-such-endpoint", 404),
    ("delete", "/api/v1/enterprises/{uscc}", 405),
])
def test_unrouted_api_requests_are_json_too(officer: Client, firms: dict, method: str, path: str,
                                            status: int) -> None:
    response = getattr(officer, method)(path.format(uscc=firms["hz_large"].uscc))
    assert_error(response, status)
