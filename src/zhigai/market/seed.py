"""Demo providers (issue 12): the study's 54 engineering service companies and 22 expert service steering
groups (each with its expert members and a leader), with equipment suppliers, cloud service providers and
banks, spread over the cities and industries roughly as the province's enterprises are.

Seeded and reproducible, written in bulk (the demo starts in seconds): users, providers, their capabilities
and the events of their registration. Most are listed; a few wait for review, were returned with comments,
refused or suspended, so the review queue and the directory's statuses have something to show. The demo
logins `provider` (a Hangzhou engineering service company, listed) and `provider2` (another company, in
Ningbo, whose registration was returned with comments) are two of the companies.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from zhigai.base.models import Enterprise, Industry, Region, RegionLevel
from zhigai.core.cache import areas_changed
from zhigai.core.models import Role, User

from .models import Membership, PriceLevel, Provider, ProviderEvent, ProviderStatus, ProviderType, Technology
from .seed_engagements import engagements_demo_seed

COUNTS = {ProviderType.ENGINEERING: 54, ProviderType.STEERING: 22, ProviderType.EQUIPMENT: 14,
          ProviderType.CLOUD: 6, ProviderType.BANK: 8}
# What each kind offers (technology codes of data/market/technologies.yaml), from which each draws a few.
OFFERS = {
    ProviderType.ENGINEERING: ["robot", "auto-line", "cnc", "vision", "agv", "mes", "erp", "plm", "networking",
                               "energy", "twin", "quality"],
    ProviderType.STEERING: ["robot", "auto-line", "cnc", "mes", "networking", "energy", "twin", "quality"],
    ProviderType.EQUIPMENT: ["robot", "auto-line", "cnc", "vision", "agv", "quality"],
    ProviderType.CLOUD: ["cloud", "iip", "networking", "erp", "mes", "twin"],
    ProviderType.BANK: ["finance"],
}
NAME_WORDS = ["精工", "智造", "恒远", "天成", "博远", "华创", "远航", "中联", "新锐", "海星", "东方", "信达", "众合",
              "汇智", "联创", "卓越", "鼎新", "明德", "金桥", "天元"]
SUFFIX = {ProviderType.ENGINEERING: "智能工程技术有限公司", ProviderType.EQUIPMENT: "智能装备股份有限公司",
          ProviderType.CLOUD: "云计算科技有限公司"}
BANKS = ["工商银行", "农业银行", "中国银行", "建设银行", "交通银行", "浙商银行", "杭州银行", "宁波银行"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "敏", "静", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "霞", "平", "刚", "建华", "志强"]
STEERING_TEXT, COMPANY_TEXT = "面向本行业企业开展诊断、方案设计与实施指导。", "为制造企业提供智能化改造服务。"
RETURNED_NOTE = "请补充近三年的项目业绩清单和资质证书扫描件。"
# Registrations not (or no longer) listed, by kind of company: state, reason.
NOT_LISTED = [(ProviderStatus.SUBMITTED, ""), (ProviderStatus.SUBMITTED, ""), (ProviderStatus.SUBMITTED, ""),
              (ProviderStatus.RETURNED, RETURNED_NOTE),
              (ProviderStatus.REFUSED, "营业执照经营范围不含工程服务。"),
              (ProviderStatus.SUSPENDED, "客户投诉项目延期，暂停接单待核查。")]
MOVES = {  # the moves that brought a registration to its state
    ProviderStatus.SUBMITTED: ["submit"], ProviderStatus.LISTED: ["submit", "approve"],
    ProviderStatus.RETURNED: ["submit", "return"], ProviderStatus.REFUSED: ["submit", "refuse"],
    ProviderStatus.SUSPENDED: ["submit", "approve", "suspend"],
}
TARGETS = {"submit": ProviderStatus.SUBMITTED, "approve": ProviderStatus.LISTED, "return": ProviderStatus.RETURNED,
           "refuse": ProviderStatus.REFUSED, "suspend": ProviderStatus.SUSPENDED}


def _weighted(rng: random.Random, items: Sequence[Any], weights: Sequence[float], k: int) -> list[Any]:
    """k distinct items, drawn by weight."""
    pool, w = list(items), list(weights)
    out: list[Any] = []
    while pool and len(out) < k:
        i = rng.choices(range(len(pool)), weights=[max(x, 1e-6) for x in w])[0]
        out.append(pool.pop(i))
        w.pop(i)
    return out


def _unique(rng: random.Random, used: set[str], pattern: str) -> str:
    """A company name from `pattern` ("{}" the trade name) no other demo company has."""
    while True:
        name = pattern.format(rng.choice(NAME_WORDS) + rng.choice(["", *NAME_WORDS]))
        if name not in used:
            used.add(name)
            return name


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


@transaction.atomic
def market_demo_seed(*, seed: int = 2013, logins: Sequence[User] = (), client: Enterprise | None = None
                     ) -> dict[str, int]:
    """The demo's providers; `logins` (the `provider` and `provider2` demo users) act for the first
    engineering company in Hangzhou and the first in Ningbo, the first of which also works in the industry
    division of `client` (the demo's enterprise login). Writes nothing when providers exist."""
    if Provider.objects.exists():
        return {"providers": 0}
    first_login = logins[0] if logins else None
    rng = random.Random(seed)
    cities = list(Region.objects.filter(level=RegionLevel.CITY).order_by("code"))
    counties = {c.pk: list(Region.objects.filter(parent=c).order_by("code")) for c in cities}
    province = Region.objects.get(level=RegionLevel.PROVINCE)
    divisions = list(Industry.objects.filter(parent__isnull=True).order_by("code"))
    technologies = {t.code: t for t in Technology.objects.all()}
    by_pinyin = {c.pinyin: c for c in cities}
    plans: list[dict[str, Any]] = []
    for kind, count in COUNTS.items():
        for n in range(count):
            if kind == ProviderType.ENGINEERING and n < 2:  # the demo logins' companies
                city = by_pinyin.get(("hangzhou", "ningbo")[n]) or cities[n]
            else:
                city = _weighted(rng, cities, [c.share for c in cities], 1)[0]
            plans.append({"type": kind, "city": city, "n": n})
    focus = _weighted(rng, divisions, [d.share for d in divisions], COUNTS[ProviderType.STEERING])
    rows: list[dict[str, Any]] = []
    members_of: list[tuple[User, Provider]] = []
    steering = 0
    not_listed = iter(NOT_LISTED)
    used: set[str] = set()
    for plan in plans:
        kind, city, industry = plan["type"], plan["city"], None
        home = rng.choice(counties[city.pk] or [city])
        if kind == ProviderType.STEERING:
            industry = focus[steering % len(focus)]
            name = f"{industry.name_zh}专家服务指导组" + (f"（{steering // len(focus) + 1}）" if steering >= len(focus)
                                                  else "")
            home, steering = province, steering + 1
        elif kind == ProviderType.BANK:
            name = f"{BANKS[plan['n'] % len(BANKS)]}{city.name_zh.removesuffix('市')}分行"
        else:
            name = _unique(rng, used, f"{city.name_zh.removesuffix('市')}{{}}{SUFFIX[kind]}")
        # Listed unless it is one of the few engineering companies (past the logins') shown in review.
        status, note = ProviderStatus.LISTED, ""
        if kind == ProviderType.ENGINEERING and 50 - len(NOT_LISTED) <= plan["n"] < 50:
            status, note = next(not_listed)
        elif kind == ProviderType.ENGINEERING and plan["n"] == 1:  # `provider2`'s: to change and submit again
            status, note = ProviderStatus.RETURNED, RETURNED_NOTE
        rows.append({
            "provider": Provider(
                type=kind, name=name, home_region=home, status=status,
                capacity=rng.randint(2, 12) if kind != ProviderType.BANK else 40,
                price_level=rng.choice(PriceLevel.values),
                certifications=rng.sample(["ISO 9001", "ISO 27001", "CMMI 3", "两化融合管理体系评定",
                                           "智能制造系统解决方案供应商"], k=rng.randint(0, 3)),
                industry_focus=industry if kind == ProviderType.STEERING else None,
                description=f"{name}：" + (STEERING_TEXT if kind == ProviderType.STEERING else COMPANY_TEXT),
            ),
            "industries": ([industry] if kind == ProviderType.STEERING else
                           _weighted(rng, divisions, [d.share for d in divisions], rng.randint(2, 6))),
            "technologies": [technologies[c] for c in rng.sample(OFFERS[kind], k=min(len(OFFERS[kind]),
                                                                                      rng.randint(1, 4)))
                             if c in technologies],
            "regions": [province] if kind in (ProviderType.STEERING, ProviderType.CLOUD) or rng.random() < 0.2
            else [city, *_weighted(rng, cities, [c.share for c in cities], rng.randint(0, 2))],
            "note": note,
            "experts": rng.randint(3, 6) if kind == ProviderType.STEERING else 0,
        })
    if client is not None:  # `provider`'s company works in the demo enterprise's division too
        division = client.industry
        while division.parent is not None:
            division = division.parent
        first = next(r for r, plan in zip(rows, plans, strict=True)
                     if plan["type"] == ProviderType.ENGINEERING and plan["n"] == 0)
        if division not in first["industries"]:
            first["industries"].append(division)
    Provider.objects.bulk_create([r["provider"] for r in rows])
    # Users who act for them: the demo logins for the first two companies; otherwise one user a company,
    # the experts of each steering group. They sign in with no password until an officer gives them one.
    users: list[User] = []
    logins = list(logins)
    for r in rows:
        p = r["provider"]
        if p.type == ProviderType.ENGINEERING and logins:
            members_of.append((logins.pop(0), p))
            continue
        for k in range(r["experts"] or 1):
            role = Role.EXPERT if p.type == ProviderType.STEERING else Role.BANK if p.type == ProviderType.BANK \
                else Role.PROVIDER
            user = User(username=f"p{p.pk}-{k + 1}", role=role, first_name=_person(rng))
            user.set_unusable_password()
            users.append(user)
            members_of.append((user, p))
    User.objects.bulk_create(users)
    Membership.objects.bulk_create([Membership(user=u, provider=p) for u, p in members_of])
    leaders: dict[int, User] = {}
    for u, p in members_of:
        if p.type == ProviderType.STEERING and p.pk not in leaders:
            leaders[p.pk] = u
            p.leader = u
    Provider.objects.bulk_update([r["provider"] for r in rows if r["provider"].pk in leaders], ["leader"])
    through = {"industries": Provider.industries.through, "technologies": Provider.technologies.through,
               "regions": Provider.regions.through}
    for field, model in through.items():
        column = {"industries": "industry_id", "technologies": "technology_id", "regions": "region_id"}[field]
        model._default_manager.bulk_create([model(provider_id=r["provider"].pk, **{column: o.pk})
                                   for r in rows for o in dict.fromkeys(r[field])])
    officer = User.objects.filter(role=Role.PROVINCE, username="province").first()
    owner = {p.pk: u for u, p in members_of}
    events: list[ProviderEvent] = []
    for r in rows:
        p = r["provider"]
        for move in MOVES[p.status]:
            source = events[-1].target if events and events[-1].subject_id == p.pk else ProviderStatus.DRAFT
            events.append(ProviderEvent(subject=p, transition=move, source=source, target=TARGETS[move],
                                        by=owner[p.pk] if move == "submit" else officer,
                                        note=r["note"] if move in ("return", "refuse", "suspend") else ""))
    ProviderEvent.objects.bulk_create(events)
    areas_changed(User, Provider, Membership, ProviderEvent)  # bulk writes send no signals
    engagements = engagements_demo_seed(seed=seed, provider_login=first_login)
    return {"providers": len(rows), "users": len(users), "events": len(events),
            "engagements": engagements["engagements"]}
