"""The gap arithmetic, against figures computed by hand. No database."""

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from measures.calculations import attribute_to_areas
from regionbudget.gap.calculations import (
    EFFECT_COLUMNS,
    closing_probability,
    gap_bridge,
    gap_by_group,
    gap_by_year,
    light_counts,
    months_elapsed,
    scope_effects,
    scope_required,
)

M = Decimal("1000000")  # one MSEK in SEK
SEED = Path(__file__).resolve().parents[2] / "regionbudget" / "demo_data" / "measures.csv"
REQUIRED = {2024: 324 * M, 2025: 550 * M, 2026: 775 * M}
YEARS = [2024, 2025, 2026]


def _effects(rows) -> pd.DataFrame:
    return pd.DataFrame.from_records(rows, columns=EFFECT_COLUMNS)


def _row(
    code, year, low, high, *, status="in_progress", category="Inköp", area="LSO-SOM", realised=0
):
    return {
        "code": code,
        "title": code,
        "category": category,
        "area_code": area,
        "status": status,
        "year": year,
        "low": Decimal(low) * M,
        "high": Decimal(high) * M,
        "realised": Decimal(realised) * M,
    }


@pytest.fixture
def seed() -> pd.DataFrame:
    """measures.csv as effects: one row per measure and year, amounts in SEK."""
    with SEED.open(encoding="utf-8") as fh:
        measures = list(csv.DictReader(fh))
    return _effects(
        _row(
            m["code"],
            year,
            m[f"y{year}_low"],
            m[f"y{year}_high"],
            status=m["status"],
            category=m["category"],
            area=m["owner_area"],
        )
        for m in measures
        for year in YEARS
    )


def test_the_seed_case_gap_per_year(seed):
    gap = gap_by_year(seed, REQUIRED, years=YEARS).set_index("year")
    # 2024: lows 25+60+15+8+0+20+10+10+10+5+3+4+4+1 = 175,
    #       highs 28+62+17+10+0+21+12+11+11+6+4+4+5+1 = 192
    assert gap.loc[2024, "planned_low"] == 175 * M
    assert gap.loc[2024, "planned_high"] == 192 * M
    # uncovered: 324 − 192 = 132 … 324 − 175 = 149
    assert gap.loc[2024, "uncovered_low"] == 132 * M
    assert gap.loc[2024, "uncovered_high"] == 149 * M
    # 2025: 461–541 (from the issue)
    assert (gap.loc[2025, "planned_low"], gap.loc[2025, "planned_high"]) == (461 * M, 541 * M)
    # 2026: 719–831 against 775: between 56 short and 56 over
    assert (gap.loc[2026, "planned_low"], gap.loc[2026, "planned_high"]) == (719 * M, 831 * M)
    assert (gap.loc[2026, "uncovered_low"], gap.loc[2026, "uncovered_high"]) == (-56 * M, 56 * M)
    # coverage 2024: 175/324 = 54.0 %, 192/324 = 59.3 %
    assert gap.loc[2024, "coverage_low"] == Decimal("54.0")
    assert gap.loc[2024, "coverage_high"] == Decimal("59.3")
    assert all(isinstance(v, Decimal) for v in gap.loc[2024, ["planned_low", "expected"]])


def test_the_seed_case_expected_effect_2024(seed):
    # midpoints × weight: in progress (26.5+61+16+20.5+10.5+5.5+4.5) × 0.8 = 115.6;
    # decided (9+0+3.5+1) × 0.6 = 8.1; delayed 11 × 0.5 = 5.5; proposed (10.5+4) × 0.4 = 5.8
    gap = gap_by_year(seed, REQUIRED, years=[2024]).set_index("year")
    assert gap.loc[2024, "expected"] == Decimal("135.0") * M


def test_finance_can_change_the_weights(seed):
    everything_counts = dict.fromkeys(
        ["proposed", "decided", "in_progress", "done", "delayed"], Decimal(1)
    )
    gap = gap_by_year(seed, REQUIRED, years=[2024], weights=everything_counts)
    # all midpoints: (175 + 192) / 2 = 183.5
    assert gap["expected"][0] == Decimal("183.5") * M


