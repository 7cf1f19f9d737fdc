"""Demo engagements (issue 12): in every state, with their history, dated in the past as the workflow table
allows — every seeded engagement's events a walk of the table, each event keeping the deadline of the step
it left (on time or late, mixed), a few open ones overdue.

Closed engagements are timed on clients that really transformed: an enterprise whose demo stage record
shows a stage step in year Y is requested in the autumn of Y-1 or early in Y and accepted in Y, and the
outcomes measured at acceptance are the change of its own indicators from Y-1 to Y (labor productivity,
frontline employees, defect rate, energy per output), so that the track record finds them in the
indicators. Most listed engineering companies (and the `provider` login's) have at least 6 closed
engagements; `provider2`'s company, whose registration was never listed, has none (engagements are requested
of listed providers only). Open engagements are dated backwards from now. Written in bulk.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Count
from django.utils import timezone

from zhigai.base.models import Enterprise, Indicator, StageRecord
from zhigai.core.bulk import in_values
from zhigai.core.cache import areas_changed
from zhigai.core.models import Role, User

from .deadlines import add_working_days, due_for, is_working_day
from .models import (
    OPEN_STATES,
    DocumentKind,
    Engagement,
    EngagementDocument,
    EngagementEvent,
    EngagementPlan,
    Membership,
    Outcome,
    ProgressReport,
    Provider,
    ProviderStatus,
    ProviderType,
)
from .models import EngagementState as S

# Working days a step took (low, high): a little over the policy's figure now and then, so some are late.
STEP_DAYS: dict[str, tuple[int, int]] = {
    S.REQUESTED: (1, 7), S.ACCEPTED: (1, 6), S.RESEARCH: (12, 24), S.PLAN_DESIGN: (6, 17), S.PLAN_REVIEW: (2, 12),
    S.PLAN_APPROVED: (2, 12), S.ACCEPTANCE: (2, 12)}
# The table's moves in order from a request to the work's acceptance (name, target).
MAIN = [("accept", S.ACCEPTED), ("start_research", S.RESEARCH), ("submit_report", S.PLAN_DESIGN),
        ("submit_plan", S.PLAN_REVIEW), ("approve_plan", S.PLAN_APPROVED), ("start_implementation", S.IMPLEMENTATION),
        ("submit_acceptance", S.ACCEPTANCE), ("accept_work", S.CLOSED)]
ENTERPRISE_MOVES = frozenset({"approve_plan", "return_plan", "reject_work", "accept_work"})
NEEDS = ["冲压车间上下料人工多、节拍不稳，希望引入机器人和自动化线。", "希望建设MES，打通计划、生产、质量数据。",
         "注塑车间设备联网和能耗管理，降低单位产值能耗。", "装配线质检靠人工目检，希望用机器视觉降低不良率。",
         "仓储物流人工搬运多，希望建设AGV和立体仓库。", "老旧数控机床改造升级，提高加工精度和效率。"]
NOTES = {"decline": "本季度项目已满，无法按期承接，建议联系其他服务商。",
         "return_plan": "预算偏高，请压缩设备投入并细化进度安排。",
         "reject_work": "视觉检测误判率未达方案要求，请整改后再申请验收。", "cancel": "企业调整投资计划，暂缓实施。",
         "report_progress": "按计划推进，设备已到场安装调试。"}
COMMENTS = {5: "按期完成，效果明显，服务专业。", 4: "总体满意，个别环节有延误。", 3: "基本达到预期，沟通还需加强。",
            2: "进度拖延较多，效果一般。", 1: "未达到预期。"}
# A one-page PDF the demo's documents share (a placeholder for the reports, plans and acceptance files).
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj "
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
DOC_NAMES = {"submit_report": (DocumentKind.REPORT, "诊断报告.pdf"), "submit_plan": (DocumentKind.PLAN, "改造方案.pdf"),
             "submit_acceptance": (DocumentKind.ACCEPTANCE, "验收报告.pdf")}
TZ_HOURS = (9, 17)
CANDIDATES = 4000  # clients that transformed, sampled (the listed companies close about 400 engagements)


@dataclass
class Walk:
    """One engagement to write: its parties, the moves and the days they were made on."""

    provider: Provider
    enterprise_id: int
    moves: list[tuple[str, str, str]]  # (name, source, target)
    starts: list[datetime.datetime] = field(default_factory=list)  # when each state began; [0] the request
    plan: dict[str, Any] | None = None
    outcomes: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)


def _back(day: datetime.date, days: int) -> datetime.date:
    """`days` working days before `day`."""
    counted = 0
    while counted < days:
        day -= datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def _at(rng: random.Random, day: datetime.date) -> datetime.datetime:
    moment = datetime.datetime.combine(day, datetime.time(rng.randint(*TZ_HOURS), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _path(rng: random.Random, target: str, *, returns: int = 0, rejects: int = 0) -> list[tuple[str, str, str]]:
    """The table's moves from a request to `target` (returns: plans sent back; rejects: works rejected)."""
    if target == S.DECLINED:
        return [("decline", S.REQUESTED, S.DECLINED)]
    moves: list[tuple[str, str, str]] = []
    state: str = S.REQUESTED
    stop = target if target != S.CANCELLED else rng.choice([S.REQUESTED, S.ACCEPTED, S.RESEARCH, S.PLAN_DESIGN])
    for name, to in MAIN:
        if state == stop:
            break
        if name == "approve_plan":
            for _ in range(returns):
                moves += [("return_plan", S.PLAN_REVIEW, S.PLAN_DESIGN), ("submit_plan", S.PLAN_DESIGN, S.PLAN_REVIEW)]
        if name == "submit_acceptance":
            moves += [("report_progress", S.IMPLEMENTATION, S.IMPLEMENTATION)] * rng.randint(1, 2)
        if name == "accept_work":
            for _ in range(rejects):
                moves += [("reject_work", S.ACCEPTANCE, S.IMPLEMENTATION),
                          ("submit_acceptance", S.IMPLEMENTATION, S.ACCEPTANCE)]
        moves.append((name, state, to))
        state = to
    if target == S.CANCELLED:
        moves.append(("cancel", state, S.CANCELLED))
    return moves


