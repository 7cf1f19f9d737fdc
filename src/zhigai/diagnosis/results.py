"""What a submitted assessment says, assembled once for the page, the API, the PDF and the Excel file."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from zhigai.base.models import Region, RegionLevel

from .check_text import check_value_text
from .definition import ModelDef, Requirement
from .models import Assessment, Kind, Status


def rule_text(spec: ModelDef) -> str:
    return _(
        "等级规则：某一等级的要求按权重加权平均的满足度不低于 %(t)s，且所有更低等级均已达到，即达到该等级；"
        "得分 = 已达等级 + 下一等级加权满足度 ÷ %(t)s（未满一级的进展按比例计入，向下取两位小数）。"
    ) % {"t": f"{spec.threshold:g}"}


@dataclass
class Gap:
    requirement: Requirement
    fulfilment: float
    measures: list[Any]
    # What other modules add to a gap's measures: matching service providers (§4), similar cases (§7).
    suggestions: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Suggestion:
    """What another module suggests for a gap (a provider, a case): its name, where to see it, one line on
    why. The result page lists them under the gap's measures."""

    kind: str  # "provider", "case", …
    name: str
    url: str
    note: str = ""


# Functions (assessment, gap) -> suggestions, registered by the modules that have them (the service market
# matches providers on the measures' tags, the case library finds similar enterprises' cases).
_SUGGESTERS: list[Callable[[Assessment, Gap], list[Any]]] = []


def gap_suggester_register(suggester: Callable[[Assessment, Gap], list[Any]]) -> None:
    if suggester not in _SUGGESTERS:
        _SUGGESTERS.append(suggester)


@dataclass
class Difference:
    requirement: Requirement
    claimed: float | None  # the self-assessment's answer
    verified: float  # the expert diagnosis (from data where a check applies)
    source: str  # "data" or "expert"


@dataclass
class Result:
    assessment: Assessment
    spec: ModelDef
    language: str
    level_name: str
    dimensions: list[dict[str, Any]]
    gaps: list[Gap]
    differences: list[Difference] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rule(self) -> str:
        return rule_text(self.spec)


def level_name(spec: ModelDef, number: int | None, language: str) -> str:
    lv = spec.level(number or 0)
    return lv.name.get(language) if lv else _("未达到一级")


def level_stage_text(spec: ModelDef, level: int | None, stage: str, language: str) -> str:
    """How a maturity level relates to the enterprise's transformation stage (SPEC §3), in a sentence for
    the page that shows both: a model whose levels name stages sets the stage when an expert verifies it;
    another model's levels are a scale of their own."""
    names = {"model": spec.name.get(language), "top": spec.top_level, "stage": stage}
    if not any(lv.stage for lv in spec.levels):
        return _(
            "等级 L0–L%(top)d 是按“%(model)s”评估的成熟度等级，L0 表示尚未达到一级；改造阶段（当前：%(stage)s）"
            "是企业档案记录的智能化改造阶段（机械化 → 智能化），是另一个尺度，不随本模型的等级改变。"
        ) % names
    first, last = spec.levels[0], spec.levels[-1]
    text = _(
        "等级 L0–L%(top)d 是按“%(model)s”评估的成熟度等级，每一级对应一个改造阶段（L1 %(first)s … L%(top)d %(last)s）；"
        "专家诊断核验后，企业档案的改造阶段（当前：%(stage)s）随之更新。"
    ) % {**names, "first": first.name.get(language), "last": last.name.get(language)}
    if not level:
        text += _(
            "L0 表示一级的要求尚未全部满足；阶段的尺度从%(first)s开始，所以核验为 L0 的企业记为%(first)s阶段。"
        ) % {"first": first.name.get(language)}
    return text


