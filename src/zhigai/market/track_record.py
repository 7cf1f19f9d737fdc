"""Providers' track records, computed from their engagements, never typed in (SPEC §4, issue 12)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from .models import Engagement, EngagementState, Provider

# Fewer completed engagements than this and a track record is "not enough engagements yet" (issue 12).
TRACK_RECORD_MIN = 5


def track_records(provider_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Each provider's record by id. `outcome_score` (0..1, how much its clients gained beyond comparable
    enterprises) is None below TRACK_RECORD_MIN completed engagements, as every figure is then."""
    ids = sorted(set(provider_ids))
    completed = dict(Engagement.objects.filter(provider_id__in=ids, state=EngagementState.CLOSED)
                     .values("provider_id").annotate(n=Count("id")).values_list("provider_id", "n"))
    records = {}
    for pk in ids:
        done = completed.get(pk, 0)
        enough = done >= TRACK_RECORD_MIN
        records[pk] = {
            "engagements_completed": done,
            "enough": enough,
            "minimum": TRACK_RECORD_MIN,
            "message": "" if enough else _("完成的服务项目还不够多，暂无业绩记录"),
            "outcome_score": None,
        }
    return records


def track_record(*, provider: Provider) -> dict[str, Any]:
    return track_records([provider.pk])[provider.pk]