def test_no_measures_leaves_the_whole_requirement_uncovered():
    gap = gap_by_year(_effects([]), REQUIRED, years=YEARS).set_index("year")
    assert gap.loc[2024, "planned_low"] == 0
    assert gap.loc[2024, "uncovered_low"] == gap.loc[2024, "uncovered_high"] == 324 * M
    assert gap.loc[2026, "coverage_high"] == Decimal("0.0")


def test_cancelled_measures_leave_the_planned_range_and_the_expectation(seed):
    all_cancelled = seed.assign(status="cancelled", realised=[Decimal(2) * M] * len(seed))
    gap = gap_by_year(all_cancelled, REQUIRED, years=[2024]).set_index("year")
    assert gap.loc[2024, "planned_low"] == gap.loc[2024, "planned_high"] == 0
    assert gap.loc[2024, "expected"] == 0
    assert gap.loc[2024, "uncovered_high"] == 324 * M
    # money saved before a measure was cancelled stays saved: 14 measures × 2
    assert gap.loc[2024, "realised"] == 28 * M


def test_one_cancelled_measure_leaves_the_totals(seed):
    seed.loc[seed["code"] == "M02", "status"] = "cancelled"
    gap = gap_by_year(seed, REQUIRED, years=[2024]).set_index("year")
    # 175 − 60 = 115, 192 − 62 = 130
    assert (gap.loc[2024, "planned_low"], gap.loc[2024, "planned_high"]) == (115 * M, 130 * M)


def test_a_surplus_year_shows_negative_uncovered():
    effects = _effects([_row("A", 2025, 400, 500), _row("B", 2025, 200, 220)])
    gap = gap_by_year(effects, {2025: 550 * M}, years=[2025])
    # planned 600–720 against 550: 50–170 more than required
    assert gap["uncovered_low"][0] == -170 * M
    assert gap["uncovered_high"][0] == -50 * M
    assert gap["coverage_high"][0] == Decimal("130.9")  # 720/550


def test_a_year_without_a_target_has_no_uncovered_figure():
    effects = _effects([_row("A", 2027, 10, 20)])
    gap = gap_by_year(effects, REQUIRED, years=[2027]).set_index("year")
    assert gap.loc[2027, "required"] is None
    assert gap.loc[2027, "uncovered_low"] is None
    assert gap.loc[2027, "coverage_low"] is None
    assert gap.loc[2027, "planned_high"] == 20 * M


def test_a_region_wide_measure_split_across_areas_is_counted_once():
    effects = _effects(
        [
            _row("M01", 2024, 25, 28, area=None, realised=10),
            _row("M02", 2024, 60, 62, area="LSO-SOM"),
        ]
    )
    shares = pd.DataFrame(
        {
            "code": ["M01", "M01"],
            "area_code": ["LSO-SOM", "LSO-PSY"],
            "share": [Decimal(60), Decimal(40)],
        }
    )
    attributed = attribute_to_areas(effects, shares)
    # region totals: 25 + 60 = 85 … 28 + 62 = 90, the split measure once
    assert sum(attributed["low"]) == 85 * M
    assert sum(attributed["high"]) == 90 * M
    somatik = scope_effects(effects, shares, area_codes=["LSO-SOM"])
    # 60 % of 25–28 = 15–16.8, plus M02 60–62
    gap = gap_by_year(somatik, {}, years=[2024])
    assert gap["planned_low"][0] == Decimal("75") * M
    assert gap["planned_high"][0] == Decimal("78.8") * M
    assert gap["realised"][0] == 6 * M  # 60 % of 10
    psykiatri = gap_by_year(
        scope_effects(effects, shares, area_codes=["LSO-PSY"]), {}, years=[2024]
    )
    assert (psykiatri["planned_low"][0], psykiatri["planned_high"][0]) == (
        10 * M,
        Decimal("11.2") * M,
    )
    region = gap_by_year(scope_effects(effects, shares), {}, years=[2024])
    assert (region["planned_low"][0], region["planned_high"][0]) == (85 * M, 90 * M)


