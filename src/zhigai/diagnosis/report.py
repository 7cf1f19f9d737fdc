"""A submitted assessment as a PDF report (reportlab) and its answers as an Excel workbook (openpyxl).

Both render a `Result` (results.assessment_result) in the language the result was assembled in, so the
model's names and the fixed labels never mix two languages. The PDF uses reportlab's built-in CID font
STSong-Light: it needs no font file (the platform runs on closed networks) and covers Chinese and Latin.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterable
from typing import Any, Literal
from xml.sax.saxutils import escape

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhigai.base.models import Indicator
from zhigai.core.exports import sheet_append
from zhigai.core.models import User
from zhigai.core.numbers import PERCENT_PLACES, money_range_text, number_text, percent_text

from .check_text import check_number, check_unit, check_value_text, plain_kind
from .definition import Check, Measure, Requirement
from .models import Assessment, Kind, Status
from .results import Result

FONT = "STSong-Light"
MIN_RADAR_AXES = 3  # fewer dimensions make no polygon; the table says the same


# Shared pieces -------------------------------------------------------------------------------------


def _who(user: User | None) -> str:
    if user is None:
        return "—"
    return str(user.get_full_name() or user.username).strip()


def _date(assessment: Assessment) -> str:
    return timezone.localtime(assessment.submitted).strftime("%Y-%m-%d") if assessment.submitted else "—"


def _percent(value: float | None) -> str:
    return percent_text(value)


def _number(value: float) -> str:
    return number_text(value)


def _yuan_range(measure: Measure) -> str:
    return money_range_text(measure.investment_min, measure.investment_max)


def _region_text(assessment: Assessment) -> str:
    region = assessment.enterprise.region
    parent = region.parent
    return f"{parent.name} {region.name}" if parent is not None and parent.parent_id else region.name


def _indicator_label(name: str) -> str:
    try:
        field = Indicator._meta.get_field(name)
    except FieldDoesNotExist:  # an indicator the model names but the table does not have: show its code
        return name
    return str(getattr(field, "verbose_name", name))


def _check_text(check: Check, language: str) -> str:
    """What is checked, e.g. "在役工业机器人（台） ÷ 一线生产人员 × 100 ≥ 3（台/百名一线工人）"."""
    text = _indicator_label(check.indicator)
    if check.per:
        text += f" ÷ {_indicator_label(check.per)}"
    if check.scale != 1:
        text += f" × {_number(check.scale)}"
    # A rate or an amount compared as it is reads in its own unit (≤ 2.0%); other figures take the model's.
    plain = plain_kind(check) is not None
    bound = (lambda v: check_number(check, v, language)) if plain else _number
    if check.at_least is not None:
        text += f" ≥ {bound(check.at_least)}"
    elif check.at_most is not None:
        text += f" ≤ {bound(check.at_most)}"
    if check.unit is not None and not plain:
        unit = check.unit.get(language)
        text += f" ({unit})" if language.startswith("en") else f"（{unit}）"
    return text


def _claims(result: Result) -> Assessment | None:
    claims = result.assessment.claims_from
    return claims if claims is not None and claims.status == Status.SUBMITTED else None


def _next_level_label(result: Result) -> str:
    spec, level = result.spec, result.assessment.level or 0
    nxt = spec.level(level + 1)
    return _level_label(level + 1, nxt.name.get(result.language)) if nxt else ""


def _level_label(number: int, name: str) -> str:
    return _("%(number)d 级（%(name)s）") % {"number": number, "name": name}


# PDF -----------------------------------------------------------------------------------------------


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=14, wordWrap="CJK")
    return {
        "title": ParagraphStyle("title", base, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=13, leading=18, alignment=TA_CENTER, spaceAfter=10),
        "h2": ParagraphStyle(
            "h2", base, fontSize=13, leading=18, spaceBefore=12, spaceAfter=6, textColor=colors.HexColor("#1f4e79")
        ),
        "body": base,
        "big": ParagraphStyle("big", base, fontSize=14, leading=20, spaceAfter=4),
        "small": ParagraphStyle("small", base, fontSize=8, leading=11, textColor=colors.HexColor("#555555")),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=11.5),
        "head": ParagraphStyle("head", base, fontSize=8.5, leading=11.5, textColor=colors.white),
    }


def _safe(text: str) -> str:
    """Text for STSong-Light: its Unicode map lacks U+00B7, common in transliterated names (约翰·史密斯), so
    the katakana middle dot, which it has and which looks the same, stands in."""
    return text.replace("\u00b7", "\u30fb")


def _p(text: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(escape(_safe(text)), style)


def _table(rows: list[list[Any]], widths: list[float], st: dict[str, Any], *, header: bool = True) -> Any:
    """A grid table whose text cells wrap; the first row is a coloured header when `header`."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    cells = [
        [
            _p(c, st["head"] if header and i == 0 else st["cell"]) if isinstance(c, str) else c
            for c in row
        ]
        for i, row in enumerate(rows)
    ]
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    style: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#a6a6a6")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1f4e79")))
    else:
        style.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef3f8")))
    table.setStyle(TableStyle(style))
    return table


