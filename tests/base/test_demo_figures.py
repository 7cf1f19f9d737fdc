"""The demo province reproduces the study: every figure of docs/figures.md, recomputed from the written rows
by tests/base/demo_figures.py (code of its own, not the analytics module's), within ±5 % of the study's value.

The default demo (a 1-in-5 balanced sample, about 30 s) is checked here; the whole province (`--scale
province`, about 90 s on SQLite here: under CI's two minutes, so CI runs it; deselect it with `-m "not slow"`)
by the test marked slow, and by `scripts/check_demo_figures.py --scale province`, which prints the table.
"""

from __future__ import annotations

import pytest

from tests.base.demo_figures import table
from zhigai.base.seed import seed_province

TOLERANCE = 0.05


def _check(fraction: float) -> None:
    rows = table(fraction)
    report = "\n".join(f"{s.label:45s} study {s.study:>14,.4g}  got {v:>14,.4g}  {d:+.1%}" for s, v, d in rows)
    assert all(abs(d) <= TOLERANCE for _s, _v, d in rows), report


@pytest.mark.django_db(transaction=False)
def test_the_default_demo_reproduces_every_study_figure():
    result = seed_province()
    assert result["sample_fraction"] == pytest.approx(0.2)
    _check(result["sample_fraction"])


@pytest.mark.slow
@pytest.mark.django_db(transaction=False)
def test_the_province_reproduces_every_study_figure_including_the_totals():
    result = seed_province(scale="province")
    assert result["sample_fraction"] == 1.0
    _check(1.0)
