"""The outlook arithmetic (DESIGN.md, "the outlook"): worked cases by hand, no database."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from regionbudget.gap.calculations import OutlookArea, outlook

D = Decimal
M = D("1000000")  # one MSEK in SEK


def _effects(rows: list[tuple]) -> pd.DataFrame:
    """Effects attributed to areas: (code, area_code, status, year, low MSEK, high MSEK)."""
    return pd.DataFrame.from_records(
        [
            {
                "code": code,
                "title": code,
                "category": "Inköp",
                "area_code": area,
                "status": status,
                "year": year,
                "low": D(low) * M,
                "high": D(high) * M,
                "realised": D(0),
                "share": D(100),
            }
            for code, area, status, year, low, high in rows
        ]
    )


# The seed's action plan for 2024 in two measures of two areas: 175–192 MSEK in all.
SEED_2024 = _effects(
    [
        ("M1", "A", "in_progress", 2024, "100", "110"),
        ("M2", "B", "decided", 2024, "75", "82"),
        ("M3", "B", "decided", 2025, "40", "50"),  # another year: never in 2024's figures
    ]
)


def test_worked_case_a_the_budget_forecast_before_the_plan_agrees_with_the_plan():
    # Deviation −174 (−100 and −74), measures not included, 150 outside the area budgets:
    # required now = 150 + 174 = 324; covered = 175–192; uncovered = 324 − 192 … 324 − 175.
    result = outlook(
        year=2024,
        round_id=1,
        areas=[OutlookArea("A", D("-100") * M, 1), OutlookArea("B", D("-74") * M, 1)],
        outside_budgets=D("150") * M,
        effects=SEED_2024,
        included=[],
    )
    assert result.deviation == D("-174") * M
    assert result.required_now == D("324") * M
    assert (result.covered_low, result.covered_high) == (D("175") * M, D("192") * M)
    assert (result.uncovered_low, result.uncovered_high) == (D("132") * M, D("149") * M)
    assert result.in_forecast == ()
    assert result.not_in_forecast == ("M1", "M2")
    assert result.complete and result.missing == ()


def test_worked_case_b_decided_measures_in_the_forecast_are_not_counted_again():
    # "Prognos efter juni 2024": deviation −60 with the decided measures inside it; the
    # proposed measures' 2024 range is 14–15: required now = 150 + 60 = 210,
    # covered = 14–15, uncovered = 195–196.
    effects = _effects(
        [
            ("M1", "A", "decided", 2024, "100", "110"),
            ("M2", "B", "in_progress", 2024, "75", "82"),
            ("M4", "A", "proposed", 2024, "10", "11"),
            ("M5", "B", "proposed", 2024, "4", "4"),
        ]
    )
    result = outlook(
        year=2024,
        round_id=6,
        areas=[OutlookArea("A", D("-45") * M, 6), OutlookArea("B", D("-15") * M, 6)],
        outside_budgets=D("150") * M,
        effects=effects,
        included=[("M1", "A"), ("M2", "B")],
    )
    assert result.required_now == D("210") * M
    assert (result.covered_low, result.covered_high) == (D("14") * M, D("15") * M)
    assert (result.uncovered_low, result.uncovered_high) == (D("195") * M, D("196") * M)
    assert result.in_forecast == ("M1", "M2")
    assert result.not_in_forecast == ("M4", "M5")


def test_a_surplus_in_the_forecasts_leaves_room_to_spare():
    # The areas forecast 30 under budget, nothing outside the budgets: required now = −30;
    # the measures not in the forecast (10–20) widen the room: uncovered −50 … −40.
    result = outlook(
        year=2025,
        round_id=3,
        areas=[OutlookArea("A", D("30") * M, 3)],
        outside_budgets=D(0),
        effects=_effects([("M1", "A", "proposed", 2025, "10", "20")]),
        included=[],
    )
    assert result.required_now == D("-30") * M
    assert (result.uncovered_low, result.uncovered_high) == (D("-50") * M, D("-40") * M)


def test_an_area_without_an_approved_forecast_is_named_and_not_counted_as_zero():
    # A forecasts −50; B has no approved forecast: the deviation is A's alone and B is missing.
    # B's measure (5–6) is in no forecast, so it covers: uncovered = 50 − 6 … 50 − 5.
    result = outlook(
        year=2024,
        round_id=2,
        areas=[OutlookArea("A", D("-50") * M, 2), OutlookArea("B", None, None)],
        outside_budgets=D(0),
        effects=_effects([("M9", "B", "decided", 2024, "5", "6")]),
        included=[],
    )
    assert result.deviation == D("-50") * M
    assert result.missing == ("B",)
    assert not result.complete
    assert (result.uncovered_low, result.uncovered_high) == (D("44") * M, D("45") * M)


def test_cancelled_and_region_wide_measures():
    # A cancelled measure covers nothing, in a forecast or not. A region-wide measure not split
    # across areas (area None) is in no area's forecast: it always covers. A split measure counted
    # in A's forecast still covers with B's share.
    effects = _effects(
        [
            ("M1", "A", "cancelled", 2024, "20", "30"),
            ("R1", None, "decided", 2024, "7", "8"),
            ("R2", "A", "decided", 2024, "6", "6"),  # 60 % of 10
            ("R2", "B", "decided", 2024, "4", "4"),  # 40 % of 10
        ]
    )
    result = outlook(
        year=2024,
        round_id=1,
        areas=[OutlookArea("A", D("-20") * M, 1), OutlookArea("B", D("-10") * M, 1)],
        outside_budgets=D("5") * M,
        effects=effects,
        included=[("R2", "A")],
    )
    # required now = 5 + 30 = 35; covered = R1 7–8 + R2's share in B 4 = 11–12.
    assert result.required_now == D("35") * M
    assert (result.covered_low, result.covered_high) == (D("11") * M, D("12") * M)
    assert (result.uncovered_low, result.uncovered_high) == (D("23") * M, D("24") * M)
    assert result.in_forecast == ("R2",)
    assert result.not_in_forecast == ("R1", "R2")
