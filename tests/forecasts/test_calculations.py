"""Forecast arithmetic with figures computed by hand. No database."""

from decimal import Decimal

import pandas as pd

from forecasts.calculations import (
    GridFigures,
    comment_required,
    deviation,
    deviation_by_round,
    round_total,
    sum_figures,
)

D = Decimal


def test_deviation_is_budget_minus_forecast_negative_for_a_deficit():
    assert deviation(D("1000"), D("1200")) == D("-200")
    assert deviation(D("1000"), D("900")) == D("100")


def test_revenue_below_budget_is_a_deficit_too():
    # Revenue is negative net cost: budgeted −500, forecast only −300 coming in.
    assert deviation(D("-500"), D("-300")) == D("-200")


def test_a_cost_without_budget_is_a_deficit_of_its_full_size():
    assert deviation(None, D("75")) == D("-75")
    assert deviation(D("10"), None) is None


def test_a_comment_is_required_only_above_the_threshold_either_way():
    threshold = D("500000")
    assert not comment_required(D("-500000"), threshold)
    assert comment_required(D("-500000.01"), threshold)
    assert comment_required(D("600000"), threshold)
    assert not comment_required(None, threshold)


def test_totals_add_rows_and_say_when_a_forecast_is_missing():
    rows = [
        GridFigures(budget=D("100"), actual=D("80"), previous=D("110"), forecast=D("120")),
        GridFigures(budget=D("-50"), actual=D("-40"), previous=None, forecast=D("-45")),
    ]
    total = sum_figures(rows)
    assert (total.budget, total.actual, total.previous, total.forecast) == (
        D("50"),
        D("40"),
        D("110"),
        D("75"),
    )
    assert total.deviation == D("-25")
    assert total.complete
    # The change since the previous forecast: 120 − 110 = 10 on the first row; the second has
    # no previous forecast, so no change, and the total's change is the first row's alone.
    assert (rows[0].change, rows[1].change, total.change) == (D("10"), None, D("10"))
    assert sum_figures([rows[1]]).change is None
    partial = sum_figures([*rows, GridFigures(budget=D("10"), forecast=None, complete=False)])
    assert partial.forecast == D("75") and not partial.complete


def test_the_latest_approved_forecast_carries_over_to_later_rounds():
    rounds = pd.DataFrame({"round_id": [2, 1], "year": [2024, 2024], "month": [10, 9]})
    budgets = pd.DataFrame(
        {"year": [2024, 2024], "area_id": [7, 8], "budget": [D("1000"), D("500")]}
    )
    approved = pd.DataFrame(
        {
            "round_id": [1, 1, 2],
            "area_id": [7, 8, 8],
            "forecast_id": [71, 81, 82],
            "forecast": [D("1058"), D("520"), D("530")],
            "budget": [D("1000"), D("500"), D("500")],
        }
    )
    frame = deviation_by_round(rounds, budgets, approved)
    got = list(
        zip(
            frame["round_id"],
            frame["area_id"],
            frame["forecast"],
            frame["forecast_round_id"],
            frame["forecast_id"],
            frame["deviation"],
            strict=True,
        )
    )
    assert got == [
        (1, 7, D("1058"), 1, 71, D("-58")),
        (1, 8, D("520"), 1, 81, D("-20")),
        (2, 7, D("1058"), 1, 71, D("-58")),  # not approved in October: September's counts
        (2, 8, D("530"), 2, 82, D("-30")),
    ]


def test_an_approved_forecast_keeps_the_budget_it_was_approved_against():
    # Today's budget of area 7 is 1 200; its September forecast was approved against 1 000.
    rounds = pd.DataFrame({"round_id": [1, 2], "year": [2024, 2024], "month": [9, 10]})
    budgets = pd.DataFrame({"year": [2024], "area_id": [7], "budget": [D("1200")]})
    approved = pd.DataFrame(
        {
            "round_id": [1],
            "area_id": [7],
            "forecast_id": [71],
            "forecast": [D("1058")],
            "budget": [D("1000")],
        }
    )
    frame = deviation_by_round(rounds, budgets, approved)
    # 1 000 − 1 058 = −58 in both rounds, not 1 200 − 1 058 = 142.
    assert frame["budget"].tolist() == [D("1000"), D("1000")]
    assert frame["deviation"].tolist() == [D("-58"), D("-58")]


