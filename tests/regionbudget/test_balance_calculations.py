"""The balance requirement ledger by hand: synthetic cases in mnkr, every figure worked out here.

No database: pure arithmetic (``regionbudget.balance.calculations``).
"""

from __future__ import annotations

from decimal import Decimal

from regionbudget.balance.calculations import (
    OutlookJoin,
    Restoration,
    StatementLine,
    balance_ledger,
    balance_result,
    outlook_improvement,
    statement_subtotals,
)
from regionbudget.balance.figures import (
    LATE_RESTORED,
    MISSED,
    OPEN,
    REALISATION_GAINS,
    RESERVE,
    RESTORED,
    RESULT,
    SECURITIES,
    WILL_MISS,
)
from regionbudget.core.money import MSEK


def m(amount) -> Decimal:
    """``amount`` mnkr in SEK."""
    return Decimal(str(amount)) * MSEK


def test_a_deficit_is_restored_over_two_years():
    # 2022: −30. 2023: +10 restores 10 (20 left). 2024: +25 restores the last 20; 5 is surplus.
    ledger = balance_ledger({2022: m(-30), 2023: m(10), 2024: m(25)})
    (deficit,) = ledger.deficits
    assert (deficit.year, deficit.amount, deficit.deadline) == (2022, m(30), 2025)
    assert deficit.restorations == [Restoration(2023, m(10)), Restoration(2024, m(20))]
    assert (deficit.remaining, deficit.restored_in, deficit.status) == (0, 2024, RESTORED)
    assert [(y.year, y.new_deficit, y.restored, y.owed) for y in ledger.years] == [
        (2022, m(30), 0, m(30)),
        (2023, 0, m(10), m(20)),
        (2024, 0, m(20), 0),
    ]
    assert ledger.owed == 0 and ledger.flagged == []


def test_two_deficits_are_restored_oldest_first():
    # 2022: −20 and 2023: −15. 2024: +25 restores the 20 of 2022 and 5 of 2023; 2025: +5 restores
    # 5 more of 2023, which still owes 15 − 5 − 5 = 5 (deadline 2026, beyond the years entered).
    ledger = balance_ledger({2022: m(-20), 2023: m(-15), 2024: m(25), 2025: m(5)})
    first, second = ledger.deficits
    assert first.restorations == [Restoration(2024, m(20))]
    assert (first.remaining, first.status) == (0, RESTORED)
    assert second.restorations == [Restoration(2024, m(5)), Restoration(2025, m(5))]
    assert (second.remaining, second.deadline, second.status) == (m(5), 2026, OPEN)
    assert [y.owed for y in ledger.years] == [m(20), m(35), m(10), m(5)]
    assert ledger.owed == m(5)


def test_a_positive_year_restores_nothing_when_nothing_is_owed():
    # 2022: +40 with nothing owed restores nothing and is not saved up: the deficit of 2023
    # (−10) is restored only by 2024's +4, leaving 6.
    ledger = balance_ledger({2022: m(40), 2023: m(-10), 2024: m(4)})
    assert [(y.year, y.restored, y.owed) for y in ledger.years] == [
        (2022, 0, 0),
        (2023, 0, m(10)),
        (2024, m(4), m(6)),
    ]
    (deficit,) = ledger.deficits
    assert deficit.remaining == m(6)


def test_a_deficit_that_misses_its_three_year_deadline_is_flagged():
    # 2021: −50, restored 10 a year in 2022–2024: 20 still owed at the end of 2024, the deadline.
    results = {2021: m(-50), 2022: m(10), 2023: m(10), 2024: m(10)}
    ledger = balance_ledger(results)
    (deficit,) = ledger.deficits
    assert (deficit.deadline, deficit.remaining_at_deadline) == (2024, m(20))
    assert deficit.status == MISSED and deficit.flagged
    assert ledger.flagged == [deficit]

    # The same with 2024 only a forecast: it will miss its deadline.
    (forecast,) = balance_ledger(results, forecast_years=[2024]).deficits
    assert forecast.status == WILL_MISS and forecast.flagged

    # Restored in 2025, a year late: still flagged.
    (late,) = balance_ledger({**results, 2025: m(30)}).deficits
    assert (late.remaining, late.restored_in, late.status) == (0, 2025, LATE_RESTORED)
    assert late.flagged


