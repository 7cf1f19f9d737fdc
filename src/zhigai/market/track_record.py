"""Providers' track records, computed from their engagements, never typed in (SPEC §4, issue 12).

For a provider with at least TRACK_RECORD_MIN closed engagements (fewer: `enough` is false, every figure
None and no outcome — "not enough engagements yet", never a number):

- `engagements_completed`: its engagements in state closed;
- `on_time_share`: of its own moves that finish a step with a deadline — leaving requested (accept,
  decline), accepted, research, plan design, plan approved or implementation for a state other than itself
  or cancelled — those made by the step's deadline (the event's local date ≤ `EngagementEvent.due`), over
  those moves plus its steps still open past their deadline (`Engagement.due` < today), which are late too;
  `moves_counted` is that denominator;
- `response_days`: the median, over its engagements answered (accepted or declined), of the Chinese working
  days from the request's local date to the answer's (market.workdays: 0 for an answer the same day);
  `responses` their number;
- `rating_mean` (1–5, two places) and `ratings` over its closed engagements the enterprise rated;
- `outcomes`, `measured`, `measured_at_latest_year`, `outcome_score`: market.outcomes (the change in the
  clients' indicators beside comparable enterprises', difference in differences);
- `at_acceptance`: what its acceptances measured against what its plans promised — per indicator, the mean
  expected and measured change (percent) over its closed engagements' Outcome rows, and how many met the
  promise (measured at least as good as expected, in the indicator's good direction); `plan_met_share` the
  share of all those (engagement, indicator) promises met.

Cached (core.cache) under the engagements, indicators, enterprises and reference areas, per set of
providers and day (the overdue steps depend on the day); a bounded number of queries however many providers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from zhigai.core.cache import cached_figures

from .models import Engagement, EngagementEvent, EngagementState, Outcome, Provider
from .outcomes import INDICATOR_NAMES, INDICATORS, Closed, measured_outcomes
from .workdays import median, working_days_between

# Fewer completed engagements than this and a track record is "not enough engagements yet" (issue 12).
TRACK_RECORD_MIN = 5
AREAS = ("engagements", "indicators", "enterprises", "reference")
# The states whose deadline is the provider's to meet (docs: the engagement workflow table).
PROVIDER_STEPS = frozenset({
    EngagementState.REQUESTED, EngagementState.ACCEPTED, EngagementState.RESEARCH, EngagementState.PLAN_DESIGN,
    EngagementState.PLAN_APPROVED, EngagementState.IMPLEMENTATION,
})
FIGURES = ("on_time_share", "moves_counted", "response_days", "responses", "rating_mean", "ratings", "measured",
           "measured_at_latest_year", "outcome_score", "plan_met_share")
HIGHER_IS_BETTER = {m.code: m.higher_is_better for m in INDICATORS}


def _empty(done: int) -> dict[str, Any]:
    return {"engagements_completed": done, "enough": False, "outcomes": [], "at_acceptance": [],
            **dict.fromkeys(FIGURES)}


def _at_acceptance(ids: list[int]) -> dict[int, tuple[list[dict[str, Any]], float | None]]:
    """provider -> (per indicator: expected and measured means, promises met, engagements; share met)."""
    rows = Outcome.objects.filter(engagement__provider_id__in=ids, engagement__state=EngagementState.CLOSED
                                  ).values_list("engagement__provider_id", "indicator", "expected", "measured")
    found: dict[int, dict[str, list[tuple[float, float]]]] = {pk: {} for pk in ids}
    for provider_id, indicator, expected, measured in rows:
        found[provider_id].setdefault(indicator, []).append((float(expected), float(measured)))
    out: dict[int, tuple[list[dict[str, Any]], float | None]] = {}
    for pk, by_indicator in found.items():
        lines, met_all, count_all = [], 0, 0
        for code in HIGHER_IS_BETTER:
            pairs = by_indicator.get(code)
            if not pairs:
                continue
            better = HIGHER_IS_BETTER[code]
            met = sum(1 for e, m in pairs if (m >= e if better else m <= e))
            met_all, count_all = met_all + met, count_all + len(pairs)
            lines.append({"indicator": code, "higher_is_better": better, "engagements": len(pairs), "met": met,
                          "expected": round(sum(e for e, _m in pairs) / len(pairs), 1),
                          "measured": round(sum(m for _e, m in pairs) / len(pairs), 1)})
        out[pk] = (lines, round(met_all / count_all, 4) if count_all else None)
    return out


def _on_time(ids: list[int]) -> dict[int, tuple[int, int]]:
    """provider -> (moves on time, moves counted)."""
    today = timezone.localdate()
    counts: dict[int, list[int]] = {pk: [0, 0] for pk in ids}
    moves = (EngagementEvent.objects.filter(subject__provider_id__in=ids, source__in=PROVIDER_STEPS,
                                            due__isnull=False)
             .exclude(target=F("source")).exclude(target=EngagementState.CANCELLED)
             .values_list("subject__provider_id", "at", "due"))
    for provider_id, at, due in moves:
        counts[provider_id][0] += due is not None and timezone.localdate(at) <= due
        counts[provider_id][1] += 1
    overdue = (Engagement.objects.filter(provider_id__in=ids, state__in=PROVIDER_STEPS, due__lt=today)
               .values("provider_id").annotate(n=Count("id")).values_list("provider_id", "n"))
    for provider_id, n in overdue:
        counts[provider_id][1] += n
    return {pk: (c[0], c[1]) for pk, c in counts.items()}


def _response_days(ids: list[int]) -> dict[int, list[int]]:
    days: dict[int, list[int]] = {pk: [] for pk in ids}
    answered = Engagement.objects.filter(provider_id__in=ids, responded__isnull=False).values_list(
        "provider_id", "created", "responded")
    for provider_id, created, responded in answered:
        days[provider_id].append(working_days_between(timezone.localdate(created), timezone.localdate(responded)))
    return days


def _compute(ids: list[int]) -> dict[int, dict[str, Any]]:
    closed = list(Engagement.objects.filter(provider_id__in=ids, state=EngagementState.CLOSED).values_list(
        "provider_id", "enterprise_id", "created", "accepted_on", "rating"))
    done: dict[int, int] = {}
    for row in closed:
        done[row[0]] = done.get(row[0], 0) + 1
    records = {pk: _empty(done.get(pk, 0)) for pk in ids}
    enough = sorted(pk for pk in ids if done.get(pk, 0) >= TRACK_RECORD_MIN)
    if not enough:
        return records
    on_time, responses, accepted = _on_time(enough), _response_days(enough), _at_acceptance(enough)
    outcomes = measured_outcomes([Closed(p, e, timezone.localdate(c), a) for p, e, c, a, _r in closed
                                  if p in done and done[p] >= TRACK_RECORD_MIN and a is not None])
    for pk in enough:
        ratings = [r for p, _e, _c, _a, r in closed if p == pk and r is not None]
        hits, counted = on_time[pk]
        response = median(responses[pk])
        records[pk].update({
            "enough": True,
            "on_time_share": round(hits / counted, 4) if counted else None,
            "moves_counted": counted,
            "response_days": response,
            "responses": len(responses[pk]),
            "rating_mean": round(sum(ratings) / len(ratings), 2) if ratings else None,
            "ratings": len(ratings),
            "at_acceptance": accepted[pk][0],
            "plan_met_share": accepted[pk][1],
            **outcomes.get(pk, {"outcomes": [], "measured": 0, "measured_at_latest_year": 0,
                                "outcome_score": None}),
        })
    return records


def track_records(provider_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Each provider's record by id (the module's docstring says how each figure is computed).
    `outcome_score` (0..1, how much its clients gained beyond comparable enterprises: market.outcomes) is
    None below TRACK_RECORD_MIN completed engagements, as every figure is then."""
    ids = sorted(set(provider_ids))
    computed = cached_figures(("track-records", 2, timezone.localdate().isoformat(), tuple(ids)),
                              lambda: _compute(ids), areas=AREAS)
    message = _("完成的服务项目还不够多，暂无业绩记录")
    # The words in the reader's language, added to what is cached for every language.
    return {pk: {**record, "minimum": TRACK_RECORD_MIN, "message": "" if record["enough"] else message,
                 "outcomes": [{**o, "name": str(INDICATOR_NAMES[o["indicator"]])} for o in record["outcomes"]],
                 "at_acceptance": [{**o, "name": str(INDICATOR_NAMES[o["indicator"]])}
                                   for o in record["at_acceptance"]]}
            for pk, record in computed.items()}


def track_record(*, provider: Provider) -> dict[str, Any]:
    return track_records([provider.pk])[provider.pk]