def test_rounds_of_two_years_carry_forecasts_within_their_own_year_only():
    rounds = pd.DataFrame({"round_id": [1, 2], "year": [2024, 2025], "month": [10, 3]})
    budgets = pd.DataFrame(
        {"year": [2024, 2025], "area_id": [7, 7], "budget": [D("100"), D("110")]}
    )
    approved = pd.DataFrame(
        {
            "round_id": [1],
            "area_id": [7],
            "forecast_id": [71],
            "forecast": [D("90")],
            "budget": [D("100")],
        }
    )
    frame = deviation_by_round(rounds, budgets, approved)
    assert frame["deviation"].tolist() == [D("10"), None]
    assert frame["budget"].tolist() == [D("100"), D("110")]


def test_an_area_without_an_approved_forecast_has_no_deviation():
    rounds = pd.DataFrame({"round_id": [1], "year": [2024], "month": [9]})
    budgets = pd.DataFrame({"year": [2024], "area_id": [7], "budget": [D("1000")]})
    approved = pd.DataFrame(
        {"round_id": [], "area_id": [], "forecast_id": [], "forecast": [], "budget": []}
    )
    frame = deviation_by_round(rounds, budgets, approved)
    assert frame["forecast"].tolist() == [None]
    assert frame["deviation"].tolist() == [None]


def test_no_rounds_give_an_empty_frame():
    empty = deviation_by_round(
        pd.DataFrame({"round_id": [], "year": [], "month": []}),
        pd.DataFrame({"year": [2024], "area_id": [7], "budget": [D("1")]}),
        pd.DataFrame(
            {"round_id": [], "area_id": [], "forecast_id": [], "forecast": [], "budget": []}
        ),
    )
    assert empty.empty
    assert "deviation" in empty.columns


def test_a_month_looks_incomplete_when_units_of_the_month_before_are_missing():
    from forecasts.calculations import incomplete_periods

    # November: units 1–5 in the file; 1–8 had October actuals; 6 already has November's.
    # Missing: 7 and 8. December (the file's too) has 1, and November would have 1–6: 2–6.
    incoming = {(2024, 11): {1, 2, 3, 4, 5}, (2024, 12): {1}}
    stored = {(2024, 10): {1, 2, 3, 4, 5, 6, 7, 8}, (2024, 11): {6}}
    assert incomplete_periods(incoming, stored) == [(2024, 11, [7, 8]), (2024, 12, [2, 3, 4, 5, 6])]
    # January reads December of the year before.
    assert incomplete_periods({(2025, 1): {1}}, {(2024, 12): {1, 2}}) == [(2025, 1, [2])]
    assert incomplete_periods({(2025, 1): {1, 2}}, {(2024, 12): {1, 2}}) == []


def test_the_regions_total_of_a_round_counts_the_areas_with_a_forecast():
    # (budget, forecast, change) per area, SEK:
    #   A: 100, 120, +5     B: 50, 40, none (no previous round)     C: 80, no forecast
    # counted A and B: budget 100 + 50 = 150, forecast 120 + 40 = 160,
    # deviation 150 − 160 = −10, change +5 (B has none, C is not counted at all).
    total = round_total(
        [(D("100"), D("120"), D("5")), (D("50"), D("40"), None), (D("80"), None, None)]
    )
    assert (total.budget, total.forecast, total.deviation) == (D("150"), D("160"), D("-10"))
    assert total.change == D("5")
    assert (total.counted, total.areas) == (2, 3)


def test_a_round_without_any_forecast_has_no_total():
    total = round_total([(D("100"), None, None), (None, None, None)])
    assert (total.budget, total.forecast, total.deviation, total.change) == (None,) * 4
    assert (total.counted, total.areas) == (0, 2)


def test_an_area_forecasting_without_a_budget_counts_its_whole_forecast_as_deficit():
    # budget none (0) and forecast 30, beside A (100, 90): budget 100, forecast 120, −20
    total = round_total([(None, D("30"), D("-2")), (D("100"), D("90"), D("4"))])
    assert (total.budget, total.forecast, total.deviation, total.change) == (
        D("100"),
        D("120"),
        D("-20"),
        D("2"),
    )
