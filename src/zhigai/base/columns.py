"""The columns of the import files, forms and API, as their readers see them: label, unit, help, example.

One catalogue for the import template (its headers, example row and explanation sheet), the header reader
(tabular.py: a column is found by its code or its label in either language), the error report (columns named
in the reader's language) and the indicator form's help texts.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zhigai.core.phrases import Phrase

# The template's example rows carry this code (a valid one, of no real enterprise): the first data row of a
# table with it is the untouched example and is not imported (tabular.py).
EXAMPLE_USCC = "91330102MA0000001C"


@dataclass(frozen=True)
class Column:
    code: str
    label: str  # msgid (Simplified Chinese); translated when shown
    unit: str = ""  # msgid, "" when the column has none
    help: str = ""  # msgid
    example: str = ""
    required: bool = False

    def header(self) -> str:
        """The template's header cell: the label (with its unit) in the current language and the code."""
        return f"{self.title()} [{self.code}]"

    def title(self) -> str:
        if not self.unit:
            return _(self.label)
        english = (translation.get_language() or "").startswith("en")
        return f"{_(self.label)} ({_(self.unit)})" if english else f"{_(self.label)}（{_(self.unit)}）"


_C = Column
_LAST_YEAR = str(dt.date.today().year - 1)
COLUMNS: dict[str, Column] = {
    c.code: c
    for c in [
        _C("uscc", gettext_noop("统一社会信用代码"), "", gettext_noop("18位，数字和大写字母"), EXAMPLE_USCC, True),
        _C("name", gettext_noop("企业名称"), "", gettext_noop("营业执照上的全称，最多200字"), "示例机械有限公司", True),
        _C(
            "region",
            gettext_noop("县（市、区）代码"),
            "",
            gettext_noop("所在县（市、区）的6位行政区划代码，如330102"),
            "330102",
            True,
        ),
        _C(
            "industry",
            gettext_noop("行业代码"),
            "",
            gettext_noop("国民经济行业分类（GB/T 4754-2017）两位制造业大类代码13–43"),
            "34",
            True,
        ),
        _C("founded_year", gettext_noop("成立年份"), "", gettext_noop("四位年份，可空"), "2008"),
        _C(
            "stage",
            gettext_noop("改造阶段"),
            "",
            gettext_noop(
                "mechanization/automation/digitization/networking/intelligentization 或其中文名称，可空；"
                "企业表中是“改造阶段年份”那一年的阶段，指标表中是该行年份的阶段（按年记录，不覆盖以前各年）"
            ),
            "automation",
        ),
        _C(
            "stage_year",
            gettext_noop("改造阶段年份"),
            "",
            gettext_noop("企业表中改造阶段所属的年份，四位数字；空则为今年"),
            _LAST_YEAR,
        ),
        _C(
            "tags",
            gettext_noop("标签"),
            "",
            gettext_noop("标签代码，用分号分隔：equipment;hightech;strategic;traditional，可空"),
            "equipment;hightech",
        ),
        _C("cluster", gettext_noop("产业集群代码"), "", gettext_noop("产业集群代码，可空"), ""),
        _C("year", gettext_noop("年份"), "", gettext_noop("指标所属年份，必填"), _LAST_YEAR, True),
        _C("month", gettext_noop("月份"), "", gettext_noop("0或空为全年，1–12为月度"), "0"),
        _C("revenue", gettext_noop("主营业务收入"), gettext_noop("元"), gettext_noop("最多两位小数"), "52000000.00"),
        _C("output_value", gettext_noop("工业总产值"), gettext_noop("元"), gettext_noop("最多两位小数"), "56000000"),
        _C("added_value", gettext_noop("工业增加值"), gettext_noop("元"), gettext_noop("不大于工业总产值"), "14000000"),
        _C("profit", gettext_noop("利润总额"), gettext_noop("元"), gettext_noop("亏损写负数"), "3100000"),
        _C("employees", gettext_noop("从业人员"), gettext_noop("人"), gettext_noop("年平均从业人员数"), "120"),
        _C(
            "frontline_employees",
            gettext_noop("一线生产人员"),
            gettext_noop("人"),
            gettext_noop("不大于从业人员"),
            "80",
        ),
        _C("wage_bill", gettext_noop("工资总额"), gettext_noop("元"), gettext_noop("全年应付职工薪酬"), "9600000"),
        _C(
            "industrial_investment",
            gettext_noop("工业投资"),
            gettext_noop("元"),
            gettext_noop("当年完成的工业投资"),
            "6000000",
        ),
        _C(
            "tech_investment",
            gettext_noop("技术改造投资"),
            gettext_noop("元"),
            gettext_noop("不大于工业投资"),
            "4500000",
        ),
        _C("robots", gettext_noop("在役工业机器人"), gettext_noop("台"), gettext_noop("年末在用的工业机器人台数"), "6"),
        _C("rd_spending", gettext_noop("研发经费"), gettext_noop("元"), gettext_noop("当年研发经费支出"), "1800000"),
        _C(
            "defect_rate",
            gettext_noop("产品不良率"),
            "%",
            gettext_noop("不良品占产品总数的比例：写作3.97%或0.0397（0到1之间的小数）"),
            "3.97%",
        ),
        _C(
            "energy_use", gettext_noop("综合能耗"), gettext_noop("吨标准煤"), gettext_noop("全年综合能源消费量"), "1250"
        ),
        _C(
            "cloud_level",
            gettext_noop("上云水平"),
            gettext_noop("级"),
            gettext_noop(
                "0 未上云；1 基础设施上云（服务器、存储上云）；2 业务系统上云（研发、生产、经营等系统上云）；"
                "3 深度用云（工业互联网平台，设备和数据上云）"
            ),
            "2",
        ),
        _C(
            "unfilled_positions",
            gettext_noop("用工缺口"),
            gettext_noop("人"),
            gettext_noop("年末招不到人的空缺岗位数；没有缺口写0"),
            "6",
        ),
        _C(
            "positions_replaced",
            gettext_noop("机器换人减少一线岗位"),
            gettext_noop("个"),
            gettext_noop("当年因机器人和自动化设备投用而不再需要的一线岗位数"),
            "4",
        ),
        _C(
            "frontline_wage",
            gettext_noop("一线人员年平均工资"),
            gettext_noop("元"),
            gettext_noop("一线生产人员全年平均每人工资"),
            "62000",
        ),
    ]
}

