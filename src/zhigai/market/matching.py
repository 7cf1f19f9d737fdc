"""The explained matching of providers to an enterprise (SPEC §4, issue 12; formula in docs/market.md).

Hard filters first — listed, the filters asked for (type, technology), serves the enterprise's region,
works in its industry, and the conflict of interest when the rules do not allow it — each saying which
providers it left out. The rest are ranked by a score broken into parts (technology fit to the diagnosed
gaps, industry experience, region, free capacity, measured outcomes, cost-effectiveness), weighted by the
rules in force (matching_data.rules_current), with a sentence naming each provider's top reasons. A provider
at full capacity stays in the list, flagged `full`, below every provider that can take the work.

Everything but the technology fit depends only on the enterprise and the rules (`provider_pool`); the fit
depends on what is needed (`ranked`), so the diagnosis result page ranks once and re-weighs per gap.
The number of queries does not grow with the number of providers: their capabilities are prefetched once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from zhigai.base.models import Enterprise, Industry, Region
from zhigai.base.selectors import access_enterprise, region_of
from zhigai.core.cache import request_memo
from zhigai.core.errors import InvalidInput
from zhigai.core.numbers import percent_text
from zhigai.core.policy import permitted
from zhigai.core.types import Actor
from zhigai.diagnosis.results import Suggestion
from zhigai.diagnosis.selectors import diagnosing_user_ids, submitted_of

from .matching_data import (
    PARTS,
    Need,
    Rules,
    need_from_gaps,
    need_from_profile,
    requirement_technologies,
    rules_current,
)
from .models import (
    DIAGNOSED_STATES,
    OPEN_STATES,
    Engagement,
    EngagementState,
    Membership,
    PriceLevel,
    Provider,
    ProviderStatus,
    ProviderType,
    Technology,
)
from .policy import MATCH
from .track_record import track_records

PART_LABELS = {
    "technology": gettext_lazy("技术匹配"), "industry": gettext_lazy("行业经验"), "region": gettext_lazy("地域"),
    "capacity": gettext_lazy("空余产能"), "outcome": gettext_lazy("实测成效"), "cost": gettext_lazy("性价比"),
}
FULL, CONFLICT = "full", "conflict"
FLAG_LABELS = {FULL: gettext_lazy("已满负荷"), CONFLICT: gettext_lazy("利益冲突")}
REGION_KINDS = ("home_county", "home_city", "serves_locally", "province_wide")
TOP_REASONS = 3


@dataclass(frozen=True)
class MatchFilters:
    type: str = ""  # a ProviderType value
    technology: str = ""  # a technology code


@dataclass
class Candidate:
    """A provider past the hard filters, with every part of its score but the technology fit."""

    provider: Provider
    values: dict[str, float]
    flags: list[str]
    open: int  # its engagements in an open state
    region_kind: str
    industry_done: int  # its completed engagements in the enterprise's division
    focus: bool  # a steering group organised for the enterprise's division
    measured: bool  # whether it has a measured outcome (else the neutral value stands in)
    offered: frozenset[str]  # its technology codes

    @property
    def free(self) -> int:
        return max(0, self.provider.capacity - self.open)


@dataclass
class Excluded:
    code: str  # listed, type, technology, region, industry, conflict
    label: str
    why: str
    providers: list[Provider]
    hard: bool = True  # a hard filter of the matching; False: a filter the user asked for


@dataclass
class Pool:
    enterprise: Enterprise
    rules: Rules
    division: Industry
    candidates: list[Candidate]
    excluded: list[Excluded]
    considered: int  # every provider registered, before the filters


@dataclass
class Match:
    candidate: Candidate
    score: float
    values: dict[str, float]  # each part on its own scale, 0..1
    parts: dict[str, float]  # each part's weighted share of the score (they sum to it)
    offered_needed: list[str]  # the needed technologies it offers, most needed first
    reason: str = ""

    @property
    def provider(self) -> Provider:
        return self.candidate.provider

    @property
    def flags(self) -> list[str]:
        return self.candidate.flags


@dataclass
class Matching:
    pool: Pool
    need: Need
    matches: list[Match] = field(default_factory=list)

    @property
    def enterprise(self) -> Enterprise:
        return self.pool.enterprise


# --- the pool: hard filters and the parts that do not depend on the need ----------------------------------------

def _ancestors(enterprise: Enterprise) -> list[int]:
    """The enterprise's county, its city, the province: the regions whose providers serve it."""
    ids: list[int] = []
    region: Region | None = enterprise.region
    while region is not None:
        ids.append(region.pk)
        region = region_of(region.parent_id)
    return ids


def _division(enterprise: Enterprise) -> Industry:
    industry = enterprise.industry
    return Industry.objects.get(pk=industry.parent_id) if industry.parent_id else industry


