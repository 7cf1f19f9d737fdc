"""Seed the demo province into the configured database and print each study figure beside its value.

    python scripts/check_demo_figures.py [--scale province|sample] [--enterprises N] [--seed S] [--by-year]

Uses the database of the environment (ZHIGAI_VAR_DIR's SQLite file, or DATABASE_URL): give it an empty
one. The figures are recomputed by tests/base/demo_figures.py, code independent of the analytics module;
absolute figures (province totals) are compared after dividing by the sampling fraction. Exits 1 when a
figure is more than 5 % from the study's value. `--by-year` also prints every figure 2012–2020 as the
analytics module computes it (zhigai.analytics.figures.figure_rows, for the provincial login), the table
of docs/demo-economics.md: money in billions of yuan, the sample's own totals on a sample.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.base.demo_figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=["sample", "province"], default="sample")
    parser.add_argument("--enterprises", type=int, default=None)
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--by-year", action="store_true", help="every figure by year, by the analytics module")
    args = parser.parse_args()
    from zhigai.cli import _django, _prepare

    _django()
    _prepare()
    from tests.base.demo_figures import table

    from zhigai.base.seed import seed_province

    started = time.monotonic()
    result = seed_province(enterprises=args.enterprises, scale=args.scale, seed=args.seed,
                           progress=lambda m: print(f"  {time.monotonic() - started:6.1f} s  {m}", flush=True))
    seeded = time.monotonic() - started
    print(f"seeded {result['enterprises']} enterprises, {result['indicators']} indicator rows, "
          f"{result['stage_records']} stage records in {seeded:.0f} s "
          f"(sample fraction {result['sample_fraction']:g})\n")
    rows = table(result["sample_fraction"])
    print(f"| figure | study | {'province' if args.scale == 'province' else 'sample'} | difference |")
    print("| --- | ---: | ---: | ---: |")
    for study, value, diff in rows:
        fmt = (lambda v: f"{v:,.0f}") if abs(study.study) > 100 else (lambda v: f"{v:.1%}")
        print(f"| {study.label} | {fmt(study.study)} | {fmt(value)} | {diff:+.1%} |")
    if args.by_year:
        print()
        print(by_year())
    return 0 if all(abs(d) <= 0.05 for _s, _v, d in rows) else 1


def by_year() -> str:
    """Every figure (and tag) by year, from the analytics module, as a markdown table."""
    from zhigai.analytics.figures import figure_rows
    from zhigai.analytics.selectors import FigureFilters
    from zhigai.core.models import User
    from zhigai.demo import demo_users_ensure

    demo_users_ensure()
    rows = figure_rows(user=User.objects.get(username="province"), filters=FigureFilters())
    years = sorted({r.year for r in rows})
    lines = ["| figure | " + " | ".join(map(str, years)) + " |", "| --- |" + " ---: |" * len(years)]
    cells: dict[str, dict[int, str]] = {}
    for r in rows:
        label = f"{r.code} {r.tag}" if r.tag else r.code
        if r.value is None:
            text = "–"
        elif r.kind == "money":
            text = f"{float(r.value) / 1e9:,.1f}"
        elif r.kind == "ratio":
            text = f"{float(r.value):.1%}"
        else:
            text = f"{float(r.value):,.0f}"
        cells.setdefault(label, {})[r.year] = text
    for label, by in cells.items():
        lines.append(f"| {label} | " + " | ".join(by.get(y, "–") for y in years) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
