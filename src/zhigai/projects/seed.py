"""Demo projects (issue 13): technical-reform projects in every state of the lifecycle, filed in 2014–2020
(the demo province's years) and this year, spread over the demo's enterprises and cities, with realistic
investment (robots of domestic and imported brands at 150,000–600,000 yuan each, software, services,
construction where land is needed), some land-independent, a few on the restricted list (reviewed before
filing), one prohibited attempt that is in the audit trail only, and a land queue in one city this year.

Seeded and reproducible, written in bulk: projects, their equipment lines and the events of the moves that
brought each to its state (dated along the way)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhigai.base.models import Enterprise, Region, RegionLevel
from zhigai.core.audit import audit_record
from zhigai.core.cache import areas_changed
from zhigai.core.models import Role, User

from .commitment import commitment_current
from .models import EquipmentLine, Project, ProjectEvent
from .models import ProjectState as S
from .negative_list import negative_list_check, version_current
from .quota import city_of, quota_mu

PAST_YEARS = list(range(2014, 2021))
PER_PAST_YEAR = 30
# The states projects filed in past years ended in, and how often; this year's are earlier in the lifecycle.
PAST = [(S.ACCEPTED, 70), (S.BREACHED, 3), (S.RECTIFICATION, 3), (S.WITHDRAWN, 4), (S.REFUSED, 4),
        (S.INSPECTION, 3), (S.IN_PROGRESS, 3)]
CURRENT = [(S.FILED, 8), (S.IN_PROGRESS, 8), (S.UNDER_REVIEW, 4), (S.RETURNED, 2), (S.COMPLETION_DECLARED, 4),
           (S.INSPECTION, 2), (S.RECTIFICATION, 1), (S.REFUSED, 1), (S.ACCEPTED, 1)]
AFTER_FILING = {  # the moves from filing to each state
    S.FILED: [], S.UNDER_REVIEW: [], S.WAITING_LAND: [], S.RETURNED: ["return"], S.REFUSED: ["refuse"],
    S.WITHDRAWN: ["withdraw_filed"], S.IN_PROGRESS: ["start", "report"],
    S.COMPLETION_DECLARED: ["start", "report", "declare"], S.INSPECTION: ["start", "report", "declare", "inspect"],
    S.RECTIFICATION: ["start", "report", "declare", "inspect", "rectify"],
    S.ACCEPTED: ["start", "report", "report", "declare", "inspect", "accept"],
    S.BREACHED: ["start", "report", "declare", "inspect", "breach"],
}
TARGET = {"approve": S.FILED, "return": S.RETURNED, "refuse": S.REFUSED, "withdraw_filed": S.WITHDRAWN,
          "start": S.IN_PROGRESS, "report": S.IN_PROGRESS, "declare": S.COMPLETION_DECLARED,
          "inspect": S.INSPECTION, "rectify": S.RECTIFICATION, "accept": S.ACCEPTED, "breach": S.BREACHED}
OFFICER_MOVES = {"approve", "return", "refuse", "inspect", "rectify", "accept", "breach"}
NOTES = {"return": "请补充设备清单的品牌和型号，并说明改造前后产能。", "refuse": "经核查，项目实际新增产能，不予备案。",
         "report": "设备已到货并完成安装调试。", "rectify": "部分设备发票与清单不符，请补齐后申请复验。",
         "breach": "验收发现项目新增了承诺之外的产能，违反承诺。", "withdraw_filed": "企业调整投资计划，撤回项目。"}
WORKS = [("焊接车间机器人换人改造", "六轴焊接机器人"), ("冲压线自动化改造", "冲压上下料机器人"),
         ("装配线智能化改造", "协作机器人"), ("仓储物流自动化改造", "AGV 搬运机器人"),
         ("喷涂车间机器人改造", "喷涂机器人"), ("数控机床联网与数字化车间", "五轴数控机床"),
         ("视觉检测与质量追溯系统", "机器视觉检测机器人"), ("码垛包装线改造", "码垛机器人")]
ROBOT_BRANDS = {"domestic": ["埃斯顿", "新松", "埃夫特", "汇川"], "imported": ["发那科", "ABB", "库卡", "安川"]}
OTHER_EQUIPMENT = ["自动化输送线", "MES 终端与工控机", "激光切割机", "立体货架"]
SOFTWARE_SHARE = (Decimal("0.08"), Decimal("0.30"))


def _money(rng: random.Random, low: int, high: int, step: int = 1000) -> Decimal:
    return Decimal(rng.randrange(low // step, high // step + 1) * step)


# Robot lines and robots per line by the enterprise's size: a micro firm buys a robot or two, a large one lines.
SCALE = {"micro": (1, 2), "small": (1, 3), "medium": (2, 5), "large": (3, 8)}


def _lines(rng: random.Random, robot_type: str, size: str) -> list[dict[str, Any]]:
    lines, most = [], SCALE.get(size, (1, 3))
    for _ in range(rng.randint(1, max(1, most[0]))):
        origin = "domestic" if rng.random() < 0.55 else "imported"
        brand = rng.choice(ROBOT_BRANDS[origin])
        lines.append({"kind": "robot", "type": f"{brand} {robot_type}", "origin": origin,
                      "count": rng.randint(1, most[1]), "unit_price": _money(rng, 150_000, 600_000)})
    if rng.random() < (0.3 if size in ("micro", "small") else 0.7):
        lines.append({"kind": "other", "type": rng.choice(OTHER_EQUIPMENT),
                      "origin": "domestic", "count": rng.randint(1, 4), "unit_price": _money(rng, 50_000, 900_000)})
    return lines


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    return rng.choices([s for s, _ in weighted], weights=[w for _, w in weighted])[0]


def _officers() -> dict[int | None, User]:
    """The city login of each city (the province's login for the province's own moves)."""
    found = {u.region_id: u for u in User.objects.filter(role=Role.CITY, region__level=RegionLevel.CITY)}
    province = User.objects.filter(role=Role.PROVINCE).order_by("id").first()
    return {**found, 0: province} if province else found


@transaction.atomic
def projects_demo_seed(*, seed: int = 2013) -> list[Project]:
    """The demo's projects (none written when projects exist); returns them, for the fund's seed."""
    if Project.objects.exists():
        return []
    rng = random.Random(seed)
    enterprises = list(Enterprise.objects.select_related("region", "region__parent", "industry").order_by("uscc"))
    if not enterprises:
        return []
    own = User.objects.filter(role=Role.ENTERPRISE, username="enterprise").select_related("enterprise").first()
    users = {u.enterprise_id: u for u in User.objects.filter(role=Role.ENTERPRISE, enterprise__isnull=False)}
    officers, version, text = _officers(), version_current(), commitment_current()
    this_year = timezone.localdate().year
    plan = [(y, _pick(rng, PAST)) for y in PAST_YEARS for _ in range(PER_PAST_YEAR)]
    plan += [(this_year, state) for state, n in CURRENT for _ in range(n)]  # every early state, surely
    zhoushan = Region.objects.filter(code="330900").first()
    rows: list[tuple[Project, list[dict[str, Any]], list[str]]] = []
    for i, (year, state) in enumerate(plan):
        # The demo enterprise login's firm files one project in four of this year's, and those returned for
        # changes, so its pages show them (the change page among them).
        mine = own is not None and own.enterprise is not None and year == this_year and (
            i % 4 == 0 or state == S.RETURNED)
        firm = own.enterprise if mine and own is not None and own.enterprise else rng.choice(enterprises)
        rows.append(_project(rng, firm, year, state, version, text.version, i))
    crafted: list[tuple[Project, list[dict[str, Any]], list[str]]] = []
    if zhoushan is not None:  # this year's land queue: Zhoushan's 90 mu, 75 held, two projects waiting
        counties = list(Region.objects.filter(parent=zhoushan))
        firms = [e for e in enterprises if e.region_id in {c.pk for c in counties}] or enterprises[:3]
        for n, (mu, state) in enumerate([("45", S.IN_PROGRESS), ("30", S.FILED), ("25", S.WAITING_LAND),
                                         ("12.5", S.WAITING_LAND)]):
            p, lines, moves = _project(rng, firms[n % len(firms)], this_year, state, version, text.version, 900 + n,
                                       on=dt.date(this_year, 1, 10 + n * 5), signed=True)
            p.land_mu, p.land_city, p.land_year = Decimal(mu), zhoushan, this_year
            p.land_held = state != S.WAITING_LAND
            p.decision["outcome"] = S.WAITING_LAND if state == S.WAITING_LAND else S.FILED
            crafted.append((p, lines, moves))
    _within_quota([p for p, _l, _m in rows], [p for p, _l, _m in crafted])
    rows += crafted
    rows.sort(key=lambda r: r[0].created)
    Project.objects.bulk_create([p for p, _l, _m in rows])
    EquipmentLine.objects.bulk_create([EquipmentLine(project=p, **line) for p, lines, _m in rows for line in lines])
    _events(rows, users, officers)
    areas_changed(Project, EquipmentLine, ProjectEvent)  # bulk writes send no signals
    _prohibited_attempt(rng, enterprises, users)
    return [p for p, _l, _m in rows]


def _within_quota(projects: list[Project], crafted: list[Project]) -> None:
    """No city holds more land in a year than its quota: the random land needs past it become
    land-independent, and in the crafted queue's city and year only the crafted projects need land (none
    filed later holds land a waiting one was refused)."""
    held: dict[tuple[int, int], Decimal] = {}
    queued = {(p.land_city.pk, p.land_year) for p in crafted if p.land_city is not None and p.land_year}
    for p in [*crafted, *projects]:
        if not p.land_held or p.land_city is None or p.land_year is None:
            continue
        key = (p.land_city.pk, p.land_year)
        if p not in crafted and (key in queued or held.get(key, Decimal(0)) + p.land_mu > quota_mu(p.land_city,
                                                                                                  p.land_year)):
            p.land_mu, p.land_city, p.land_year, p.land_held = Decimal(0), None, None, False
            continue
        held[key] = held.get(key, Decimal(0)) + p.land_mu


def _project(rng: random.Random, firm: Enterprise, year: int, state: str, version: Any, text_version: str,
             i: int, *, on: dt.date | None = None, signed: bool | None = None
             ) -> tuple[Project, list[dict[str, Any]], list[str]]:
    title, robot = WORKS[i % len(WORKS)]
    restricted = firm.industry.code in ("31", "25") or i % 41 == 7
    description = f"在现有厂房内实施{title}，以机器人替代一线重复岗位。"
    if i % 41 == 7:
        description += "含电镀工序的自动上下料。"
    lines = _lines(rng, robot, firm.size_class)
    equipment = sum((line["unit_price"] * line["count"] for line in lines), Decimal(0))
    # One in ten declares more equipment than its lines itemise: the acceptance says so.
    declared = equipment + (_money(rng, 20_000, 200_000) if i % 10 == 3 else 0)
    land = Decimal(rng.choice([5, 8, 12, 20, 30, 45])) if rng.random() < 0.22 else Decimal(0)
    check = negative_list_check(industry_code=firm.industry.code, texts=[title, description,
                                                                         *(x["type"] for x in lines)])
    signed = rng.random() < 0.88 if signed is None else signed
    reviewed = restricted or check.category is not None or not signed
    if state in (S.RETURNED, S.REFUSED, S.UNDER_REVIEW) and not reviewed:
        signed, reviewed = False, True  # only a reviewed filing is returned, refused or under review
    today = timezone.localdate()
    filed_on = on or (dt.date(year, rng.randint(1, 9), rng.randint(1, 28)) if year < today.year else
                max(dt.date(year, 1, 2), today - dt.timedelta(days=rng.randint(3, 320))))
    start = filed_on + dt.timedelta(days=rng.randint(15, 60))
    created = timezone.make_aware(dt.datetime.combine(filed_on, dt.time(9 + i % 8, (i * 7) % 60)))
    held = bool(land) and state not in (S.UNDER_REVIEW, S.RETURNED, S.REFUSED, S.WAITING_LAND, S.WITHDRAWN)
    decision = {**check.as_data(), "commitment_signed": signed, "outcome": S.UNDER_REVIEW if reviewed else S.FILED}
    project = Project(
        enterprise=firm, title=title, description=description, start=start,
        end=start + dt.timedelta(days=rng.randint(180, 540)), equipment_investment=declared,
        software_investment=(equipment * Decimal(rng.uniform(*map(float, SOFTWARE_SHARE)))).quantize(Decimal(1000)),
        construction_investment=land * _money(rng, 150_000, 400_000) if land else Decimal(0),
        services_investment=(equipment * Decimal("0.05")).quantize(Decimal(100)), land_mu=land,
        expected={"positions_saved": rng.randint(4, 40), "productivity_gain": round(rng.uniform(0.08, 0.45), 2),
                  "defect_rate_change": -round(rng.uniform(0.002, 0.02), 3)},
        state=state, decision=decision, negative_list=version, created=created, state_since=created,
        land_city=city_of(firm.region) if land else None, land_year=year if land else None, land_held=held,
        commitment_name=_signatory(rng) if signed else "", commitment_signed=created if signed else None,
        commitment_version=text_version if signed else "")
    moves = AFTER_FILING[S(state)]
    if reviewed and state not in (S.UNDER_REVIEW, S.RETURNED, S.REFUSED):
        moves = ["approve", *moves]
    return project, [{**line, "unit_price": line["unit_price"]} for line in lines], moves


def _signatory(rng: random.Random) -> str:
    return rng.choice("王李张刘陈杨黄赵吴周徐孙") + rng.choice(["建国", "海燕", "志强", "丽华", "国平", "晓东", "春梅"])


def _events(rows: list[tuple[Project, list[dict[str, Any]], list[str]]], users: dict[int | None, User],
            officers: dict[int | None, User]) -> None:
    events, dates = [], []
    now = timezone.now()
    for project, _lines, moves in rows:
        company = users.get(project.enterprise_id)
        city = city_of(project.enterprise.region)
        officer = officers.get(city.pk) or officers.get(0)
        at = project.created
        first = S.UNDER_REVIEW if project.decision["outcome"] == S.UNDER_REVIEW else (
            S.WAITING_LAND if project.state == S.WAITING_LAND else S.FILED)
        events.append(ProjectEvent(subject=project, transition="file", source="", target=first, by=company))
        dates.append(at)
        state = first
        # The moves spread over the project's planned duration, from its filing to today at the latest: a
        # project of this year is earlier in its lifecycle, and nothing is dated after today.
        room = now - project.created - dt.timedelta(hours=1)
        whole = min(dt.timedelta(days=max((project.end - project.start).days, 30)) * len(moves) / (len(moves) + 1),
                    max(room, dt.timedelta(minutes=len(moves))))
        for n, move in enumerate(moves, start=1):
            at = project.created + whole * n / len(moves)
            target = TARGET[move]
            by = officer if move in OFFICER_MOVES else company
            events.append(ProjectEvent(subject=project, transition=move, source=state, target=target, by=by,
                                       note=NOTES.get(move, "")))
            dates.append(at)
            state = target
        project.state_since = at
    ProjectEvent.objects.bulk_create(events)
    for event, at in zip(events, dates, strict=True):
        event.at = at
    ProjectEvent.objects.bulk_update(events, ["at"], batch_size=500)
    Project.objects.bulk_update([p for p, _l, _m in rows], ["state_since"], batch_size=500)


def _prohibited_attempt(rng: random.Random, enterprises: list[Enterprise], users: dict[int | None, User]) -> None:
    """A filing the negative list refused: stored nowhere but in the audit trail, as a real one is."""
    firm = next((e for e in enterprises if e.industry.code == "31"), enterprises[0])
    title = "新建 120 吨转炉及配套连铸，新增炼钢产能"
    check = negative_list_check(industry_code=firm.industry.code, texts=[title])
    decision = {**check.as_data(), "commitment_signed": True, "outcome": ""}
    audit_record(actor=users.get(firm.pk), action="refuse", entity="project_filing", entity_id=firm.uscc,
                 summary=f"{check.entry.code if check.entry else ''} {title}"[:255],
                 after={"title": title, "decision": decision})
