"""Demo diagnoses: self-assessments and verified diagnoses consistent with the enterprises' stages.

Seeded and reproducible. About 30 % of the enterprises self-assessed with the ladder model (a few with the
GB/T 39116 model), a third of those were then verified by an expert, and some assessed twice, a year
apart, so the pages show progress, differences between claims and verification, and cohorts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Subquery

from zhigai.base.models import STAGE_ORDER, Enterprise, Indicator, StageSource
from zhigai.base.services import stage_records_bulk
from zhigai.core.bulk import in_values
from zhigai.core.cache import areas_changed
from zhigai.core.models import Role, User

from .definition import ModelDef
from .evaluation import assessment_score
from .models import Assessment, AssessmentEvent, Assignment, Kind, MaturityModel, Status

SELF_SHARE, EXPERT_SHARE, REPEAT_SHARE, GBT_SHARE = 0.30, 0.33, 0.40, 0.05
EXPERT_ASSIGNMENTS = 40  # Hangzhou enterprises the `expert` demo login is assigned to


def _answers(spec: ModelDef, target: int, rng: random.Random) -> dict[str, str]:
    """Answers of an enterprise at level `target`: its levels mostly fully in place, the next one begun."""
    ids = [o.id for o in spec.options]  # ascending fulfilment
    top, high = ids[-1], ids[-2]
    out = {}
    for r in spec.requirements:
        if r.level <= target:
            out[r.id] = top if rng.random() < 0.85 else high
        elif r.level == target + 1:
            out[r.id] = rng.choice(ids)
        else:
            out[r.id] = ids[0] if rng.random() < 0.7 else ids[1]
    return out


def _when(rng: random.Random, year: int) -> dt.datetime:
    return dt.datetime(year, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=rng.randrange(330), minutes=rng.randrange(480))


@transaction.atomic
def diagnosis_demo_seed(*, seed: int = 2013, expert: Any = None,
                        progress: Callable[[str], None] | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    ladder = MaturityModel.objects.get(code="ladder", current=True)
    gbt = MaturityModel.objects.filter(code="gbt39116", current=True).first()
    chosen = [e for e in Enterprise.objects.order_by("id").values("id", "stage", "region__parent__pinyin")
              if rng.random() < SELF_SHARE]
    figures: dict[int, list[dict[str, Any]]] = {}
    annual = Indicator.objects.filter(month=0, enterprise_id__in=in_values([e["id"] for e in chosen]))
    for row in annual.order_by("-year").values():
        figures.setdefault(row["enterprise_id"], []).append(dict(row))
    rows: list[Assessment] = []
    experts: list[tuple[Assessment, Assessment]] = []  # (self, expert) pairs: the FK is set after insert
    stages: dict[int, tuple[str, Assessment]] = {}
    for e in chosen:
        stage = STAGE_ORDER.index(e["stage"]) + 1
        model = gbt if gbt is not None and rng.random() < GBT_SHARE else ladder
        spec = model.spec
        target = min(stage, spec.top_level)
        if rng.random() < REPEAT_SHARE and target > 1:
            earlier = Assessment(enterprise_id=e["id"], model=model, kind=Kind.SELF, status=Status.SUBMITTED,
                                 submitted=_when(rng, 2019),
                                 answers=_answers(spec, target - 1, rng))
            assessment_score(earlier, spec, [])
            rows.append(earlier)
        # Claims lean optimistic: a quarter of the enterprises answer as if a level higher.
        claimed = min(target + (rng.random() < 0.25), spec.top_level)
        when = _when(rng, 2020)
        own = Assessment(enterprise_id=e["id"], model=model, kind=Kind.SELF, status=Status.SUBMITTED, submitted=when,
                         answers=_answers(spec, claimed, rng))
        assessment_score(own, spec, [])
        rows.append(own)
        if rng.random() < EXPERT_SHARE:
            verified = Assessment(enterprise_id=e["id"], model=model, kind=Kind.EXPERT, status=Status.SUBMITTED,
                                  submitted=when + dt.timedelta(days=rng.randrange(10, 40)),
                                  answers=_answers(spec, target, rng))
            verified.notes = {rid: "现场查看设备台账与系统记录" for rid in list(verified.answers)[:3]}
            assessment_score(verified, spec, figures.get(e["id"], []))
            rows.append(verified)
            experts.append((own, verified))
            if spec.levels[0].stage:
                reached = spec.level(verified.level or 0) or spec.levels[0]
                stages[e["id"]] = (reached.stage or e["stage"], verified)
            if expert is not None and e["region__parent__pinyin"] == "hangzhou":
                verified.created_by = expert
    Assessment.objects.bulk_create(rows, batch_size=2000)
    for own, verified in experts:
        verified.claims_from_id = own.pk
    Assessment.objects.bulk_update([v for _o, v in experts], ["claims_from"], batch_size=2000)
    # auto_now_add stamped today: the demo's assessments were started on the day they were submitted.
    Assessment.objects.filter(pk__in=in_values([a.pk for a in rows])).update(created=F("submitted"))
    _events_write(rows)
    _stages_set(stages, expert)
    hangzhou = [e["id"] for e in chosen if e["region__parent__pinyin"] == "hangzhou"]
    mine = {v.enterprise_id for _o, v in experts if v.created_by_id is not None}
    sample = rng.sample(hangzhou, min(EXPERT_ASSIGNMENTS, len(hangzhou)))
    assigned = _assign(expert, sorted(mine) + sample) if expert else 0
    areas_changed(Assessment, Enterprise, Assignment)  # bulk writes send no signals
    if progress:
        progress(f"{len(rows)} assessments, {len(experts)} verified diagnoses, {assigned} expert assignments")
    return {"assessments": len(rows), "verified": len(experts), "assignments": assigned}


def _events_write(rows: list[Assessment]) -> None:
    """Each demo assessment's move on the workflow, as transition_apply writes it, on the day it was made."""
    AssessmentEvent.objects.bulk_create([
        AssessmentEvent(subject=a, transition="verify" if a.kind == Kind.EXPERT else "submit", source=Status.DRAFT,
                        target=Status.SUBMITTED, by=a.created_by)
        for a in rows
    ], batch_size=2000)
    when = Assessment.objects.filter(pk=OuterRef("subject_id")).values("submitted")[:1]
    AssessmentEvent.objects.filter(subject_id__in=in_values([a.pk for a in rows])).update(at=Subquery(when))


