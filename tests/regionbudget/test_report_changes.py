"""What a status report says changed, the areas' lines adding up to the region, and the measures
a committee looks at first: pure functions against figures computed by hand. No database."""

from decimal import Decimal

import pandas as pd

from measures.calculations import attribute_to_areas
from regionbudget.gap.calculations import (
    EFFECT_COLUMNS,
    gap_by_group,
    group_totals,
    measure_change_kinds,
    measures_needing_attention,
    range_change,
    report_changes,
)

M = Decimal("1000000")


def _measure(code, status, light, low, high, *, title=None, area="LSO-SOM"):
    return {
        "code": code,
        "title": title or f"Åtgärd {code}",
        "status": status,
        "light": light,
        "low": str(low * M),
        "high": str(high * M),
        "realised": "0",
        "area_code": area,
    }


def _snapshot(*, uncovered, outlook, measures, probability="0.100"):
    """A report snapshot's figures as published: amounts are decimal strings in SEK."""
    low, high = uncovered
    return {
        "by_year": [
            {
                "year": 2026,
                "required": str(775 * M),
                "planned_low": str((775 - high) * M),
                "planned_high": str((775 - low) * M),
                "realised": str(300 * M),
                "expected": str(550 * M),
                "uncovered_low": str(low * M),
                "uncovered_high": str(high * M),
                "probability": probability,
            }
        ],
        "outlook": [
            {
                "year": 2026,
                "deviation": str(outlook["deviation"] * M),
                "required_now": str((150 - outlook["deviation"]) * M),
                "uncovered_low": str(outlook["uncovered"][0] * M),
                "uncovered_high": str(outlook["uncovered"][1] * M),
            }
        ]
        if outlook
        else [],
        "measures": measures,
    }


AUGUST = _snapshot(
    uncovered=(-50, 60),
    outlook={"deviation": -10, "uncovered": (70, 84)},
    measures=[
        _measure("M01", "proposed", "at_risk", 10, 12),
        _measure("M02", "in_progress", "on_track", 20, 25),
        _measure("M04", "decided", "on_track", 5, 6),
        _measure("M05", "done", "on_track", 1, 1),
    ],
)
OCTOBER = _snapshot(
    uncovered=(-56, 56),
    outlook={"deviation": -20, "uncovered": (85, 99)},
    measures=[
        _measure("M01", "decided", "on_track", 10, 12),  # a decision: a status change
        _measure("M02", "in_progress", "at_risk", 20, 25),  # behind pace: the light only
        _measure("M04", "cancelled", "cancelled", 5, 6),  # cancelled
        _measure("M05", "done", "on_track", 1, 1),  # unchanged
        _measure("M15", "proposed", "at_risk", 2, 3, title="Färre korttidsvikarier"),  # new
    ],
)


def test_what_changed_between_two_reports_by_hand():
    changes = report_changes(AUGUST, OCTOBER)

    plan = {c["figure"]: c for c in changes["figures"]}
    # Uncovered by the plan: −50 → −56 (down 6) at the low end, 60 → 56 (down 4) at the high end;
    # planned therefore 715–825 → 719–831 (up 4 and up 6). Nothing else in the plan moved.
    assert set(plan) == {"uncovered_low", "uncovered_high", "planned_low", "planned_high"}
    assert (plan["uncovered_low"]["change"], plan["uncovered_low"]["direction"]) == (
        str(-6 * M),
        "down",
    )
    assert (plan["uncovered_high"]["before"], plan["uncovered_high"]["after"]) == (
        str(60 * M),
        str(56 * M),
    )
    assert plan["planned_high"]["direction"] == "up"

    outlook = {c["figure"]: c for c in changes["outlook"]}
    # The forecasts: deviation −10 → −20 (down 10); required now 150 + 10 = 160 → 150 + 20 = 170;
    # uncovered now 70–84 → 85–99 (both ends up 15).
    assert changes["outlook_years"] == [2026]
    assert outlook["deviation"]["change"] == str(-10 * M)
    assert (outlook["required_now"]["before"], outlook["required_now"]["after"]) == (
        str(160 * M),
        str(170 * M),
    )
    assert outlook["uncovered_low"]["change"] == outlook["uncovered_high"]["change"] == str(15 * M)
    assert outlook["uncovered_high"]["direction"] == "up"

    kinds = measure_change_kinds(changes["status_changes"])
    assert [(c["code"], c["before"], c["after"]) for c in kinds["status"]] == [
        ("M01", "proposed", "decided")
    ]
    assert [(c["code"], c["light_before"], c["light_after"]) for c in kinds["light"]] == [
        ("M02", "on_track", "at_risk")
    ]
    assert [(c["code"], c["before"]) for c in kinds["cancelled"]] == [("M04", "decided")]
    assert [c["code"] for c in changes["new_measures"]] == ["M15"]
    assert changes["removed_measures"] == []


