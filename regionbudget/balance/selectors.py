"""Reads that feed the balance requirement pages, the exports and the status reports.

The ledger is the region's: everyone with a role reads it (finance enters it). The plan's
measures join it as their planned range per year for the whole region (cancelled measures
out), summed by the register's arithmetic (``measures.calculations.totals_by_year`` over
``planned_totals``, the one place the gap figures' "planned, low/high end" are summed too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from forecasts.models import Plan
from regionbudget.balance.calculations import (
    Ledger,
    OutlookJoin,
    StatementLine,
    balance_ledger,
    outlook_improvement,
    statement_subtotals,
)
from regionbudget.balance.figures import SCENARIOS
from regionbudget.balance.models import BalanceYear

__all__ = [
    "BalanceData",
    "Statement",
    "balance_data",
    "balance_snapshot",
    "balance_year_find",
    "balance_year_list",
    "plan_improvement",
]


def balance_year_list() -> QuerySet[BalanceYear]:
    """Every statement with its lines, oldest year first (two queries)."""
    return BalanceYear.objects.prefetch_related("lines").order_by("year")


def balance_year_find(*, year: int) -> BalanceYear | None:
    """The statement of ``year`` with its lines, or None."""
    return balance_year_list().filter(year=year).first()


@dataclass
class Statement:
    """A year's statement as the pages show it (SEK)."""

    year: int
    kind: str
    kind_label: str
    note: str
    lines: list[StatementLine]
    result: Decimal
    adjusted: Decimal
    balance_result: Decimal

    @property
    def forecast(self) -> bool:
        return self.kind == BalanceYear.Kind.FORECAST


@dataclass
class BalanceData:
    """The statements, and the ledger read three ways: as entered (``entered``), and with the
    plan's measures delivering at the low (``low``) and the high end (``high``) of their range."""

    statements: list[Statement]
    ledgers: dict[str, Ledger]
    plan: Plan | None = None
    improvement: dict[str, dict[int, Decimal]] = field(default_factory=dict)
    # The current year by the forecasts, and whether it was joined (it is only to a year whose
    # statement is a forecast: an actual year is a fact).
    outlook: OutlookJoin | None = None
    outlook_joined: bool = False
    # The plan's own improvement of the outlook's year, for comparison (low, high).
    plan_own: tuple[Decimal, Decimal] | None = None

    @property
    def flagged(self) -> dict[str, list]:
        """Per reading, the deficits that miss (or will miss) their deadline."""
        return {name: ledger.flagged for name, ledger in self.ledgers.items()}

    @property
    def any_flagged(self) -> bool:
        return any(self.flagged.values())


def plan_improvement(*, plan: Plan | None) -> dict[str, dict[int, Decimal]]:
    """The plan's measures per year (SEK, the whole region, cancelled ones out): ``low`` and
    ``high`` end of the planned range, the same sums as the gap figures, from the plan's cached
    effects (``measures.selectors.plan_effects_frame``)."""
    if plan is None:
        return {"low": {}, "high": {}}
    from measures.calculations import totals_by_year
    from measures.selectors import plan_effects_frame

    frame = totals_by_year(plan_effects_frame(plan=plan), years=plan.years)
    years = [int(y) for y in frame["year"]]
    return {
        "low": dict(zip(years, frame["low"], strict=True)),
        "high": dict(zip(years, frame["high"], strict=True)),
    }


def _statement(year: BalanceYear) -> Statement:
    lines = [StatementLine(line.kind, line.label, line.amount) for line in year.lines.all()]
    return Statement(
        year=year.year,
        kind=year.kind,
        kind_label=str(year.get_kind_display()),
        note=year.note,
        lines=lines,
        **statement_subtotals(lines),
    )