def test_a_scope_of_several_areas_adds_their_shares_and_leaves_out_unsplit_measures():
    effects = _effects(
        [
            _row("M01", 2024, 25, 28, area=None, realised=10, status="decided"),
            _row("M02", 2024, 60, 62, area="LSO-SOM"),
            _row("M15", 2024, 2, 3, area=None),  # region-wide, no shares
            _row("M16", 2024, 4, 4, area="NSO-N"),
        ]
    )
    shares = pd.DataFrame(
        {
            "code": ["M01", "M01", "M01"],
            "area_code": ["LSO-SOM", "LSO-PSY", "NSO-N"],
            "share": [Decimal(50), Decimal(30), Decimal(20)],
        }
    )
    both = scope_effects(effects, shares, area_codes=["LSO-PSY", "NSO-N"])
    # One row per area in scope: M16 in full, M01 30 % and 20 %; neither M02 nor M15.
    assert sorted(zip(both["code"], both["area_code"], strict=True)) == [
        ("M01", "LSO-PSY"),
        ("M01", "NSO-N"),
        ("M16", "NSO-N"),
    ]
    gap = gap_by_year(both, {2024: 20 * M}, years=[2024])
    # 50 % of 25–28 = 12.5–14, plus M16 4–4 → 16.5–18; realised 50 % of 10 = 5
    assert (gap["planned_low"][0], gap["planned_high"][0]) == (Decimal("16.5") * M, 18 * M)
    assert gap["realised"][0] == 5 * M
    # expected: decided 0.6 × 13.25 + in progress 0.8 × 4 = 7.95 + 3.2 = 11.15
    assert gap["expected"][0] == Decimal("11.15") * M
    assert (gap["uncovered_low"][0], gap["uncovered_high"][0]) == (2 * M, Decimal("3.5") * M)
    # The region counts M15 whole and M01 once: 25 + 60 + 2 + 4 = 91 … 28 + 62 + 3 + 4 = 97
    region = gap_by_year(scope_effects(effects, shares), {}, years=[2024])
    assert (region["planned_low"][0], region["planned_high"][0]) == (91 * M, 97 * M)
    by_area = gap_by_group(attribute_to_areas(effects, shares), by="area_code", year=2024)
    by_area = by_area.set_index("area_code")
    assert by_area.loc["NSO-N", "planned_low"] == 9 * M  # 20 % of 25 + 4
    assert by_area.loc["LSO-SOM", "realised"] == 5 * M  # 50 % of 10
    assert sorted(by_area.index) == ["LSO-PSY", "LSO-SOM", "NSO-N"], "unsplit M15 has no area"


def test_gap_per_category_in_the_seed_case(seed):
    by_category = gap_by_group(seed, by="category", year=2024).set_index("category")
    # Bemanning: M02 60–62 + M10 5–6 = 65–68; Vårdstruktur: M04 8–10 + M08 10–11 = 18–21
    assert (
        by_category.loc["Bemanning", "planned_low"],
        by_category.loc["Bemanning", "planned_high"],
    ) == (65 * M, 68 * M)
    assert (
        by_category.loc["Vårdstruktur", "planned_low"],
        by_category.loc["Vårdstruktur", "planned_high"],
    ) == (18 * M, 21 * M)
    assert by_category.index[0] == "Bemanning", "largest first"
    assert sum(by_category["planned_low"]) == 175 * M


def test_coverage_per_area_against_area_targets(seed):
    by_area = gap_by_group(
        seed, by="area_code", year=2024, required={"LSO-SOM": 120 * M, "FTV": 5 * M}
    ).set_index("area_code")
    # LSO-SOM: M02 60–62 + M03 15–17 + M08 10–11 = 85–90 of 120 → 70.8–75.0 %
    assert (by_area.loc["LSO-SOM", "planned_low"], by_area.loc["LSO-SOM", "planned_high"]) == (
        85 * M,
        90 * M,
    )
    assert (by_area.loc["LSO-SOM", "coverage_low"], by_area.loc["LSO-SOM", "coverage_high"]) == (
        Decimal("70.8"),
        Decimal("75.0"),
    )
    # FTV: M14 1–1 of 5 → 20 %
    assert by_area.loc["FTV", "coverage_low"] == Decimal("20.0")
    assert by_area.loc["NSO-N", "required"] is None