def _wrap_label(text: str, size: float, width: float) -> list[str]:
    """Split an axis label into lines no wider than `width` (at words for Latin, anywhere for CJK)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    tokens: list[str] = text.split(" ") if " " in text else list(text)
    sep = " " if " " in text else ""
    lines: list[str] = []
    line = ""
    for token in tokens:
        candidate = f"{line}{sep}{token}" if line else token
        if line and stringWidth(candidate, FONT, size) > width:
            lines.append(line)
            line = token
        else:
            line = candidate
    return [*lines, line] if line else lines


def _radar(dimensions: list[dict[str, Any]], top: int, width: float, compare: dict[str, float] | None) -> Any:
    """Dimension scores as a polygon over guide polygons at each level 1..top, first axis straight up."""
    from reportlab.graphics.shapes import Drawing, Line, Polygon, String
    from reportlab.lib import colors

    n = len(dimensions)
    height, radius, label_size = 250.0, 88.0, 7.5
    cx, cy = width / 2, height / 2 - 4
    grey, ink = colors.HexColor("#b0b0b0"), colors.HexColor("#1f4e79")
    drawing = Drawing(width, height)

    def point(i: int, value: float) -> tuple[float, float]:
        angle = math.pi / 2 - 2 * math.pi * i / n
        r = radius * max(0.0, min(value, top)) / top
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    def polygon(values: Iterable[float]) -> list[float]:
        return [coord for i, v in enumerate(values) for coord in point(i, v)]

    for level in range(1, top + 1):
        drawing.add(Polygon(polygon([level] * n), strokeColor=grey, strokeWidth=0.5, fillColor=None))
    for i in range(n):
        x, y = point(i, top)
        drawing.add(Line(cx, cy, x, y, strokeColor=grey, strokeWidth=0.5))
    for level in range(0, top + 1):
        x, y = point(0, level)
        drawing.add(String(x + 3, y - 2, str(level), fontName=FONT, fontSize=6.5, fillColor=colors.HexColor("#777777")))
    if compare is not None:
        drawing.add(Polygon(
            polygon(compare.get(d["id"], 0.0) for d in dimensions),
            strokeColor=colors.HexColor("#c55a11"), strokeWidth=1, strokeDashArray=[3, 2], fillColor=None,
        ))
    drawing.add(Polygon(
        polygon(d["score"] for d in dimensions),
        strokeColor=ink, strokeWidth=1.5, fillColor=colors.Color(0.12, 0.31, 0.47, alpha=0.25),
    ))
    for i, d in enumerate(dimensions):
        angle = math.pi / 2 - 2 * math.pi * i / n
        dx, dy = math.cos(angle), math.sin(angle)
        x, y = cx + (radius + 8) * dx, cy + (radius + 8) * dy
        anchor: Literal["start", "middle", "end"] = "middle" if abs(dx) < 0.2 else ("start" if dx > 0 else "end")
        lines = _wrap_label(_safe(f"{d['name']} {d['score']:.2f}"), label_size, 120)
        line_height = label_size + 1.5
        # Below the centre the block hangs from the axis end, above it stands on it, beside it is centred.
        if dy < -0.2:
            first = y - label_size
        elif dy > 0.2:
            first = y + (len(lines) - 1) * line_height
        else:
            first = y + (len(lines) - 1) * line_height / 2 - label_size / 3
        for k, text in enumerate(lines):
            drawing.add(String(x, first - k * line_height, text, fontName=FONT, fontSize=label_size,
                               textAnchor=anchor, fillColor=colors.black))
    if compare is not None:
        legend: list[tuple[Any, list[float], str]] = [
            (ink, [], _("专家诊断")), (colors.HexColor("#c55a11"), [3, 2], _("企业自评")),
        ]
        for k, (color, dash, text) in enumerate(legend):
            y = height - 10 - k * 11
            line = Line(4, y + 2.5, 22, y + 2.5, strokeColor=color, strokeWidth=1.5)
            if dash:
                line.strokeDashArray = dash
            drawing.add(line)
            drawing.add(String(26, y, text, fontName=FONT, fontSize=7.5))
    return drawing


def _measures_cell(measures: list[Measure], language: str, st: dict[str, Any]) -> list[Any] | str:
    from reportlab.platypus import Paragraph

    if not measures:
        return "—"
    out = []
    sep = ", " if language.startswith("en") else "、"
    for m in measures:
        tech = sep.join(t.get(language) for t in m.technologies)
        text = (
            f"<font color=\"#1f4e79\">{escape(_safe(m.name.get(language)))}</font><br/>"
            + escape(_safe(_("技术：%(technologies)s") % {"technologies": tech}))
            + "<br/>"
            + escape(_("典型投资：%(range)s") % {"range": _yuan_range(m)})
        )
        out.append(Paragraph(text, st["cell"]))
    return out


def _question(req: Requirement, language: str) -> str:
    return f"[{req.id}] {req.question.get(language)}"


def _pdf_story(result: Result, benchmark: dict[str, Any] | None, width: float, st: dict[str, Any]) -> list[Any]:
    from reportlab.lib.units import mm
    from reportlab.platypus import KeepTogether, Spacer

    a, spec, lang = result.assessment, result.spec, result.language
    e = a.enterprise
    story: list[Any] = [_p(_("智能化改造诊断报告"), st["title"]), _p(e.name, st["subtitle"])]

    label_w = 38 * mm
    story.append(_table([
        [_("企业名称"), e.name],
        [_("统一社会信用代码"), e.uscc],
        [_("所在地区"), _region_text(a)],
        [_("行业"), f"{e.industry.code} {e.industry.name}"],
        [_("规模"), e.get_size_class_display()],
        [_("诊断模型"), f"{spec.name.get(lang)}（{_('版本')} {spec.version}）"],
        [_("评估类型"), a.get_kind_display()],
        [_("提交日期"), _date(a)],
        [_("填写人") if a.kind == Kind.SELF else _("诊断专家"), _who(a.created_by)],
    ], [label_w, width - label_w], st, header=False))

    story.append(_p(_("诊断结果"), st["h2"]))
    story.append(_p(_("等级：%(level)s") % {"level": _level_label(a.level or 0, result.level_name)}, st["big"]))
    score = _("得分：%(score).2f（满分 %(top)d）") % {"score": a.score or 0.0, "top": spec.top_level}
    story.append(_p(score, st["big"]))
    story.append(_p(result.rule, st["small"]))
    story.append(Spacer(1, 4))
    level_rows: list[list[Any]] = [[_("等级"), _("加权满足度"), _("是否达到")]]
    for lv in spec.levels:
        done = lv.number <= (a.level or 0)
        level_rows.append([
            _level_label(lv.number, lv.name.get(lang)),
            _percent(a.level_fulfilment.get(str(lv.number))),
            _("已达到") if done else _("未达到"),
        ])
    story.append(_table(level_rows, [width * 0.5, width * 0.25, width * 0.25], st))

    story.append(_p(_("各维度得分"), st["h2"]))
    groups = any(d["group"] for d in result.dimensions)
    dim_rows: list[list[Any]] = [[_("能力域"), _("维度"), _("得分")] if groups else [_("维度"), _("得分")]]
    for d in result.dimensions:
        score = f"{d['score']:.2f}"
        dim_rows.append([d["group"], d["name"], score] if groups else [d["name"], score])
    dim_widths = [width * 0.3, width * 0.5, width * 0.2] if groups else [width * 0.75, width * 0.25]
    story.append(_table(dim_rows, dim_widths, st))
    if len(result.dimensions) >= MIN_RADAR_AXES:
        claims = _claims(result) if a.kind == Kind.EXPERT else None
        compare = {k: float(v) for k, v in claims.dimension_scores.items()} if claims is not None else None
        story.append(Spacer(1, 6))
        story.append(_radar(result.dimensions, spec.top_level, width, compare))

    story.append(_p(_("距下一等级的差距"), st["h2"]))
    if not result.gaps:
        top = (a.level or 0) >= spec.top_level
        story.append(_p(_("已达到最高等级，没有差距。") if top else _("没有未满足的要求。"), st["body"]))
    else:
        story.append(_p(_("要达到 %(level)s，还需满足以下要求（按权重排列）：") % {"level": _next_level_label(result)},
                        st["body"]))
        story.append(Spacer(1, 4))
        gap_rows: list[list[Any]] = [[_("要求"), _("权重"), _("当前满足度"), _("建议措施")]]
        for gap in result.gaps:
            gap_rows.append([
                _question(gap.requirement, lang),
                _number(gap.requirement.weight),
                _percent(gap.fulfilment),
                _measures_cell(gap.measures, lang, st),
            ])
        story.append(_table(gap_rows, [width * 0.34, width * 0.09, width * 0.13, width * 0.44], st))

    if a.kind == Kind.EXPERT:
        story += _expert_sections(result, width, st)

    if benchmark is not None:
        story.append(KeepTogether([_p(_("同行对标"), st["h2"]), _p(_benchmark_text(benchmark), st["body"])]))

    story.append(Spacer(1, 10))
    story.append(_p(
        _("本报告由智能化改造服务平台根据 %(date)s 提交的评估生成；模型：%(model)s %(version)s。")
        % {"date": _date(a), "model": spec.name.get(lang), "version": spec.version},
        st["small"],
    ))
    return story


def _expert_sections(result: Result, width: float, st: dict[str, Any]) -> list[Any]:
    spec, lang = result.spec, result.language
    out: list[Any] = [_p(_("客观数据核验"), st["h2"])]
    if not result.checks:
        out.append(_p(_("该模型没有可用企业数据核验的要求。"), st["body"]))
    else:
        out.append(_p(_("有数据时，以企业最近年度指标计算的满足度代替回答。"), st["small"]))
        rows: list[list[Any]] = [[_("要求"), _("核验标准"), _("年份"), _("数据值"), _("数据满足度"), _("回答满足度")]]
        for c in result.checks:
            req: Requirement = c["requirement"]
            check = req.check
            rows.append([
                _question(req, lang),
                _check_text(check, lang) if check is not None else "—",
                str(c.get("year") or "—"),
                check_value_text(check, c["value"], None, lang) if c.get("value") is not None else _("无数据"),
                _percent(c.get("fulfilment")),
                _percent(c.get("answered")),
            ])
        out.append(_table(rows, [width * w for w in (0.28, 0.28, 0.09, 0.11, 0.12, 0.12)], st))

    out.append(_p(_("自评与核验的差异"), st["h2"]))
    claims = _claims(result)
    if claims is None:
        out.append(_p(_("该企业没有已提交的自评，没有可对照的声明。"), st["body"]))
    elif not result.differences:
        out.append(_p(
            _("自评（%(date)s）与核验结果一致：各要求的满足度相差均不超过 %(t)s。")
            % {"date": _date(claims), "t": _percent(spec.disagreement)},
            st["body"],
        ))
    else:
        out.append(_p(
            _("与 %(date)s 的企业自评相比，以下要求的满足度相差超过 %(t)s：")
            % {"date": _date(claims), "t": _percent(spec.disagreement)},
            st["body"],
        ))
        rows = [[_("要求"), _("自评满足度"), _("核验满足度"), _("依据")]]
        for d in result.differences:
            rows.append([
                _question(d.requirement, lang),
                _percent(d.claimed),
                _percent(d.verified),
                _("企业数据") if d.source == "data" else _("专家判断"),
            ])
        out.append(_table(rows, [width * 0.52, width * 0.16, width * 0.16, width * 0.16], st))
    return out


def _benchmark_text(benchmark: dict[str, Any]) -> str:
    if not benchmark.get("available"):
        return str(benchmark.get("reason") or _("可比企业不足，不显示对比。"))
    text = _(
        "在%(region)s同行业、同规模的 %(n)d 家企业中，本企业得分位于第 %(p)s 百分位"
        "（即得分高于约 %(p)s%% 的可比企业）。"
    ) % {
        "region": benchmark.get("region_name") or "",
        "n": benchmark["group_size"],
        "p": f"{benchmark['percentile']:g}",
    }
    if benchmark.get("median") is not None:
        text += _("可比企业得分中位数：%(median).2f。") % {"median": benchmark["median"]}
    return text


def _footer(result: Result) -> Callable[[Any, Any], None]:
    from reportlab.lib import colors
    from reportlab.lib.units import mm

    name, generated = _safe(result.assessment.enterprise.name), timezone.localdate().isoformat()

    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawString(doc.leftMargin, 10 * mm, f"{name} | {_('智能化改造诊断报告')} | {generated}")
        canvas.drawRightString(doc.pagesize[0] - doc.rightMargin, 10 * mm, _("第 %(n)d 页") % {"n": doc.page})
        canvas.restoreState()

    return draw


def assessment_pdf(result: Result, *, benchmark: dict[str, Any] | None = None) -> bytes:
    """The diagnosis report of a submitted assessment as an A4 PDF; `benchmark` is results.benchmark's answer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    _register_font()
    with translation.override(result.language):
        buffer = io.BytesIO()
        doc = SimpleDocTemplate(
            buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=18 * mm,
            title=f"{_('智能化改造诊断报告')} - {result.assessment.enterprise.name}",
            author="zhigai", subject=f"{result.spec.name.get(result.language)} {result.spec.version}",
        )
        story = _pdf_story(result, benchmark, doc.width, _styles())
        footer = _footer(result)
        doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# Excel ---------------------------------------------------------------------------------------------


