"""The balance requirement (*balanskrav*, kommunallagen 11 kap.): pure arithmetic, no ORM.

Amounts are SEK as ``Decimal`` (finance types them in mnkr; the forms turn them into SEK).

The balance requirement statement (*balanskravsutredning*) of a year is a fixed table of signed
lines that add up::

      the year's result (årets resultat)
    − realisation gains (samtliga realisationsvinster)
    ± items the law lets be excluded (e.g. realisation gains/losses under the exception)
    ± unrealised gains/losses on securities (orealiserade vinster/förluster i värdepapper)
    ± transfers to (−) or from (+) the result reserve (resultatreserv; before 2024
      resultatutjämningsreserv)
    = the balance requirement result (balanskravsresultat)

Each line is stored with the sign it has in the table, so the balanskravsresultat is their sum.

The ledger (*balanskravsregister*): a negative balanskravsresultat is a deficit that must be
restored within the following three years (a deficit of 2023 by the end of 2026). Later positive
results restore the deficits still owed, oldest first; a positive year with nothing owed restores
nothing (a surplus is not saved up against a future deficit: that is what the result reserve is
for). A deficit still owed after its deadline year is *missed* when that year is an actual year
(an annual report), and *will miss* when the deadline year is only forecast. A deficit whose
deadline lies beyond the years entered is *open*.

The join to the plan: ``improvement`` adds, per forecast year, what the plan's measures are
expected to improve the result by (their planned range, low or high end), so the ledger shows
whether the deficits will be restored in time if the measures deliver. Actual years are facts and
get no improvement.

The join to the forecasts (``OutlookJoin``): for the current year, the areas' approved forecasts
say more than the plan. A forecast year is entered *without* the plan's measures; with the plan it
reads ``entered + planned`` = ``entered + required − uncovered by the plan``, where ``required`` is
the plan's requirement for the year. The gap's outlook says what is still uncovered *now*, by the
latest approved forecasts and the measures they do not count yet, so the current year reads
``entered + required − uncovered now``: the result the year would have with the plan delivered in
full, less what the forecasts say is still uncovered. The low end of the measures goes with the
high end of what is left uncovered, and the other way round. When the forecasts say what the plan
says, both readings agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from regionbudget.balance.figures import (
    FLAGGED,
    LATE_RESTORED,
    MISSED,
    OPEN,
    RESERVE,
    RESTORED,
    RESULT,
    WILL_MISS,
)
from regionbudget.core.money import ZERO

__all__ = [
    "RESTORE_WITHIN_YEARS",
    "Deficit",
    "Ledger",
    "OutlookJoin",
    "LedgerYear",
    "Restoration",
    "StatementLine",
    "balance_ledger",
    "balance_result",
    "outlook_improvement",
    "statement_subtotals",
]

# Kommunallagen 11 kap. 12 §: restored within the three years following the deficit year.
RESTORE_WITHIN_YEARS = 3


@dataclass(frozen=True)
class StatementLine:
    """One line of a balance requirement statement: its kind, its label, its signed amount."""

    kind: str
    label: str
    amount: Decimal


def balance_result(lines: Iterable[StatementLine]) -> Decimal:
    """The balanskravsresultat (SEK): the sum of the statement's signed lines."""
    return sum((line.amount for line in lines), ZERO)


def statement_subtotals(lines: Iterable[StatementLine]) -> dict[str, Decimal]:
    """The statement's subtotals (SEK): ``result`` (the year's result), ``adjusted`` (the result
    after the balance requirement adjustments, before the result reserve) and ``balance_result``
    (after the reserve)."""
    lines = list(lines)
    result = sum((line.amount for line in lines if line.kind == RESULT), ZERO)
    adjusted = sum((line.amount for line in lines if line.kind != RESERVE), ZERO)
    return {"result": result, "adjusted": adjusted, "balance_result": balance_result(lines)}


@dataclass(frozen=True)
class OutlookJoin:
    """The current year by the forecasts (the gap's outlook at its latest round), in SEK: the
    plan's requirement of the year and what the outlook leaves uncovered (low and high end)."""

    year: int
    round_year: int
    round_month: int
    required: Decimal
    uncovered_low: Decimal
    uncovered_high: Decimal


def outlook_improvement(join: OutlookJoin) -> dict[str, Decimal]:
    """What the current year's result improves by on top of the entered forecast (SEK), per
    reading: ``required − uncovered now``. The measures' low end leaves the most uncovered."""
    return {
        "low": join.required - join.uncovered_high,
        "high": join.required - join.uncovered_low,
    }