def assessment_result(assessment: Assessment) -> Result:
    spec, language = assessment.model.spec, get_language() or "zh-hans"
    fulfilment = assessment.fulfilment
    dimensions = [
        {
            "id": d.id,
            "name": d.name.get(language),
            "group": spec.groups[d.group].get(language) if d.group else "",
            "score": assessment.dimension_scores.get(d.id, 0.0),
        }
        for d in spec.dimensions
    ]
    gaps = []
    for rid in assessment.gaps:
        req = spec.requirement(rid)
        if req is not None:
            measures = [spec.measures[m] for m in req.measures if m in spec.measures]
            gap = Gap(req, fulfilment.get(rid, 0.0), measures)
            gap.suggestions = [item for suggest in _SUGGESTERS for item in suggest(assessment, gap)]
            gaps.append(gap)
    result = Result(assessment, spec, language, level_name(spec, assessment.level, language), dimensions, gaps)
    if assessment.kind == Kind.EXPERT:
        result.differences = _differences(assessment, spec)
        result.checks = [
            {"requirement": spec.requirement(rid), **outcome,
             "shown": check_value_text(spec.requirement(rid).check,  # type: ignore[union-attr]
                                       outcome.get("value"), outcome.get("year"), language)}
            for rid, outcome in assessment.checks.items()
            if spec.requirement(rid) is not None
        ]
    return result


def _differences(assessment: Assessment, spec: ModelDef) -> list[Difference]:
    """Where the verified fulfilment departs from the claim by more than the model's tolerance."""
    claims = assessment.claims_from
    claimed = claims.fulfilment if claims is not None and claims.status == Status.SUBMITTED else {}
    out = []
    for req in spec.requirements:
        verified = assessment.fulfilment.get(req.id)
        claim = claimed.get(req.id)
        if verified is None:
            continue
        from_data = (assessment.checks.get(req.id) or {}).get("fulfilment") is not None
        if claim is not None and abs(claim - verified) > spec.disagreement:
            out.append(Difference(req, claim, verified, "data" if from_data else "expert"))
    return out


# Benchmark ---------------------------------------------------------------------------------------


def current_rows(rows: Iterable[tuple[Any, ...]]) -> dict[int, tuple[Any, ...]]:
    """Each enterprise's current assessment among rows that start (enterprise id, kind, submitted, ...):
    its latest expert diagnosis, else its latest self-assessment."""
    best: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        ent, kind, submitted = row[:3]
        if ent not in best or (kind == Kind.EXPERT, submitted) > (best[ent][1] == Kind.EXPERT, best[ent][2]):
            best[ent] = row
    return best


def _current_scores(qs: QuerySet[Assessment]) -> dict[int, float]:
    rows = qs.values_list("enterprise_id", "kind", "submitted", "score")
    return {ent: row[3] for ent, row in current_rows(rows).items()}


def benchmark(*, assessment: Assessment) -> dict[str, Any]:
    """Percentile rank of this assessment's score among peers of the same industry and size class in the
    county, widening to the city and then the province while fewer than settings.DIAGNOSIS_MIN_PEERS
    enterprises compare. Nothing about a smaller group is returned."""
    enterprise = assessment.enterprise
    county = enterprise.region
    areas = [county]
    if county.parent_id:
        city = Region.objects.get(pk=county.parent_id)
        areas.append(city)
        if city.parent_id:
            areas.append(Region.objects.get(pk=city.parent_id))
    base = Assessment.objects.filter(
        model__code=assessment.model.code,
        status=Status.SUBMITTED,
        enterprise__industry_id=enterprise.industry_id,
        enterprise__size_class=enterprise.size_class,
    ).exclude(enterprise=enterprise)
    for area in areas:
        if area.level == RegionLevel.COUNTY:
            qs = base.filter(enterprise__region=area)
        elif area.level == RegionLevel.CITY:
            qs = base.filter(enterprise__region__parent=area)
        else:
            qs = base
        scores = [*_current_scores(qs).values(), assessment.score or 0.0]
        if len(scores) >= settings.DIAGNOSIS_MIN_PEERS:
            mine = assessment.score or 0.0
            below = sum(1 for s in scores if s < mine)
            equal = sum(1 for s in scores if s == mine)
            return {
                "available": True,
                "percentile": round((below + 0.5 * equal) / len(scores) * 100, 1),
                "group_size": len(scores),
                "region": area.code,
                "region_name": area.name,
                "region_level": area.level,
                "industry": enterprise.industry.code,
                "size_class": enterprise.size_class,
                "median": round(statistics.median(scores), 2),
            }
    return {
        "available": False,
        "percentile": None,
        "group_size": None,
        "region": None,
        "region_name": None,
        "region_level": None,
        "industry": enterprise.industry.code,
        "size_class": enterprise.size_class,
        "median": None,
        "reason": _("同行业、同规模的可比企业不足 %(n)d 家（已扩大到全省），为保护企业信息不显示对比。")
        % {"n": settings.DIAGNOSIS_MIN_PEERS},
    }