def _sheet_title(text: str) -> str:
    """Excel refuses some characters in sheet titles and anything over 31 characters."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in text)[:31]


def _format_sheet(ws: Any, widths: list[float]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _answer_rows(result: Result) -> tuple[list[str], list[float], list[list[Any]]]:
    a, spec, lang = result.assessment, result.spec, result.language
    expert = a.kind == Kind.EXPERT
    claims = _claims(result) if expert else None
    dims = {d.id: d.name.get(lang) for d in spec.dimensions}
    header = [
        _("要求编号"), _("维度"), _("等级"), _("权重"), _("问题"), _("答案选项"), _("答案"), _("满足度"), _("证据说明"),
    ]
    widths = [12.0, 22.0, 7.0, 8.0, 60.0, 12.0, 16.0, 10.0, 40.0]
    if expert:
        header += [
            _("自评答案"), _("自评满足度"), _("数据核验值"), _("数据核验值单位"), _("数据核验年份"), _("数据满足度"),
        ]
        widths += [12.0, 12.0, 14.0, 16.0, 12.0, 12.0]
    rows: list[list[Any]] = []
    for req in spec.requirements:
        option_id = a.answers.get(req.id, "")
        option = spec.option(option_id) if option_id else None
        row: list[Any] = [
            req.id,
            dims.get(req.dimension, req.dimension),
            req.level,
            req.weight,
            req.question.get(lang),
            option_id or None,
            option.name.get(lang) if option else None,
            a.fulfilment.get(req.id),
            a.notes.get(req.id) or None,
        ]
        if expert:
            check = a.checks.get(req.id) or {}
            row += [
                claims.answers.get(req.id) if claims is not None else None,
                claims.fulfilment.get(req.id) if claims is not None else None,
                check.get("value"),
                check_unit(req.check, lang) if req.check is not None else None,
                check.get("year"),
                check.get("fulfilment"),
            ]
        rows.append(row)
    return header, widths, rows


def _summary_rows(result: Result) -> tuple[list[list[Any]], list[int]]:
    """The summary's rows and the indexes of the rows that head a table within it."""
    a, spec, lang = result.assessment, result.spec, result.language
    e = a.enterprise
    rows: list[list[Any]] = [
        [_("企业名称"), e.name],
        [_("统一社会信用代码"), e.uscc],
        [_("所在地区"), _region_text(a)],
        [_("行业"), f"{e.industry.code} {e.industry.name}"],
        [_("规模"), e.get_size_class_display()],
        [_("诊断模型"), spec.name.get(lang)],
        [_("版本"), spec.version],
        [_("评估类型"), a.get_kind_display()],
        [_("提交日期"), _date(a)],
        [_("填写人") if a.kind == Kind.SELF else _("诊断专家"), _who(a.created_by)],
        [_("等级"), a.level or 0],
        [_("等级名称"), result.level_name],
        [_("得分"), a.score if a.score is not None else 0.0],
        [],
    ]
    heads = [len(rows)]
    rows.append([_("等级"), _("加权满足度")])
    rows += [[_level_label(lv.number, lv.name.get(lang)), a.level_fulfilment.get(str(lv.number))] for lv in spec.levels]
    rows.append([])
    heads.append(len(rows))
    rows.append([_("维度"), _("得分"), _("能力域"), _("维度编号")])
    rows += [[d["name"], d["score"], d["group"] or None, d["id"]] for d in result.dimensions]
    return rows, heads


