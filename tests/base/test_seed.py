"""The demo province: reproducible, written whole (stage records, tags, the new indicators), and its
enterprises behave as docs/demo-economics.md says (robots stay, frontline jobs go, effects come later)."""

from __future__ import annotations

import numpy as np
import pytest
from django.db.models import Count, F, Max, Min, Sum

from zhigai.base.models import STAGE_ORDER, Enterprise, Indicator, Industry, Region, StageRecord
from zhigai.base.seed import calibration, generate, seed_province
from zhigai.base.seed_economics import simulate

N = 3000


@pytest.fixture(scope="module")
def economy():
    """A province of 20,000 simulated in memory (no database): the behaviour tests need no rows."""
    from zhigai.base.reference import DATA_DIR, _read

    cal = calibration()
    divisions = _read(DATA_DIR / "industries.yaml")["divisions"]
    codes = [d["code"] for d in divisions]
    return simulate(cal, codes, np.array([d["share"] for d in divisions]), 20000, 2013)


@pytest.fixture
def province(db):
    return seed_province(enterprises=N, seed=2013)


def test_same_seed_same_economy(economy):
    cal = calibration()
    codes = [str(c) for c in sorted(cal["divisions"])]
    shares = np.ones(len(codes))
    first = simulate(cal, codes, shares, 500, 5)
    again = simulate(cal, codes, shares, 500, 5)
    other = simulate(cal, codes, shares, 500, 6)
    for name, values in first.columns.items():
        assert np.array_equal(values, again.columns[name]), name
    assert not np.array_equal(first.columns["revenue"], other.columns["revenue"])


def test_robots_in_service_never_fall_for_a_surviving_enterprise(economy):
    robots, alive = economy.columns["robots"], economy.alive
    both = alive[1:] & alive[:-1]
    assert (robots[1:][both] >= robots[:-1][both]).all()
    assert robots[-1][alive[-1]].sum() > 2 * robots[0][alive[0]].sum()
    # An exited enterprise stops reporting and never comes back.
    assert not (alive[1:] & ~alive[:-1] & (economy.founded < economy.years[0])[None, :]).any()


def test_frontline_employment_falls_in_transforming_enterprises(economy):
    c, alive, step = economy.columns, economy.alive, economy.step
    years = list(economy.years)
    k13, k17 = years.index(2013), years.index(2017)
    panel = alive[k13] & alive[k17]
    transformed = panel & step[k13:k17].any(axis=0)
    untouched = panel & ~step[k13:k17 + 1].any(axis=0)
    change = np.log(c["frontline_employees"][k17] / c["frontline_employees"][k13])
    assert change[transformed].mean() < -0.15
    assert change[transformed].mean() < change[untouched].mean() - 0.08
    # A step replaces a plausible share of the frontline (its own part about 12 %, docs/demo-economics.md),
    # on top of the machine substitution every enterprise may do in a year (about 7 % on average).
    share = c["positions_replaced"] / np.maximum(c["frontline_employees"], 1)
    first_steps = step & alive & (economy.stage == 1)
    others = alive & ~step
    assert (c["positions_replaced"][step & alive] > 0).mean() > 0.95
    assert 0.08 < share[first_steps].mean() - share[others].mean() < 0.16
    assert 0.3 < (c["positions_replaced"][others] > 0).mean() < 0.7
    assert share[alive].max() <= calibration()["labor"]["max_replaced_share"]


def test_the_first_years_and_the_last_look_like_a_statistics_office_series(economy):
    """Firms were automating and investing before the program of 2013: no zero in 2012, no jump into
    2013; robots per 10,000 frontline workers rise every year to a plausible level."""
    c, alive = economy.columns, economy.alive
    total = {name: np.where(alive, c[name], 0).sum(axis=1) for name in c}
    saved = np.where(alive, c["positions_replaced"] * c["frontline_wage"], 0).sum(axis=1)
    assert 0.6 * saved[1] < saved[0] < 0.85 * saved[1]  # the program of 2013 scaled it up
    assert (np.abs(np.diff(saved[1:]) / saved[1:-1]) < 0.15).all()
    tech, share = total["tech_investment"], total["tech_investment"] / total["industrial_investment"]
    growth = np.diff(tech) / tech[:-1]
    assert (growth > 0.03).all() and (growth < 0.3).all()
    assert 0.55 < share[0] < 0.7 and (np.diff(share) > -0.01).all()
    density = total["robots"] / total["frontline_employees"] * 10_000
    assert (np.diff(density) > 0).all()
    assert 30 < density[0] < 70 and 220 < density[-1] < 380
    assert (economy.step[0] & alive[0]).sum() > 0.3 * (economy.step[1] & alive[1]).sum()


