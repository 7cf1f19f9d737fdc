"""The diagnosis report (PDF) and the answers workbook (Excel) of submitted assessments."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from pypdf import PdfReader

from zhigai.base.models import Enterprise, Indicator
from zhigai.diagnosis import services
from zhigai.diagnosis.definition import ModelDef, Requirement
from zhigai.diagnosis.loader import maturity_models_load
from zhigai.diagnosis.models import Assessment, Kind, MaturityModel
from zhigai.diagnosis.report import assessment_pdf, assessment_xlsx
from zhigai.diagnosis.results import assessment_result, benchmark

pytestmark = pytest.mark.django_db

NOTE = "设备台账 <见附件> & “照片”"  # reportlab's mini-markup must not swallow or choke on it


@pytest.fixture
def ladder(db: Any) -> MaturityModel:
    maturity_models_load()
    return MaturityModel.objects.get(code="ladder", current=True)


def _submit(user: Any, enterprise: Enterprise, model: MaturityModel, choose: Callable[[Requirement], str],
            notes: dict[str, str] | None = None) -> Assessment:
    assessment = services.assessment_start(by=user, enterprise=enterprise, model=model)
    answers = {r.id: choose(r) for r in model.spec.requirements}
    services.assessment_answer(by=user, assessment=assessment, answers=answers, notes=notes or {})
    return services.assessment_submit(by=user, assessment=assessment)


def _mid(r: Requirement) -> str:
    """Level 1 fully in place, level 2 largely (below the 0.8 threshold): level 1, gaps at level 2."""
    return {1: "full", 2: "largely"}.get(r.level, "none")


@pytest.fixture
def self_assessment(ladder: MaturityModel, make_enterprise: Callable[..., Enterprise],
                    make_user: Callable[..., Any]) -> Assessment:
    enterprise = make_enterprise(name="杭州精密机械有限公司")
    user = make_user("enterprise", enterprise=enterprise)
    first = ladder.spec.requirements[0].id
    return _submit(user, enterprise, ladder, _mid, notes={first: NOTE})


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join("".join((page.extract_text() or "").split()) for page in reader.pages)


def _font_names(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"].get_object()
        for ref in resources["/Font"].get_object().values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def _squash(text: str) -> str:
    return "".join(text.split())


def _render(assessment: Assessment, language: str) -> tuple[bytes, bytes, Any]:
    with translation.override(language):
        result = assessment_result(Assessment.objects.get(pk=assessment.pk))
        return assessment_pdf(result, benchmark=benchmark(assessment=assessment)), assessment_xlsx(result), result


def test_pdf_in_chinese(self_assessment: Assessment) -> None:
    pdf, _xlsx, result = _render(self_assessment, "zh-hans")
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pages
    text = _pdf_text(pdf)
    enterprise = self_assessment.enterprise
    for expected in ("智能化改造诊断报告", enterprise.name, enterprise.uscc, "智能化改造五阶段阶梯", "机械化",
                     enterprise.region.name_zh):
        assert expected in text
    assert self_assessment.level == 1
    # The gaps to level 2, with the typical investment of a measure in one unit, 万元 from ten thousand yuan.
    gap = result.gaps[0]
    assert gap.requirement.id in text and gap.measures
    low, high = gap.measures[0].investment_min, gap.measures[0].investment_max
    assert low >= 10_000 and f"{low / 10_000:,.4g}–{high / 10_000:,.4g}万元" in text
    # Too few peers: the report says why no benchmark is shown.
    assert _squash(benchmark(assessment=self_assessment)["reason"])[:20] in text
    assert any("STSong-Light" in name for name in _font_names(pdf))


def test_pdf_in_english(self_assessment: Assessment) -> None:
    pdf, _xlsx, result = _render(self_assessment, "en")
    text = _pdf_text(pdf)
    with translation.override("en"):
        title = gettext("智能化改造诊断报告")
    assert result.language == "en"
    assert _squash(title) in text
    assert self_assessment.enterprise.name in text  # names of enterprises are not translated
    assert _squash("Five-stage intelligent transformation ladder") in text
    assert "Mechanization" in text
    assert "智能化改造五阶段阶梯" not in text


def test_pdf_shows_an_available_benchmark(self_assessment: Assessment) -> None:
    with translation.override("zh-hans"):
        result = assessment_result(self_assessment)
        pdf = assessment_pdf(result, benchmark={
            "available": True, "percentile": 72.5, "group_size": 14, "region": "330100", "region_name": "杭州市",
            "region_level": 2, "industry": "34", "size_class": "small", "median": 1.5,
        })
    text = _pdf_text(pdf)
    assert "杭州市" in text and "14" in text and "72.5" in text


def test_pdf_without_benchmark_argument(self_assessment: Assessment) -> None:
    with translation.override("zh-hans"):
        pdf = assessment_pdf(assessment_result(self_assessment))
    assert pdf.startswith(b"%PDF") and "同行对标" not in _pdf_text(pdf)


@pytest.mark.parametrize(("answer", "level"), [("none", 0), ("full", 5)])
def test_level_zero_and_top_level(answer: str, level: int, ladder: MaturityModel,
                                  make_enterprise: Callable[..., Enterprise], make_user: Callable[..., Any]) -> None:
    enterprise = make_enterprise()
    assessment = _submit(make_user("enterprise", enterprise=enterprise), enterprise, ladder, lambda r: answer)
    assert assessment.level == level == (0 if answer == "none" else ladder.spec.top_level)
    pdf, xlsx, result = _render(assessment, "zh-hans")
    text = _pdf_text(pdf)
    assert enterprise.name in text
    if level == 0:
        assert result.gaps and "未达到一级" in text
        assert {g.requirement.level for g in result.gaps} == {1}
    else:
        assert not result.gaps and "已达到最高等级" in text
    ws = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    assert ws.max_row == len(ladder.spec.requirements) + 1


def test_xlsx_has_one_row_per_requirement(self_assessment: Assessment) -> None:
    _pdf, xlsx, _result = _render(self_assessment, "zh-hans")
    wb = load_workbook(io.BytesIO(xlsx))
    answers, summary = wb.worksheets
    assert answers.title == "答案"
    spec: ModelDef = self_assessment.model.spec
    rows = list(answers.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == len(spec.requirements)
    assert {row[0]: row[5] for row in body} == self_assessment.answers
    by_id = {row[0]: row for row in body}
    first = spec.requirements[0]
    assert by_id[first.id][8] == NOTE
    assert by_id[first.id][7] == 1.0 and by_id[first.id][4] == first.question.zh
    assert len(header) == 9  # no expert columns on a self-assessment
    assert answers["A1"].font.b and answers.freeze_panes == "A2"
    assert answers.column_dimensions["E"].width > answers.column_dimensions["A"].width
    values = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
    assert values["统一社会信用代码"] == self_assessment.enterprise.uscc
    assert values["得分"] == self_assessment.score and values["等级"] == "加权满足度"  # the table head follows
    dims = [row for row in summary.iter_rows(values_only=True) if row[3] in self_assessment.dimension_scores]
    assert {row[3]: row[1] for row in dims} == self_assessment.dimension_scores


def test_xlsx_sheet_title_follows_the_language(self_assessment: Assessment) -> None:
    _pdf, xlsx, _result = _render(self_assessment, "en")
    with translation.override("en"):
        title = gettext("答案")
    ws = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    assert ws.title == title[:31]
    first = self_assessment.model.spec.requirements[0]
    assert ws.cell(row=2, column=5).value == first.question.en


@pytest.fixture
def expert_diagnosis(self_assessment: Assessment, make_user: Callable[..., Any]) -> Assessment:
    """The expert verifies the self-assessment: robots, defects and cloud use come from the data, and the
    expert marks two of the claimed level-1 requirements as not in place."""
    enterprise = self_assessment.enterprise
    Indicator.objects.create(enterprise=enterprise, year=2023, robots=0, frontline_employees=120,
                             defect_rate=0.01, cloud_level=2)
    expert = make_user("expert")
    services.assignment_add(by=make_user("province", region="330000"), expert=expert, enterprise=enterprise)
    overruled = {r.id for r in self_assessment.model.spec.requirements if r.level == 1 and r.check is None}
    overruled = set(sorted(overruled)[:2])
    return _submit(expert, enterprise, self_assessment.model,
                   lambda r: "none" if r.id in overruled else self_assessment.answers[r.id])


def test_expert_diagnosis_report(expert_diagnosis: Assessment, self_assessment: Assessment) -> None:
    assert expert_diagnosis.kind == Kind.EXPERT and expert_diagnosis.claims_from_id == self_assessment.pk
    pdf, xlsx, result = _render(expert_diagnosis, "zh-hans")
    assert result.checks and result.differences
    text = _pdf_text(pdf)
    for expected in ("专家诊断", "客观数据核验", "自评与核验的差异", "无数据" if any(
            c["value"] is None for c in result.checks) else "数据值"):
        assert expected in text
    for difference in result.differences:
        assert difference.requirement.id in text
    checked = next(c for c in result.checks if c["value"] is not None)
    assert checked["requirement"].id in text

    ws = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows[0]) == 15 and len(rows) == len(expert_diagnosis.model.spec.requirements) + 1
    by_id = {row[0]: row for row in rows[1:]}
    assert {rid: row[5] for rid, row in by_id.items()} == expert_diagnosis.answers
    assert {rid: row[9] for rid, row in by_id.items()} == self_assessment.answers  # the claims
    for rid, outcome in expert_diagnosis.checks.items():
        assert by_id[rid][11] == outcome["value"] and by_id[rid][13] == outcome["year"]
        assert by_id[rid][12], "the value's unit beside it"
    robots = next(rid for rid, o in expert_diagnosis.checks.items() if o["value"] == 0)
    assert by_id[robots][7] == 0  # the data overrule the claim in the fulfilment


def test_expert_diagnosis_report_in_english(expert_diagnosis: Assessment) -> None:
    pdf, _xlsx, result = _render(expert_diagnosis, "en")
    text = _pdf_text(pdf)
    with translation.override("en"):
        for label in ("客观数据核验", "自评与核验的差异"):
            assert _squash(gettext(label)) in text
    assert result.differences[0].requirement.id in text


HOSTILE = ["=HYPERLINK(\"http://evil.example/\",\"点我\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)",
           "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_xlsx_never_writes_a_user_text_as_a_formula(ladder: MaturityModel, make_enterprise: Callable[..., Enterprise],
                                                     make_user: Callable[..., Any], text: str) -> None:
    """The enterprise user sets its name and the notes; officers open the export: nothing may evaluate."""
    enterprise = make_enterprise(name=text)
    user = make_user("enterprise", enterprise=enterprise)
    first = ladder.spec.requirements[0].id
    done = _submit(user, enterprise, ladder, _mid, notes={first: text})
    _pdf, xlsx, _result = _render(done, "zh-hans")
    book = load_workbook(io.BytesIO(xlsx))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]
    mine = [c for c in cells if isinstance(c.value, str) and c.value.strip() == text.strip()]
    assert len(mine) == 2, "the name and the note (notes are stored trimmed), written as text"
    assert all(c.data_type == "s" and c.quotePrefix for c in mine), "text, quoted: editing it makes no formula"
    assert not [c for c in cells if c.data_type == "f"], "no formula anywhere in the workbook"


def test_csv_cells_that_would_evaluate_are_quoted() -> None:
    from zhigai.core.exports import csv_bytes

    text = csv_bytes([["名称", "备注"], ["=1+1", "@x"], ["正常", -5]]).decode("utf-8")
    assert text == "\ufeff名称,备注\r\n'=1+1,'@x\r\n正常,-5\r\n"
