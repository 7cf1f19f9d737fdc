from __future__ import annotations

from ninja import Schema
from pydantic import Field

from zhigai.core.schemas import InputSchema


class ProviderQuery(InputSchema):
    industry: str = Field("", description="a GB/T 4754 code (a class matches its division)")
    technology: str = Field("", description="a technology code")
    region: str = Field("", description="a region code: providers serving it, a region above it or one inside it")
    type: str = Field("", description="engineering, steering, equipment, cloud or bank")
    status: str = Field("", description="provincial officers only: a review status, or all (default: listed)")


class CodeName(Schema):
    code: str
    name: str


class OutcomeOut(Schema):
    indicator: str = Field(description="labor_productivity, frontline_employees, defect_rate or energy_per_output")
    name: str
    higher_is_better: bool
    client_change: float = Field(description="the clients' mean change, before → after, as a fraction (0.12 = +12 %)")
    peer_change: float = Field(description="the mean change of comparable enterprises without an engagement "
                               "(same industry division, size class and city, same years)")
    difference: float = Field(description="the mean difference in differences: what the provider is credited with")
    engagements: int = Field(description="closed engagements measured for this indicator")


class AcceptanceOut(Schema):
    indicator: str
    name: str
    higher_is_better: bool
    expected: float = Field(description="the plans' mean expected change, percent (-30 = down by 30 %)")
    measured: float = Field(description="the acceptances' mean measured change, percent")
    met: int = Field(description="engagements whose measured change was at least as good as expected")
    engagements: int


class TrackRecordOut(Schema):
    engagements_completed: int
    enough: bool = Field(description="false below `minimum` completed engagements: every figure is null then")
    minimum: int
    message: str
    on_time_share: float | None = Field(description="the provider's moves made by their step's deadline, over "
                                        "those moves and its steps open past their deadline (a fraction)")
    moves_counted: int | None
    response_days: float | None = Field(description="median Chinese working days from request to answer")
    responses: int | None
    rating_mean: float | None = Field(description="the clients' mean rating, 1 to 5")
    ratings: int | None
    outcomes: list[OutcomeOut]
    measured: int | None = Field(description="closed engagements whose outcomes could be measured")
    measured_at_latest_year: int | None = Field(description="of those, measured at the client's latest year "
                                                "with data, for want of the year after acceptance")
    outcome_score: float | None = Field(description="0..1: 0.5 is no difference from comparable enterprises")
    at_acceptance: list[AcceptanceOut] = Field(description="what the acceptances measured against the plans")
    plan_met_share: float | None = Field(description="the plans' promises (engagement × indicator) that the "
                                         "acceptance found met, a fraction")


class ProviderOut(Schema):
    id: int
    type: str
    type_name: str
    name: str
    status: str
    home_region: CodeName
    industries: list[CodeName]
    technologies: list[CodeName]
    regions: list[CodeName]
    capacity: int = Field(description="engagements at once")
    price_level: int = Field(description="1 economy, 2 moderate, 3 premium")


class MemberOut(Schema):
    name: str
    role: str
    leader: bool


class ProviderDetail(ProviderOut):
    description: str
    certifications: list[str]
    industry_focus: CodeName | None
    members: list[MemberOut]
    qualification_files: list[str]
    track_record: TrackRecordOut


class MatchQuery(InputSchema):
    type: str = Field("", description="only providers of this type: engineering, steering, equipment, cloud, bank")
    technology: str = Field("", description="only providers offering this technology (a code)")


class MatchOut(Schema):
    provider: int = Field(description="the provider's id (GET /api/v1/providers/{id})")
    score: float = Field(description="0..1, the sum of `parts`")
    parts: dict[str, float] = Field(description="each part's weighted share of the score: technology, industry, "
                                    "region, capacity, outcome, cost")
    reason: str = Field(description="a sentence naming the top reasons and what the flags mean")
    flags: list[str] = Field(description="`full` (open engagements >= capacity: ranked after the others), "
                             "`conflict` (it diagnosed the enterprise; shown only when the rules allow it)")
    rank: int
    name: str
    type: str
    values: dict[str, float] = Field(description="each part on its own 0..1 scale, before weighting")
    capacity: int
    open_engagements: int
    free_capacity: int
    price_level: int = Field(description="1 economy, 2 moderate, 3 premium")
    outcome_measured: bool = Field(description="false: no measured record yet; the outcome is a neutral value")
    technologies: list[str] = Field(description="the needed technologies it offers, most needed first")
