"""Forecast arithmetic: deviations, grid totals and the latest approved forecast per round.

Pure functions over Decimals and DataFrames: no Django, no ORM, no request. Amounts are net cost
in SEK (revenue negative) for a whole year. The deviation is ``budget − forecast``: negative
means the area or unit is heading for a deficit (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from regionbudget.core.money import THOUSAND, ZERO

__all__ = [
    "ACCURACY_COLUMNS",
    "DEVIATION_COLUMNS",
    "GridFigures",
    "RoundTotal",
    "NEAR_ZERO_SEK",
    "Proposal",
    "ProposalMethod",
    "SEASONAL_STRETCH_LIMIT",
    "forecast_accuracy",
    "optimistic_areas",
    "proposal",
    "proposal_cells",
    "comment_required",
    "deviation",
    "deviation_by_round",
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
    ordered = rounds.sort_values(["year", "month"], kind="stable")
    # Columns read with zip, rows kept as columns: at twenty regions' scale (5,760 rows) pandas'
    # records in and out took as long as the arithmetic.
    by_round_area = {
        (round_id, area_id): (forecast_id, forecast, budget)
        for round_id, area_id, forecast_id, forecast, budget in zip(
            approved["round_id"],
            approved["area_id"],
            approved["forecast_id"],
            approved["forecast"],
            approved["budget"],
            strict=True,
        )
    }
    budget_rows: dict[int, list[tuple]] = {}
    for year, area_id, budget in zip(
        budgets["year"], budgets["area_id"], budgets["budget"], strict=True
    ):
        budget_rows.setdefault(year, []).append((area_id, budget))
    latest: dict[tuple, tuple] = {}
    columns: dict[str, list] = {c: [] for c in DEVIATION_COLUMNS}
    for round_id, year, month in zip(
        ordered["round_id"], ordered["year"], ordered["month"], strict=True
    ):
        for area_id, today in budget_rows.get(year, []):
            key = (year, area_id)
            found = by_round_area.get((round_id, area_id))
            if found is not None:
                latest[key] = (*found, round_id)
            forecast_id, forecast, budget, source = latest.get(key, (None, None, today, None))
            columns["round_id"].append(round_id)
            columns["year"].append(year)
            columns["month"].append(month)
            columns["area_id"].append(area_id)
            columns["budget"].append(budget)
            columns["forecast"].append(forecast)
            columns["forecast_round_id"].append(source)
            columns["forecast_id"].append(forecast_id)
            columns["deviation"].append(deviation(budget, forecast))
    return pd.DataFrame(columns, columns=DEVIATION_COLUMNS)


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


# --- The forecast proposal: a full-year figure from the actuals to date ------------------------

# Last year's same months are "near zero" (too little to carry a seasonal profile) when their
# size is below 50 000 SEK (50 tkr: rounding noise in a line of tens of millions), or when
# they hold less than a quarter of what an even spread of last year's full year would put in
# them, i.e. the seasonal factor (full year ÷ same months) would be more than four times the
# run rate's (12 ÷ months). A line whose last year went from cost to revenue (or back) between
# the months and the full year has no profile either. In all these cases the run rate is used.
NEAR_ZERO_SEK = Decimal("50000")
SEASONAL_STRETCH_LIMIT = Decimal("4")
_CENT = Decimal("0.01")


class ProposalMethod:
    """How a proposal was computed."""

    SEASONAL = "seasonal"  # actuals to date × last year's full year ÷ last year's same months
    RUN_RATE = "run_rate"  # actuals to date ÷ months × 12


@dataclass(frozen=True)
class Proposal:
    """A proposed full-year figure (SEK, net cost; revenue negative) for one line, with the
    figures it came from: ``actual`` January to month ``months`` of this year, and last year's
    same months and full year (None where missing)."""

    amount: Decimal
    method: str
    months: int
    actual: Decimal
    last_year_months: Decimal | None = None
    last_year_full: Decimal | None = None


def _has_profile(months: int, same_months: Decimal | None, full_year: Decimal | None) -> bool:
    """Whether last year's figures can carry a seasonal profile (see ``NEAR_ZERO_SEK``)."""
    if same_months is None or full_year is None:
        return False
    if abs(same_months) < NEAR_ZERO_SEK or same_months * full_year <= 0:
        return False
    # |full ÷ same| ≤ limit × 12 ÷ months, multiplied out to stay exact
    return abs(full_year) * months <= SEASONAL_STRETCH_LIMIT * 12 * abs(same_months)