def _durations(rng: random.Random, moves: Sequence[tuple[str, str, str]], plan_days: int) -> list[int]:
    """How long (working days; calendar days in the implementation) each move's source state lasted."""
    out = []
    for name, source, _target in moves:
        if source == S.IMPLEMENTATION:
            # Progress reports split the implementation; the acceptance comes near the plan's end.
            share = 0.35 if name == "report_progress" else 0.3
            out.append(max(1, int(plan_days * share) + (rng.randint(-10, 18) if name == "submit_acceptance" else 0)))
        else:
            low, high = STEP_DAYS.get(source, (1, 5))
            out.append(rng.randint(low, high) if name != "return_plan" else rng.randint(2, 8))
    return out


def _dates_forward(start: datetime.date, moves: Sequence[tuple[str, str, str]], days: list[int]) -> list[datetime.date]:
    out = [start]
    for (_n, source, _t), d in zip(moves, days, strict=True):
        out.append(out[-1] + datetime.timedelta(days=d) if source == S.IMPLEMENTATION else add_working_days(out[-1], d))
    return out


def _dates_back(end: datetime.date, moves: Sequence[tuple[str, str, str]], days: list[int]) -> list[datetime.date]:
    out = [end]
    for (_n, source, _t), d in zip(reversed(moves), reversed(days), strict=True):
        out.insert(0, out[0] - datetime.timedelta(days=d) if source == S.IMPLEMENTATION else _back(out[0], d))
    return out


def _change(before: Any, after: Any) -> Decimal | None:
    if before in (None, 0) or after is None:
        return None
    value = (Decimal(str(after)) - Decimal(str(before))) / Decimal(str(before)) * 100
    return max(Decimal(-100), min(Decimal(1000), value.quantize(Decimal("0.1"))))


