"""Every figure's code, name, unit and definition, as docs/figures.md states them (the page beside each
figure, the API's `definition`, the export's column say the same words)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# What a value is: money (Decimal yuan), money per person (Decimal yuan), a ratio (a fraction, 0.162 =
# 16.2 %, unit "%"), or robots per 10,000 frontline workers (a float).
Kind = Literal["money", "per_person", "ratio", "density"]
TAGS = ("equipment", "hightech", "strategic", "traditional")
UNITS: dict[str, str] = {
    "money": "yuan",
    "per_person": "yuan/person",
    "ratio": "%",
    "density": "robots per 10,000 frontline workers",
}


@dataclass(frozen=True)
class FigureDef:
    code: str
    name: str | Promise
    definition: str | Promise
    kind: Kind
    per_tag: bool = False
    # A growth figure's price index (Series code) for its real value; "" for a level.
    deflator: str = ""

    @property
    def unit(self) -> str:
        return UNITS[self.kind]


FIGURES: tuple[FigureDef, ...] = (
    FigureDef("labor_productivity", _("全员劳动生产率（规模以上工业）"),
              _("规模以上工业企业工业增加值合计 ÷ 年平均从业人员合计"), "per_person"),
    FigureDef("labor_productivity_growth", _("全员劳动生产率增长"),
              _("本年全员劳动生产率 ÷ 上年全员劳动生产率 − 1；实际增长按工业生产者出厂价格指数缩减"), "ratio",
              deflator="ppi"),
    FigureDef("profit", _("规模以上工业利润总额"), _("规模以上工业企业利润总额合计"), "money"),
    FigureDef("profit_growth", _("规模以上工业利润增长（同口径）"),
              _("本年规模以上且上年有数据的同一批企业：本年利润合计 ÷ 上年利润合计 − 1（统计部门可比口径）；"
                "实际增长按工业生产者出厂价格指数缩减"), "ratio", deflator="ppi"),
    FigureDef("labor_cost_saved", _("机器换人节约劳动力成本"),
              _("机器换人减少的一线岗位 × 一线人员年平均工资，按企业合计"), "money"),
    FigureDef("employment_gap_share", _("存在用工缺口的企业占比"),
              _("用工缺口大于 0 的企业数 ÷ 填报用工缺口的企业数"), "ratio"),
    FigureDef("tech_investment", _("技术改造投资"), _("企业技术改造投资合计"), "money"),
    FigureDef("tech_investment_growth", _("技术改造投资增长"),
              _("本年技术改造投资 ÷ 上年技术改造投资 − 1；实际增长按固定资产投资价格指数缩减"), "ratio",
              deflator="fai_price"),
    FigureDef("tech_investment_share", _("技术改造投资占工业投资比重"),
              _("技术改造投资合计 ÷ 工业投资合计"), "ratio"),
    FigureDef("added_value_growth", _("增加值增长"),
              _("带该标签、本年规模以上且上年有数据的同一批企业：本年工业增加值合计 ÷ 上年合计 − 1；"
                "实际增长按工业生产者出厂价格指数缩减"), "ratio", per_tag=True, deflator="ppi"),
    FigureDef("added_value_share", _("增加值占规模以上工业比重"),
              _("带该标签的规模以上企业工业增加值合计 ÷ 全部规模以上企业工业增加值合计"), "ratio", per_tag=True),
    FigureDef("robot_density", _("每万名一线工人工业机器人数"),
              _("在役工业机器人合计 ÷ 一线生产人员合计 × 10000（两项均填报的企业）"), "density"),
)
BY_CODE = {f.code: f for f in FIGURES}
