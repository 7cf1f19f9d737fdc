"""The downloadable import template: the columns the importer reads, with what each one means."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from zhigai.core.exports import csv_bytes, sheet_append

from .validation import ENTERPRISE_COLUMNS, INDICATOR_COLUMNS


def column_help() -> dict[str, str]:
    return {
        "uscc": _("统一社会信用代码，18位，必填"),
        "name": _("企业名称，必填"),
        "region": _("所在县（市、区）的6位行政区划代码，如330102，必填"),
        "industry": _("国民经济行业分类（GB/T 4754-2017）两位制造业代码13–43，必填"),
        "founded_year": _("成立年份，可空"),
        "stage": _("改造阶段：mechanization/automation/digitization/networking/intelligentization，可空"),
        "tags": _("标签代码，用分号分隔：equipment;hightech;strategic;traditional，可空"),
        "cluster": _("产业集群代码，可空"),
        "year": _("年份，必填"),
        "month": _("月份：0或空为全年，1–12为月度"),
        "revenue": _("主营业务收入（元，最多两位小数）"),
        "output_value": _("工业总产值（元）"),
        "added_value": _("工业增加值（元），不大于工业总产值"),
        "profit": _("利润总额（元，可为负）"),
        "employees": _("从业人员（人）"),
        "frontline_employees": _("一线生产人员（人），不大于从业人员"),
        "wage_bill": _("工资总额（元）"),
        "industrial_investment": _("工业投资（元）"),
        "tech_investment": _("技术改造投资（元），不大于工业投资"),
        "robots": _("在役工业机器人（台）"),
        "rd_spending": _("研发经费（元）"),
        "defect_rate": _("产品不良率，0到1之间的小数"),
        "energy_use": _("综合能耗（吨标准煤）"),
        "cloud_level": _("上云水平：0未上云，1基础设施，2业务系统，3深度用云"),
    }


def import_template_file(fmt: str) -> tuple[str, io.BytesIO]:
    if fmt.endswith(".csv"):
        columns = ENTERPRISE_COLUMNS if fmt.startswith("enterprises") else INDICATOR_COLUMNS
        return f"zhigai-{fmt}", io.BytesIO(csv_bytes([columns]))
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    help_text = column_help()
    sheets = [("enterprises", ENTERPRISE_COLUMNS), ("indicators", INDICATOR_COLUMNS)]
    first = True
    for title, columns in sheets:
        sheet = book.active if first else book.create_sheet()
        first = False
        sheet.title = title
        sheet_append(sheet, columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(14, len(column) + 4)
    readme = book.create_sheet("readme")
    sheet_append(readme, [_("列"), _("说明")])
    for column, text in help_text.items():
        sheet_append(readme, [column, text])
    readme.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return "zhigai-import-template.xlsx", out
