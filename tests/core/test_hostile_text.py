"""Values that break the data (issue 9): hostile text and digits at every entry point.

PostgreSQL refuses a NUL in any string (it answered 500) where SQLite stored it; lone surrogates can be
stored by neither; fullwidth digits and "5²" pass str.isdigit(). Each entry point — the API's JSON, its
query, the forms, import cells, the search, sign-in — answers a 4xx naming the field, and writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD, new_uscc
from zhigai.base.importer import import_file
from zhigai.base.models import Enterprise, ImportJob, Indicator
from zhigai.base.validation import ENTERPRISE_COLUMNS, INDICATOR_COLUMNS
from zhigai.core.errors import InvalidInput
from zhigai.core.models import AuditLog, Role, SignInThrottle, User
from zhigai.core.schemas import InputSchema
from zhigai.core.text import ascii_int, clean_text, text_problem
from zhigai.diagnosis.models import Assessment, MaturityModel

# Control characters no field may hold, as they travel in JSON, forms and files.
CONTROLS = {"NUL": "\x00", "SOH": "\x01", "DEL": "\x7f", "NEL (C1)": "\x85", "ESC": "\x1b"}
SURROGATE = "\ud800"
ZERO_WIDTH_ONLY = "\u200b\u200c\u200d\u2060\ufeff"
# Other names that show nothing (found from outside: each passed as a name): direction marks and overrides, the
# Arabic letter mark, an isolate, the Mongolian vowel separator, a variation selector, a tag, Hangul fillers, a
# soft hyphen, the combining grapheme joiner, the blank Braille pattern, an interlinear annotation anchor.
SHOWING_NOTHING = ["\u202e\u202e", "\u200e", "\u200f", "\u061c", "\u2066", "\u180e", "\ufe0f", "\U000e0001",
                   "\u115f", "\u3164", "\u00ad", "\u034f", "\u2800", "\uffa0", "\ufff9"]


def state() -> tuple[Any, ...]:
    return (sorted(Enterprise.objects.values_list("uscc", "name", "founded_year")),
            sorted(Indicator.objects.values_list("enterprise_id", "year", "month", "revenue", "employees")),
            Assessment.objects.count(), AuditLog.objects.count(), SignInThrottle.objects.filter(failures__gt=0).count())


def assert_invalid(response: Any, field: str, status: int = 422) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == "invalid", body
    assert field in [d["field"] for d in body["details"]], body
    assert "\x00" not in response.content.decode()


def post_json(client: Client, path: str, payload: Any, method: str = "post") -> Any:
    # json.dumps writes a lone surrogate as the escape "\ud800", which Python's JSON reader gives back.
    return getattr(client, method)(path, data=json.dumps(payload), content_type="application/json")


# --- the shared check -----------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [*CONTROLS.values(), SURROGATE, "a\tb", "a\nb"])
def test_text_problem_refuses_controls_and_surrogates(bad: str) -> None:
    assert text_problem(f"名称{bad}") is not None
    with pytest.raises(InvalidInput) as caught:
        clean_text(f"名称{bad}", field="name")
    assert caught.value.details == [{"field": "name", "message": text_problem(f"名称{bad}")}]


def test_clean_text_contract() -> None:
    assert text_problem("第一行\n第二行\t制表", multiline=True) is None
    assert text_problem("a\x00b", multiline=True) is not None
    assert clean_text("  Cafe\u0301 ", field="name") == "Café"  # trimmed, NFC
    assert clean_text("ＡＢＣ", field="name") == "ＡＢＣ"  # not NFKC: what was typed stays
    assert clean_text(None, field="q") == ""
    for invisible in (ZERO_WIDTH_ONLY, " \u3000 ", "", *SHOWING_NOTHING):
        with pytest.raises(InvalidInput):
            clean_text(invisible, field="name", required=True)
        assert clean_text(invisible, field="note") == "", "a text that shows nothing is empty"
    for visible in ("a\u200b", "\u202e杭州", "e\u0301", "\u3164가"):  # something shows: kept as typed (NFC)
        assert clean_text(visible, field="name", required=True)
    with pytest.raises(InvalidInput):
        clean_text("x" * 11, field="name", max_length=10)


@pytest.mark.parametrize(("raw", "value"), [("12", 12), (" 7 ", 7), (3, 3), ("１２３", None), ("5²", None),
                                            ("-1", None), (str(2**62), None), ("1" * 5000, None), (True, None),
                                            ("", None), (None, None)])
def test_ascii_int_reads_ascii_digits_within_bounds(raw: Any, value: int | None) -> None:
    assert ascii_int(raw, high=2**31) == value


def test_every_api_input_schema_checks_its_text() -> None:
    """Every body, query and form schema of every operation derives from InputSchema."""
    from zhigai.config.api import api

    seen = []
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    for field in model.model_fields.values():
                        schema = field.annotation
                        if isinstance(schema, type) and issubclass(schema, InputSchema | __import__("ninja").Schema):
                            seen.append(schema)
                            assert issubclass(schema, InputSchema), (operation.view_func.__name__, schema)
    assert len(seen) >= 6


# --- the API ---------------------------------------------------------------------------------------------


@pytest.fixture
def officer(province_user: User, api_client: Any) -> Client:
    return api_client(province_user)


def new_firm(**over: Any) -> dict[str, Any]:
    return {"uscc": new_uscc(), "name": "杭州精密机械有限公司", "region": "330102", "industry": "34", **over}


@pytest.mark.parametrize("bad", [*CONTROLS.values(), SURROGATE], ids=[*CONTROLS, "lone surrogate"])
@pytest.mark.parametrize("field", ["name", "region", "industry", "cluster", "uscc"])
def test_api_enterprise_text_refused(officer: Client, field: str, bad: str) -> None:
    before = state()
    payload = new_firm()
    payload[field] = f"{payload.get(field, '')}{bad}"
    assert_invalid(post_json(officer, "/api/v1/enterprises", payload), field)
    assert state() == before


@pytest.mark.parametrize("bad", ["\x00", SURROGATE])
def test_api_tags_and_patch_refused(officer: Client, make_enterprise: Any, bad: str) -> None:
    e = make_enterprise()
    before = state()
    assert_invalid(post_json(officer, "/api/v1/enterprises", new_firm(tags=[f"x{bad}"])), "tags")
    assert_invalid(post_json(officer, f"/api/v1/enterprises/{e.uscc}", {"name": f"新{bad}"}, "patch"), "name")
    assert state() == before


def test_api_zero_width_name_refused(officer: Client, make_enterprise: Any) -> None:
    e = make_enterprise()
    before = state()
    assert_invalid(post_json(officer, "/api/v1/enterprises", new_firm(name=ZERO_WIDTH_ONLY)), "name")
    assert_invalid(post_json(officer, f"/api/v1/enterprises/{e.uscc}", {"name": " \u200b "}, "patch"), "name")
    for nothing in SHOWING_NOTHING:
        assert_invalid(post_json(officer, f"/api/v1/enterprises/{e.uscc}", {"name": nothing}, "patch"), "name")
    assert state() == before


@pytest.mark.parametrize("value", ["１２３", "１２３.５０", "5²", "12\x00"])
def test_api_indicator_numbers_are_ascii(officer: Client, make_enterprise: Any, value: str) -> None:
    e = make_enterprise()
    before = state()
    response = post_json(officer, f"/api/v1/enterprises/{e.uscc}/indicators/2020", {"revenue": value}, "put")
    assert_invalid(response, "revenue")
    assert state() == before


@pytest.mark.parametrize("path", ["/api/v1/enterprises/%00", "/api/v1/diagnosis/models/%00",
                                  "/api/v1/enterprises?q=%00", "/api/v1/enterprises?q=a%01b",
                                  "/api/v1/enterprises?region=%C2%85"])
def test_api_path_and_query_refused(officer: Client, make_enterprise: Any, path: str) -> None:
    make_enterprise()
    response = officer.get(path)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"
    assert response.json()["details"][0]["field"] in ("path", "q", "region")


@pytest.mark.parametrize("ref", ["5²", "１", "２²", "99999999999999999999", "0"])
def test_api_model_reference_digits(officer: Client, ref: str) -> None:
    assert officer.get(f"/api/v1/diagnosis/models/{ref}").status_code == 404
    assert officer.get("/api/v1/diagnosis/models/ladder").status_code == 200


@pytest.mark.parametrize("page", [2**62, 2**63, 10**30])
def test_api_huge_page_is_an_empty_page(officer: Client, make_enterprise: Any, page: int) -> None:
    make_enterprise()
    response = officer.get("/api/v1/enterprises", {"page": page, "page_size": 500})
    assert response.status_code == 200, response.content
    assert response.json()["items"] == [] and response.json()["count"] == 1


@pytest.mark.parametrize("page", ["１", "5²", "x"])
def test_api_page_not_a_number(officer: Client, page: str) -> None:
    assert_invalid(officer.get("/api/v1/enterprises", {"page": page}), "page")


@pytest.fixture
def assessor(make_enterprise: Any, make_user: Any) -> tuple[Client, Enterprise]:
    e = make_enterprise()
    client = Client()
    client.force_login(make_user(Role.ENTERPRISE, enterprise=e))
    from zhigai.core.services import api_token_issue

    user = User.objects.get(enterprise=e)
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user)}"), e


def _requirement() -> str:
    return MaturityModel.objects.get(code="ladder", current=True).spec.requirements[0].id


@pytest.mark.parametrize("bad", ["\x00", "\x01", "\x85", SURROGATE])
def test_api_assessment_notes_and_model_refused(assessor: tuple[Client, Enterprise], bad: str) -> None:
    client, e = assessor
    before = state()
    url = f"/api/v1/enterprises/{e.uscc}/assessments"
    assert_invalid(post_json(client, url, {"model": "ladder", "notes": {_requirement(): f"说明{bad}"}}), "notes")
    assert_invalid(post_json(client, url, {"model": f"ladder{bad}"}), "model")
    assert state() == before


def test_api_assessment_notes_may_have_lines(assessor: tuple[Client, Enterprise]) -> None:
    client, e = assessor
    payload = {"model": "ladder", "notes": {_requirement(): "第一行\n第二行\t完"}}
    assert post_json(client, f"/api/v1/enterprises/{e.uscc}/assessments", payload).status_code == 201


@pytest.mark.parametrize("ref", ["5²", "１", "ladder\u200b"])
def test_api_assessment_model_reference(assessor: tuple[Client, Enterprise], ref: str) -> None:
    client, e = assessor
    before = state()
    assert_invalid(post_json(client, f"/api/v1/enterprises/{e.uscc}/assessments", {"model": ref}), "model")
    assert state() == before


# --- sign-in ----------------------------------------------------------------------------------------------


def token(username: str, password: str = PASSWORD) -> Any:
    return post_json(Client(), "/api/v1/auth/token", {"username": username, "password": password})


@pytest.mark.parametrize("username", ["a\x00b", "a\x01", "\x85", SURROGATE, "x" * 151, "x" * 10_000])
def test_api_sign_in_username_refused(db: Any, username: str) -> None:
    before = state()
    assert_invalid(token(username), "username")
    assert state() == before


def test_api_sign_in_password_surrogate_refused(province_user: User) -> None:
    assert_invalid(token(province_user.username, SURROGATE), "password")


def test_sign_in_long_username_is_recorded_within_columns(make_user: Any) -> None:
    """65 to 150 characters fit a username, not the audit's 64-character id: the entry is cut, not lost."""
    long_name = "u" * 65
    assert token(long_name, "wrong").status_code == 401  # no such user yet
    make_user(Role.PROVINCE, username="v" * 150, region="330000")
    assert token("v" * 150).status_code == 200
    assert AuditLog.objects.filter(action="sign_in_failed", entity_id="u" * 64).exists()
    assert AuditLog.objects.filter(action="sign_in", actor_name="v" * 150).exists()
    assert SignInThrottle.objects.get(key=f"user:{long_name}").failures == 1


