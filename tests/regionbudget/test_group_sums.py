"""``sums_by_group``: the gap figures of every group in one pass, computed by hand here."""

from decimal import Decimal

import pandas as pd

from regionbudget.gap.calculations import EFFECT_COLUMNS, gap_by_group, sums_by_group

D = Decimal


def _effects(rows) -> pd.DataFrame:
    return pd.DataFrame.from_records(
        [
            {
                "code": code,
                "title": code,
                "category": "Inköp",
                "area_code": area,
                "status": status,
                "year": 2024,
                "low": D(low),
                "high": D(high),
                "realised": D(realised),
            }
            for code, area, status, low, high, realised in rows
        ],
        columns=EFFECT_COLUMNS,
    )


ROWS = [
    # code, area, status, low, high, realised (SEK)
    ("M1", "SOM", "decided", "100", "200", "10"),
    ("M2", "PSY", "proposed", "50", "70", "0"),
    ("M3", "SOM", "cancelled", "1000", "2000", "5"),
    ("M4", None, "done", "30", "30", "30"),
    ("M5", "SOM", "delayed", "0.50", "1.50", "0.25"),
]


def test_it_sums_each_group_once_leaving_cancelled_measures_out_of_the_plan():
    groups = sums_by_group(_effects(ROWS), by="area_code")
    assert list(groups) == ["SOM", "PSY", None]  # in order of first appearance
    # SOM: M1 and M5 planned (M3 is cancelled); realised counts M3 too.
    # expected: 0.60 × (100 + 200) / 2 = 90; 0.50 × (0.50 + 1.50) / 2 = 0.5; total 90.5.
    assert groups["SOM"] == {
        "planned_low": D("100.50"),
        "planned_high": D("201.50"),
        "realised": D("15.25"),
        "expected": D("90.5"),
    }
    # PSY: 0.40 × (50 + 70) / 2 = 24.
    assert groups["PSY"] == {
        "planned_low": D("50"),
        "planned_high": D("70"),
        "realised": D("0"),
        "expected": D("24"),
    }
    # The measure without an area: 1.00 × 30 = 30.
    assert groups[None] == {
        "planned_low": D("30"),
        "planned_high": D("30"),
        "realised": D("30"),
        "expected": D("30"),
    }


def test_nan_and_none_are_one_group_without_a_key():
    frame = _effects(ROWS[3:4] + ROWS[3:4])
    frame.loc[1, "area_code"] = float("nan")
    assert list(sums_by_group(frame, by="area_code")) == [None]
    assert sums_by_group(frame, by="area_code")[None]["planned_low"] == D("60")


def test_finance_weights_replace_the_defaults():
    weights = {"decided": D("1"), "delayed": D("0")}
    groups = sums_by_group(_effects(ROWS[:1] + ROWS[4:]), by="area_code", weights=weights)
    # 1 × (100 + 200) / 2 + 0 × (0.50 + 1.50) / 2 = 150
    assert groups["SOM"]["expected"] == D("150")


def test_gap_by_group_shows_the_same_sums_sorted_with_coverage_and_the_unassigned_last():
    frame = gap_by_group(
        _effects(ROWS),
        by="area_code",
        year=2024,
        required={"SOM": D("400"), "PSY": D("100"), "ORT": D("10")},
        unassigned=True,
    )
    assert list(frame["area_code"]) == ["SOM", "PSY", "ORT", None]
    assert list(frame["planned_high"]) == [D("201.50"), D("70"), D("0"), D("30")]
    # coverage: 100.50 / 400 = 25.1 %, 201.50 / 400 = 50.4 % (one decimal, half up)
    assert (frame["coverage_low"][0], frame["coverage_high"][0]) == (D("25.1"), D("50.4"))
    assert frame["expected"][2] == D("0") and frame["required"][2] == D("10")
    assert frame["coverage_low"][3] is None
