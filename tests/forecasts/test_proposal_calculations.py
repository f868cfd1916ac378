"""The forecast proposal and the forecast accuracy, with figures computed by hand. No database."""

from decimal import Decimal

import pandas as pd

from forecasts.calculations import (
    ProposalMethod,
    forecast_accuracy,
    optimistic_areas,
    proposal,
    proposal_cells,
)

D = Decimal


def test_the_seasonal_profile_scales_the_actuals_by_last_years_full_year():
    # January–October: 8 300 000 actual; last year 8 000 000 in January–October, 9 800 000 in
    # the whole year (an expensive November–December).
    # 8 300 000 × 9 800 000 ÷ 8 000 000 = 8 300 000 × 1,225 = 10 167 500, in whole tkr
    # (half up): 10 168 000
    p = proposal(
        actual=D("8300000"), months=10, last_year_months=D("8000000"), last_year_full=D("9800000")
    )
    assert p.method == ProposalMethod.SEASONAL
    assert p.amount == D("10168000")


def test_revenue_negative_keeps_its_sign_through_the_profile():
    # Revenue: −3 300 000 to date (April), last year −3 000 000 to April and −4 200 000 in all.
    # −3 300 000 × (−4 200 000) ÷ (−3 000 000) = −3 300 000 × 1,4 = −4 620 000
    p = proposal(
        actual=D("-3300000"), months=4, last_year_months=D("-3000000"), last_year_full=D("-4200000")
    )
    assert p.method == ProposalMethod.SEASONAL
    assert p.amount == D("-4620000.00")


def test_a_new_unit_without_last_year_gets_the_run_rate():
    # 1 500 000 in January–March: 1 500 000 ÷ 3 × 12 = 6 000 000
    p = proposal(actual=D("1500000"), months=3, last_year_months=None, last_year_full=None)
    assert p.method == ProposalMethod.RUN_RATE
    assert p.amount == D("6000000.00")


def test_a_one_off_month_is_carried_into_the_full_year_by_the_same_factor():
    # Five ordinary months of 100 000 and a one-off of 1 200 000 in June: 1 700 000 to date.
    # Run rate (last year incomplete): 1 700 000 ÷ 6 × 12 = 3 400 000, of which the one-off
    # counts 1 200 000 × 2 = 2 400 000: the proposal says so and the director adjusts it.
    p = proposal(actual=D("1700000"), months=6, last_year_months=D("600000"), last_year_full=None)
    assert p.method == ProposalMethod.RUN_RATE
    assert p.amount == D("3400000.00")
    # Seasonal (last year 600 000 to June, 1 320 000 in all): 1 700 000 × 2,2 = 3 740 000
    p = proposal(
        actual=D("1700000"), months=6, last_year_months=D("600000"), last_year_full=D("1320000")
    )
    assert p.method == ProposalMethod.SEASONAL
    assert p.amount == D("3740000.00")


def test_last_year_near_zero_falls_back_to_the_run_rate():
    # Last year 40 000 to October (below 50 000 SEK): run rate 900 000 ÷ 10 × 12 = 1 080 000
    p = proposal(
        actual=D("900000"), months=10, last_year_months=D("40000"), last_year_full=D("2000000")
    )
    assert p.method == ProposalMethod.RUN_RATE
    assert p.amount == D("1080000.00")
    # 100 000 to March of 2 000 000: the factor 20 is more than 4 × 12 ÷ 3 = 16: run rate,
    # 300 000 ÷ 3 × 12 = 1 200 000
    p = proposal(
        actual=D("300000"), months=3, last_year_months=D("100000"), last_year_full=D("2000000")
    )
    assert p.method == ProposalMethod.RUN_RATE
    assert p.amount == D("1200000.00")
    # 125 000 of 2 000 000: factor exactly 16, still seasonal: 300 000 × 16 = 4 800 000
    p = proposal(
        actual=D("300000"), months=3, last_year_months=D("125000"), last_year_full=D("2000000")
    )
    assert p.method == ProposalMethod.SEASONAL
    assert p.amount == D("4800000.00")


def test_last_year_changing_sign_has_no_profile():
    # Revenue to June last year, but a net cost over the year: 600 000 ÷ 6 × 12 = 1 200 000
    p = proposal(
        actual=D("600000"), months=6, last_year_months=D("-200000"), last_year_full=D("100000")
    )
    assert p.method == ProposalMethod.RUN_RATE
    assert p.amount == D("1200000")


def test_no_months_of_actuals_gives_no_proposal_and_amounts_round_to_whole_tkr():
    assert proposal(actual=D("0"), months=0, last_year_months=None, last_year_full=None) is None
    # 100 000 ÷ 7 × 12 = 171 428,57… → 171 tkr
    p = proposal(actual=D("100000"), months=7, last_year_months=None, last_year_full=None)
    assert p.amount == D("171000")
    # 41 ÷ 1 × 12 = 492 → 0 tkr; 42 × 12 = 504 → 1 tkr (half up)
    assert (
        proposal(actual=D("41"), months=1, last_year_months=None, last_year_full=None).amount == 0
    )
    assert proposal(
        actual=D("42"), months=1, last_year_months=None, last_year_full=None
    ).amount == D("1000")


