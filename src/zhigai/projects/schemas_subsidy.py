from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from zhigai.core.schemas import InputSchema


class QuoteQuery(InputSchema):
    year: str = Field("", description="the subsidy year (default: the project's start year); 2000..2100")


class QuoteLineOut(Schema):
    equipment_line: int = Field(description="the equipment line's id")
    type: str
    origin: str = Field(description="domestic or imported")
    count: int
    rate: str = Field(description="the rate applied, a fraction: base + points, at most the ceiling")
    rate_parts: list[dict[str, str]] = Field(description="[{part: base|small_micro|domestic, points}]")
    rate_uncapped: str
    rate_ceiling: str
    base: str = Field(description="the purchase cost, yuan")
    exact: str = Field(description="base × rate, before caps and rounding")
    amount_before_enterprise_cap: str
    amount: str = Field(description="yuan: capped, rounded once to the fen (ROUND_HALF_UP), after the "
                        "enterprise-year cap (shared among the lines in line order)")
    caps_applied: list[dict[str, Any]] = Field(description="each cap that bit: max_rate, per_robot, "
                                               "per_enterprise_year, with its limit and what it cut")
    working: str = Field(description="the same, as a sentence in the caller's language")


class QuoteOut(Schema):
    robot_subsidy: str = Field(description="the total robot purchase subsidy, yuan")
    lines: list[QuoteLineOut]
    subtotal: str = Field(description="the sum of the rounded lines before the enterprise-year cap")
    rule_version: str = Field(description="region/from_year/version of the rules applied")
    rule_region: str
    rule_from_year: int
    rounding: str
    year: int
    size_class: str
    enterprise_year: dict[str, str] = Field(description="cap, used (approved and paid robot claims of the "
                                            "enterprise's other projects that year), left, left_after")
    project: int
    post_project_grant: dict[str, Any] | None = Field(description="only for an accepted project")


class InvoiceIn(InputSchema):
    number: str
    issuer_tax_id: str = Field(description="the issuer's taxpayer id (15–20 digits or capital letters)")
    date: str = Field(description="YYYY-MM-DD")
    amount: str = Field(description="yuan, a decimal string")
    equipment_line: int | None = Field(None, description="the equipment line it backs (none: software, other)")


class InvoiceOut(Schema):
    id: int
    number: str
    issuer_tax_id: str
    date: str
    amount: str
    equipment_line: int | None


class ClaimIn(InputSchema):
    kind: str = Field(description="robot or post_project")
    program: str = Field(description="province, city or county: whose program pays")
    year: int
    invoices: list[int] = Field(description="ids of the project's invoices; each backs one claim at most")


class ClaimOut(Schema):
    id: int
    project: int
    kind: str
    program: str
    year: int
    state: str = Field(description="submitted, approved, paid, rejected, clawed_back")
    amount: str
    rule_version: str
    invoices: list[int]
    working: dict[str, Any]


class TransitionIn(InputSchema):
    transition: str = Field(description="approve, reject (note required), pay, claw_back (note required)")
    note: str = ""