def _measured(rows: dict[int, dict[str, Any]], year: int) -> dict[str, Decimal]:
    """The change of the four indicators from year-1 to year, where both years have them."""
    a, b = rows.get(year - 1), rows.get(year)
    if a is None or b is None:
        return {}

    def ratio(row: dict[str, Any], top: str, bottom: str) -> Any:
        return Decimal(str(row[top])) / Decimal(str(row[bottom])) if row[top] is not None and row[bottom] else None

    pairs = {"labor_productivity": (ratio(a, "added_value", "employees"), ratio(b, "added_value", "employees")),
             "frontline_employees": (a["frontline_employees"], b["frontline_employees"]),
             "defect_rate": (a["defect_rate"], b["defect_rate"]),
             "energy_per_output": (ratio(a, "energy_use", "output_value"), ratio(b, "energy_use", "output_value"))}
    return {k: c for k, (x, y) in pairs.items() if (c := _change(x, y)) is not None}


def _expected(rng: random.Random, indicator: str, measured: Decimal | None) -> Decimal:
    """What a plan promised: near what was then measured, in the direction the indicator should move."""
    up = indicator == "labor_productivity"
    if measured is not None and (measured > 0) == up and measured != 0:
        return (measured * Decimal(str(round(rng.uniform(0.75, 1.25), 2)))).quantize(Decimal("0.1"))
    value = Decimal(rng.randint(5, 25))
    return value if up else -value