@pytest.mark.parametrize("username", ["a\x00b", "x" * 151, "x" * 10_000, "a\x1b"])
def test_page_sign_in_username_refused(db: Any, username: str) -> None:
    before = state()
    response = Client().post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 422
    assert "\x00" not in response.content.decode()
    assert state() == before


# --- forms and pages --------------------------------------------------------------------------------------


def profile_form(**over: Any) -> dict[str, Any]:
    return {"name": "杭州智造装备有限公司", "region": "330102", "industry": "34", "founded_year": "2005",
            "stage": "automation", "cluster": "", "tags": ["hightech"], **over}


@pytest.fixture
def officer_page(client: Client, hangzhou_user: User) -> Client:
    client.force_login(hangzhou_user)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("bad", CONTROLS.values(), ids=CONTROLS.keys())
@pytest.mark.parametrize("field", ["name", "region", "founded_year", "uscc"])
def test_form_enterprise_text_refused(officer_page: Client, field: str, bad: str) -> None:
    before = state()
    data = profile_form(uscc=new_uscc())
    data[field] = f"{data[field]}{bad}"
    response = officer_page.post("/enterprises/new/", data)
    assert response.status_code == 422
    assert field in response.content.decode()
    assert state() == before


def test_form_zero_width_and_fullwidth(officer_page: Client, make_enterprise: Any) -> None:
    e = make_enterprise()
    before = state()
    new = profile_form(uscc=new_uscc(), name=ZERO_WIDTH_ONLY)
    assert officer_page.post("/enterprises/new/", new).status_code == 422
    assert officer_page.post(f"/enterprises/{e.uscc}/edit/", profile_form(founded_year="２００５")).status_code == 422
    response = officer_page.post(f"/enterprises/{e.uscc}/indicators/", {"year": "2020", "employees": "１２"})
    assert response.status_code == 422 and "半角" in response.content.decode()
    response = officer_page.post(f"/enterprises/{e.uscc}/indicators/", {"year": "２０２０", "employees": "12"})
    assert response.status_code == 422
    assert state() == before