def test_the_gap_bridge_2024_at_the_low_end(seed):
    steps = gap_bridge(seed, year=2024, required=324 * M)
    assert steps[0].label == "required" and steps[0].amount == 324 * M
    assert steps[1].label == "Bemanning" and steps[1].amount == -65 * M
    assert steps[-1].kind == "uncovered"
    assert steps[-1].amount == 149 * M  # 324 − 175
    assert sum(s.amount for s in steps[1:-1]) == -175 * M
    assert "Styrning" not in [s.label for s in steps], "M05 gives 0 in 2024: no empty bar"


def test_the_gap_bridge_at_the_high_end(seed):
    assert gap_bridge(seed, year=2024, required=324 * M, end="high")[-1].amount == 132 * M


def test_closing_probability_is_stable_and_sensible(seed):
    first = closing_probability(seed, REQUIRED, years=YEARS)
    again = closing_probability(seed, REQUIRED, years=YEARS)
    assert first == again, "a fixed seed keeps the page stable"
    # 2024: even every measure at its high end gives 192 < 324: impossible
    assert first[2024] == Decimal("0.000")
    assert Decimal("0") <= first[2026] <= Decimal("1")


def test_closing_probability_edge_cases():
    certain = _effects([_row("A", 2024, 100, 100, status="done")])
    assert closing_probability(certain, {2024: 100 * M}, years=[2024])[2024] == Decimal("1.000")
    # one measure "decided" (60 %) that covers the need whenever it delivers: about 0.6
    coin = _effects([_row("A", 2024, 100, 120, status="decided")])
    p = closing_probability(coin, {2024: 100 * M}, years=[2024])[2024]
    assert Decimal("0.57") < p < Decimal("0.63")
    # the need is met by half the range: 50 % of draws reach 110 of 100–120, times done 100 %
    half = _effects([_row("A", 2024, 100, 120, status="done")])
    p = closing_probability(half, {2024: 110 * M}, years=[2024])[2024]
    assert Decimal("0.47") < p < Decimal("0.53")
    assert closing_probability(_effects([]), {2024: 1 * M}, years=[2024, 2025]) == {
        2024: Decimal("0.000"),
        2025: None,
    }


def _kronor(code, low, high, *, status="done"):
    """A 2024 effect whose range is ``low``–``high`` whole kronor (not millions)."""
    return {**_row(code, 2024, 0, 0, status=status), "low": Decimal(low), "high": Decimal(high)}


def test_closing_probability_draws_every_whole_krona_of_the_range_evenly():
    # One sure measure of 0–1 kr: each end in half the draws, so reaching 1 kr is an even bet.
    p = closing_probability(_effects([_kronor("A", 0, 1)]), {2024: Decimal(1)}, years=[2024])
    assert Decimal("0.48") < p[2024] < Decimal("0.52")
    # Never above the high end, always at least the low end.
    sure = _effects([_kronor("A", 5, 9)])
    assert closing_probability(sure, {2024: Decimal(10)}, years=[2024])[2024] == Decimal("0.000")
    assert closing_probability(sure, {2024: Decimal(9)}, years=[2024])[2024] > Decimal("0.15")
    assert closing_probability(sure, {2024: Decimal(5)}, years=[2024])[2024] == Decimal("1.000")
    # Two sure measures of 0–100 kr: of the 101 × 101 equally likely pairs, 1 + 2 + … + 101 =
    # 5,151 reach 100 kr: 5151 / 10201 = 0.505.
    pair = _effects([_kronor("A", 0, 100), _kronor("B", 0, 100)])
    p = closing_probability(pair, {2024: Decimal(100)}, years=[2024])[2024]
    assert Decimal("0.49") < p < Decimal("0.52")