def balance_data(*, plan: Plan | None, outlook: OutlookJoin | None = None) -> BalanceData:
    """The statements and the ledger joined to ``plan``'s measures and, for the current year,
    to the forecasts (``outlook``, from the gap's outlook: ``calculations.OutlookJoin``).

    The outlook is joined only where the year's statement is a forecast.
    """
    statements = [_statement(year) for year in balance_year_list()]
    results = {s.year: s.balance_result for s in statements}
    forecasts = [s.year for s in statements if s.forecast]
    improvement = plan_improvement(plan=plan)
    joined = outlook is not None and outlook.year in forecasts
    plan_own = None
    if joined:
        plan_own = (
            improvement["low"].get(outlook.year, Decimal(0)),
            improvement["high"].get(outlook.year, Decimal(0)),
        )
        by_outlook = outlook_improvement(outlook)
        improvement = {
            scenario: {**by_year, outlook.year: by_outlook[scenario]}
            for scenario, by_year in improvement.items()
        }
    ledgers = {
        scenario: balance_ledger(
            results, forecast_years=forecasts, improvement=improvement.get(scenario)
        )
        for scenario in SCENARIOS
    }
    return BalanceData(
        statements=statements,
        ledgers=ledgers,
        plan=plan,
        improvement=improvement,
        outlook=outlook,
        outlook_joined=joined,
        plan_own=plan_own,
    )


CENT = Decimal("0.01")


def _text(value: Decimal | None) -> str | None:
    """SEK as a string with two decimals (the read API's form); None stays None."""
    return None if value is None else str(Decimal(value).quantize(CENT))


def _outlook_snapshot(data: BalanceData) -> dict | None:
    join = data.outlook
    if join is None:
        return None
    by_outlook = outlook_improvement(join)
    return {
        "year": join.year,
        "round": {"year": join.round_year, "month": join.round_month},
        "joined": data.outlook_joined,
        "required": _text(join.required),
        "uncovered_low": _text(join.uncovered_low),
        "uncovered_high": _text(join.uncovered_high),
        "improvement_low": _text(by_outlook["low"]),
        "improvement_high": _text(by_outlook["high"]),
        "plan_improvement_low": _text(data.plan_own[0]) if data.plan_own else None,
        "plan_improvement_high": _text(data.plan_own[1]) if data.plan_own else None,
    }


def balance_snapshot(*, plan: Plan | None, outlook: OutlookJoin | None = None) -> dict:
    """The ledger as plain JSON data (amounts as decimal strings, SEK): for the read API and to
    be frozen with a status report. ``outlook``: the current year by the forecasts (see
    ``balance_data``); ``gap.selectors.ledger_snapshot`` reads it and calls this."""
    data = balance_data(plan=plan, outlook=outlook)
    return {
        "plan": plan.name if plan else None,
        # The current year by the forecasts: None without an approved forecast for it.
        "outlook": _outlook_snapshot(data),
        "statements": [
            {
                "year": s.year,
                "kind": s.kind,
                "note": s.note,
                "lines": [
                    {"kind": line.kind, "label": line.label, "amount": _text(line.amount)}
                    for line in s.lines
                ],
                "result": _text(s.result),
                "adjusted": _text(s.adjusted),
                "balance_result": _text(s.balance_result),
            }
            for s in data.statements
        ],
        "ledgers": {
            scenario: {
                "years": [
                    {
                        "year": y.year,
                        "forecast": y.forecast,
                        "balance_result": _text(y.balance_result),
                        "improvement": _text(y.improvement),
                        "counted": _text(y.counted),
                        "new_deficit": _text(y.new_deficit),
                        "restored": _text(y.restored),
                        "owed": _text(y.owed),
                    }
                    for y in ledger.years
                ],
                "deficits": [
                    {
                        "year": d.year,
                        "amount": _text(d.amount),
                        "deadline": d.deadline,
                        "restorations": [
                            {"year": r.year, "amount": _text(r.amount)} for r in d.restorations
                        ],
                        "restored": _text(d.restored),
                        "remaining": _text(d.remaining),
                        "remaining_at_deadline": _text(d.remaining_at_deadline),
                        "restored_in": d.restored_in,
                        "status": d.status,
                        "flagged": d.flagged,
                    }
                    for d in ledger.deficits
                ],
                "owed": _text(ledger.owed),
            }
            for scenario, ledger in data.ledgers.items()
        },
    }