def test_the_productivity_and_profit_effects_come_the_year_after_the_step(economy):
    """Enterprises with a single step in 2015 against those with none 2013–2018: log output per head
    moves with the others in the step year and jumps the year after (docs/demo-economics.md)."""
    c, alive, step = economy.columns, economy.alive, economy.step
    years = list(economy.years)
    k = years.index(2015)
    window = slice(years.index(2013), years.index(2018) + 1)
    panel = alive[window].all(axis=0)
    once = panel & step[k] & (step[window].sum(axis=0) == 1)
    never = panel & ~step[window].any(axis=0)
    lp = np.log(c["added_value"] / c["employees"])
    margin = c["profit"] / c["revenue"]

    def did(values: np.ndarray, a: int, b: int) -> float:
        d = values[b] - values[a]
        return float(d[once].mean() - d[never].mean())

    assert abs(did(lp, k - 1, k)) < 0.02  # the step year: no gain yet
    effect = did(lp, k, k + 1)
    assert 0.08 < effect < 0.4  # the year after: the step's positions replaced plus θ
    assert abs(did(lp, k + 1, k + 2)) < 0.02  # a level effect, not a growth effect
    assert abs(did(margin, k - 1, k)) < 0.002
    assert did(margin, k, k + 1) == pytest.approx(calibration()["profit"]["gamma_mean"], abs=0.002)
    # The effect varies by enterprise.
    d = lp[k + 1] - lp[k]
    assert d[once].std() > 0.05


def test_output_per_head_differs_by_industry_and_size(economy):
    cal = calibration()
    codes = [str(c) for c in cal["divisions"]]
    c, k = economy.columns, 4
    alive = economy.alive[k]
    per_head = {code: c["output_value"][k][alive & (economy.division == i)].sum()
                / c["employees"][k][alive & (economy.division == i)].sum() for i, code in enumerate(codes)}
    assert min(per_head[d] for d in ("25", "26", "31", "32")) > 2 * max(per_head[d] for d in ("17", "18", "19", "21"))
    big = alive & (c["employees"][k] >= 300)
    small = alive & (c["employees"][k] < 50)
    ratio = lambda m: c["output_value"][k][m].sum() / c["employees"][k][m].sum()  # noqa: E731
    assert ratio(big) > 1.3 * ratio(small)
    va = c["added_value"][k][alive].sum() / c["output_value"][k][alive].sum()
    assert 0.18 < va < 0.3
    margins = c["profit"][k][alive] / c["revenue"][k][alive]
    assert 0.04 < c["profit"][k][alive].sum() / c["revenue"][k][alive].sum() < 0.08
    assert 0.03 < (margins < 0).mean() < 0.2  # some enterprises make losses