@pytest.mark.parametrize("query", ["q=%00", "q=a%01", "q=%C2%85", "region=%00", "page=%00"])
def test_page_search_refused(officer_page: Client, make_enterprise: Any, query: str) -> None:
    make_enterprise()
    response = officer_page.get(f"/enterprises/?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in response.content.decode()


@pytest.mark.parametrize("page", [str(2**62), "9" * 5000, "１", "5²", "-3", "last"])
def test_page_numbers_never_fail(officer_page: Client, make_enterprise: Any, page: str) -> None:
    make_enterprise(name="唯一企业")
    response = officer_page.get("/enterprises/", {"page": page})
    assert response.status_code == 200 and "唯一企业" in response.content.decode()


@pytest.mark.parametrize("model", ["5²", "１", "\x00"])
def test_officers_page_model_reference(officer_page: Client, province_user: User, model: str) -> None:
    officer_page.force_login(province_user)
    response = officer_page.get("/diagnosis/", {"model": model})
    assert response.status_code in (404, 422)


def test_assignment_expert_id_digits(officer_page: Client, province_user: User, make_enterprise: Any) -> None:
    officer_page.force_login(province_user)
    e = make_enterprise()
    for expert in ("5²", "１", str(2**62)):
        response = officer_page.post(f"/enterprises/{e.uscc}/diagnosis/assign/", {"expert": expert})
        assert response.status_code in (302, 404), response.status_code


# --- import cells -----------------------------------------------------------------------------------------


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> Path:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    path.write_bytes(out.getvalue().encode("utf-8"))
    return path


ENT = {"name": "杭州精工机械有限公司", "region": "330102", "industry": "34", "founded_year": "2005",
       "stage": "automation", "stage_year": "2020", "tags": "equipment", "cluster": ""}
IND = {"year": "2020", "month": "0", "revenue": "25000000.00", "employees": "320", "defect_rate": "0.02"}


@pytest.mark.parametrize("bad", CONTROLS.values(), ids=CONTROLS.keys())
@pytest.mark.parametrize("column", ["name", "region", "industry", "founded_year", "stage", "stage_year", "tags",
                                    "cluster", "uscc"])
def test_import_enterprise_cells(province_user: User, tmp_path: Path, column: str, bad: str) -> None:
    before = state()
    values = {"uscc": new_uscc(), **ENT}
    values[column] = f"{values[column]}{bad}"
    errors, _summary = import_file(user=province_user, path=write_csv(tmp_path / "e.csv", ENTERPRISE_COLUMNS,
                                   [[values[c] for c in ENTERPRISE_COLUMNS]]), filename="e.csv", dry_run=False)
    assert [(e["row"], e["column"]) for e in errors] == [(2, column)], errors
    assert bad not in errors[0]["message"]
    assert state() == before


@pytest.mark.parametrize("column", ["year", "month", "revenue", "employees", "defect_rate"])
@pytest.mark.parametrize("bad", ["\x00", "\x01", "fullwidth"])
def test_import_indicator_cells(province_user: User, make_enterprise: Any, tmp_path: Path,
                                column: str, bad: str) -> None:
    e = make_enterprise()
    before = state()
    good = {"uscc": e.uscc, **IND}
    rows = [[good.get(c, "") for c in INDICATOR_COLUMNS] for _ in range(3)]
    rows[1][INDICATOR_COLUMNS.index("year")] = "2019"
    rows[2][INDICATOR_COLUMNS.index("year")] = "2018"
    at = INDICATOR_COLUMNS.index(column)
    cell = rows[1][at]
    rows[1][at] = cell.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789."}) if bad == "fullwidth" \
        else f"{cell}{bad}"
    errors, _summary = import_file(user=province_user, path=write_csv(tmp_path / "i.csv", INDICATOR_COLUMNS, rows),
                                   filename="i.csv", dry_run=False)
    assert [(e["row"], e["column"]) for e in errors] == [(3, column)], errors
    assert "\x00" not in errors[0]["message"]
    assert state() == before


def test_import_job_with_nul_cell_fails_with_the_cell_not_internal_error(officer: Client, tmp_path: Path) -> None:
    values = {"uscc": new_uscc(), **ENT, "name": "坏\x00名"}
    path = write_csv(tmp_path / "e.csv", ENTERPRISE_COLUMNS, [[values[c] for c in ENTERPRISE_COLUMNS]])
    with open(path, "rb") as handle:
        response = officer.post("/api/v1/imports", {"file": handle})
    assert response.status_code == 201, response.content
    job = officer.get(f"/api/v1/imports/{response.json()['id']}").json()
    assert job["status"] == "failed"
    assert [(e["row"], e["column"]) for e in job["errors"]] == [(2, "name")], job["errors"]
    assert not Enterprise.objects.exists()


# --- multipart ----------------------------------------------------------------------------------------------


def test_import_oversized_multipart_headers_answer_400(officer: Client) -> None:
    boundary = "BoUnDaRy"
    header = "X-Padding: " + "a" * 20_000
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"e.csv\"\r\n{header}\r\n"
            f"Content-Type: text/csv\r\n\r\nuscc\r\n--{boundary}--\r\n").encode()
    response = officer.generic("POST", "/api/v1/imports", body,
                               content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code in (400, 413), response.content
    assert response.json()["code"] in ("bad_request", "too_large")
    assert not ImportJob.objects.exists()


def test_import_too_many_fields_answer_400(officer: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    boundary = "BoUnDaRy"
    parts = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nx\r\n" for i in range(10))
    body = f"{parts}--{boundary}--\r\n".encode()
    response = officer.generic("POST", "/api/v1/imports", body,
                               content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code in (400, 413), response.content
    assert response.json()["code"] in ("bad_request", "too_large")


def test_a_form_body_sent_to_the_json_api_is_a_clear_4xx_not_500(db: Any) -> None:
    """Review finding: the text check read a multipart body before the API, which then found it consumed."""
    from django.test import Client

    response = Client().post("/api/v1/auth/token", data={"username": "a", "password": "b"})
    assert 400 <= response.status_code < 500, response.content[:300]
    assert response.json()["code"] in ("invalid", "bad_request")


def test_an_oversized_api_upload_body_is_413_json(db: Any, settings: Any) -> None:
    from django.test import Client

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = Client().post("/api/v1/auth/token", data={"username": "a" * 5000, "password": "b"})
    assert response.status_code in (400, 413) and response.json()["code"] in ("too_large", "bad_request", "invalid")
    assert response.status_code != 500
