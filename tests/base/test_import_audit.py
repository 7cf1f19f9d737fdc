"""What an import changes in existing records is audited with before and after; odd files get clear errors."""

from __future__ import annotations

from pathlib import Path

from django.utils import timezone
from openpyxl import Workbook

from tests.base.test_import import ent, ind, run, write_csv, write_xlsx
from tests.conftest import new_uscc
from zhigai.base.models import Enterprise, StageRecord
from zhigai.base.selectors import enterprise_history
from zhigai.base.validation import ENTERPRISE_COLUMNS, INDICATOR_COLUMNS
from zhigai.core.models import AuditLog, User


def _import_audits(file: str | None = None) -> list[AuditLog]:
    """The entries of changes to existing records (not the file's entry, nor what an import created)."""
    found = AuditLog.objects.filter(action="import").exclude(entity="file").exclude(before={}).order_by("id")
    return list(found.filter(summary=file) if file else found)


def test_first_import_audits_the_file_and_one_entry_per_enterprise_not_every_new_row(
        hangzhou_user: User, tmp_path: Path) -> None:
    """Review of issue 9: what an import created appears in the enterprise's own history, naming the file
    — one entry for the enterprise, one for the periods it gained, however many rows."""
    code = new_uscc()
    rows = [ind(code, year=str(y)) for y in (2018, 2019, 2020)]
    errors, _summary = run(hangzhou_user, write_xlsx(tmp_path / "a.xlsx", [ent(code)], rows))
    assert errors == []
    assert _import_audits() == []
    assert AuditLog.objects.filter(action="import", entity="file", summary="a.xlsx").count() == 1
    created = AuditLog.objects.filter(action="import", before={}, subject=code).order_by("id")
    assert [(a.entity, a.entity_id, a.summary) for a in created] == [
        ("enterprise", code, "a.xlsx"), ("indicator", f"{code}/import", "a.xlsx")]
    assert created[0].after["name"] == "杭州精工机械有限公司" and created[0].after["region"] == "330102"
    assert created[0].after["stage"] == "automation"  # its stage record names the file, not another entry
    assert created[1].after == {"periods": 3, "from": 2018, "to": 2020}
    history = enterprise_history(user=hangzhou_user, enterprise=Enterprise.objects.get(uscc=code))
    assert {h.entity_id for h in history} == {code, f"{code}/import"}
    record = StageRecord.objects.get(enterprise__uscc=code)
    assert (record.year, record.stage, record.reference, record.recorded_by) == (
        timezone.localdate().year, "automation", "a.xlsx", hangzhou_user)


def test_a_stage_an_import_changes_is_audited_with_the_years_previous_one(hangzhou_user: User,
                                                                          tmp_path: Path) -> None:
    code = new_uscc()
    run(hangzhou_user, write_xlsx(tmp_path / "a.xlsx", [ent(code, stage_year="2020")]))
    assert not AuditLog.objects.filter(entity="stage").exists()
    errors, summary = run(hangzhou_user, write_xlsx(tmp_path / "b.xlsx", [ent(code, stage="网络化",
                                                                              stage_year="2020")]))
    assert errors == [] and summary["stages_recorded"] == 1
    entry = AuditLog.objects.get(entity="stage")
    assert (entry.action, entry.entity_id, entry.summary, entry.actor) == ("import", f"{code}/2020", "b.xlsx",
                                                                          hangzhou_user)
    assert entry.before == {"stage": "automation", "source": "import", "reference": "a.xlsx"}
    assert entry.after == {"stage": "networking", "source": "import", "reference": "b.xlsx"}
    assert Enterprise.objects.get(uscc=code).stage == "networking"


def test_changed_existing_records_get_before_and_after(hangzhou_user: User, tmp_path: Path) -> None:
    code = new_uscc()
    run(hangzhou_user, write_xlsx(tmp_path / "a.xlsx", [ent(code)], [ind(code), ind(code, year="2019")]))
    errors, summary = run(hangzhou_user, write_xlsx(
        tmp_path / "b.xlsx", [ent(code, name="杭州新名字机械有限公司")],
        [ind(code, revenue="26000000"), ind(code, year="2019")]))
    assert errors == [] and summary["indicators_updated"] == 1 and summary["enterprises_updated"] == 1
    audits = _import_audits("b.xlsx")
    assert [(a.entity, a.entity_id) for a in audits] == [("enterprise", code), ("indicator", f"{code}/2020/0")]
    assert audits[0].before == {"name": "杭州精工机械有限公司"}
    assert audits[0].after == {"name": "杭州新名字机械有限公司"}
    assert audits[1].before == {"revenue": "25000000.00"} and audits[1].after == {"revenue": "26000000.00"}
    assert all(a.actor == hangzhou_user and a.summary == "b.xlsx" for a in audits)
    # The enterprise's history (its page) lists both changes.
    history = enterprise_history(user=hangzhou_user, enterprise=Enterprise.objects.get(uscc=code))
    assert {h.entity_id for h in history} >= {code, f"{code}/2020/0"}


def test_reimporting_the_same_file_audits_nothing(hangzhou_user: User, tmp_path: Path) -> None:
    code = new_uscc()
    path = write_xlsx(tmp_path / "a.xlsx", [ent(code)], [ind(code)])
    run(hangzhou_user, path)
    run(hangzhou_user, path)
    assert _import_audits() == []


def test_a_file_with_only_a_header_is_refused(hangzhou_user: User, tmp_path: Path) -> None:
    errors, _summary = run(hangzhou_user, write_csv(tmp_path / "empty.csv", ENTERPRISE_COLUMNS, []))
    assert len(errors) == 1 and "没有数据行" in errors[0]["message"]


def test_blank_rows_above_the_header_are_skipped_and_rows_keep_their_numbers(
    hangzhou_user: User, tmp_path: Path
) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "indicators"
    sheet.append([])
    sheet.append([])
    sheet.append(INDICATOR_COLUMNS)
    sheet.append(ind(new_uscc(), employees="-1"))
    book.save(tmp_path / "gap.xlsx")
    errors, _summary = run(hangzhou_user, tmp_path / "gap.xlsx")
    places = {(e["row"], e["column"]) for e in errors}
    assert (4, "employees") in places and (4, "uscc") in places