def test_a_previous_report_without_an_outlook_gives_no_outlook_change():
    before = _snapshot(uncovered=(-56, 56), outlook=None, measures=[])
    changes = report_changes(before, OCTOBER)
    assert changes["outlook"] == [] and changes["outlook_years"] == []
    assert changes["figures"] == [], "the plan's figures are the same"
    assert report_changes(None, OCTOBER)["outlook_years"] == []


def test_how_an_uncovered_range_moved():
    # 70–84 → 85–99: both ends up 15, so the range moved up by 15
    assert range_change((70 * M, 84 * M), (85 * M, 99 * M)) == {"direction": "up", "size": 15 * M}
    # −50–60 → −56–56: low −6, high −4; the midpoint 5 → 0 went down, by no single amount
    assert range_change((-50 * M, 60 * M), (-56 * M, 56 * M)) == {"direction": "down", "size": None}
    assert range_change((1 * M, 2 * M), (1 * M, 2 * M))["direction"] == "same"


def test_the_measures_that_need_a_decision_or_are_late_come_first_largest_first():
    measures = [
        _measure("M01", "proposed", "at_risk", 10, 12),
        _measure("M02", "in_progress", "at_risk", 20, 25),  # at risk but decided: not listed
        _measure("M07", "delayed", "late", 50, 60),
        _measure("M08", "proposed", "at_risk", 50, 60),
        _measure("M12", "proposed", "at_risk", 21, 25),
        _measure("M13", "cancelled", "cancelled", 90, 99),
    ]
    # late first (M07), then proposed by the high end: M08 60, M12 25, (M01 12 is the fourth)
    assert [m["code"] for m in measures_needing_attention(measures)] == ["M07", "M08", "M12"]
    assert measures_needing_attention([_measure("M05", "done", "on_track", 1, 1)]) == []


def test_the_area_lines_add_up_to_the_region_with_an_unsplit_region_wide_measure():
    effects = pd.DataFrame.from_records(
        [
            # M01 region-wide, split 50/30/20; M15 region-wide, split nowhere
            ("M01", "M01", "Inköp", None, "decided", 2024, 25 * M, 28 * M, 10 * M),
            ("M02", "M02", "Bemanning", "LSO-SOM", "in_progress", 2024, 60 * M, 62 * M, 0 * M),
            ("M15", "M15", "Inköp", None, "in_progress", 2024, 2 * M, 3 * M, 1 * M),
            ("M16", "M16", "Inköp", "NSO-N", "in_progress", 2024, 4 * M, 4 * M, 0 * M),
        ],
        columns=EFFECT_COLUMNS,
    )
    shares = pd.DataFrame(
        {
            "code": ["M01", "M01", "M01"],
            "area_code": ["LSO-SOM", "LSO-PSY", "NSO-N"],
            "share": [Decimal(50), Decimal(30), Decimal(20)],
        }
    )
    by_area = gap_by_group(
        attribute_to_areas(effects, shares),
        by="area_code",
        year=2024,
        required={"LSO-SOM": 80 * M, "LSO-PSY": 10 * M, "NSO-N": 12 * M},
        unassigned=True,
    )
    rows = by_area.to_dict("records")
    assert rows[-1]["area_code"] is None, "the unsplit line comes last"
    assert (rows[-1]["planned_low"], rows[-1]["planned_high"], rows[-1]["realised"]) == (
        2 * M,
        3 * M,
        1 * M,
    )
    assert rows[-1]["required"] is None and rows[-1]["coverage_low"] is None
    total = group_totals(rows)
    # The region: 25 + 60 + 2 + 4 = 91 … 28 + 62 + 3 + 4 = 97; realised 10 + 1 = 11;
    # required: the three areas' targets, 80 + 10 + 12 = 102.
    assert (total["planned_low"], total["planned_high"]) == (91 * M, 97 * M)
    assert total["realised"] == 11 * M
    assert total["required"] == 102 * M
    # Without the unsplit line, M15 is missing and the areas add up to 89–94 only.
    without = gap_by_group(attribute_to_areas(effects, shares), by="area_code", year=2024)
    assert group_totals(without.to_dict("records"))["planned_low"] == 89 * M
    # An area without a target: the total has none either.
    partial = gap_by_group(
        attribute_to_areas(effects, shares),
        by="area_code",
        year=2024,
        required={"LSO-SOM": 80 * M},
        unassigned=True,
    )
    assert group_totals(partial.to_dict("records"))["required"] is None


def test_a_snapshots_area_lines_with_amounts_as_strings_add_up_too():
    rows = [
        {"code": "LSO-SOM", "required": "80000000.00", "planned_low": "72500000.00",
         "planned_high": "76000000.00", "realised": "5000000.00"},
        {"code": None, "planned_low": "2000000.00", "planned_high": "3000000.00",
         "realised": "1000000.00"},
    ]  # fmt: skip
    # 72.5 + 2 = 74.5; 76 + 3 = 79; 5 + 1 = 6; the one area's target 80
    assert group_totals(rows, key="code") == {
        "planned_low": Decimal("74.5") * M,
        "planned_high": 79 * M,
        "realised": 6 * M,
        "required": 80 * M,
    }