def _the_province_is_spread_realistically(province: dict) -> None:
    assert province["enterprises"] == N
    assert province["sample_fraction"] == pytest.approx(N / calibration()["province"]["enterprises"])
    assert Indicator.objects.filter(year=2012).count() > 0.8 * N
    per_city = dict(Enterprise.objects.values_list("region__parent__pinyin").annotate(n=Count("id")).order_by())
    assert set(per_city) == set(Region.objects.filter(level=2).values_list("pinyin", flat=True))
    assert per_city["ningbo"] > per_city["zhoushan"] * 5
    sizes = dict(Enterprise.objects.values_list("size_class").annotate(n=Count("id")).order_by())
    assert sizes["small"] > sizes.get("large", 0) > 0
    # Entries and exits: enterprises founded during the period, and enterprises that stopped reporting.
    spans = Enterprise.objects.annotate(first=Min("indicators__year"), last=Max("indicators__year"))
    assert spans.filter(first__gt=2012).count() > 0.03 * N
    assert spans.filter(last__lt=2020).count() > 0.05 * N
    # Enterprises crossing the designated-size line upwards.
    rows = Indicator.objects.filter(month=0).values_list("enterprise_id", "year", "revenue")
    revenue = {(e, y): r for e, y, r in rows}
    crossed = {e for (e, y), r in revenue.items() if r >= 20_000_000 and revenue.get((e, y - 1), r) < 20_000_000}
    assert len(crossed) > 0.02 * N
    assert not Indicator.objects.filter(frontline_employees__gt=F("employees")).exists()
    filled = Indicator.objects.filter(year=2016, unfilled_positions__isnull=False, frontline_wage__gt=0)
    assert filled.count() > 0.9 * Indicator.objects.filter(year=2016).count()
    assert Indicator.objects.filter(positions_replaced__gt=0).exists()


def _stage_records_cover_each_change_and_the_current_stage_is_the_latest(province: dict) -> None:
    records = StageRecord.objects.filter(source="demo", reference="zhigai seed 2013")
    assert records.values("enterprise_id").distinct().count() == N
    assert records.count() > 1.5 * N  # first years plus the steps
    first = Enterprise.objects.annotate(first=Min("indicators__year"), recorded=Min("stage_records__year"))
    assert not first.exclude(first=F("recorded")).exists()
    latest = {}
    for pk, _year, stage in records.order_by("enterprise_id", "year").values_list("enterprise_id", "year", "stage"):
        previous = latest.get(pk)
        assert previous is None or STAGE_ORDER.index(stage) == STAGE_ORDER.index(previous) + 1
        latest[pk] = stage
    assert dict(Enterprise.objects.values_list("id", "stage")) == latest
    assert len(set(latest.values())) == 5


def _tags_cut_across_divisions(province: dict) -> None:
    def own(tag: str, divisions: list[str], has: bool) -> int:
        qs = Enterprise.objects.filter(industry__code__in=divisions).annotate(n=Count("tags")).filter(n__gt=0)
        return (qs.filter(tags__code=tag) if has else qs.exclude(tags__code=tag)).distinct().count()

    assert own("hightech", ["26", "29", "33", "34"], has=True) > 0
    assert own("hightech", ["27", "39", "40"], has=False) > 0
    assert own("strategic", ["26", "34", "35"], has=True) > 0
    # Own tags are complete: an equipment-division enterprise with tags of its own keeps `equipment`.
    equipment = Industry.objects.filter(tags__code="equipment").values_list("id", flat=True)
    mine = Enterprise.objects.filter(industry_id__in=list(equipment)).annotate(n=Count("tags")).filter(n__gt=0)
    assert mine.exists() and not mine.exclude(tags__code="equipment").exists()


def test_the_province_is_written_whole(province):
    """One seeding (a 3,000 sample takes seconds), every check of what it wrote."""
    _the_province_is_spread_realistically(province)
    _stage_records_cover_each_change_and_the_current_stage_is_the_latest(province)
    _tags_cut_across_divisions(province)
    _generated_codes_are_valid_and_in_their_county(province)


def test_a_rerun_changes_nothing(province):
    def state():
        return (Enterprise.objects.count(), Indicator.objects.count(), StageRecord.objects.count(),
                Enterprise.tags.through.objects.count(),
                Indicator.objects.aggregate(s=Sum("revenue"), r=Sum("robots"), p=Sum("positions_replaced")))

    before = state()
    again = seed_province(enterprises=N, seed=2013)
    assert again["stage_records"] == 0
    assert state() == before


def _generated_codes_are_valid_and_in_their_county(province: dict) -> None:
    from zhigai.base.uscc import normalize_uscc

    for code, county in Enterprise.objects.values_list("uscc", "region__code")[:500]:
        assert normalize_uscc(code) == code
        assert code[2:8] == county


def test_a_sample_larger_than_the_province_is_refused(db):
    with pytest.raises(ValueError, match="between 1 and"):
        generate(enterprises=10**7)
    with pytest.raises(ValueError, match="unknown scale"):
        seed_province(scale="country")
