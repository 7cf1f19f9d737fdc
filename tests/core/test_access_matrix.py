"""Who may open what (SPEC §1): every role × every page and API endpoint × its own and another tenant's object.

The expected outcomes are data (the tables below); the tests only look them up and compare.
Another tenant's object is always 404 — never 403, never the object — on pages, API and downloads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import new_uscc
from zhigai.base.models import Enterprise, ImportJob, ImportStatus, Indicator
from zhigai.core.models import Role, User

# --- the world ---------------------------------------------------------------------------------------------

# Four enterprises: two cities × two industries (county, industry division).
ENTERPRISES = {
    "hz34": ("330102", "34"),  # Hangzhou · Shangcheng, general equipment; owned by the enterprise user
    "hz17": ("330106", "17"),  # Hangzhou · Xihu, textiles (another county of the same city)
    "nb34": ("330203", "34"),  # Ningbo · Haishu, general equipment (same industry, another city)
    "nb17": ("330203", "17"),  # Ningbo · Haishu, textiles: nobody's but the province's
}

ROLES: dict[str, dict[str, Any]] = {
    "province": {"role": Role.PROVINCE, "region": "330000"},
    "city": {"role": Role.CITY, "region": "330100"},
    "industry": {"role": Role.INDUSTRY, "industries": ["34"]},
    "enterprise": {"role": Role.ENTERPRISE, "enterprise": "hz34"},
    "provider": {"role": Role.PROVIDER},
    "expert": {"role": Role.EXPERT},
    "bank": {"role": Role.BANK},
    "finance": {"role": Role.FINANCE},  # the special fund's payments and the ledger: no enterprise's own data
}

# --- expected outcomes -------------------------------------------------------------------------------------

# The enterprises each role sees. Everything below about enterprises follows from this table.
SEES: dict[str, set[str]] = {
    "province": {"hz34", "hz17", "nb34", "nb17"},
    "city": {"hz34", "hz17"},
    "industry": {"hz34", "nb34"},
    "enterprise": {"hz34"},
    "provider": set(),
    "expert": set(),
    "bank": set(),
    "finance": set(),
}

# Status of a request about one enterprise the role SEES; one it does not see is always 404.
ON_VISIBLE: dict[str, dict[str, int]] = {
    #                     province   city       industry   enterprise
    "page detail":       {"province": 200, "city": 200, "industry": 200, "enterprise": 200},
    "api get":           {"province": 200, "city": 200, "industry": 200, "enterprise": 200},
    "api patch name":    {"province": 200, "city": 200, "industry": 403, "enterprise": 200},
    "api patch region":  {"province": 200, "city": 200, "industry": 403, "enterprise": 403},
    "api indicators":    {"province": 200, "city": 200, "industry": 200, "enterprise": 200},
    "api put indicator": {"province": 200, "city": 200, "industry": 403, "enterprise": 200},
}

# Pages and endpoints not about one enterprise: role -> status.
ALL_200 = dict.fromkeys(ROLES, 200)
IMPORTERS = {role: 200 if role in ("province", "city") else 404 for role in ROLES}
GENERAL: dict[str, dict[str, int]] = {
    "/": ALL_200,
    "/enterprises/": ALL_200,
    "/imports/": IMPORTERS,  # a page: roles that may not import do not get it at all
    "/imports/template.xlsx": ALL_200,  # the empty template is no tenant's data
    "/api/v1/me": ALL_200,
    "/api/v1/regions": ALL_200,
    "/api/v1/industries": ALL_200,
    "/api/v1/enterprises": ALL_200,
}

# Region pages: role -> {region code: status}. Figures on a page that opens cover only what the role sees.
REGION_PAGES: dict[str, dict[str, int]] = {
    "province": {"330000": 200, "330100": 200, "330102": 200, "330200": 200},
    "city": {"330000": 404, "330100": 200, "330102": 200, "330200": 404},
    "industry": {"330000": 200, "330100": 200, "330102": 200, "330200": 200},  # its industries everywhere
    "enterprise": {"330000": 404, "330100": 404, "330102": 404, "330200": 404},
    "provider": {"330000": 404, "330100": 404, "330102": 404, "330200": 404},
    "expert": {"330000": 404, "330100": 404, "330102": 404, "330200": 404},
    "bank": {"330000": 404, "330100": 404, "330102": 404, "330200": 404},
    "finance": {"330000": 404, "330100": 404, "330102": 404, "330200": 404},
}

# Creating an enterprise (API) or importing one (file) in a Hangzhou county ("own") and a Ningbo one
# ("other"): role -> (status own, status other). A city officer is told the county is outside its region.
CREATE: dict[str, tuple[int, int]] = {
    "province": (201, 201),
    "city": (201, 422),
    "industry": (403, 403),
    "enterprise": (403, 403),
    "provider": (403, 403),
    "expert": (403, 403),
    "bank": (403, 403),
    "finance": (403, 403),
}
# Importing: role -> (status of the upload, job outcome own, job outcome other); None = no job.
IMPORT: dict[str, tuple[int, str | None, str | None]] = {
    "province": (201, ImportStatus.SUCCEEDED, ImportStatus.SUCCEEDED),
    "city": (201, ImportStatus.SUCCEEDED, ImportStatus.FAILED),
    **{role: (403, None, None) for role in ("industry", "enterprise", "provider", "expert", "bank", "finance")},
}

OWN_COUNTY, OTHER_COUNTY = "330102", "330203"


# --- helpers -----------------------------------------------------------------------------------------------


@dataclass
class World:
    enterprises: dict[str, Enterprise]
    users: dict[str, User]

    def uscc(self, key: str) -> str:
        return self.enterprises[key].uscc


@pytest.fixture
def world(make_enterprise: Any, make_user: Any) -> World:
    enterprises = {key: make_enterprise(county=county, industry=industry, name=f"企业-{key}")
                   for key, (county, industry) in ENTERPRISES.items()}
    for enterprise in enterprises.values():
        Indicator.objects.create(enterprise=enterprise, year=2020, employees=100)
    users = {}
    for name, spec in ROLES.items():
        spec = dict(spec)
        if "enterprise" in spec:
            spec["enterprise"] = enterprises[spec["enterprise"]]
        users[name] = make_user(username=f"u-{name}", **spec)
    return World(enterprises, users)


def page_client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api(client: Client, method: str, path: str, body: dict | None = None) -> Any:
    return getattr(client, method)(path, data=json.dumps(body or {}) if method != "get" else None,
                                   content_type="application/json")


def assert_error_json(response: Any, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] and body["message"]
    return body


def assert_no_leak(response: Any, enterprise: Enterprise) -> None:
    """Nothing of the enterprise in the response; its code only where the page echoes the URL asked for."""
    text = response.content.decode(errors="replace")
    assert enterprise.name not in text
    asked = response.wsgi_request.get_full_path()
    assert text.count(enterprise.uscc) <= text.count(asked) * asked.count(enterprise.uscc)


def visible_names(role: str) -> set[str]:
    return {f"企业-{key}" for key in SEES[role]}


# --- unauthenticated ---------------------------------------------------------------------------------------

PAGES = ["/", "/enterprises/", "/enterprises/{hz34}/", "/regions/330100/", "/imports/", "/imports/{job}/",
         "/imports/template.xlsx"]
ENDPOINTS = [
    ("get", "/api/v1/me"), ("get", "/api/v1/regions"), ("get", "/api/v1/industries"),
    ("get", "/api/v1/enterprises"), ("post", "/api/v1/enterprises"),
    ("get", "/api/v1/enterprises/{hz34}"), ("patch", "/api/v1/enterprises/{hz34}"),
    ("get", "/api/v1/enterprises/{hz34}/indicators"), ("put", "/api/v1/enterprises/{hz34}/indicators/2020"),
    ("post", "/api/v1/imports"), ("get", "/api/v1/imports/{job}"),
]


def fill(path: str, world: World, job: ImportJob) -> str:
    return path.format(job=job.id, **{k: e.uscc for k, e in world.enterprises.items()})


def make_job(owner: User) -> ImportJob:
    return ImportJob.objects.create(created_by=owner, file=ContentFile(b"uscc\n", name="x.csv"),
                                    filename="x.csv", status=ImportStatus.SUCCEEDED, progress=1.0)


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_pages_redirect_to_sign_in(world: World, path: str) -> None:
    target = fill(path, world, make_job(world.users["province"]))
    response = Client().get(target)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert_no_leak(response, world.enterprises["hz34"])


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_anonymous_api_is_401_json(world: World, method: str, path: str) -> None:
    target = fill(path, world, make_job(world.users["province"]))
    body = assert_error_json(api(Client(), method, target, {"name": "x"}), 401)
    assert body["code"] == "unauthorized"
    assert Enterprise.objects.get(uscc=world.uscc("hz34")).name == "企业-hz34"


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Token abc", "Basic dXNlcjpwYXNz"])
def test_api_with_bad_credentials_is_401_json(world: World, header: str) -> None:
    assert_error_json(Client(HTTP_AUTHORIZATION=header).get("/api/v1/enterprises"), 401)


# --- general pages and endpoints ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(GENERAL))
def test_general_page_or_endpoint(world: World, api_client: Any, role: str, path: str) -> None:
    user = world.users[role]
    client = api_client(user) if path.startswith("/api/") else page_client(user)
    response = client.get(path)
    assert response.status_code == GENERAL[path][role]
    if path.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("role", ROLES)
def test_enterprise_list_page_shows_only_visible(world: World, role: str) -> None:
    response = page_client(world.users[role]).get("/enterprises/")
    assert response.status_code == 200
    assert {e.name for e in response.context["page"].paginator.object_list} == visible_names(role)
    assert response.context["page"].paginator.count == len(SEES[role])
    text = response.content.decode()
    for key in set(ENTERPRISES) - SEES[role]:
        assert_no_leak(response, world.enterprises[key])
    for name in visible_names(role):
        assert name in text


@pytest.mark.parametrize("role", ROLES)
def test_enterprise_list_api_contains_only_visible(world: World, api_client: Any, role: str) -> None:
    body = api_client(world.users[role]).get("/api/v1/enterprises", {"page_size": 500}).json()
    assert body["count"] == len(SEES[role])
    assert {item["uscc"] for item in body["items"]} == {world.uscc(k) for k in SEES[role]}


@pytest.mark.parametrize("role", ROLES)
def test_home_dashboard_counts_only_visible(world: World, role: str) -> None:
    response = page_client(world.users[role]).get("/")
    assert response.status_code == 200
    assert _home_count(world, response) == len(SEES[role])


def _home_count(world: World, response: Any) -> int:
    """What the home shows: the dashboard's count, or the one enterprise of an enterprise user's home."""
    if "figures" in response.context:
        return int(response.context["figures"]["total"])
    assert response.context["e"].uscc in {world.uscc(k) for k in SEES["enterprise"]}
    return 1


def test_dashboard_cache_never_serves_one_role_figures_to_another(world: World) -> None:
    seen = {}
    for role in ROLES:  # the province first: its figures are cached before the others ask
        seen[role] = _home_count(world, page_client(world.users[role]).get("/"))
    assert seen == {role: len(SEES[role]) for role in ROLES}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("code", ["330000", "330100", "330102", "330200"])
def test_region_page(world: World, role: str, code: str) -> None:
    response = page_client(world.users[role]).get(f"/regions/{code}/")
    assert response.status_code == REGION_PAGES[role][code]
    if response.status_code == 200:
        in_region = {k for k, (county, _i) in ENTERPRISES.items()
                     if code in ("330000", county, county[:4] + "00")}
        assert response.context["figures"]["total"] == len(SEES[role] & in_region)


@pytest.mark.parametrize("role", ROLES)
def test_me(world: World, api_client: Any, role: str) -> None:
    body = api_client(world.users[role]).get("/api/v1/me").json()
    assert body["username"] == f"u-{role}"
    assert body["role"] == ROLES[role]["role"]


# --- one enterprise: own and other tenant ------------------------------------------------------------------

PUT_BODY = {"employees": 120, "revenue": "30000000"}


def enterprise_request(kind: str, user: User, uscc: str, api_client: Any) -> Any:
    base = f"/api/v1/enterprises/{uscc}"
    if kind == "page detail":
        return page_client(user).get(f"/enterprises/{uscc}/")
    client = api_client(user)
    return {
        "api get": lambda: api(client, "get", base),
        "api patch name": lambda: api(client, "patch", base, {"name": "改名企业"}),
        "api patch region": lambda: api(client, "patch", base, {"region": "330102"}),
        "api indicators": lambda: api(client, "get", f"{base}/indicators"),
        "api put indicator": lambda: api(client, "put", f"{base}/indicators/2021", PUT_BODY),
    }[kind]()


def expected_status(kind: str, role: str, key: str) -> int:
    return ON_VISIBLE[kind][role] if key in SEES[role] else 404


def _snapshot(enterprise: Enterprise) -> tuple:
    enterprise.refresh_from_db()
    return enterprise.name, enterprise.region_id, Indicator.objects.filter(enterprise=enterprise).count()


@pytest.mark.parametrize("key", list(ENTERPRISES))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("kind", list(ON_VISIBLE))
def test_enterprise_object(world: World, api_client: Any, kind: str, role: str, key: str) -> None:
    enterprise = world.enterprises[key]
    before = _snapshot(enterprise)
    response = enterprise_request(kind, world.users[role], enterprise.uscc, api_client)
    status = expected_status(kind, role, key)
    assert response.status_code == status, response.content[:300]
    if kind.startswith("api"):
        assert response["Content-Type"].startswith("application/json")
    if status >= 400:
        if kind.startswith("api"):
            body = assert_error_json(response, status)
            assert body["code"] == {403: "forbidden", 404: "not_found"}[status]
        if status == 404:
            assert_no_leak(response, enterprise)
        assert _snapshot(enterprise) == before, "a refused request changed nothing"
    elif kind == "page detail":
        assert response.context["e"] == enterprise
    elif kind == "api get":
        assert response.json()["uscc"] == enterprise.uscc
    elif kind == "api patch name":
        assert Enterprise.objects.get(pk=enterprise.pk).name == "改名企业"
    elif kind == "api put indicator":
        assert Indicator.objects.get(enterprise=enterprise, year=2021).employees == 120


@pytest.mark.parametrize("role", [r for r in ROLES if r != "province"])
@pytest.mark.parametrize("bad", ["91330102MA2XXXXXX0", "not-a-code", "911111111111111111"])
def test_malformed_or_unknown_code_is_404(world: World, api_client: Any, role: str, bad: str) -> None:
    assert page_client(world.users[role]).get(f"/enterprises/{bad}/").status_code == 404
    assert_error_json(api_client(world.users[role]).get(f"/api/v1/enterprises/{bad}"), 404)


def test_code_in_lowercase_finds_the_same_enterprise(world: World, api_client: Any) -> None:
    uscc = world.uscc("hz34")
    assert api_client(world.users["enterprise"]).get(f"/api/v1/enterprises/{uscc.lower()}").status_code == 200
    assert api_client(world.users["city"]).get(
        f"/api/v1/enterprises/{world.uscc('nb34').lower()}").status_code == 404


# --- creating and importing: own and other region ----------------------------------------------------------


def enterprise_payload(county: str) -> dict[str, Any]:
    return {"uscc": new_uscc(county), "name": "新登记企业", "region": county, "industry": "34"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("where", "county"), [("own", OWN_COUNTY), ("other", OTHER_COUNTY)])
def test_create_enterprise(world: World, api_client: Any, role: str, where: str, county: str) -> None:
    payload = enterprise_payload(county)
    response = api(api_client(world.users[role]), "post", "/api/v1/enterprises", payload)
    status = CREATE[role][where == "other"]
    if status == 201:
        assert response.status_code == 201
        assert response.json()["uscc"] == payload["uscc"]
    else:
        body = assert_error_json(response, status)
        if status == 422:
            assert [d["field"] for d in body["details"]] == ["region"]
    assert Enterprise.objects.filter(uscc=payload["uscc"]).exists() == (status == 201)


def csv_upload(county: str) -> tuple[SimpleUploadedFile, str]:
    uscc = new_uscc(county)
    content = f"uscc,name,region,industry\n{uscc},导入企业,{county},34\n".encode()
    return SimpleUploadedFile("enterprises.csv", content, content_type="text/csv"), uscc


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("where", "county"), [("own", OWN_COUNTY), ("other", OTHER_COUNTY)])
def test_import_file(world: World, api_client: Any, role: str, where: str, county: str) -> None:
    upload, uscc = csv_upload(county)
    response = api_client(world.users[role]).post("/api/v1/imports", {"file": upload})
    status, *outcomes = IMPORT[role]
    outcome = outcomes[where == "other"]
    if status != 201:
        assert_error_json(response, status)
        assert not ImportJob.objects.exists()
    else:
        assert response.status_code == 201
        job = ImportJob.objects.get(id=response.json()["id"])
        assert job.status == outcome
        if outcome == ImportStatus.FAILED:
            assert [e["column"] for e in job.errors] == ["region"]
    assert Enterprise.objects.filter(uscc=uscc).exists() == (outcome == ImportStatus.SUCCEEDED)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("whose", ["own", "other"])
@pytest.mark.parametrize("surface", ["page", "api"])
def test_import_job(world: World, api_client: Any, make_user: Any, role: str, whose: str, surface: str) -> None:
    """An import job is its creator's: anyone else, whatever the role, gets 404."""
    user = world.users[role]
    job = make_job(user if whose == "own" else make_user(Role.PROVINCE, region="330000"))
    if surface == "page":
        response = page_client(user).get(f"/imports/{job.id}/")
    else:
        response = api_client(user).get(f"/api/v1/imports/{job.id}")
    if whose == "own":
        assert response.status_code == 200
        if surface == "api":
            assert response.json()["id"] == job.id
    elif surface == "api":
        assert_error_json(response, 404)
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", ["province", "city"])
def test_import_page_lists_only_own_jobs(world: World, make_user: Any, role: str) -> None:
    mine, theirs = make_job(world.users[role]), make_job(make_user(Role.PROVINCE, region="330000"))
    jobs = list(page_client(world.users[role]).get("/imports/").context["jobs"])
    assert mine in jobs and theirs not in jobs


@pytest.mark.parametrize("spec", [
    {"role": Role.CITY},  # a city officer not yet given a region
    {"role": Role.ENTERPRISE},  # an enterprise user not yet linked to an enterprise
    {"role": Role.INDUSTRY},  # an industry officer without industries
], ids=["city-without-region", "enterprise-without-enterprise", "industry-without-industries"])
def test_user_without_jurisdiction_sees_nothing(world: World, make_user: Any, api_client: Any,
                                                spec: dict) -> None:
    user = make_user(**spec)
    assert api_client(user).get("/api/v1/enterprises").json()["count"] == 0
    assert page_client(user).get("/").context["figures"]["total"] == 0
    for key in ENTERPRISES:
        assert_error_json(api_client(user).get(f"/api/v1/enterprises/{world.uscc(key)}"), 404)