def _checked(filters: MatchFilters) -> None:
    if filters.type and filters.type not in ProviderType.values:
        raise InvalidInput(_("没有这种服务商类型：%(t)s") % {"t": filters.type},
                           details=[{"field": "type", "message": filters.type}])
    if filters.technology and not Technology.objects.filter(code=filters.technology).exists():
        raise InvalidInput(_("没有这项技术：%(code)s") % {"code": filters.technology},
                           details=[{"field": "technology", "message": filters.technology}])


def _region_kind(provider: Provider, ancestors: list[int], served: set[int]) -> str:
    county, city = ancestors[0], ancestors[1] if len(ancestors) > 1 else None
    if provider.home_region_id == county:
        return "home_county"
    if city is not None and city in (provider.home_region_id, provider.home_region.parent_id):
        return "home_city"
    if served & set(ancestors[:2]):
        return "serves_locally"
    return "province_wide"


def _conflicted(enterprise: Enterprise) -> set[int]:
    """Providers that diagnosed the enterprise: an engagement past the research, or a member who was assigned
    to, wrote or verified its diagnosis."""
    engaged = Engagement.objects.filter(enterprise=enterprise, state__in=DIAGNOSED_STATES).values_list(
        "provider_id", flat=True)
    users = diagnosing_user_ids(enterprise=enterprise)
    members = Membership.objects.filter(user_id__in=sorted(users)).values_list("provider_id", flat=True) \
        if users else []
    return set(engaged) | set(members)


def _counts(ids: list[int], division: Industry) -> tuple[dict[int, int], dict[int, int]]:
    """Open engagements by provider, and completed ones with enterprises of the division."""
    by_provider = Engagement.objects.filter(provider_id__in=ids).order_by().values("provider_id")
    open_ = dict(by_provider.filter(state__in=OPEN_STATES).annotate(n=Count("id")).values_list("provider_id", "n"))
    in_division = Q(enterprise__industry_id=division.pk) | Q(enterprise__industry__parent_id=division.pk)
    done = dict(by_provider.filter(in_division, state=EngagementState.CLOSED).annotate(n=Count("id"))
                .values_list("provider_id", "n"))
    return open_, done


def provider_pool(enterprise: Enterprise, *, filters: MatchFilters = MatchFilters(),
                  rules: Rules | None = None) -> Pool:
    """The providers that may serve the enterprise and the parts of their scores that do not depend on what
    it needs; `enterprise` comes from a getter (its region and industry selected)."""
    _checked(filters)
    rules = rules or rules_current()
    division = _division(enterprise)
    ancestors = _ancestors(enterprise)
    everyone = list(Provider.objects.select_related("home_region").prefetch_related(
        "industries", "technologies", "regions").order_by("name", "id"))
    conflicted = _conflicted(enterprise)
    technology = filters.technology
    steps: list[tuple[str, Any, str, bool, Any]] = [
        ("listed", gettext_lazy("已入库"), _("未列入服务商名录（待审核、退回、未通过或暂停）"), True,
         lambda p: p.status == ProviderStatus.LISTED),
        ("type", gettext_lazy("服务商类型"), _("不是所选类型"), False,
         (lambda p: p.type == filters.type) if filters.type else None),
        ("technology", gettext_lazy("技术"), _("不提供所选技术"), False,
         (lambda p: any(t.code == technology for t in p.technologies.all())) if technology else None),
        ("region", gettext_lazy("服务本地区"), _("不服务本企业所在的县（市、区）、市或全省"), True,
         lambda p: any(r.pk in ancestors for r in p.regions.all())),
        ("industry", gettext_lazy("行业"), _("不在本企业所属行业（%(code)s %(name)s）开展业务") %
         {"code": division.code, "name": division.name}, True,
         lambda p: p.industry_focus_id == division.pk or any(i.pk == division.pk for i in p.industries.all())),
        ("conflict", gettext_lazy("利益冲突"), _("曾为本企业做诊断；现行规则不允许诊断方承接实施"), True,
         (lambda p: p.pk not in conflicted) if not rules.conflict_allowed else None),
    ]
    remaining, excluded = everyone, []
    for code, label, why, hard, keep in steps:
        if keep is None:  # a filter not asked for, or the conflict rule when the rules allow it
            continue
        excluded.append(Excluded(code, str(label), why, [p for p in remaining if not keep(p)], hard))
        remaining = [p for p in remaining if keep(p)]
    ids = [p.pk for p in remaining]
    open_, done = _counts(ids, division)
    records = track_records(ids) if ids else {}
    candidates = [_candidate(p, rules, division, ancestors, open_.get(p.pk, 0), done.get(p.pk, 0),
                             records.get(p.pk, {}), p.pk in conflicted) for p in remaining]
    return Pool(enterprise, rules, division, candidates, excluded, len(everyone))


