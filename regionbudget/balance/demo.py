"""Demo balance requirement statements for Region Västernorrland, 2022–2026.

Illustrative figures, not the region's annual reports: 2022–2024 actual, 2025–2026 forecast
before the action plan's measures (``regionbudget/demo_data/balance.csv``, amounts in MSEK).
With them the ledger has something to say: the deficit of 2023 must be restored by 2026, which
the plan's measures do at the high end of their range but not at the low end.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from regionbudget.balance.services import LineInput, balance_year_save
from regionbudget.core.money import MSEK

__all__ = ["load_balance_demo"]

DATA = Path(__file__).resolve().parent.parent / "demo_data" / "balance.csv"


def load_balance_demo(*, user) -> int:
    """Enter the demo statements as ``user`` (finance); a year already entered is left as it is.
    Returns how many years were entered."""
    from regionbudget.balance.models import BalanceYear

    with DATA.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    years: dict[int, dict] = {}
    for row in rows:
        entry = years.setdefault(int(row["year"]), {"kind": row["kind"], "note": "", "lines": []})
        entry["note"] = entry["note"] or row["note"]
        entry["lines"].append(
            LineInput(row["line_kind"], row["label"], Decimal(row["amount_msek"]) * MSEK)
        )
    entered = 0
    for year, entry in sorted(years.items()):
        if BalanceYear.objects.filter(year=year).exists():
            continue
        balance_year_save(year=year, expected_version=None, user=user, **entry)
        entered += 1
    return entered