# Headers of earlier templates and words officers use, besides each column's code and label.
_SYNONYMS = {
    "地区": "region",
    "县（市、区）": "region",
    "所在县（市、区）": "region",
    "行政区划代码": "region",
    "区划代码": "region",
    "行业": "industry",
    "产业集群": "cluster",
    "工业机器人": "robots",
    "空缺岗位": "unfilled_positions",
    "机器换人": "positions_replaced",
    "阶段年份": "stage_year",
}
_CODE_IN_BRACKETS = re.compile(r".*\[\s*([A-Za-z_]+)\s*\]")


@functools.cache
def _aliases(language: str) -> dict[str, str]:
    """Lower-cased header text -> code: codes, and labels with and without their unit in both languages."""
    out = {code: code for code in COLUMNS}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            for column in COLUMNS.values():
                out[_(column.label).lower()] = column.code
                out[column.title().lower()] = column.code
                out[column.header().lower()] = column.code
    out.update(_SYNONYMS)
    return out


def header_code(cell: object) -> str:
    """The column a header cell names: by "[code]", code, label (either language, with or without unit)."""
    text = str(cell if cell is not None else "").strip().lstrip("\ufeff").strip()
    match = _CODE_IN_BRACKETS.fullmatch(text)
    if match and match.group(1).lower() in COLUMNS:
        return match.group(1).lower()
    aliases = _aliases("")
    lowered = " ".join(text.lower().split())
    if lowered in aliases:
        return aliases[lowered]
    base = lowered.split("(")[0].split("（")[0].strip()  # a unit written some other way: 主营业务收入(万元)
    return aliases.get(base, lowered)


def column_title(code: str) -> str:
    """A column's name for its reader, in the current language; the code itself for an unknown column."""
    column = COLUMNS.get(code)
    return column.title() if column else code


def column_label(code: str) -> Phrase | str:
    """A column's label as a Phrase (for a message that names it, translated when shown)."""
    column = COLUMNS.get(code)
    return Phrase(column.label) if column else code
