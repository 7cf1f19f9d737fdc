"""The land quota's write (SPEC §5): a provincial officer sets a city's quota for a year; the projects
waiting for that city's land then move on in filing order while it has room (workflow.land_advance)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhigai.base.models import Region, RegionLevel
from zhigai.core.audit import audit_record
from zhigai.core.errors import InvalidInput
from zhigai.core.models import User
from zhigai.core.policy import require
from zhigai.core.text import ascii_int, clean_text

from .errors import ProjectError
from .models import LandQuota, Project
from .policy import QUOTA
from .quota import land_used, mu_parse, quota_mu
from .workflow import land_advance

QUOTA_MAX = Decimal("1000000")


@transaction.atomic
def land_quota_set(*, by: User, city: Any, year: Any, mu: Any, note: Any = "") -> tuple[LandQuota, list[Project]]:
    """Set a city's quota for a year: a number of mu (two places at most), not below the land its projects
    already hold. Returns the row and the projects it moved on. InvalidInput names each bad field."""
    require(by, QUOTA, message=_("只有省级主管部门可以调整用地指标。"), code=ProjectError.FORBIDDEN)
    problems: list[dict[str, str]] = []
    region = Region.objects.filter(code=str(city or ""), level=RegionLevel.CITY).first()
    if region is None:
        problems.append({"field": "city", "message": _("没有这个设区市：%(c)s") % {"c": city}})
    latest = dt.date.today().year + 1
    found_year = ascii_int(year, low=2000, high=latest)
    if found_year is None:
        problems.append({"field": "year", "message": _("年份应在 2000 到 %(y)d 之间") % {"y": latest}})
    amount = mu_parse(mu, maximum=QUOTA_MAX)
    if amount is None:
        problems.append({"field": "mu", "message": _("应为 0 到 %(n)s 亩、最多两位小数") % {"n": f"{QUOTA_MAX:,}"}})
        amount = Decimal(0)
    try:
        text = clean_text(note, field="note", max_length=1000, multiline=True)
    except InvalidInput as exc:
        problems.extend(exc.details)
        text = ""
    if region is not None and found_year is not None and not problems:
        Region.objects.select_for_update().filter(pk=region.pk).first()
        held = land_used(region.pk, found_year)
        if amount < held:
            problems.append({"field": "mu", "message": _("不能低于已占用的 %(h)s 亩") % {"h": held}})
    if problems:
        raise InvalidInput(_("用地指标有误，未保存：") + "；".join(p["message"] for p in problems),
                           code=ProjectError.LAND_QUOTA_INVALID, details=problems)
    assert region is not None and found_year is not None
    before = quota_mu(region, found_year)
    row = LandQuota.objects.create(city=region, year=found_year, mu=amount, note=text, by=by)
    audit_record(actor=by, action="update", entity="land_quota", entity_id=f"{region.code}/{found_year}",
                 summary=f"{region.code} {found_year}: {before} → {amount}",
                 before={"mu": str(before)}, after={"mu": str(amount)})
    moved = land_advance(city_id=region.pk, year=found_year, by=by,
                         note=_("用地指标调整为 %(mu)s 亩") % {"mu": amount})
    return row, moved
