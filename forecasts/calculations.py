"""Forecast arithmetic: deviations, grid totals and the latest approved forecast per round.

Pure functions over Decimals and DataFrames: no Django, no ORM, no request. Amounts are net cost
in SEK (revenue negative) for a whole year. The deviation is ``budget − forecast``: negative
means the area or unit is heading for a deficit (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from regionbudget.core.money import ZERO

__all__ = [
    "DEVIATION_COLUMNS",
    "GridFigures",
    "ImportCounts",
    "RoundTotal",
    "comment_required",
    "deviation",
    "deviation_by_round",
    "import_counts",
    "incomplete_periods",
    "round_total",
    "sum_figures",
]


def deviation(budget: Decimal | None, forecast: Decimal | None) -> Decimal | None:
    """Budget − forecast (SEK); negative is a deficit. None when either is missing.

    A missing budget counts as zero when there is a forecast: a cost nobody budgeted for is a
    deficit of its full size.
    """
    if forecast is None:
        return None
    return (budget or ZERO) - forecast


def comment_required(deviation_amount: Decimal | None, threshold: Decimal) -> bool:
    """Whether a deviation needs a comment: its size (either direction) exceeds ``threshold``."""
    return deviation_amount is not None and abs(deviation_amount) > threshold


@dataclass
class GridFigures:
    """Budget, actual to date, previous and current forecast (SEK) of one row or a total.

    ``forecast`` is None when a row has no amount yet; in a total such rows count as nothing,
    and ``complete`` turns False so that a page can say the total is partial.

    ``change`` is how far the forecast moved since the previous one: for a row, forecast −
    previous (None unless both are there); for a total, the sum of its rows' changes (None when
    none has one), so a line without a previous forecast never counts as a change of its size.
    """

    budget: Decimal = ZERO
    actual: Decimal = ZERO
    previous: Decimal | None = None
    forecast: Decimal | None = None
    complete: bool = True
    deviation: Decimal | None = field(init=False, default=None)
    change: Decimal | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.deviation = deviation(self.budget, self.forecast)
        if self.forecast is not None and self.previous is not None:
            self.change = self.forecast - self.previous


def _optional_sum(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, ZERO) if present else None


def sum_figures(rows: Sequence[GridFigures]) -> GridFigures:
    """The total of grid rows (a unit's subtotal, or the area's total from unit subtotals)."""
    total = GridFigures(
        budget=sum((r.budget for r in rows), ZERO),
        actual=sum((r.actual for r in rows), ZERO),
        previous=_optional_sum(r.previous for r in rows),
        forecast=_optional_sum(r.forecast for r in rows) if rows else None,
        complete=all(r.complete and r.forecast is not None for r in rows),
    )
    total.change = _optional_sum(r.change for r in rows)
    return total


DEVIATION_COLUMNS = [
    "round_id",
    "year",
    "month",
    "area_id",
    "budget",
    "forecast",
    "forecast_round_id",
    "forecast_id",
    "deviation",
]


def deviation_by_round(
    rounds: pd.DataFrame, budgets: pd.DataFrame, approved: pd.DataFrame
) -> pd.DataFrame:
    """Per round and area: the latest approved forecast, its budget and the deviation (SEK).

    ``rounds``: columns ``round_id``, ``year``, ``month`` (rounds of one or more years).
    ``budgets``: columns ``year``, ``area_id``, ``budget`` (today's budget of the year per
    area; one row per area and year to report, zero where none was imported).
    ``approved``: columns ``round_id``, ``area_id``, ``forecast_id``, ``forecast`` (sum of an
    approved forecast's lines) and ``budget`` (the budget kept with it at its approval).

    For each round, an area's forecast is its approved forecast in that round or, if it has none
    there, its latest approved forecast in an earlier round of the same year
    (``forecast_round_id`` and ``forecast_id`` say which), compared with the budget it was
    approved against: a later budget import never changes it. An area with no approved forecast
    yet has ``forecast`` and ``deviation`` None and today's budget.
    """
    if rounds.empty or budgets.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DEVIATION_COLUMNS})
    ordered = rounds.sort_values(["year", "month"]).to_dict("records")
    by_round_area = {(r["round_id"], r["area_id"]): r for r in approved.to_dict("records")}
    budget_rows: dict[int, list[dict]] = {}
    for row in budgets.to_dict("records"):
        budget_rows.setdefault(row["year"], []).append(row)
    latest: dict[tuple[int, int], tuple[dict, int]] = {}
    records = []
    for rnd in ordered:
        for row in budget_rows.get(rnd["year"], []):
            key = (rnd["year"], row["area_id"])
            if (rnd["round_id"], row["area_id"]) in by_round_area:
                latest[key] = (by_round_area[(rnd["round_id"], row["area_id"])], rnd["round_id"])
            found, source = latest.get(key, (None, None))
            budget = found["budget"] if found else row["budget"]
            forecast = found["forecast"] if found else None
            records.append(
                {
                    "round_id": rnd["round_id"],
                    "year": rnd["year"],
                    "month": rnd["month"],
                    "area_id": row["area_id"],
                    "budget": budget,
                    "forecast": forecast,
                    "forecast_round_id": source,
                    "forecast_id": found["forecast_id"] if found else None,
                    "deviation": deviation(budget, forecast),
                }
            )
    return pd.DataFrame.from_records(records, columns=DEVIATION_COLUMNS)


@dataclass(frozen=True)
class RoundTotal:
    """The region's row of a round (SEK, full year): the sums over the areas that have a
    forecast, so that budget − forecast = deviation holds in the row itself; ``change`` sums
    the changes of the areas that have one (None when none has). ``counted`` areas of
    ``areas`` are in the sums."""

    budget: Decimal | None
    forecast: Decimal | None
    deviation: Decimal | None
    change: Decimal | None
    counted: int
    areas: int


def round_total(
    rows: Sequence[tuple[Decimal | None, Decimal | None, Decimal | None]],
) -> RoundTotal:
    """The region's total of a round from each area's (budget, forecast, change).

    An area without a forecast counts in neither sum (it is named as missing, never taken as
    zero); its budget is left out too, so the total's deviation is that of the areas counted.
    """
    counted = [
        (budget or ZERO, forecast, change)
        for budget, forecast, change in rows
        if forecast is not None
    ]
    if not counted:
        return RoundTotal(None, None, None, None, 0, len(rows))
    budget = sum((b for b, _f, _c in counted), ZERO)
    forecast = sum((f for _b, f, _c in counted), ZERO)
    return RoundTotal(
        budget=budget,
        forecast=forecast,
        deviation=budget - forecast,
        change=_optional_sum(c for _b, _f, c in counted),
        counted=len(counted),
        areas=len(rows),
    )


def cell_key(field: str, cell: tuple[int, int]) -> str:
    """The form field of a grid cell: ``line-<unit>-<group>`` or ``comment-<unit>-<group>``."""
    return f"{field}-{cell[0]}-{cell[1]}"


@dataclass(frozen=True)
class ImportCounts:
    """How an import's rows compare with the stored figures of the periods they cover."""

    rows: int
    new: int
    changed: int
    removed: int
    unchanged: int
    total: Decimal  # the rows' amounts added up, SEK


def import_counts(
    stored: Mapping[Hashable, Decimal], incoming: Sequence[tuple[Hashable, Decimal]]
) -> ImportCounts:
    """Compare an import's rows (``(key, amount)``, SEK) with the stored amounts by key of the
    units and periods the rows cover: a row is new (no stored amount), changed (another amount)
    or unchanged; a stored amount that no row has would be removed by confirming."""
    new = changed = 0
    keys = set()
    for key, amount in incoming:
        keys.add(key)
        if key not in stored:
            new += 1
        elif stored[key] != amount:
            changed += 1
    return ImportCounts(
        rows=len(incoming),
        new=new,
        changed=changed,
        removed=sum(1 for key in stored if key not in keys),
        unchanged=len(incoming) - new - changed,
        total=sum((amount for _key, amount in incoming), ZERO),
    )


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def incomplete_periods(
    incoming: Mapping[tuple[int, int], set[Hashable]],
    stored: Mapping[tuple[int, int], set[Hashable]],
) -> list[tuple[int, int, list[Hashable]]]:
    """Months of an actuals import that look incomplete: units that have actuals the month
    before (stored or in the file) but would have none in the month (not in the file, not
    stored).

    ``incoming``: (year, month) -> units in the file; ``stored``: (year, month) -> units with
    stored actuals, for the file's months and the months before them. Returns
    ``(year, month, missing units sorted)`` per incomplete month, in month order.
    """
    result = []
    for year, month in sorted(incoming):
        previous = _month_before(year, month)
        before = stored.get(previous, set()) | incoming.get(previous, set())
        after = incoming[(year, month)] | stored.get((year, month), set())
        missing = sorted(before - after, key=str)
        if missing:
            result.append((year, month, missing))
    return result
