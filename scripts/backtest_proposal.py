#!/usr/bin/env python
"""Backtest of the forecast proposal on the demo's actuals: seasonal profile against run rate.

    DATABASE_URL=postgresql://… .venv/bin/python scripts/backtest_proposal.py

For every year Y whose year before has actuals too, over the months known in both (January to
K: K = 10 for 2025 against 2024 and for 2026 against 2025), and every cut-off month m < K: each
line's actuals January–m are extrapolated to January–K by

- the seasonal profile (``forecasts.calculations.proposal``, last year's January–K standing in
  for its full year): actuals × last year's January–K ÷ last year's January–m, and
- the run rate: actuals × K ÷ m,

and compared with the line's actual January–K, summed per area. Printed: per year and cut-off,
the mean and the largest absolute error over the areas, in percent. ``--stress`` first changes
the target year the way real years differ from the last: the summer dip a month later, and a
one-off of 1,5 × a month's cost in March in every third line.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regionbudget.settings_test")


def _actuals():
    """{(year, area, unit, group): {month: amount}} of every actual (SEK)."""
    from forecasts.models import Actual

    found: dict[tuple, dict[int, Decimal]] = defaultdict(dict)
    rows = Actual.objects.values_list(
        "year", "unit__area__code", "unit_id", "account_group_id", "month", "amount"
    )
    for year, area, unit, group, month, amount in rows:
        found[(year, area, unit, group)][month] = amount
    return found


def _stressed(months: dict[int, Decimal], index: int) -> dict[int, Decimal]:
    """The summer dip a month later (July and August swap), and a one-off in March in every
    third line: what a profile of last year cannot know."""
    changed = dict(months)
    if 7 in changed and 8 in changed:
        changed[7], changed[8] = changed[8], changed[7]
    if index % 3 == 0 and 3 in changed:
        changed[3] = changed[3] + Decimal("1.5") * changed[3]
    return changed


def backtest(stress: bool = False) -> list[dict]:
    from forecasts.calculations import ProposalMethod, proposal

    actuals = _actuals()
    years = sorted({key[0] for key in actuals})
    results = []
    for year in years:
        if year - 1 not in years:
            continue
        known = min(
            max(m for key, ms in actuals.items() if key[0] == y for m in ms)
            for y in (year, year - 1)
        )
        lines = [key for key in actuals if key[0] == year]
        for cutoff in range(1, known):
            by_area: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
            for index, key in enumerate(sorted(lines)):
                months = actuals[key]
                if stress:
                    months = _stressed(months, index)
                last = actuals.get((year - 1, *key[1:]), {})
                to_date = sum((v for m, v in months.items() if m <= cutoff), Decimal(0))
                target = sum((v for m, v in months.items() if m <= known), Decimal(0))
                same = sum((v for m, v in last.items() if m <= cutoff), Decimal(0))
                window = sum((v for m, v in last.items() if m <= known), Decimal(0))
                seasonal = proposal(
                    actual=to_date,
                    months=cutoff,
                    last_year_months=same if last else None,
                    last_year_full=window if last else None,
                )
                run_rate = to_date * known / cutoff
                sums = by_area[key[1]]
                sums[0] += target
                # where last year gives no profile the proposal is the run rate (over the window)
                seasonal_ok = seasonal.method == ProposalMethod.SEASONAL
                sums[1] += seasonal.amount if seasonal_ok else run_rate
                sums[2] += run_rate
            errors = {
                method: [abs(s[i] - s[0]) / abs(s[0]) * 100 for s in by_area.values() if s[0]]
                for i, method in ((1, "seasonal"), (2, "run_rate"))
            }
            results.append(
                {
                    "year": year,
                    "window": known,
                    "cutoff": cutoff,
                    **{f"{m}_mean": sum(e) / len(e) for m, e in errors.items()},
                    **{f"{m}_max": max(e) for m, e in errors.items()},
                }
            )
    return results


def main() -> None:
    import django

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stress", action="store_true", help="change the target years first")
    args = parser.parse_args()
    django.setup()
    print(
        "| year | months | cut-off | seasonal mean | seasonal max | run rate mean | run rate max |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in backtest(stress=args.stress):
        print(
            f"| {r['year']} | 1–{r['window']} | {r['cutoff']} | {r['seasonal_mean']:.2f} % "
            f"| {r['seasonal_max']:.2f} % | {r['run_rate_mean']:.2f} % "
            f"| {r['run_rate_max']:.2f} % |"
        )


if __name__ == "__main__":
    main()