def proposal(
    *,
    actual: Decimal,
    months: int,
    last_year_months: Decimal | None,
    last_year_full: Decimal | None,
) -> Proposal | None:
    """The full-year proposal for a line from ``actual`` (SEK, January through month
    ``months`` of this year), rounded to whole tkr; None without any month of actuals.

    Seasonal profile: ``actual × last_year_full ÷ last_year_months`` (last year's January
    through the same month), so that a year with an expensive December is not underestimated
    in October. Run rate, ``actual ÷ months × 12``, where last year is missing (a new unit, or
    last year not complete: ``last_year_full`` None) or near zero (``NEAR_ZERO_SEK``). A one-off
    in the months to date is carried into the full year by the same factor: the director sees
    the proposal and adjusts it.
    """
    if months < 1:
        return None
    if _has_profile(months, last_year_months, last_year_full):
        amount = actual * last_year_full / last_year_months
        method = ProposalMethod.SEASONAL
    else:
        amount = actual * 12 / months
        method = ProposalMethod.RUN_RATE
    return Proposal(
        # an estimate: whole thousands of kronor, the grid's unit, not false precision
        amount=(amount / THOUSAND).quantize(Decimal(1), rounding=ROUND_HALF_UP) * THOUSAND,
        method=method,
        months=months,
        actual=actual,
        last_year_months=last_year_months,
        last_year_full=last_year_full,
    )


def proposal_cells(
    choice: str, cells: Sequence[tuple[int, int]], proposed: Iterable[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The cells a "take the proposal" button means: ``line-<unit>-<group>`` (one line),
    ``unit-<unit>`` (its lines) or ``area`` (every line), of the grid's ``cells``, keeping
    only those with a proposal (``proposed``). Anything else means none."""
    proposed = set(proposed)
    kind, _sep, rest = choice.partition("-")
    if kind == "area" and not rest:
        chosen = list(cells)
    elif kind == "unit" and rest.isdigit():
        chosen = [c for c in cells if c[0] == int(rest)]
    elif kind == "line":
        unit, _sep, group = rest.partition("-")
        wanted = (int(unit), int(group)) if unit.isdigit() and group.isdigit() else None
        chosen = [c for c in cells if c == wanted]
    else:
        chosen = []
    return [c for c in chosen if c in proposed]


# --- Forecast accuracy: how far each round's forecast was from the outcome ----------------------

ACCURACY_COLUMNS = [
    "round_id",
    "year",
    "month",
    "area_id",
    "forecast",
    "months",
    "compared",
    "outcome",
    "error",
    "error_percent",
    "optimistic",
]


def forecast_accuracy(forecasts: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Per round and area: the approved full-year forecast against the outcome (SEK, net cost).

    ``forecasts``: columns ``round_id``, ``year``, ``month``, ``area_id``, ``forecast`` (the
    latest approved forecast at the round, None where the area had none: left out).
    ``outcomes``: columns ``year``, ``area_id``, ``outcome`` (the actuals of the months known),
    ``months`` (how many months, January on, are known) and optionally ``share``: the part of
    a year that falls in those months by a complete year's seasonal profile (a fraction; None
    or missing: an even spread, ``months ÷ 12``).

    A complete year (12 months) compares the forecast itself with the outcome. A year known
    for ``months`` < 12 compares the forecast's share of those months, ``forecast × share``
    (``compared``), with their actuals: "for the months known".
    ``error`` = outcome − compared: positive means costs came out higher (or revenue lower)
    than forecast, so the forecast was too optimistic (``optimistic``, when the error is at
    least 0,1 % of the outcome as rounded: a few kronor of rounding are no optimism).
    ``error_percent`` = error ÷ |outcome| × 100, None for an outcome of zero.
    """
    outcome_of = {(o["year"], o["area_id"]): o for o in outcomes.to_dict("records")}
    records = []
    for row in forecasts.to_dict("records"):
        found = outcome_of.get((row["year"], row["area_id"]))
        if row["forecast"] is None or found is None or not found["months"]:
            continue
        months = int(found["months"])
        share = found.get("share")
        if months == 12:
            compared = row["forecast"]
        elif share is not None:
            compared = row["forecast"] * share
        else:
            compared = row["forecast"] * months / 12
        compared = compared.quantize(_CENT, rounding=ROUND_HALF_UP)
        error = found["outcome"] - compared
        percent = (
            (error / abs(found["outcome"]) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if found["outcome"]
            else None
        )
        records.append(
            {
                "round_id": row["round_id"],
                "year": row["year"],
                "month": row["month"],
                "area_id": row["area_id"],
                "forecast": row["forecast"],
                "months": months,
                "compared": compared,
                "outcome": found["outcome"],
                "error": error,
                "error_percent": percent,
                # off by at least 0,1 % (as shown): rounding in the actuals is no optimism
                "optimistic": percent > 0 if percent is not None else error > 0,
            }
        )
    return pd.DataFrame.from_records(records, columns=ACCURACY_COLUMNS)


def optimistic_areas(accuracy: pd.DataFrame) -> list[dict]:
    """Areas whose forecast was too optimistic round after round: in every round of a year
    (at least two) its forecast came out below the outcome. Per area and year: ``year``,
    ``area_id``, ``rounds`` and ``error`` (the summed error of those rounds, SEK), in the
    order of ``accuracy``."""
    groups: dict[tuple[int, int], list[dict]] = {}
    for row in accuracy.to_dict("records"):
        groups.setdefault((row["year"], row["area_id"]), []).append(row)
    return [
        {
            "year": year,
            "area_id": area_id,
            "rounds": len(rows),
            "error": sum((r["error"] for r in rows), ZERO),
        }
        for (year, area_id), rows in groups.items()
        if len(rows) >= 2 and all(r["optimistic"] for r in rows)
    ]
