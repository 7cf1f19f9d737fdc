"""Demo logins, created only by `zhigai demo` (never in production). All share one password."""

from __future__ import annotations

from django.db import transaction

from zhigai.base.models import Enterprise, Region, RegionLevel
from zhigai.core.models import Role, User

DEMO_PASSWORD = "zhigai-demo"


def _ensure(username: str, **fields: object) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, **fields)
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


@transaction.atomic
def demo_users_ensure() -> list[tuple[str, str]]:
    """Create the demo logins that are missing; return (username, description) for each."""
    province = Region.objects.get(level=RegionLevel.PROVINCE)
    out = [("province", f"provincial officer, {province.name_en}")]
    _ensure("province", role=Role.PROVINCE, region=province)
    for city in Region.objects.filter(level=RegionLevel.CITY).order_by("code"):
        _ensure(city.pinyin, role=Role.CITY, region=city)
        out.append((city.pinyin, f"city officer, {city.name_en}"))
    hangzhou = Region.objects.get(level=RegionLevel.CITY, pinyin="hangzhou")
    enterprise = Enterprise.objects.filter(region__parent=hangzhou, indicators__isnull=False).order_by("uscc").first()
    if enterprise is not None:
        _ensure("enterprise", role=Role.ENTERPRISE, enterprise=enterprise)
        out.append(("enterprise", f"enterprise user of {enterprise.name} ({enterprise.uscc})"))
    _ensure("expert", role=Role.EXPERT, first_name="王工")
    out.append(("expert", "diagnosis expert assigned to Hangzhou enterprises"))
    return out
