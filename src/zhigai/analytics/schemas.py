from __future__ import annotations

from decimal import Decimal

from ninja import Schema
from pydantic import Field

from zhigai.core.schemas import InputSchema


class FiguresQuery(InputSchema):
    region: str = ""
    industry: str = ""
    tag: str = ""
    size: str = ""
    # Text, checked by the selector: "" means no bound, anything else must be a year.
    year_from: str = ""
    year_to: str = ""


class FigureOut(Schema):
    code: str
    name: str = Field(description="the figure's name in the request's language (Chinese by default)")
    tag: str | None = Field(description="equipment, hightech, strategic or traditional for the per-tag figures "
                                        "(added_value_growth, added_value_share); null for the others")
    year: int
    value: Decimal | float | None = Field(
        description="null when there is nothing to compute from (never 0 for that). Money (unit `yuan`, "
                    "`yuan/person`) is a decimal string to the fen, as everywhere in this API; a share or "
                    "growth (unit `%`) is a fraction: 0.162 means 16.2 %; robot_density a number per 10,000")
    real_value: float | None = Field(description="growth figures: the value deflated by the price index "
                                                 "(a fraction); null for levels or without an index")
    reference: float | None = Field(description="the reference series' value of the year (a fraction), "
                                                "e.g. national profit growth; null where there is none")
    reference_source: str | None
    unit: str = Field(description="yuan, yuan/person, %, or robots per 10,000 frontline workers")
    definition: str
