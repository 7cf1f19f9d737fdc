"""The transformation stage kept by year (SPEC §2, issue 11): never overwritten, the latest record of a year is
its stage, the current stage is the latest year's; recorded by profile edits, verified diagnoses and imports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from tests.base.test_import import ENTERPRISE, INDICATOR, run, write_csv
from tests.conftest import new_uscc
from zhigai.base import services
from zhigai.base.models import Enterprise, StageRecord, StageSource
from zhigai.base.selectors import stage_history
from zhigai.base.validation import ENTERPRISE_COLUMNS, INDICATOR_COLUMNS, INDICATOR_TABLE_COLUMNS
from zhigai.core.errors import InvalidInput
from zhigai.core.models import AuditLog, Role, User

Make = Callable[..., Enterprise]
THIS_YEAR = timezone.localdate().year


def history(user: User, e: Enterprise) -> list[tuple[int, str, str, str]]:
    return [(r.year, r.stage, r.source, r.reference) for r in stage_history(user=user, enterprise=e)]


def records(e: Enterprise) -> list[tuple[int, str, str]]:
    return list(StageRecord.objects.filter(enterprise=e).order_by("id").values_list("year", "stage", "source"))


def current(e: Enterprise) -> str:
    return Enterprise.objects.get(pk=e.pk).stage


# --- the service ---------------------------------------------------------------------------------------------


def test_a_second_record_of_a_year_stands_beside_the_first_and_is_that_years_stage(
        hangzhou_user: User, make_enterprise: Make) -> None:
    e = make_enterprise()
    services.stage_record(by=hangzhou_user, enterprise=e, year=2020, stage="automation", source="import",
                          reference="a.xlsx")
    services.stage_record(by=hangzhou_user, enterprise=e, year=2020, stage="digitization", source="edit")
    assert records(e) == [(2020, "automation", "import"), (2020, "digitization", "edit")], "never overwritten"
    assert history(hangzhou_user, e) == [(2020, "digitization", "edit", "")]
    assert current(e) == "digitization"


def test_the_same_stage_again_writes_nothing(hangzhou_user: User, make_enterprise: Make) -> None:
    e = make_enterprise()
    first = services.stage_record(by=hangzhou_user, enterprise=e, year=2021, stage="networking", source="import")
    audits = AuditLog.objects.count()
    again = services.stage_record(by=hangzhou_user, enterprise=e, year="2021", stage="网络化", source="diagnosis")
    assert again.pk == first.pk and StageRecord.objects.filter(enterprise=e).count() == 1
    assert AuditLog.objects.count() == audits


def test_an_earlier_year_never_moves_the_current_stage_back(hangzhou_user: User, make_enterprise: Make) -> None:
    e = make_enterprise(stage="mechanization")
    services.stage_record(by=hangzhou_user, enterprise=e, year=2022, stage="networking", source="import")
    services.stage_record(by=hangzhou_user, enterprise=e, year=2019, stage="automation", source="import")
    assert current(e) == e.stage == "networking"
    assert [row[:2] for row in history(hangzhou_user, e)] == [(2019, "automation"), (2022, "networking")]
    services.stage_record(by=hangzhou_user, enterprise=e, year=2023, stage="digitization", source="edit")
    assert current(e) == "digitization", "a later year moves it, even to a lower stage"


def test_a_record_is_audited_as_the_years_stage(hangzhou_user: User, make_enterprise: Make) -> None:
    e = make_enterprise()
    services.stage_record(by=hangzhou_user, enterprise=e, year=2020, stage="automation", source="project",
                          reference="P-7")
    services.stage_record(by=hangzhou_user, enterprise=e, year=2020, stage="digitization", source="edit")
    first, second = AuditLog.objects.filter(entity="stage", subject=e.uscc).order_by("id")
    assert (first.action, first.entity_id, first.before) == ("create", f"{e.uscc}/2020", None)
    assert first.after == {"stage": "automation", "source": "project", "reference": "P-7"}
    assert (second.action, second.before, second.actor) == ("update", first.after, hangzhou_user)


@pytest.mark.parametrize(("data", "field"), [
    ({"year": "abc"}, "year"),
    ({"year": 1800}, "year"),
    ({"year": THIS_YEAR + 2}, "year"),
    ({"year": None}, "year"),
    ({"year": "２０２０"}, "year"),
    ({"stage": "robotics"}, "stage"),
    ({"stage": ""}, "stage"),
    ({"stage": "auto\x00mation"}, "stage"),
    ({"source": "rumour"}, "source"),
    ({"reference": "a\x00b"}, "reference"),
    ({"reference": "x" * 256}, "reference"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
        hangzhou_user: User, make_enterprise: Make, data: dict[str, Any], field: str) -> None:
    e = make_enterprise(stage="automation")
    values = {"year": 2020, "stage": "digitization", "source": "edit", "reference": "", **data}
    with pytest.raises(InvalidInput) as caught:
        services.stage_record(by=hangzhou_user, enterprise=e, **values)
    assert [d["field"] for d in caught.value.details] == [field]
    assert not StageRecord.objects.filter(enterprise=e).exists() and current(e) == "automation"


def test_profile_edits_record_this_years_stage(hangzhou_user: User, make_enterprise: Make) -> None:
    created = services.enterprise_create(by=hangzhou_user, data={
        "uscc": new_uscc(), "name": "新登记企业", "region": "330102", "industry": "34", "stage": "automation"})
    assert records(created) == [(THIS_YEAR, "automation", "edit")]
    services.enterprise_update(by=hangzhou_user, enterprise=created, data={"name": "改名", "stage": "automation"})
    assert len(records(created)) == 1, "a form saved with the stage it shows records nothing"
    services.enterprise_update(by=hangzhou_user, enterprise=created, data={"stage": "networking"})
    assert records(created)[-1] == (THIS_YEAR, "networking", "edit") and current(created) == "networking"
    entry = AuditLog.objects.filter(entity="enterprise", entity_id=created.uscc).latest("id")
    assert (entry.before, entry.after) == ({"stage": "automation"}, {"stage": "networking"})


def test_stage_set_by_another_module_says_whether_it_recorded(hangzhou_user: User, make_enterprise: Make) -> None:
    e = make_enterprise()
    kwargs: dict[str, Any] = {"by": hangzhou_user, "enterprise": e, "year": 2021, "reason": "验收",
                              "source": StageSource.PROJECT, "reference": "12"}
    assert services.enterprise_stage_set(stage="networking", **kwargs) is True
    assert services.enterprise_stage_set(stage="networking", **kwargs) is False
    assert history(hangzhou_user, e) == [(2021, "networking", "project", "12")]


def test_bulk_records_are_idempotent_and_read_in_one_query(hangzhou_user: User, make_enterprise: Make) -> None:
    firms = [make_enterprise() for _ in range(6)]
    services.stage_record(by=hangzhou_user, enterprise=firms[0], year=2020, stage="automation", source="edit")

    def rows(k: int, stage: str) -> list[tuple[int, str, int, str, str]]:
        return [(e.id, e.uscc, year, stage, "f") for e in firms[:k] for year in (2019, 2020)]

    def recorded(k: int, stage: str) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            n = services.stage_records_bulk(by=hangzhou_user, rows=rows(k, stage), source="import", summary="f")
        return n, len(queries)

    n_small, queries_small = recorded(2, "automation")
    assert n_small == 3, "the first firm's 2020 had that stage already"
    n_large, queries_large = recorded(6, "automation")
    assert n_large == 8 and queries_large == queries_small, "no query per row"
    assert recorded(6, "automation")[0] == 0, "the same rows again write nothing"
    assert recorded(1, "networking")[0] == 2
    assert history(hangzhou_user, firms[0]) == [(2019, "networking", "import", "f"),
                                                (2020, "networking", "import", "f")]
    assert AuditLog.objects.filter(entity="stage", action="import", summary="f").count() == 13


# --- the import ----------------------------------------------------------------------------------------------


def ent_row(code: str, **over: Any) -> list[Any]:
    values = {"uscc": code, **ENTERPRISE, **over}
    return [values[c] for c in ENTERPRISE_COLUMNS]


def ind_row(code: str, **over: Any) -> list[Any]:
    values = {"uscc": code, **INDICATOR, "stage": "", **over}
    return [values[c] for c in INDICATOR_TABLE_COLUMNS]


def test_the_enterprise_tables_stage_is_recorded_for_its_stage_year_and_again_changes_nothing(
        hangzhou_user: User, tmp_path: Path) -> None:
    a, b = new_uscc(), new_uscc()
    path = write_csv(tmp_path / "e.csv", ENTERPRISE_COLUMNS,
                     [ent_row(a, stage="数字化", stage_year="2019"), ent_row(b, stage="Networking", stage_year="")])
    errors, summary = run(hangzhou_user, path)
    assert errors == [] and (summary["stages"], summary["stages_recorded"]) == (2, 2)
    ea, eb = Enterprise.objects.get(uscc=a), Enterprise.objects.get(uscc=b)
    assert history(hangzhou_user, ea) == [(2019, "digitization", "import", "e.csv")]
    assert history(hangzhou_user, eb) == [(THIS_YEAR, "networking", "import", "e.csv")], "blank: this year"
    assert (ea.stage, eb.stage) == ("digitization", "networking")
    before = (StageRecord.objects.count(), AuditLog.objects.exclude(entity="file").count())
    errors, summary = run(hangzhou_user, path)
    assert errors == [] and summary["stages_recorded"] == 0
    assert (StageRecord.objects.count(), AuditLog.objects.exclude(entity="file").count()) == before


def test_an_older_stage_year_leaves_the_current_stage(hangzhou_user: User, make_enterprise: Make,
                                                       tmp_path: Path) -> None:
    e = make_enterprise()
    services.stage_record(by=hangzhou_user, enterprise=e, year=2022, stage="networking", source="diagnosis")
    path = write_csv(tmp_path / "e.csv", ENTERPRISE_COLUMNS, [ent_row(e.uscc, stage="automation", stage_year="2018")])
    assert run(hangzhou_user, path)[0] == []
    assert current(e) == "networking"
    assert [r[:2] for r in history(hangzhou_user, e)] == [(2018, "automation"), (2022, "networking")]


@pytest.mark.parametrize("rows", [3, 12_000], ids=["one chunk", "three chunks"])
def test_the_indicator_tables_stage_is_that_rows_years(hangzhou_user: User, make_enterprise: Make,
                                                       tmp_path: Path, rows: int) -> None:
    """A clean chunk is taken at once (importer._all_clean), its stages with it; a file of many chunks
    keeps each enterprise's year once across them."""
    e = make_enterprise(stage="mechanization")
    table = [ind_row(e.uscc, year="2019", stage="automation"), ind_row(e.uscc, year="2020", stage="自动化"),
             ind_row(e.uscc, year="2021", stage="intelligentization")]
    if rows > 3:  # monthly rows of 2021 repeating its stage, and others giving none
        table += [ind_row(e.uscc, year="2021", month=str(m), stage="intelligentization" if m % 2 else "")
                  for m in range(1, 12)]
        others = [make_enterprise() for _ in range(rows // 900)]
        table += [ind_row(o.uscc, year=str(1950 + k // 13), month=str(k % 13)) for o in others for k in range(900)]
        table += [ind_row(e.uscc, year="2021", month="12", stage="intelligentization")]  # the last chunk
    errors, summary = run(hangzhou_user, write_csv(tmp_path / "i.csv", INDICATOR_TABLE_COLUMNS, table))
    assert errors == [] and summary["stages_recorded"] == 3
    assert [r[:3] for r in history(hangzhou_user, e)] == [
        (2019, "automation", "import"), (2020, "automation", "import"), (2021, "intelligentization", "import")]
    assert current(e) == "intelligentization"
    again = run(hangzhou_user, write_csv(tmp_path / "i.csv", INDICATOR_TABLE_COLUMNS, table))
    assert again[1]["stages_recorded"] == 0 and StageRecord.objects.filter(enterprise=e).count() == 3


def test_an_indicator_file_without_the_stage_column_records_no_stage(hangzhou_user: User, make_enterprise: Make,
                                                                      tmp_path: Path) -> None:
    e = make_enterprise()
    row = [{"uscc": e.uscc, **INDICATOR}[c] for c in INDICATOR_COLUMNS]
    errors, summary = run(hangzhou_user, write_csv(tmp_path / "i.csv", INDICATOR_COLUMNS, [row]))
    assert errors == [] and "stages" not in summary and not StageRecord.objects.exists()


def test_bad_stages_are_reported_by_row_and_column_and_nothing_is_written(
        hangzhou_user: User, make_enterprise: Make, tmp_path: Path) -> None:
    e = make_enterprise()
    enterprises = [
        ent_row(new_uscc(), stage="robotics"),  # 2
        ent_row(new_uscc(), stage="automation", stage_year="20x9"),  # 3
        ent_row(new_uscc(), stage="automation", stage_year="1800"),  # 4
        ent_row(new_uscc(), stage="", stage_year="2020"),  # 5: a year for no stage
        ent_row(new_uscc(), stage="automation", stage_year="2020"),  # 6: fine, but see the indicator sheet
    ]
    code = enterprises[4][0]
    indicators = [
        ind_row(e.uscc, year="2020", month="1", stage="automation"),  # 2
        ind_row(e.uscc, year="2020", month="2", stage="digitization"),  # 3: 2020 given another stage by row 2
        ind_row(e.uscc, year="2019", stage="cloud"),  # 4
        ind_row(code, year="2020", stage="networking"),  # 5: the enterprise sheet's row 6 gave automation
        ind_row(code, year="2021", stage="networking"),  # 6: fine
    ]
    book = Workbook()
    book.remove(book.active)
    for title, header, rows in (("enterprises", ENTERPRISE_COLUMNS, enterprises),
                                ("indicators", INDICATOR_TABLE_COLUMNS, indicators)):
        sheet = book.create_sheet(title)
        for row in [header, *rows]:
            sheet.append(row)
    book.save(tmp_path / "bad.xlsx")
    before = (Enterprise.objects.count(), StageRecord.objects.count(), AuditLog.objects.count())
    errors, _summary = run(hangzhou_user, tmp_path / "bad.xlsx")
    found = [(x.get("sheet"), x["row"], x["column"]) for x in errors]
    assert found == [("enterprises", 2, "stage"), ("enterprises", 3, "stage_year"), ("enterprises", 4, "stage_year"),
                     ("enterprises", 5, "stage_year"), ("indicators", 3, "stage"), ("indicators", 4, "stage"),
                     ("indicators", 5, "stage")], errors
    by_place = {(x["sheet"], x["row"]): str(x["message"]) for x in errors}
    assert "第2行" in by_place[("indicators", 3)] and "第6行" in by_place[("indicators", 5)]
    assert "intelligentization" in by_place[("indicators", 4)]
    assert (Enterprise.objects.count(), StageRecord.objects.count(), AuditLog.objects.count()) == before


def test_a_dry_run_counts_the_stages_and_records_none(hangzhou_user: User, make_enterprise: Make,
                                                      tmp_path: Path) -> None:
    e = make_enterprise()
    path = write_csv(tmp_path / "i.csv", INDICATOR_TABLE_COLUMNS, [ind_row(e.uscc, stage="networking")])
    errors, summary = run(hangzhou_user, path, dry_run=True)
    assert errors == [] and summary["stages"] == 1 and not StageRecord.objects.exists()


def test_the_template_has_the_stage_columns(client: Client, hangzhou_user: User) -> None:
    client.force_login(hangzhou_user)
    enterprises = b"".join(client.get("/imports/template.enterprises.csv").streaming_content).decode("utf-8-sig")
    indicators = b"".join(client.get("/imports/template.indicators.csv").streaming_content).decode("utf-8-sig")
    enterprises, indicators = enterprises.splitlines()[0], indicators.splitlines()[0]
    assert "[stage_year]" in enterprises and "改造阶段年份" in enterprises
    assert indicators.endswith("改造阶段 [stage]")


# --- the diagnosis -------------------------------------------------------------------------------------------


def test_a_verified_diagnosis_records_the_stage_of_its_year(make_user: Callable[..., User], hangzhou_user: User,
                                                             make_enterprise: Make) -> None:
    from zhigai.diagnosis import services as diagnosis
    from zhigai.diagnosis.models import MaturityModel

    e = make_enterprise(stage="mechanization")
    services.stage_record(by=hangzhou_user, enterprise=e, year=THIS_YEAR - 3, stage="automation", source="import")
    expert = make_user(Role.EXPERT)
    diagnosis.assignment_add(by=hangzhou_user, expert=expert, enterprise=e)
    expert = User.objects.get(pk=expert.pk)
    ladder = MaturityModel.objects.get(code="ladder", current=True)
    draft = diagnosis.assessment_start(by=expert, enterprise=e, model=ladder)
    diagnosis.assessment_answer(by=expert, assessment=draft, answers={
        r.id: "full" if r.level <= 3 else "none" for r in ladder.spec.requirements})
    done = diagnosis.assessment_submit(by=expert, assessment=draft)
    year = timezone.localtime(done.submitted).year
    assert history(hangzhou_user, e)[-1] == (year, ladder.spec.level(3).stage, "diagnosis", str(done.pk))
    assert history(hangzhou_user, e)[0][:2] == (THIS_YEAR - 3, "automation"), "the earlier year kept"
    assert current(e) == ladder.spec.level(3).stage


# --- the API and the pages -----------------------------------------------------------------------------------


def test_api_lists_the_stage_by_year(api_client: Any, hangzhou_user: User, ningbo_user: User,
                                     make_enterprise: Make) -> None:
    e = make_enterprise()
    for year, stage, source in ((2021, "networking", "diagnosis"), (2019, "automation", "import"),
                                (2021, "digitization", "edit")):
        services.stage_record(by=hangzhou_user, enterprise=e, year=year, stage=stage, source=source,
                              reference="x.csv" if source == "import" else "")
    response = api_client(hangzhou_user).get(f"/api/v1/enterprises/{e.uscc}/stages")
    assert response.status_code == 200
    body = response.json()
    assert [(r["year"], r["stage"], r["source"], r["reference"]) for r in body] == [
        (2019, "automation", "import", "x.csv"), (2021, "digitization", "edit", "")]
    assert (body[0]["stage_name"], body[0]["source_name"]) == ("自动化", "导入")
    assert set(body[0]) == {"year", "stage", "stage_name", "source", "source_name", "reference", "recorded_at"}
    english = api_client(hangzhou_user).get(f"/api/v1/enterprises/{e.uscc}/stages", HTTP_ACCEPT_LANGUAGE="en")
    assert (english.json()[0]["stage_name"], english.json()[0]["source_name"]) == ("Automation", "Import")
    for user, path in ((ningbo_user, e.uscc), (hangzhou_user, new_uscc()), (hangzhou_user, "not-a-code")):
        refused = api_client(user).get(f"/api/v1/enterprises/{path}/stages")
        assert refused.status_code == 404
        assert refused.json()["code"] == "not_found" and set(refused.json()) == {"code", "message", "details"}
    assert api_client(hangzhou_user).get(f"/api/v1/enterprises/{make_enterprise().uscc}/stages").json() == []


def test_enterprise_page_and_home_show_the_stage_by_year(client: Client, hangzhou_user: User,
                                                         make_user: Callable[..., User], make_enterprise: Make) -> None:
    e = make_enterprise()
    services.stage_record(by=hangzhou_user, enterprise=e, year=2019, stage="automation", source="import",
                          reference="台账2019.xlsx")
    services.stage_record(by=hangzhou_user, enterprise=e, year=2021, stage="networking", source="diagnosis",
                          reference="42")
    client.force_login(hangzhou_user)
    page = client.get(f"/enterprises/{e.uscc}/").content.decode()
    assert "改造阶段历年记录" in page
    table = page.split('data-testid="stage-years"')[1].split("</table>")[0]
    assert "<td>2019</td><td>自动化</td><td>导入</td><td>台账2019.xlsx</td>" in table
    assert "<td>2021</td><td>网络化</td><td>诊断核实</td><td>#42</td>" in table
    client.cookies["django_language"] = "en"
    english = client.get(f"/enterprises/{e.uscc}/").content.decode()
    assert "Stage by year" in english and "Verified diagnosis" in english
    client.cookies["django_language"] = "zh-hans"
    client.force_login(make_user(Role.ENTERPRISE, enterprise=e))
    home = client.get("/").content.decode()
    assert "2019 自动化" in home.split('data-testid="home-stage-years"')[1].split("</dd>")[0]
    assert "2021 网络化" in home


def test_an_enterprise_without_records_says_so(client: Client, hangzhou_user: User, make_enterprise: Make) -> None:
    client.force_login(hangzhou_user)
    assert "尚无按年记录的改造阶段" in client.get(f"/enterprises/{make_enterprise().uscc}/").content.decode()


def test_tags_say_when_they_are_the_industrys_default(client: Client, hangzhou_user: User,
                                                      make_enterprise: Make) -> None:
    from zhigai.base.models import Industry, Tag

    industry = Industry.objects.filter(tags__isnull=False).first()
    assert industry is not None
    bare, tagged = make_enterprise(industry=industry.code), make_enterprise(industry=industry.code)
    tagged.tags.set([Tag.objects.exclude(industries=industry).first()])
    client.force_login(hangzhou_user)
    default = client.get(f"/enterprises/{bare.uscc}/").content.decode()
    assert 'data-testid="tags-by-default"' in default
    assert all(t.name_zh in default for t in industry.tags.all())
    assert 'data-testid="tags-by-default"' not in client.get(f"/enterprises/{tagged.uscc}/").content.decode()


def test_history_shows_the_stage_records(client: Client, hangzhou_user: User, make_enterprise: Make) -> None:
    e = make_enterprise()
    services.stage_record(by=hangzhou_user, enterprise=e, year=2020, stage="automation", source="import",
                          reference="a.csv")
    services.stage_record(by=hangzhou_user, enterprise=e, year=2020, stage="digitization", source="edit")
    client.force_login(hangzhou_user)
    page = client.get(f"/enterprises/{e.uscc}/").content.decode().split('data-testid="history"')[1]
    assert "<td>2020年改造阶段</td>" in page and "<li><b>改造阶段</b> 自动化 → 数字化</li>" in page
    assert "<li><b>来源</b> 导入 → 手工修改</li>" in page and "<li><b>依据</b> a.csv → —</li>" in page
    assert json.dumps("edit") not in page


def test_the_demo_diagnoses_record_their_stages(make_enterprise: Make, hangzhou_user: User) -> None:
    """The demo generator's verified diagnoses record the stage of their year as a verification does."""
    from zhigai.diagnosis.models import Assessment, Kind
    from zhigai.diagnosis.seed import diagnosis_demo_seed

    firms = [make_enterprise(stage="networking") for _ in range(60)]
    diagnosis_demo_seed(seed=5)
    verified = Assessment.objects.filter(kind=Kind.EXPERT, model__code="ladder", enterprise__in=firms)
    assert verified.exists()
    for assessment in verified:
        record = StageRecord.objects.get(enterprise_id=assessment.enterprise_id, source="diagnosis")
        assert (record.year, record.reference) == (assessment.submitted.year, str(assessment.pk))
        assert current(assessment.enterprise) == record.stage


def test_the_admin_reads_stage_records_and_changes_none(client: Client, hangzhou_user: User,
                                                        make_enterprise: Make) -> None:
    e = make_enterprise()
    record = services.stage_record(by=hangzhou_user, enterprise=e, year=2020, stage="automation", source="edit")
    client.force_login(User.objects.create_superuser("root", "root@example.org", "long-enough-password"))
    assert "自动化" in client.get("/admin/base/stagerecord/").content.decode()
    assert client.get("/admin/base/stagerecord/add/").status_code == 403
    detail = client.get(f"/admin/base/stagerecord/{record.pk}/change/")
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    profile = client.get(f"/admin/base/enterprise/{e.pk}/change/").content.decode()
    assert 'name="stage"' not in profile, "the current stage follows the records, not a form field"
    assert client.post(f"/admin/base/enterprise/{e.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not StageRecord.objects.filter(pk=record.pk).exists(), "an enterprise removed takes its records"