def assessment_xlsx(result: Result) -> bytes:
    """The answers (one row per requirement) and a summary sheet, as an .xlsx workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    with translation.override(result.language):
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = _sheet_title(_("答案"))
        header, widths, rows = _answer_rows(result)
        sheet_append(ws, header)
        for row in rows:
            sheet_append(ws, row)
        _format_sheet(ws, widths)
        # Fulfilments are shares: stored as the number (0.8), shown as a percentage at the one precision.
        share = "0." + "0" * PERCENT_PLACES + "%" if PERCENT_PLACES else "0%"
        for col in (8, *((11, 15) if len(header) > 9 else ())):
            for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
                cell.number_format = share
        if len(header) > 9:  # a rate checked as it is, shown as the percentage its unit column names
            for req, (cell,) in zip(result.spec.requirements, ws.iter_rows(min_row=2, min_col=12, max_col=12),
                                    strict=True):
                if req.check is not None and plain_kind(req.check) == "ratio":
                    cell.number_format = share
        for (cell,) in ws.iter_rows(min_row=2, min_col=5, max_col=5):
            cell.alignment = Alignment(wrap_text=True, vertical="top")

        summary = wb.create_sheet(_sheet_title(_("汇总")))
        sheet_append(summary, [_("项目"), _("内容")])
        summary_rows, heads = _summary_rows(result)
        for srow in summary_rows:
            sheet_append(summary, srow)
        _format_sheet(summary, [30.0, 40.0, 24.0, 14.0])
        for index in heads:
            for cell in summary[index + 2]:  # after the sheet's own header; rows count from 1
                cell.font = Font(bold=True)
        buffer = io.BytesIO()
        wb.save(buffer)
    return buffer.getvalue()


__all__ = ["assessment_pdf", "assessment_xlsx"]
