"""The land quota (SPEC §5): a land-independent project takes none; one needing land draws on its city's
yearly quota, waits past it (saying how much is left and its place), and moves on in filing order when the
quota is raised or land is released."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from zhigai.base.models import Region
from zhigai.core.errors import InvalidInput, PermissionDenied
from zhigai.core.models import AuditLog
from zhigai.projects import services
from zhigai.projects.decision import decision_reason
from zhigai.projects.land import land_quota_set
from zhigai.projects.models import LandQuota, ProjectState
from zhigai.projects.quota import land_place, land_used, quota_defaults, quota_mu

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year


@pytest.fixture
def hangzhou() -> Region:
    return Region.objects.get(code="330100")


@pytest.fixture
def quota_100(hangzhou: Region, province_user: Any) -> None:
    LandQuota.objects.create(city=hangzhou, year=YEAR, mu=Decimal(100), by=province_user)


def test_the_default_is_the_citys_share_of_3000_mu(hangzhou: Region) -> None:
    total, shares = quota_defaults()
    assert total == 3000 and sum(shares.values()) == 1
    assert quota_mu(hangzhou, YEAR) == Decimal("480.00")


def test_exactly_the_quota_is_filed_one_mu_over_waits(file_project: Any, quota_100: None, hangzhou: Region) -> None:
    first = file_project(land_mu="100")
    assert first.state == ProjectState.FILED and first.land_held and not first.land_independent
    assert land_used(hangzhou.pk, YEAR) == 100
    over = file_project(land_mu="1")
    assert over.state == ProjectState.WAITING_LAND and not over.land_held
    place = land_place(over)
    assert place is not None and (place.left, place.position, place.quota) == (Decimal(0), 1, Decimal(100))


def test_one_mu_over_the_quota_waits_from_the_start(file_project: Any, quota_100: None) -> None:
    p = file_project(land_mu="100.01")
    assert p.state == ProjectState.WAITING_LAND
    assert "等待用地指标" in decision_reason(p.decision, land_mu=p.land_mu)


def test_a_land_independent_project_never_waits(file_project: Any, quota_100: None) -> None:
    file_project(land_mu="100")
    p = file_project(land_mu="0")
    assert p.state == ProjectState.FILED and p.land_independent and p.land_city is None


def test_raising_the_quota_moves_the_waiting_on_in_filing_order(file_project: Any, quota_100: None,
                                                               province_user: Any, firm_user: Any) -> None:
    file_project(land_mu="100")
    a, b, c = file_project(land_mu="30"), file_project(land_mu="10"), file_project(land_mu="5")
    assert [land_place(p).position for p in (a, b, c)] == [1, 2, 3]  # type: ignore[union-attr]
    # 20 mu more: a (30) does not fit, and b and c do not overtake it.
    _row, moved = land_quota_set(by=province_user, city="330100", year=YEAR, mu="120")
    assert moved == []
    _row, moved = land_quota_set(by=province_user, city="330100", year=YEAR, mu="140")
    assert [p.pk for p in moved] == [a.pk, b.pk]
    c.refresh_from_db()
    assert c.state == ProjectState.WAITING_LAND and land_place(c).position == 1  # type: ignore[union-attr]
    assert AuditLog.objects.filter(entity="land_quota").count() == 2
    a.refresh_from_db()
    assert a.state == ProjectState.FILED and a.land_held
    assert a.events.last().transition == "land_grant"  # type: ignore[union-attr]


def test_withdrawing_a_filed_project_releases_its_land_to_the_next(file_project: Any, quota_100: None,
                                                                   firm_user: Any) -> None:
    holder = file_project(land_mu="60")
    waiting = file_project(land_mu="50")
    assert waiting.state == ProjectState.WAITING_LAND
    services.project_move(by=firm_user, project=holder, move="withdraw")
    holder.refresh_from_db()
    waiting.refresh_from_db()
    assert holder.state == ProjectState.WITHDRAWN and not holder.land_held
    assert waiting.state == ProjectState.FILED and waiting.land_held


def test_the_quota_is_validated(province_user: Any, city_officer: Any, file_project: Any, quota_100: None) -> None:
    file_project(land_mu="80")
    with pytest.raises(PermissionDenied):
        land_quota_set(by=city_officer, city="330100", year=YEAR, mu="500")
    with pytest.raises(InvalidInput) as err:
        land_quota_set(by=province_user, city="330100", year=YEAR, mu="79.99")
    assert err.value.details[0]["field"] == "mu"
    with pytest.raises(InvalidInput) as err:
        land_quota_set(by=province_user, city="330102", year="20x6", mu="1e3")
    assert {d["field"] for d in err.value.details} == {"city", "year", "mu"}
    assert LandQuota.objects.count() == 1


def test_approving_a_reviewed_land_project_takes_land_or_queues(file_project: Any, quota_100: None,
                                                                city_officer: Any) -> None:
    reviewed = file_project(land_mu="70", commitment={"signed": False})
    assert reviewed.state == ProjectState.UNDER_REVIEW
    file_project(land_mu="40")  # filed at once: 40 of the 100 held
    moved = services.project_move(by=city_officer, project=reviewed, move="approve")
    assert moved.state == ProjectState.WAITING_LAND
