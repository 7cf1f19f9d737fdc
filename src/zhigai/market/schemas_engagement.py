"""The engagements' API schemas (market.api_engagement)."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from ninja import Schema
from pydantic import Field

from zhigai.core.schemas import InputSchema


class EngagementIn(InputSchema):
    multiline: ClassVar[frozenset[str]] = frozenset({"need"})
    enterprise: str = Field(description="the enterprise's unified social credit code (uscc)")
    provider: int = Field(description="a listed provider's id")
    need: str = Field(description="what the enterprise asks for, in its words")
    assessment: int | None = Field(None, description="a submitted diagnosis of the enterprise, given to the provider")


class EquipmentIn(InputSchema):
    name: str
    quantity: int


class MilestoneIn(InputSchema):
    name: str
    due: str = Field(description="YYYY-MM-DD, within the plan's start and end")


class PlanIn(InputSchema):
    multiline: ClassVar[frozenset[str]] = frozenset({"scope"})
    scope: str
    budget: str = Field(description="yuan, a decimal with at most two places, as a string (\"1250000.00\")")
    equipment: list[EquipmentIn]
    start: str = Field(description="YYYY-MM-DD")
    end: str = Field(description="YYYY-MM-DD")
    milestones: list[MilestoneIn]
    benefits: dict[str, float] = Field(description="indicator -> expected change in percent: labor_productivity, "
                                       "frontline_employees, defect_rate, energy_per_output")


class ProgressIn(InputSchema):
    milestone: str = Field(description="the name of one of the latest plan's milestones")
    percent: int = Field(description="0 to 100")


class TransitionIn(InputSchema):
    multiline: ClassVar[frozenset[str]] = frozenset({"note", "comment"})
    to: str = Field(description="the state to move to; the move is the table's from the present state to it")
    note: str = ""
    plan: PlanIn | None = Field(None, description="submit_plan (to plan_review): the plan, a new version")
    progress: ProgressIn | None = Field(None, description="report_progress (to implementation, from it)")
    outcomes: dict[str, float] | None = Field(None, description="submit_acceptance: indicator -> measured change "
                                              "in percent, for every expected benefit of the latest plan")
    rating: int | None = Field(None, description="accept_work: 1 to 5")
    comment: str = Field("", description="accept_work: the rating's comment")
    documents: list[int] = Field(default_factory=list, description="ids of documents uploaded to this engagement "
                                 "(POST …/documents) that this move brings; submit_report needs a `report`")


class PartyOut(Schema):
    id: int | str
    name: str


class MoveOut(Schema):
    name: str
    to: str
    label: str


class DocumentOut(Schema):
    id: int
    kind: str
    filename: str
    size: int
    content_type: str
    uploaded: datetime.datetime
    event: int | None
    url: str


class EventOut(Schema):
    id: int
    transition: str
    source: str
    target: str
    by: str | None
    at: datetime.datetime
    note: str
    due: datetime.date | None = Field(description="the deadline of the step the move left")
    on_time: bool | None
    documents: list[int]


class PlanOut(Schema):
    version: int
    scope: str
    budget: str = Field(description="yuan")
    equipment: list[dict[str, Any]]
    start: datetime.date
    end: datetime.date
    milestones: list[dict[str, Any]]
    benefits: dict[str, Any]


class EngagementSummary(Schema):
    id: int
    state: str
    state_name: str
    enterprise: PartyOut = Field(description="id is the uscc")
    provider: PartyOut
    need: str
    created: datetime.datetime
    state_since: datetime.datetime
    due: datetime.date | None = Field(description="the deadline of the present step (ISO date), or null")
    due_estimated: bool = Field(description="counted Monday to Friday: outside the holiday calendar's years")
    overdue: bool


class EngagementDetail(EngagementSummary):
    assessment: int | None
    events: list[EventOut]
    allowed_transitions: list[MoveOut] = Field(description="the moves the calling user may make now")
    plan: PlanOut | None = Field(description="the latest version")
    plans: int = Field(description="how many versions were submitted")
    progress: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]
    documents: list[DocumentOut]
    responded: datetime.datetime | None
    accepted_on: datetime.date | None
    closed: datetime.datetime | None
    rating: int | None
    rating_comment: str


class EngagementQuery(InputSchema):
    state: str = Field("", description="a state, or `open`")
    overdue: bool = Field(False, description="only open engagements past their deadline")
