"""The special fund's allocation: time to a proven optimum, and the benefit against the ranking.

Builds a round as a province would see it: applications from 11 cities (more from the big ones), amounts of
0.1 to 8 million yuan, a benefit per application from its expected outcomes (so benefit per yuan varies
about fivefold), some enterprises with several applications, a per-enterprise cap and a minimum share per
city. Then zhigai.projects.allocation.allocate: HiGHS through scipy.optimize.milp, the solution re-checked
in Decimal. Its peer in the same run is the ranking by benefit per yuan that keeps the same rules.

Target: proven optimal in under 10 s at 5,000 applications, never less benefit than the ranking.

    .venv/bin/python bench/allocate.py                     # 5,000 then 20,000 applications
    .venv/bin/python bench/allocate.py --applications 500  # quick
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from zhigai.projects.allocation import Application, Rules, allocate

CITIES = {"杭州": 16, "宁波": 14, "温州": 12, "嘉兴": 9, "湖州": 7, "绍兴": 10, "金华": 9, "衢州": 4, "舟山": 3,
          "台州": 10, "丽水": 3}  # weights: how many applications each city sends


def build(n: int, seed: int) -> list[Application]:
    rng = random.Random(seed)
    cities = rng.choices(list(CITIES), weights=list(CITIES.values()), k=n)
    apps = []
    enterprise = 0
    for k in range(n):
        if k == 0 or rng.random() > 0.25:  # a quarter of the applications come from an enterprise already seen
            enterprise += 1
        amount = Decimal(rng.randint(10, 800)) * 10_000  # 0.1 to 8 million yuan, whole ten thousands
        per_yuan = Decimal(str(round(rng.uniform(0.2, 1.0), 4)))  # benefit per yuan, about fivefold
        apps.append(Application(k + 1, f"e{enterprise}", cities[k], amount, (amount * per_yuan).quantize(Decimal(1))))
    return apps


def run(n: int, seed: int, budget: Decimal, cap: Decimal, share: Decimal) -> bool:
    apps = build(n, seed)
    rules = Rules(budget=budget, enterprise_cap=cap, city_min_share=share)
    started = time.perf_counter()
    result = allocate(apps, rules)
    took = time.perf_counter() - started
    asked = sum((a.amount for a in apps), Decimal(0))
    more = result.total_benefit - result.ranking_total_benefit
    pct = 100 * more / result.ranking_total_benefit if result.ranking_total_benefit else Decimal(0)
    print(f"{n:>6,} applications, {len(set(a.enterprise for a in apps)):,} enterprises, asked {asked / 10**8:,.1f} "
          f"亿元 against a budget of {budget / 10**8:,.1f} 亿元, cap {cap / 10**4:,.0f} 万元, city minimum {share:.0%}")
    print(f"       {result.status}: {len(result.funded):,} funded, {result.total_amount / 10**8:,.4f} 亿元, "
          f"benefit {result.total_benefit:,} (bound {result.bound:,.0f}, gap {result.gap:.1e}) in {took:.2f} s")
    print(f"       ranking by benefit per yuan: {len(result.ranking_funded):,} funded, benefit "
          f"{result.ranking_total_benefit:,}; the optimum gives {more:,} more ({pct:.2f} %)")
    ok = result.proven_optimal and more >= 0
    if n <= 5000:
        ok = ok and took < 10
    print(f"       {'meets' if ok else 'MISSES'} the target (proven optimal{', under 10 s' if n <= 5000 else ''}, "
          f"never below the ranking)")
    return ok


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--applications", type=int, nargs="*", default=[5000, 20000])
    p.add_argument("--seed", type=int, default=2013)
    p.add_argument("--budget", type=Decimal, default=Decimal(200_000_000))
    p.add_argument("--cap", type=Decimal, default=Decimal(5_000_000), help="per enterprise, yuan")
    p.add_argument("--share", type=Decimal, default=Decimal("0.03"), help="minimum share of the budget per city")
    args = p.parse_args()
    results = [run(n, args.seed, args.budget, args.cap, args.share) for n in args.applications]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
