from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from zhigai.core.schemas import InputSchema

Size = Literal["large", "medium", "small", "micro"]
StageName = Literal["mechanization", "automation", "digitization", "networking", "intelligentization"]


class RegionOut(Schema):
    code: str
    name_zh: str
    name_en: str
    level: int
    parent: str | None


class IndustryOut(Schema):
    code: str
    name_zh: str
    name_en: str
    tags: list[str]


class EnterpriseOut(Schema):
    uscc: str
    name: str
    region: str
    industry: str
    size_class: Size
    above_designated_size: bool
    stage: StageName
    founded_year: int | None
    cluster: str | None
    tags: list[str]


class EnterprisePage(Schema):
    count: int
    page: int
    page_size: int
    items: list[EnterpriseOut]


class EnterpriseIn(InputSchema):
    model_config = ConfigDict(extra="forbid")
    uscc: str
    name: str
    region: str
    industry: str
    founded_year: int | None = None
    stage: StageName | None = None
    tags: list[str] = []
    cluster: str | None = None


class EnterprisePatch(InputSchema):
    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    region: str | None = None
    industry: str | None = None
    founded_year: int | None = None
    stage: StageName | None = None
    tags: list[str] | None = None
    cluster: str | None = None


class IndicatorValues(InputSchema):
    model_config = ConfigDict(extra="forbid")
    revenue: Decimal | None = None
    output_value: Decimal | None = None
    added_value: Decimal | None = None
    profit: Decimal | None = None
    employees: int | None = None
    frontline_employees: int | None = None
    wage_bill: Decimal | None = None
    industrial_investment: Decimal | None = None
    tech_investment: Decimal | None = None
    robots: int | None = None
    rd_spending: Decimal | None = None
    # A share: 0.0397, or the text "3.97%" (read by fields.parse_ratio, as forms and imports are).
    defect_rate: float | str | None = Field(default=None, examples=[0.0397, "3.97%"])
    energy_use: float | None = None
    cloud_level: int | None = None
    unfilled_positions: int | None = None
    positions_replaced: int | None = None
    frontline_wage: Decimal | None = None


class IndicatorOut(IndicatorValues):
    year: int
    month: int
    defect_rate: float | None = None  # stored as the fraction


SourceName = Literal["import", "diagnosis", "project", "edit", "demo"]


class StageYearOut(Schema):
    """An enterprise's stage in one year: that year's latest record, and what established it."""

    year: int
    stage: StageName
    stage_name: str = Field(description="the stage's name in the request's language")
    source: SourceName
    source_name: str = Field(description="the source's name in the request's language")
    reference: str = Field(description="what established it: the import's file name, the assessment's or project's id")
    recorded_at: datetime


class ImportCreated(Schema):
    id: int


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str
    sheet: str | None = None


class ImportOut(Schema):
    id: int
    status: str
    progress: float
    dry_run: bool
    filename: str
    errors: list[ImportErrorOut]
    summary: dict[str, Any]
