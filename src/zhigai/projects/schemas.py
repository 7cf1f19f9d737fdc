from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import Field

from zhigai.core.schemas import InputSchema


class InvestmentIn(InputSchema):
    equipment: str = Field("0", description="yuan, a decimal string (at most two places)")
    software: str = Field("0", description="yuan, a decimal string")
    construction: str = Field("0", description="yuan, a decimal string")
    services: str = Field("0", description="yuan, a decimal string")


class EquipmentIn(InputSchema):
    kind: str = Field(description="robot or other")
    type: str = Field(description="e.g. six-axis welding robot")
    origin: str = Field(description="domestic or imported (the brand's origin)")
    count: int = Field(description="1 to 100,000")
    unit_price: str = Field(description="yuan, a decimal string, above zero")


class CommitmentIn(InputSchema):
    signed: bool = Field(description="true: the enterprise signs the standard commitment (its current text)")
    name: str = Field("", description="the signatory's typed name; required when signed")


class ProjectIn(InputSchema):
    multiline = frozenset({"description"})

    enterprise: str = Field(description="the enterprise's unified social credit code")
    title: str
    description: str = ""
    start: str = Field(description="YYYY-MM-DD")
    end: str = Field(description="YYYY-MM-DD, not before start")
    investment: InvestmentIn
    equipment: list[EquipmentIn] = Field(default_factory=list, description="at most 200 lines")
    land_mu: str = Field("0", description="new land needed, mu (a decimal string); 0: land-independent technical "
                         "reform, fast-tracked")
    expected: dict[str, float] = Field(default_factory=dict, description="positions_saved, productivity_gain (a "
                                       "share), defect_rate_change, energy_change (shares; negative: a fall)")
    commitment: CommitmentIn


class TransitionIn(InputSchema):
    multiline = frozenset({"note"})

    to: str = Field(description="the target state (the project's `transitions` list the allowed ones)")
    note: str = Field("", description="required for a return, refusal, rectification, breach and a progress report")


class ProjectQuery(InputSchema):
    state: str = Field("", description="a state")
    region: str = Field("", description="a region code: projects of enterprises in it or below it")
    industry: str = Field("", description="a GB/T 4754 division code")
    year: str = Field("", description="the year filed")
    land: str = Field("", description="independent (no new land) or land")
    q: str = Field("", description="words in the title")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


class EntryOut(Schema):
    code: str
    category: str = Field(description="prohibited or restricted")
    name_zh: str
    name_en: str
    version: str = Field(description="the negative list's version the decision used")
    matched: dict[str, str] = Field(description="industry: the code prefix that matched; keyword: the keyword")


class DecisionOut(Schema):
    reason: str = Field(description="the decision in a sentence, in the caller's language")
    negative_list_entry: EntryOut | None = Field(description="the entry that caused it; null: not on the list")
    category: str | None
    version: str = Field(description="the negative list's version")
    commitment_signed: bool


class ProjectCreated(Schema):
    id: int
    state: str
    decision: DecisionOut




class EquipmentOut(Schema):
    kind: str
    type: str
    origin: str
    count: int
    unit_price: str
    amount: str


class EventOut(Schema):
    transition: str
    source: str
    target: str
    by: str | None
    at: str
    note: str


class TransitionOut(Schema):
    name: str
    to: str
    label: str


class ProjectSummary(Schema):
    id: int
    enterprise: str = Field(description="USCC")
    enterprise_name: str
    region: str = Field(description="the enterprise's county code")
    title: str
    state: str
    state_name: str
    investment_total: str
    land_mu: str
    land_independent: bool
    filed: str


class ProjectList(Schema):
    count: int
    items: list[ProjectSummary]


class LandOut(Schema):
    city: str
    year: int
    quota: str
    used: str
    left: str
    queue_position: int = Field(description="1 = next served; 0 when not waiting")


class ProjectOut(ProjectSummary):
    description: str
    start: str
    end: str
    investment: dict[str, str]
    equipment: list[EquipmentOut]
    expected: dict[str, float]
    commitment: dict[str, Any]
    decision: DecisionOut
    land: LandOut | None
    events: list[EventOut]
    transitions: list[TransitionOut] = Field(description="the moves the caller may make now")
