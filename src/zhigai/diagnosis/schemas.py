from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from zhigai.core.schemas import InputSchema


class ModelSummary(Schema):
    id: int
    code: str
    name: str
    version: str
    current: bool


class LevelOut(Schema):
    number: int
    code: str
    name: str
    name_zh: str
    name_en: str
    stage: str | None


class DimensionOut(Schema):
    id: str
    name: str
    group: str | None


class OptionOut(Schema):
    id: str
    name: str
    value: float


class RequirementOut(Schema):
    id: str
    dimension: str
    level: int
    weight: float
    question: str
    guidance: str
    measures: list[str]
    check: dict[str, Any] | None


class ModelDetail(ModelSummary):
    name_zh: str
    name_en: str
    threshold: float
    rule: str
    levels: list[LevelOut]
    groups: list[dict[str, str]]
    dimensions: list[DimensionOut]
    options: list[OptionOut]
    requirements: list[RequirementOut]
    measures: list[dict[str, Any]]


class AssessmentIn(InputSchema):
    multiline = frozenset({"notes"})
    model: int | str = Field(description="a model id from /diagnosis/models, a model code, or code@version")
    answers: dict[str, str] = Field(default_factory=dict, description="requirement id -> option id")
    notes: dict[str, str] = Field(default_factory=dict, description="requirement id -> evidence note")
    submit: bool = False


class DimensionScore(Schema):
    id: str
    name: str
    score: float


class AssessmentOut(Schema):
    id: int
    enterprise: str
    model: int
    model_code: str
    model_version: str
    kind: str
    status: str
    created: dt.datetime
    submitted: dt.datetime | None
    level: int | None
    level_name: str | None
    score: float | None
    dimensions: list[DimensionScore]
    gaps: list[str]
    answers: dict[str, str]
    missing: list[str]
    rule: str
    differences: list[dict[str, Any]]


class BenchmarkOut(Schema):
    available: bool
    percentile: float | None
    group_size: int | None
    region: str | None
    region_level: int | None
    industry: str
    size_class: str
    median: float | None
    reason: str | None = None