def _candidate(p: Provider, rules: Rules, division: Industry, ancestors: list[int], open_: int, done: int,
               record: dict[str, Any], conflicted: bool) -> Candidate:
    scales = rules.scales
    served = {r.pk for r in p.regions.all()}
    kind = _region_kind(p, ancestors, served)
    focus = p.industry_focus_id == division.pk
    ind = scales["industry"]
    base = float(ind["focus"] if focus else ind["declared"])
    industry = base + (1.0 - base) * min(1.0, done / max(1, int(ind["engagements_full"])))
    capacity = max(1, p.capacity)
    outcome = record.get("outcome_score")
    measured = outcome is not None
    o = float(outcome if outcome is not None else scales["neutral_outcome"])
    values = {
        "industry": industry,
        "region": float(scales["region"][kind]),
        "capacity": max(0, capacity - open_) / capacity,
        "outcome": o,
        # Outcome per price level: an economy provider (1) keeps its whole outcome, a premium one (3) a third.
        "cost": o / max(1, p.price_level),
    }
    flags = ([FULL] if open_ >= capacity else []) + ([CONFLICT] if conflicted else [])
    return Candidate(p, values, flags, open_, kind, done, focus, measured, frozenset(t.code for t in
                                                                                  p.technologies.all()))


# --- the ranking ---------------------------------------------------------------------------------------------

def technology_fit(offered: frozenset[str], needed: dict[str, float]) -> float:
    """The share of the need (technology weights summing to 1) that the provider's technologies cover."""
    return min(1.0, sum(w for t, w in needed.items() if t in offered))


def scored(candidate: Candidate, fit: float, rules: Rules) -> tuple[float, dict[str, float], dict[str, float]]:
    """(score, values, parts): score = Σ weight × value / Σ weights; parts are the weighted shares."""
    values = {"technology": fit, **candidate.values}
    total = float(rules.total) or 1.0  # all zero only from a hand-edited file: every score 0, not a crash
    parts = {name: round(float(rules.weights[name]) * values[name] / total, 4) for name in PARTS}
    return round(sum(parts.values()), 4), {k: round(values[k], 4) for k in PARTS}, parts


def rank_key(full: bool, score: float, provider: Provider) -> tuple[Any, ...]:
    """Providers that can take the work first; then the higher score; ties by name."""
    return (full, -score, provider.name, provider.pk)


def ranked(pool: Pool, need: Need) -> list[Match]:
    out = []
    names = {t.code: t.name for t in Technology.objects.all()} if pool.candidates else {}
    for c in pool.candidates:
        score, values, parts = scored(c, technology_fit(c.offered, need.technologies), pool.rules)
        offered = [t for t, _w in sorted(need.technologies.items(), key=lambda kv: -kv[1]) if t in c.offered]
        match = Match(c, score, values, parts, offered)
        match.reason = reason(match, need, pool, names)
        out.append(match)
    out.sort(key=lambda m: rank_key(FULL in m.flags, m.score, m.provider))
    return out


def need_of(enterprise: Enterprise, division: Industry, assessment: Any = None) -> Need:
    """The enterprise's need: from the given diagnosis, else its latest submitted one, else its profile."""
    found = assessment or submitted_of(enterprise=enterprise).first()
    if found is not None and found.gaps:
        return need_from_gaps(found)
    if found is not None:
        return Need({}, "diagnosis", found)  # no gap left: nothing to close
    return need_from_profile(enterprise.stage, division.code)


def match_enterprise(enterprise: Enterprise, *, filters: MatchFilters = MatchFilters(), assessment: Any = None,
                     rules: Rules | None = None) -> Matching:
    """The matching for an enterprise a getter returned (access checked by the caller)."""
    pool = provider_pool(enterprise, filters=filters, rules=rules)
    need = need_of(enterprise, pool.division, assessment)
    return Matching(pool, need, ranked(pool, need))


def access_matches(*, user: Actor, uscc: str) -> Enterprise:
    """The enterprise if the user may see its matches (its own users, officers of its region, superusers);
    Http404 otherwise, as for a missing enterprise."""
    enterprise = access_enterprise(user=user, uscc=uscc)
    if not permitted(user, MATCH, enterprise):
        raise Http404
    return enterprise


def enterprise_matches(*, user: Actor, uscc: str, filters: MatchFilters = MatchFilters()) -> Matching:
    return match_enterprise(access_matches(user=user, uscc=uscc), filters=filters)


# --- the reasons ---------------------------------------------------------------------------------------------

def _joined(items: list[str]) -> str:
    return _("、").join(items)