def test_taking_the_proposal_chooses_a_line_a_unit_or_the_area():
    cells = [(1, 10), (1, 20), (2, 10), (2, 20)]
    proposed = [(1, 10), (1, 20), (2, 10)]  # (2, 20) has no actuals
    assert proposal_cells("line-1-20", cells, proposed) == [(1, 20)]
    assert proposal_cells("unit-2", cells, proposed) == [(2, 10)]
    assert proposal_cells("area", cells, proposed) == [(1, 10), (1, 20), (2, 10)]
    assert proposal_cells("line-3-10", cells, proposed) == []  # not this area's
    assert proposal_cells("unit-x", cells, proposed) == []
    assert proposal_cells("everything", cells, proposed) == []


def _accuracy_inputs():
    forecasts = pd.DataFrame(
        [
            {"round_id": 1, "year": 2025, "month": 4, "area_id": 7, "forecast": D("100000000")},
            {"round_id": 2, "year": 2025, "month": 8, "area_id": 7, "forecast": D("104000000")},
            {"round_id": 1, "year": 2025, "month": 4, "area_id": 8, "forecast": D("50000000")},
            {"round_id": 2, "year": 2025, "month": 8, "area_id": 8, "forecast": D("46000000")},
            {"round_id": 1, "year": 2025, "month": 4, "area_id": 9, "forecast": None},
            {"round_id": 3, "year": 2024, "month": 9, "area_id": 7, "forecast": D("120000000")},
        ]
    )
    outcomes = pd.DataFrame(
        [
            {"year": 2025, "area_id": 7, "outcome": D("105000000"), "months": 12},
            {"year": 2025, "area_id": 8, "outcome": D("48000000"), "months": 12},
            {"year": 2025, "area_id": 9, "outcome": D("1000"), "months": 12},
            {"year": 2024, "area_id": 7, "outcome": D("101000000"), "months": 10},
        ]
    )
    return forecasts, outcomes


def test_accuracy_of_two_rounds_computed_by_hand():
    frame = forecast_accuracy(*_accuracy_inputs())
    rows = {(r["round_id"], r["area_id"]): r for r in frame.to_dict("records")}
    assert (9 not in frame["area_id"].tolist()) and len(rows) == 5  # no forecast: left out
    # Area 7, April: outcome 105 − forecast 100 = +5 mnkr, 5 ÷ 105 = 4,76… → 4,8 % optimistic
    assert rows[(1, 7)]["error"] == D("5000000")
    assert rows[(1, 7)]["error_percent"] == D("4.8")
    assert rows[(1, 7)]["optimistic"]
    # Area 7, August: 105 − 104 = +1 mnkr, 1 ÷ 105 = 0,95… → 1,0 %
    assert rows[(2, 7)]["error"] == D("1000000")
    assert rows[(2, 7)]["error_percent"] == D("1.0")
    # Area 8, April: 48 − 50 = −2 mnkr (pessimistic), −2 ÷ 48 = −4,17 → −4,2 %
    assert rows[(1, 8)]["error"] == D("-2000000")
    assert rows[(1, 8)]["error_percent"] == D("-4.2")
    assert not rows[(1, 8)]["optimistic"]
    # Area 8, August: 48 − 46 = +2 mnkr, 2 ÷ 48 → 4,2 %
    assert rows[(2, 8)]["error_percent"] == D("4.2")


def test_accuracy_for_the_months_known_compares_the_forecasts_share_of_them():
    frame = forecast_accuracy(*_accuracy_inputs())
    row = frame[frame["year"] == 2024].to_dict("records")[0]
    # 120 mnkr × 10 ÷ 12 = 100 mnkr for January–October; outcome 101: +1 mnkr, 1 ÷ 101 → 1,0 %
    assert row["months"] == 10
    assert row["compared"] == D("100000000.00")
    assert row["error"] == D("1000000.00")
    assert row["error_percent"] == D("1.0")


def test_the_months_known_follow_a_seasonal_profile_where_there_is_one():
    forecasts = pd.DataFrame(
        [{"round_id": 3, "year": 2024, "month": 9, "area_id": 7, "forecast": D("120000000")}]
    )
    # January–October held 0,8 of the profile year: 120 × 0,8 = 96 mnkr; outcome 97 → +1 mnkr,
    # 1 ÷ 97 = 1,03… → 1,0 %
    outcomes = pd.DataFrame(
        [{"year": 2024, "area_id": 7, "outcome": D("97000000"), "months": 10, "share": D("0.8")}]
    )
    row = forecast_accuracy(forecasts, outcomes).to_dict("records")[0]
    assert row["compared"] == D("96000000.00")
    assert row["error"] == D("1000000.00") and row["error_percent"] == D("1.0")


def test_a_rounding_difference_is_not_optimism():
    forecasts = pd.DataFrame(
        [{"round_id": 1, "year": 2025, "month": 10, "area_id": 7, "forecast": D("4037000000")}]
    )
    outcomes = pd.DataFrame(
        [{"year": 2025, "area_id": 7, "outcome": D("4037000030"), "months": 12}]
    )
    row = forecast_accuracy(forecasts, outcomes).to_dict("records")[0]
    # 30 ÷ 4 037 000 030 = 0,0000007 % → 0,0 %: not too optimistic
    assert row["error"] == D("30") and row["error_percent"] == D("0.0")
    assert not row["optimistic"]


def test_an_area_optimistic_in_every_round_is_listed_and_a_mixed_one_is_not():
    frame = forecast_accuracy(*_accuracy_inputs())
    listed = optimistic_areas(frame)
    # Area 7 in 2025: +5 and +1 mnkr; area 8 was pessimistic in April; 2024 has one round only.
    assert listed == [{"year": 2025, "area_id": 7, "rounds": 2, "error": D("6000000")}]