@dataclass(frozen=True)
class Restoration:
    """An amount (SEK) of a deficit restored by the positive result of ``year``."""

    year: int
    amount: Decimal


@dataclass
class Deficit:
    """A negative balanskravsresultat and what became of it (SEK, positive amounts)."""

    year: int
    amount: Decimal
    restorations: list[Restoration] = field(default_factory=list)
    status: str = OPEN
    restored_in: int | None = None  # the year the last of it was restored

    @property
    def deadline(self) -> int:
        """The last year in which it may be restored."""
        return self.year + RESTORE_WITHIN_YEARS

    @property
    def restored(self) -> Decimal:
        return sum((r.amount for r in self.restorations), ZERO)

    @property
    def remaining(self) -> Decimal:
        """Still owed after the last year entered."""
        return self.amount - self.restored

    @property
    def remaining_at_deadline(self) -> Decimal:
        """Still owed at the end of the deadline year."""
        return self.amount - sum(
            (r.amount for r in self.restorations if r.year <= self.deadline), ZERO
        )

    @property
    def flagged(self) -> bool:
        """Misses (or will miss) its deadline."""
        return self.status in FLAGGED


@dataclass(frozen=True)
class LedgerYear:
    """One year of the ledger (SEK): the entered balanskravsresultat, the improvement counted on
    top of it (forecast years only), the result counted, the deficit it adds, what it restores,
    and what is owed at the end of the year."""

    year: int
    forecast: bool
    balance_result: Decimal
    improvement: Decimal
    counted: Decimal
    new_deficit: Decimal
    restored: Decimal
    owed: Decimal


@dataclass
class Ledger:
    years: list[LedgerYear]
    deficits: list[Deficit]

    @property
    def owed(self) -> Decimal:
        """Owed after the last year entered."""
        return sum((d.remaining for d in self.deficits), ZERO)

    @property
    def flagged(self) -> list[Deficit]:
        """The deficits that miss, or will miss, their deadline."""
        return [d for d in self.deficits if d.flagged]


def balance_ledger(
    results: Mapping[int, Decimal],
    *,
    forecast_years: Iterable[int] = (),
    improvement: Mapping[int, Decimal] | None = None,
) -> Ledger:
    """The running ledger of deficits and their restoration, year by year.

    ``results``: the balanskravsresultat per year (SEK; actual and forecast years).
    ``forecast_years``: which of them are forecasts (the others are actual).
    ``improvement``: an additional improvement per year (SEK) counted on top of a forecast year's
    result, e.g. the plan's measures at the low or the high end of their range; ignored for
    actual years. For the current year it is the forecasts' (``outlook_improvement``).

    Years missing between two entered years restore nothing and add no deficit.
    """
    results = dict(results)
    forecasts = set(forecast_years)
    extra = improvement or {}
    actual_years = [y for y in results if y not in forecasts]
    last_actual = max(actual_years, default=None)
    last_year = max(results, default=None)

    deficits: list[Deficit] = []
    years: list[LedgerYear] = []
    for year in sorted(results):
        is_forecast = year in forecasts
        added = Decimal(extra.get(year, ZERO)) if is_forecast else ZERO
        counted = results[year] + added
        restored_now = ZERO
        new_deficit = ZERO
        if counted < 0:
            new_deficit = -counted
            deficits.append(Deficit(year=year, amount=new_deficit))
        elif counted > 0:
            available = counted
            for deficit in deficits:  # oldest first
                if available <= 0:
                    break
                owed = deficit.remaining
                if owed <= 0:
                    continue
                amount = min(owed, available)
                deficit.restorations.append(Restoration(year, amount))
                available -= amount
                restored_now += amount
                if deficit.remaining == 0:
                    deficit.restored_in = year
        years.append(
            LedgerYear(
                year=year,
                forecast=is_forecast,
                balance_result=results[year],
                improvement=added,
                counted=counted,
                new_deficit=new_deficit,
                restored=restored_now,
                owed=sum((d.remaining for d in deficits), ZERO),
            )
        )

    for deficit in deficits:
        deficit.status = _status(deficit, last_actual=last_actual, last_year=last_year)
    return Ledger(years=years, deficits=deficits)


def _status(deficit: Deficit, *, last_actual: int | None, last_year: int | None) -> str:
    if deficit.remaining_at_deadline <= 0:
        return RESTORED
    if last_actual is not None and deficit.deadline <= last_actual:
        return LATE_RESTORED if deficit.remaining <= 0 else MISSED
    if last_year is not None and deficit.deadline <= last_year:
        return LATE_RESTORED if deficit.remaining <= 0 else WILL_MISS
    return OPEN