def part_phrase(name: str, match: Match, need: Need, pool: Pool, names: dict[str, str]) -> str:
    c = match.candidate
    if name == "technology":
        techs = _joined([names.get(t, t) for t in match.offered_needed[:3]])
        return _("提供所需的%(techs)s（覆盖 %(share)s 的技术需求）") % {
            "techs": techs, "share": percent_text(match.values["technology"])}
    if name == "industry":
        if c.industry_done:
            return ngettext("在本行业完成过 %(n)d 个项目", "在本行业完成过 %(n)d 个项目", c.industry_done) % {
                "n": c.industry_done}
        return _("面向本行业的专家服务指导组") if c.focus else _("在本行业开展业务")
    if name == "region":
        return {"home_county": _("就在本县（市、区）"), "home_city": _("就在本市"), "serves_locally": _("服务本地"),
                "province_wide": _("服务全省")}[c.region_kind]
    if name == "capacity":
        return ngettext("尚有 %(n)d 个项目的空余产能", "尚有 %(n)d 个项目的空余产能", c.free) % {"n": c.free}
    level = str(PriceLevel(c.provider.price_level).label).lower()  # "price economy" (Chinese has no case)
    if name == "outcome":
        return _("客户实测成效 %(score)s") % {"score": percent_text(match.values["outcome"])} if c.measured \
            else _("暂无实测业绩（按中性值计）")
    if c.measured:
        return _("性价比：价格%(level)s，成效已实测") % {"level": level}
    return _("性价比：价格%(level)s（成效按中性值计）") % {"level": level}


def reason_parts(match: Match) -> list[str]:
    """The parts that speak for the provider, heaviest in its score first. A neutral outcome stands in for a
    record it does not have: no reason to choose it."""
    speaking = [n for n in PARTS if match.parts[n] > 0 and not (n == "outcome" and not match.candidate.measured)]
    return sorted(speaking, key=lambda n: -match.parts[n])


def reason(match: Match, need: Need, pool: Pool, names: dict[str, str]) -> str:
    """One sentence: the parts that weigh most in its score, then what its flags mean."""
    top = reason_parts(match)[:TOP_REASONS]
    text = _("主要理由：%(reasons)s。") % {"reasons": _("；").join(part_phrase(n, match, need, pool, names)
                                                                for n in top)} if top else ""
    if need.technologies and match.values["technology"] <= 0:
        text += _("不提供所需的技术。")
    if need.source == "profile":
        text += _("本企业尚无诊断：技术需求按改造阶段（%(stage)s）和行业估计。") % {
            "stage": pool.enterprise.get_stage_display()}
    if FULL in match.flags:
        text += _("已满负荷（在办 %(open)d 个项目，可同时承接 %(capacity)d 个），排在能接单的服务商之后。") % {
            "open": match.candidate.open, "capacity": match.provider.capacity}
    if CONFLICT in match.flags:
        text += _("曾为本企业做诊断，存在利益冲突；现行规则允许，予以标示。")
    return text.strip()  # English sentences are joined with a trailing space


# --- the diagnosis result's suggestions (diagnosis.results.gap_suggester_register) -----------------------------

SUGGESTIONS_PER_GAP = 3


def _pool_for_results(enterprise: Enterprise) -> tuple[Pool, dict[str, str]]:
    # Once per request: the result page asks for every gap, and for the self-assessment it compares with.
    return request_memo(("market-gap-pool", enterprise.pk), lambda: (
        provider_pool(enterprise), {t.code: t.name for t in Technology.objects.all()}))


def gap_suggestions(assessment: Any, gap: Any) -> list[Suggestion]:
    """The best providers for one gap of a diagnosis: the enterprise's matching with the technology fit
    taken to this gap's technologies alone (those that offer none of them are left out)."""
    techs = requirement_technologies(assessment.model.spec, gap.requirement)
    if not techs:
        return []
    pool, names = _pool_for_results(assessment.enterprise)
    need = Need(dict.fromkeys(techs, 1.0 / len(techs)), "diagnosis", assessment)
    found = []
    for c in pool.candidates:
        fit = technology_fit(c.offered, need.technologies)
        if fit > 0:
            score, values, parts = scored(c, fit, pool.rules)
            found.append(Match(c, score, values, parts, [t for t in techs if t in c.offered]))
    found.sort(key=lambda m: rank_key(FULL in m.flags, m.score, m.provider))
    out = []
    for m in found[:SUGGESTIONS_PER_GAP]:
        others = [n for n in reason_parts(m) if n != "technology"]
        lines = [_("提供%(techs)s") % {"techs": _joined([names.get(t, t) for t in m.offered_needed])}]
        lines += [part_phrase(n, m, need, pool, names) for n in others[:1]]
        lines += [str(FLAG_LABELS[f]) for f in m.flags]
        out.append(Suggestion("provider", m.provider.name, reverse("market:provider", args=[m.provider.pk]),
                              _("；").join(lines)))
    return out