def _plan(rng: random.Random, provider: Provider, start: datetime.date, days: int,
          benefits: dict[str, Decimal]) -> dict[str, Any]:
    end = start + datetime.timedelta(days=days)
    technologies = [t.name_zh for t in provider.technologies.all()] or ["产线自动化"]
    return {
        "scope": "、".join(technologies[:3]) + "改造：现状诊断问题的整改与产线升级。",
        "budget": Decimal(rng.randint(30, 600) * 10000),
        "equipment": [{"name": f"{t}设备", "quantity": rng.randint(1, 8)} for t in technologies[:3]],
        "start": start, "end": end,
        "milestones": [{"name": "设备安装", "due": (start + datetime.timedelta(days=days // 2)).isoformat()},
                       {"name": "联调试运行", "due": (start + datetime.timedelta(days=days * 9 // 10)).isoformat()}],
        "benefits": {k: str(v) for k, v in benefits.items()},
    }


def _stage_steps() -> dict[int, list[int]]:
    """Enterprise -> the years in which its demo stage record shows a step (a stage unlike the year before)."""
    steps: dict[int, list[int]] = defaultdict(list)
    last: dict[int, str] = {}
    for pk, year, stage in StageRecord.objects.order_by("enterprise_id", "year", "recorded_at", "id").values_list(
            "enterprise_id", "year", "stage"):
        if pk in last and last[pk] != stage:
            steps[pk].append(year)
        last[pk] = stage
    return steps


def _served(provider: Provider, cities: dict[int, int | None]) -> set[int] | None:
    """The cities a provider serves (None: the whole province)."""
    served = set()
    for region in provider.regions.all():
        if region.parent_id is None:
            return None
        served.add(region.pk if cities.get(region.pk, 0) is None else cities.get(region.pk) or region.pk)
    return served


def _bulk_dated(model: Any, rows: list[Any], stamp: str) -> None:
    """bulk_create keeping the past times of an auto_now_add field. Switched off for the insert only (the
    seed runs alone): an UPDATE afterwards costs more than the whole walk (one CASE per batch on SQLite)."""
    stamped = model._meta.get_field(stamp)
    stamped.auto_now_add = False
    try:
        model.objects.bulk_create(rows, batch_size=1000)
    finally:
        stamped.auto_now_add = True


class _Seeder:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.walks: list[Walk] = []

    def closed(self, provider: Provider, enterprise_id: int, year: int, measured: dict[str, Decimal]) -> None:
        rng = self.rng
        moves = _path(rng, S.CLOSED, returns=int(rng.random() < 0.2), rejects=int(rng.random() < 0.1))
        plan_days = rng.randint(60, 150)
        start = datetime.date(year - 1, 9, 1) + datetime.timedelta(days=rng.randint(0, 165))
        days = _durations(rng, moves, plan_days)
        dates = _dates_forward(start, moves, days)
        last = datetime.date(year, 12, 28)
        if dates[-1] > last:  # accepted in the year of the step, whatever the walk took
            dates = _dates_back(last - datetime.timedelta(days=rng.randint(0, 40)), moves, days)
        benefits = {k: _expected(rng, k, measured.get(k)) for k in measured} or {"labor_productivity": Decimal(15)}
        walk = Walk(provider, enterprise_id, moves)
        walk.starts = [_at(rng, d) for d in dates]
        implementation = dates[[n for n, _s, _t in moves].index("start_implementation") + 1]
        walk.plan = _plan(rng, provider, implementation, plan_days, benefits)
        walk.outcomes = {k: (v, measured.get(k, v)) for k, v in benefits.items()}
        self.walks.append(walk)

    def open(self, provider: Provider, enterprise_id: int, target: str, *, late: bool | None = None) -> None:
        rng = self.rng
        moves = _path(rng, target)
        plan_days = rng.randint(60, 150)
        days = _durations(rng, moves, plan_days)
        late = rng.random() < 0.2 if late is None else late
        state = moves[-1][2] if moves else S.REQUESTED
        if state in OPEN_STATES and state != S.IMPLEMENTATION:
            allowed: int = {S.REQUESTED: 5, S.ACCEPTED: 5, S.RESEARCH: 20, S.PLAN_DESIGN: 15, S.PLAN_REVIEW: 10,
                       S.PLAN_APPROVED: 10, S.ACCEPTANCE: 10}[S(state)]
            stay = allowed + rng.randint(2, 12) if late else rng.randint(0, max(0, allowed - 2))
            began = _back(self.today, stay)
        elif state == S.IMPLEMENTATION:
            began = self.today - datetime.timedelta(days=plan_days + rng.randint(5, 30) if late
                                                    else rng.randint(5, plan_days - 20))
        else:  # declined, cancelled: ended some weeks ago
            began = _back(self.today, rng.randint(5, 60))
        dates = _dates_back(began, moves, days)
        walk = Walk(provider, enterprise_id, moves)
        walk.starts = [_at(rng, d) for d in dates]
        walk.starts[-1] = min(walk.starts[-1], self.now - datetime.timedelta(hours=1))
        names = [n for n, _s, _t in moves]
        if "submit_plan" in names:
            start = dates[names.index("start_implementation") + 1] if "start_implementation" in names else \
                dates[-1] + datetime.timedelta(days=rng.randint(15, 40))
            walk.plan = _plan(rng, provider, start, plan_days,
                              {"labor_productivity": Decimal(rng.randint(10, 30)), "defect_rate": -Decimal(
                                  rng.randint(10, 40))})
        if target == S.ACCEPTANCE and walk.plan:
            walk.outcomes = {k: (Decimal(v), Decimal(v) + rng.randint(-5, 5)) for k, v in walk.plan["benefits"].items()}
        self.walks.append(walk)

    def write(self, users_of: dict[int, User | None], owner_of: dict[int, User]) -> dict[str, int]:
        """Every walk as rows: engagements, events with the deadline each left step had, plans, progress,
        outcomes, documents — in bulk (auto_now_add times set afterwards)."""
        rng = self.rng
        stored = default_storage.save("engagements/demo/demo.pdf", ContentFile(DEMO_PDF))
        engagements, events_of = [], []
        for w in self.walks:
            e = Engagement(enterprise_id=w.enterprise_id, provider=w.provider, need=rng.choice(NEEDS),
                           requested_by=owner_of.get(w.enterprise_id))
            plan_end = w.plan["end"] if w.plan else None
            state: str = S.REQUESTED
            events = []
            for (name, source, target), left, made in zip(w.moves, w.starts[:-1], w.starts[1:], strict=True):
                due = due_for(source, left, plan_end)
                who = owner_of.get(w.enterprise_id) if name in ENTERPRISE_MOVES else users_of.get(w.provider.pk)
                events.append(EngagementEvent(transition=name, source=source, target=target, by=who, at=made,
                                              note=NOTES.get(name, ""), due=due))
                if name in ("accept", "decline"):
                    e.responded = made
                state = target
            e.state, e.state_since, e.created = state, w.starts[-1], w.starts[0]
            e.due = due_for(state, e.state_since, plan_end)
            if state == S.CLOSED:
                late = sum(1 for ev in events if ev.due and timezone.localtime(ev.at).date() > ev.due)
                e.rating = max(2, min(5, 5 - late // 2 + rng.choice([0, 0, 1, -1])))
                e.rating_comment = COMMENTS[e.rating]
                e.closed, e.accepted_on = e.state_since, timezone.localtime(e.state_since).date()
            engagements.append(e)
            events_of.append(events)
        _bulk_dated(Engagement, engagements, "created")
        flat = []
        for e, events in zip(engagements, events_of, strict=True):
            for ev in events:
                ev.subject = e
                flat.append(ev)
        _bulk_dated(EngagementEvent, flat, "at")
        plans: list[EngagementPlan] = []
        progress: list[ProgressReport] = []
        outcomes: list[Outcome] = []
        documents: list[EngagementDocument] = []
        for w, e, events in zip(self.walks, engagements, events_of, strict=True):
            version = 0
            for ev in events:
                if ev.transition == "submit_plan" and w.plan:
                    version += 1
                    plans.append(EngagementPlan(engagement=e, version=version, event=ev, created=ev.at, **w.plan))
                if ev.transition == "report_progress" and w.plan:
                    first = not any(p.engagement is e for p in progress)  # the first report: the installation
                    progress.append(ProgressReport(
                        engagement=e, event=ev, percent=rng.randint(40, 70) if first else rng.randint(75, 100),
                        milestone=w.plan["milestones"][0 if first else 1]["name"]))
                if ev.transition == "submit_acceptance":
                    outcomes += [Outcome(engagement=e, event=ev, indicator=k, expected=x, measured=m)
                                 for k, (x, m) in sorted(w.outcomes.items())]
                if ev.transition in DOC_NAMES:
                    kind, name = DOC_NAMES[ev.transition]
                    documents.append(EngagementDocument(engagement=e, event=ev, kind=kind, file=stored, filename=name,
                                                        size=len(DEMO_PDF), content_type="application/pdf",
                                                        uploaded_by=ev.by, uploaded=ev.at))
        EngagementPlan.objects.bulk_create(plans, batch_size=500)
        ProgressReport.objects.bulk_create(progress, batch_size=500)
        Outcome.objects.bulk_create(outcomes, batch_size=1000)
        _bulk_dated(EngagementDocument, documents, "uploaded")
        areas_changed(Engagement, EngagementEvent, EngagementPlan, ProgressReport, Outcome, EngagementDocument)
        return {"engagements": len(engagements), "events": len(flat)}


def engagements_demo_seed(*, seed: int = 2013, provider_login: User | None = None) -> dict[str, Any]:
    """The demo's engagements over the listed providers (see the module); none without enterprises."""
    steps = _stage_steps()
    if not steps or Engagement.objects.exists():
        return {"engagements": 0}
    seeder = _Seeder(seed)
    rng = seeder.rng
    listed = list(Provider.objects.filter(status=ProviderStatus.LISTED, type=ProviderType.ENGINEERING)
                  .prefetch_related("regions", "technologies").order_by("pk"))
    users_of: dict[int, User | None] = {}
    for m in Membership.objects.filter(provider__in=listed).select_related("user").order_by("joined", "id"):
        users_of.setdefault(m.provider_id, m.user)
    own = Membership.objects.filter(user=provider_login).values_list("provider_id", flat=True).first() \
        if provider_login else None
    listed.sort(key=lambda p: (p.pk != own, p.pk))
    # A sample of the clients that transformed (enterprise, year of the step), ample for every provider's
    # closed engagements; their indicators either side of the step, and their cities.
    candidates = sorted((pk, year) for pk, years in steps.items() for year in years)
    rng.shuffle(candidates)
    candidates = candidates[:CANDIDATES]
    rows: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    clients = in_values(sorted({pk for pk, _y in candidates}))
    for r in Indicator.objects.filter(month=0, enterprise_id__in=clients).values(
            "enterprise_id", "year", "added_value", "employees", "frontline_employees", "defect_rate", "energy_use",
            "output_value"):
        rows[r["enterprise_id"]][r["year"]] = dict(r)
    every = list(Enterprise.objects.order_by("pk").values_list("pk", "region__parent_id"))
    city_of = dict(every)
    cities = dict(Enterprise.objects.values_list("region_id", "region__parent_id").distinct())
    pool: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for pk, year in candidates:
        if year - 1 in rows[pk] and year in rows[pk]:
            pool[city_of.get(pk)].append((pk, year))
    for chosen in pool.values():
        rng.shuffle(chosen)
    used: set[int] = set()
    owner = User.objects.filter(username="enterprise", role=Role.ENTERPRISE).first()
    owner_of = {u.enterprise_id: u for u in User.objects.filter(role=Role.ENTERPRISE, enterprise__isnull=False)
                if u.enterprise_id}
    closed_count: dict[int, int] = {}
    for n, provider in enumerate(listed):
        served = _served(provider, cities)
        want = 8 if provider.pk == own else rng.randint(6, 9) if rng.random() < 0.85 else rng.randint(1, 4)
        cities_here = [c for c in pool if served is None or c in served] or list(pool)
        done = 0
        for _ in range(want * 6):
            city = rng.choice(cities_here)
            while pool[city] and pool[city][-1][0] in used:
                pool[city].pop()
            if not pool[city]:
                continue
            pk, year = pool[city].pop()
            used.add(pk)
            seeder.closed(provider, pk, year, _measured(rows[pk], year))
            done += 1
            if done == want:
                break
        closed_count[provider.pk] = done
        # Open work, within the provider's capacity; declined and cancelled ones now and then.
        nearby = [pk for pk, c in every if served is None or c in served] or [pk for pk, _c in every]
        if provider.pk == own:
            if provider.capacity < 8:
                provider.capacity = 8
                provider.save(update_fields=["capacity"])
            # None with the demo enterprise: `provider` is to be found among its matches, which leave out a
            # provider that diagnosed it (a conflict of interest).
            others = [pk for pk in nearby if not owner or pk != owner.enterprise_id] or nearby
            for target, late in [(S.REQUESTED, False), (S.REQUESTED, True), (S.RESEARCH, True), (S.PLAN_REVIEW, False),
                                 (S.IMPLEMENTATION, False), (S.ACCEPTANCE, False), (S.DECLINED, None),
                                 (S.CANCELLED, None)]:
                seeder.open(provider, rng.choice(others), target, late=late)
            continue
        targets = [S.REQUESTED, S.ACCEPTED, S.RESEARCH, S.PLAN_DESIGN, S.PLAN_REVIEW, S.PLAN_APPROVED,
                   S.IMPLEMENTATION, S.ACCEPTANCE]
        for _ in range(rng.randint(0, min(3, max(0, provider.capacity - 1)))):
            seeder.open(provider, rng.choice(nearby), rng.choice(targets))
        if rng.random() < 0.3:
            seeder.open(provider, rng.choice(nearby), rng.choice([S.DECLINED, S.CANCELLED]))
        if owner is not None and owner.enterprise_id and n in (1, 2, 3):  # the demo enterprise's work with others
            seeder.open(provider, owner.enterprise_id, (S.ACCEPTANCE, S.REQUESTED, S.PLAN_REVIEW)[n - 1], late=False)
    result: dict[str, Any] = dict(seeder.write(users_of, owner_of))
    result["by_state"] = dict(Engagement.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    result["closed"] = closed_count
    return result