def test_closing_probability_weights_decide_how_often_a_measure_delivers():
    # A weight of 0 never delivers; "proposed" (40 %) covering the need alone: about 0.4.
    never = _effects([_kronor("A", 100, 100)])
    zero = closing_probability(
        never, {2024: Decimal(1)}, years=[2024], weights={"done": Decimal(0)}
    )
    assert zero[2024] == Decimal("0.000")
    proposed = _effects([_kronor("A", 100, 200, status="proposed")])
    p = closing_probability(proposed, {2024: Decimal(100)}, years=[2024])[2024]
    assert Decimal("0.37") < p < Decimal("0.43")
    # Two independent 60 % measures, each covering half: both deliver in 0.6 × 0.6 = 0.36.
    both = _effects([_kronor(c, 50, 50, status="decided") for c in ("A", "B")])
    p = closing_probability(both, {2024: Decimal(100)}, years=[2024])[2024]
    assert Decimal("0.33") < p < Decimal("0.39")


def test_the_requirement_of_a_scope():
    plan_wide = {2024: 324 * M, 2025: 550 * M}
    by_area = {2024: {"LSO-SOM": 120 * M, "FTV": 5 * M}, 2025: {"LSO-SOM": 200 * M}}
    assert scope_required(plan_wide, by_area, None, YEARS) == plan_wide
    assert scope_required(plan_wide, by_area, ["LSO-SOM", "FTV"], YEARS) == {2024: 125 * M}
    assert scope_required(plan_wide, by_area, ["LSO-SOM"], YEARS) == {2024: 120 * M, 2025: 200 * M}
    assert scope_required(plan_wide, by_area, [], YEARS) == {}, "no areas, no requirement"


def test_months_elapsed_at_a_meeting():
    assert months_elapsed(2024, dt.date(2024, 9, 17)) == 8
    assert months_elapsed(2024, dt.date(2024, 1, 31)) == 0
    assert months_elapsed(2024, dt.date(2025, 2, 1)) == 12
    assert months_elapsed(2025, dt.date(2024, 12, 31)) == 0


def test_lights_are_counted_per_owning_area():
    measures = [
        {"area_code": "LSO-SOM", "light": "on_track"},
        {"area_code": "LSO-SOM", "light": "at_risk"},
        {"area_code": "LSO-SOM", "light": "on_track"},
        {"area_code": None, "light": "late"},
        {"area_code": "FTV", "light": "cancelled"},
    ]
    assert light_counts(measures) == {
        "LSO-SOM": {"on_track": 2, "at_risk": 1},
        "FTV": {"cancelled": 1},
    }


def test_closing_probability_adds_whole_kronor_exactly_even_past_floating_points_range():
    """91 sure measures of 99,000,000,000,000 kr (just below the largest amount): 9,009,000,000,
    000,000 kr in all, above 2**53, where floating point no longer holds every whole krona. A need
    of one krona more is not covered (as floats, the need would round down to the total)."""
    rows = _effects([_kronor(f"M{i}", 99 * 10**12, 99 * 10**12) for i in range(91)])
    total = Decimal(91 * 99 * 10**12)
    assert total > 2**53 and float(total + 1) == float(total)
    assert closing_probability(rows, {2024: total}, years=[2024])[2024] == Decimal("1.000")
    assert closing_probability(rows, {2024: total + 1}, years=[2024])[2024] == Decimal("0.000")


def test_closing_probability_is_the_same_drawn_in_floats_or_in_integers(seed, monkeypatch):
    """The fast path (floats, for amounts far below 2**53) gives the same figures as integers."""
    import regionbudget.gap.calculations as calculations

    cases = [
        (seed, REQUIRED, YEARS),
        (_effects([_kronor("A", 0, 100), _kronor("B", 0, 100)]), {2024: Decimal(100)}, [2024]),
        (_effects([_kronor("A", 100, 200, status="proposed")]), {2024: Decimal(150)}, [2024]),
        (_effects([_kronor(c, 50, 90, status="decided") for c in "AB"]), {2024: 120}, [2024]),
    ]
    fast = [closing_probability(rows, need, years=years) for rows, need, years in cases]
    assert any(Decimal("0.1") < p < Decimal("0.9") for result in fast for p in result.values())
    monkeypatch.setattr(calculations, "_FLOAT_EXACT", 0)  # every year on the integer path
    assert [closing_probability(rows, need, years=years) for rows, need, years in cases] == fast