def test_a_transfer_from_the_reserve_turns_a_negative_result_into_zero():
    # Result −35, realisation gains −5 deducted: −40 after the adjustments; 40 taken from the
    # result reserve: a balanskravsresultat of 0, so no deficit to restore.
    lines = [
        StatementLine(RESULT, "Årets resultat", m(-35)),
        StatementLine(REALISATION_GAINS, "Realisationsvinster", m(-5)),
        StatementLine(RESERVE, "Uttag ur resultatreserven", m(40)),
    ]
    assert statement_subtotals(lines) == {"result": m(-35), "adjusted": m(-40), "balance_result": 0}
    ledger = balance_ledger({2024: balance_result(lines)})
    assert ledger.deficits == [] and ledger.years[0].new_deficit == 0


def test_the_statement_adds_its_signed_lines():
    # 120 − 8 + 3 (unrealised loss added back) − 15 (to the reserve) = 100.
    lines = [
        StatementLine(RESULT, "Årets resultat", m(120)),
        StatementLine(REALISATION_GAINS, "Realisationsvinster", m(-8)),
        StatementLine(SECURITIES, "Orealiserade förluster i värdepapper", m(3)),
        StatementLine(RESERVE, "Reservering till resultatreserven", m(-15)),
    ]
    assert statement_subtotals(lines) == {
        "result": m(120),
        "adjusted": m(115),
        "balance_result": m(100),
    }


def test_the_plans_measures_count_in_forecast_years_only():
    # 2023: −60 (actual). 2024: −10 and 2025: +20 and 2026: +15 forecast, before the measures:
    # 2024 adds 10, 2025 restores 20 of 2023 and 2026 the next 15, so 2023 owes 25 at 2026.
    results = {2023: m(-60), 2024: m(-10), 2025: m(20), 2026: m(15)}
    forecast = [2024, 2025, 2026]
    as_entered = balance_ledger(results, forecast_years=forecast)
    assert [(d.year, d.remaining, d.status) for d in as_entered.deficits] == [
        (2023, m(25), WILL_MISS),
        (2024, m(10), OPEN),
    ]
    # Low end: 5, 20, 20 mnkr of measures: 2024 −5, 2025 +40, 2026 +35. 2025 restores 40 of
    # 2023 (20 left), 2026 restores its 20 and the 5 of 2024: nothing owed.
    low = balance_ledger(
        results,
        forecast_years=forecast,
        improvement={2023: m(99), 2024: m(5), 2025: m(20), 2026: m(20)},
    )
    assert [y.counted for y in low.years] == [m(-60), m(-5), m(40), m(35)]
    assert [(d.year, d.remaining, d.restored_in, d.status) for d in low.deficits] == [
        (2023, 0, 2026, RESTORED),
        (2024, 0, 2026, RESTORED),
    ]
    assert low.years[0].improvement == 0  # 2023 is actual: the 99 is not counted


def test_the_current_year_by_the_forecasts_improves_the_entered_forecast():
    # 2023: −30 actual; 2024 forecast entered as −100 without the plan's measures. The plan
    # requires 120 in 2024; the forecasts leave 5 to 20 uncovered. Low end: 120 − 20 = 100 →
    # counted 0, nothing restored, 30 owed; high end: 120 − 5 = 115 → counted 15, 15 restored,
    # 15 owed.
    join = OutlookJoin(
        year=2024,
        round_year=2024,
        round_month=10,
        required=m(120),
        uncovered_low=m(5),
        uncovered_high=m(20),
    )
    assert outlook_improvement(join) == {"low": m(100), "high": m(115)}
    results = {2023: m(-30), 2024: m(-100)}
    low = balance_ledger(results, forecast_years=[2024], improvement={2024: m(100)})
    high = balance_ledger(results, forecast_years=[2024], improvement={2024: m(115)})
    assert [(y.year, y.counted, y.restored) for y in low.years] == [
        (2023, m(-30), 0),
        (2024, 0, 0),
    ]
    assert low.owed == m(30)
    assert [(y.year, y.counted, y.restored) for y in high.years] == [
        (2023, m(-30), 0),
        (2024, m(15), m(15)),
    ]
    assert high.owed == m(15)