def _stages_set(stages: dict[int, tuple[str, Assessment]], expert: Any) -> None:
    """A verified diagnosis records the enterprise's stage in the year it was made, as assessment_submit does
    one by one (base.services.enterprise_stage_set); in one bulk write here."""
    codes = dict(Enterprise.objects.filter(id__in=in_values(list(stages))).values_list("id", "uscc"))
    stage_records_bulk(by=expert, source=StageSource.DIAGNOSIS, audited=False, rows=(
        (pk, codes[pk], verified.submitted.year if verified.submitted else 2020, stage, str(verified.pk))
        for pk, (stage, verified) in stages.items()))


def _assign(expert: Any, enterprise_ids: list[int]) -> int:
    """The expert's Hangzhou enterprises, and the enterprises of Hangzhou's enterprise logins (so the demo
    journey self-assessment → expert diagnosis works with the demo logins)."""
    users = User.objects.filter(role=Role.ENTERPRISE, enterprise__region__parent__pinyin="hangzhou")
    ids = dict.fromkeys(enterprise_ids + [pk for pk in users.values_list("enterprise_id", flat=True) if pk])
    Assignment.objects.bulk_create([Assignment(user=expert, enterprise_id=pk) for pk in ids], ignore_conflicts=True)
    return len(ids)
