"""Totals of the register, computed by hand from measures.csv (no database)."""

import datetime as _dt
from decimal import Decimal

import pandas as pd

from measures.calculations import (
    EFFECT_COLUMNS,
    Totals,
    attribute_to_areas,
    decision_missing,
    effect_totals,
    first_year_fraction,
    moves_to_decided,
    pro_rata_effects,
    rows_for_year,
    scope_to_areas,
    shares_total,
    split_by_area,
    totals_by_year,
    year_total,
)

M = Decimal("1000000")
D = Decimal

# measures.csv: code, owner, status, (2024 low, high), (2025 …), (2026 …) in MSEK
SEED = [
    ("M01", None, "in_progress", (25, 28), (60, 70), (95, 105)),
    ("M02", "LSO-SOM", "in_progress", (60, 62), (150, 170), (205, 230)),
    ("M03", "LSO-SOM", "in_progress", (15, 17), (35, 45), (50, 60)),
    ("M04", "NSO-N", "decided", (8, 10), (20, 25), (30, 40)),
    ("M05", "HSN-GEM", "decided", (0, 0), (15, 20), (30, 40)),
    ("M06", "HSN-GEM", "in_progress", (20, 21), (55, 60), (95, 100)),
    ("M07", "HSN-GEM", "delayed", (10, 12), (30, 35), (50, 60)),
    ("M08", "LSO-SOM", "proposed", (10, 11), (30, 35), (50, 60)),
    ("M09", "HSN-GEM", "in_progress", (10, 11), (20, 25), (30, 35)),
    ("M10", "NSO-S", "in_progress", (5, 6), (15, 18), (25, 30)),
    ("M11", "NSO-V", "decided", (3, 4), (8, 10), (15, 18)),
    ("M12", "HSN-GEM", "proposed", (4, 4), (10, 12), (21, 25)),
    ("M13", "LSO-PSY", "in_progress", (4, 5), (10, 12), (18, 22)),
    ("M14", "FTV", "decided", (1, 1), (3, 4), (5, 6)),
]
SHARES = pd.DataFrame(
    {
        "code": ["M01"] * 8,
        "area_code": ["LSO-SOM", "LSO-PSY", "NSO-S", "NSO-N", "NSO-V", "FTV", "RPK", "HSN-GEM"],
        "share": [D(45), D(8), D(12), D(9), D(7), D(4), D(3), D(12)],
    },
    dtype=object,
)


def _effects(seed=SEED, realised=None) -> pd.DataFrame:
    realised = realised or {}
    records = []
    for pk, (code, area, status, *ranges) in enumerate(seed, start=1):
        for year, (low, high) in zip((2024, 2025, 2026), ranges, strict=True):
            records.append(
                {
                    "measure_id": pk,
                    "code": code,
                    "title": code,
                    "category": "X",
                    "area_code": area,
                    "status": status,
                    "year": year,
                    "low": D(low) * M,
                    "high": D(high) * M,
                    "realised": realised.get((code, year), D(0)),
                }
            )
    return pd.DataFrame(
        {c: pd.Series([r[c] for r in records], dtype=object) for c in EFFECT_COLUMNS}
    )


def test_the_seed_totals_match_the_press_release_figures():
    totals = totals_by_year(_effects(), years=[2024, 2025, 2026])
    assert list(totals["low"]) == [175 * M, 461 * M, 719 * M]
    assert list(totals["high"]) == [192 * M, 541 * M, 831 * M]
    assert all(isinstance(v, Decimal) for v in totals["low"])


def test_a_cancelled_measure_leaves_the_planned_totals_but_keeps_its_realised_effect():
    seed = [*SEED[:-1], ("M14", "FTV", "cancelled", (1, 1), (3, 4), (5, 6))]
    effects = _effects(seed, realised={("M14", 2024): D("250000")})
    totals = effect_totals(rows_for_year(effects, year=2024))
    # 175 − 1 and 192 − 1; the 0.25 MSEK saved before cancelling still counts.
    assert totals.low == 174 * M
    assert totals.high == 191 * M
    assert totals.realised == D("250000")


def test_an_area_sees_its_own_measures_and_its_share_of_region_wide_ones():
    rows = rows_for_year(scope_to_areas(_effects(), SHARES, area_codes=["LSO-SOM"]), year=2024)
    assert sorted(rows["code"]) == ["M01", "M02", "M03", "M08"]
    totals = effect_totals(rows)
    # M02 60 + M03 15 + M08 10 + 45 % of M01's 25 = 11.25 → 96.25; high 62+17+11+12.6 = 102.6
    assert totals.low == D("96.25") * M
    assert totals.high == D("102.6") * M
    m01 = rows[rows["code"] == "M01"].iloc[0]
    assert m01["share"] == D(45)


def test_the_region_counts_a_region_wide_measure_once_and_the_areas_add_up_to_it():
    effects = _effects()
    region = effect_totals(
        rows_for_year(scope_to_areas(effects, SHARES, area_codes=None), year=2026)
    )
    areas = sorted(set(SHARES["area_code"]))
    per_area = [
        effect_totals(rows_for_year(scope_to_areas(effects, SHARES, area_codes=[a]), year=2026))
        for a in areas
    ]
    assert region.low == 719 * M
    assert sum((t.low for t in per_area), D(0)) == 719 * M
    assert sum((t.high for t in per_area), D(0)) == 831 * M


def test_a_director_of_two_areas_gets_the_sum_of_both_shares():
    rows = scope_to_areas(_effects(), SHARES, area_codes=["LSO-PSY", "RPK"])
    m01 = rows[(rows["code"] == "M01") & (rows["year"] == 2025)].iloc[0]
    assert m01["share"] == D(11)
    assert m01["low"] == D("6.6") * M  # 11 % of 60


def test_attribution_gives_each_area_its_part_and_keeps_an_unsplit_measure_whole():
    # M01 is region-wide with shares 60/40, M15 is region-wide without shares, M02 is owned.
    seed = [
        ("M01", None, "in_progress", (25, 28), (0, 0), (0, 0)),
        ("M02", "LSO-SOM", "in_progress", (60, 62), (0, 0), (0, 0)),
        ("M15", None, "decided", (2, 3), (0, 0), (0, 0)),
    ]
    shares = pd.DataFrame(
        {"code": ["M01", "M01"], "area_code": ["LSO-SOM", "LSO-PSY"], "share": [D(60), D(40)]},
        dtype=object,
    )
    effects = rows_for_year(_effects(seed, realised={("M01", 2024): D(10) * M}), year=2024)
    rows = attribute_to_areas(effects, shares)
    by = {(r["code"], r["area_code"]): r for r in rows.to_dict("records")}
    assert list(by) == [
        ("M02", "LSO-SOM"),
        ("M15", None),
        ("M01", "LSO-SOM"),
        ("M01", "LSO-PSY"),
    ], "owned, unsplit, then split"
    # 60 % of 25–28 = 15–16.8 and of realised 10 = 6; 40 % = 10–11.2 and 4
    assert (by["M01", "LSO-SOM"]["low"], by["M01", "LSO-SOM"]["high"]) == (15 * M, D("16.8") * M)
    assert by["M01", "LSO-SOM"]["realised"] == 6 * M
    assert (by["M01", "LSO-PSY"]["low"], by["M01", "LSO-PSY"]["realised"]) == (10 * M, 4 * M)
    assert by["M01", "LSO-PSY"]["share"] == D(40)
    # Unsplit and owned measures keep their whole effect, share 100.
    assert (by["M15", None]["low"], by["M15", None]["share"]) == (2 * M, D(100))
    assert (by["M02", "LSO-SOM"]["high"], by["M02", "LSO-SOM"]["share"]) == (62 * M, D(100))
    # Over all areas each measure counts once: 25 + 60 + 2 = 87 … 28 + 62 + 3 = 93.
    assert effect_totals(rows) == effect_totals(effects)
    assert effect_totals(rows).low == 87 * M


def test_an_area_sees_nothing_of_a_region_wide_measure_without_shares():
    seed = [("M15", None, "decided", (2, 3), (0, 0), (0, 0))]
    effects = _effects(seed)
    assert scope_to_areas(effects, SHARES, area_codes=["LSO-SOM"]).empty
    region = scope_to_areas(effects, SHARES, area_codes=None)
    assert effect_totals(rows_for_year(region, year=2024)).high == 3 * M


def test_a_director_of_two_areas_gets_one_row_with_both_parts_of_the_realised_effect():
    effects = _effects(realised={("M01", 2024): D(2) * M})
    rows = rows_for_year(scope_to_areas(effects, SHARES, area_codes=["NSO-S", "FTV"]), year=2024)
    m01 = rows[rows["code"] == "M01"]
    assert len(m01) == 1, "one row per measure in the register"
    m01 = m01.iloc[0]
    # 12 % + 4 % = 16 % of 25–28 = 4–4.48, of realised 2 = 0.32
    assert (m01["share"], m01["low"], m01["high"]) == (D(16), 4 * M, D("4.48") * M)
    assert m01["realised"] == D("0.32") * M
    assert m01["area_code"] is None, "still shown as region-wide"
    # NSO-S owns M10 (5–6), FTV owns M14 (1–1): 4 + 5 + 1 = 10 … 4.48 + 6 + 1 = 11.48
    assert effect_totals(rows) == Totals(10 * M, D("11.48") * M, D("0.32") * M)
    assert list(rows["code"]) == ["M01", "M10", "M14"], "in the register's order"


def test_shares_total_and_split_by_area():
    assert shares_total(SHARES["share"]) == D(100)
    by_year = pd.DataFrame(
        {"year": [2024], "low": [25 * M], "high": [28 * M], "realised": [D(10) * M]}, dtype=object
    )
    split = split_by_area(by_year, SHARES.iloc[:2])
    assert split[0]["area_code"] == "LSO-SOM"
    assert split[0]["years"][0]["low"] == D("11.25") * M
    assert split[1]["years"][0]["realised"] == D("0.8") * M


def test_empty_effects_give_zero_totals():
    empty = _effects(seed=[])
    totals = totals_by_year(empty, years=[2024])
    assert list(totals["low"]) == [D(0)]
    assert effect_totals(rows_for_year(empty, year=2024)).realised == D(0)


def test_a_year_total_adds_the_months_with_an_amount():
    months = [D("1.5") * M, None, D("-0.25") * M] + [None] * 9
    assert year_total(months) == D("1.25") * M
    assert year_total([None] * 12) == D(0)


# --- the lifecycle: decisions, one-off and recurring effects, pro rata ---------------------------


def test_twelve_a_year_from_the_first_of_september_is_four_that_year_and_twelve_the_next():
    # September to December: 4 of 12 months, so 12 × 4 / 12 = 4 mnkr in 2024, then 12 a year.
    assert first_year_fraction(_dt.date(2024, 9, 1)) == Decimal(4) / Decimal(12)
    effects = pro_rata_effects(
        low=12 * M, high=12 * M, start=_dt.date(2024, 9, 1), years=[2024, 2025, 2026]
    )
    assert effects == {2024: (4 * M, 4 * M), 2025: (12 * M, 12 * M), 2026: (12 * M, 12 * M)}


def test_a_range_is_pro_rated_at_both_ends():
    # 6–9 mnkr a year from 1 July: half a year, 3–4,5 in the first year.
    effects = pro_rata_effects(low=6 * M, high=9 * M, start=_dt.date(2025, 7, 1), years=[2025])
    assert effects == {2025: (3 * M, Decimal("4500000.00"))}


def test_a_one_off_effect_counts_only_in_its_year_a_recurring_one_carries_on():
    # 10 mnkr from 1 January 2024 over 2024–2026: one-off 10, 0, 0; recurring 10, 10, 10.
    start, years = _dt.date(2024, 1, 1), [2024, 2025, 2026]
    one_off = pro_rata_effects(low=10 * M, high=10 * M, start=start, years=years, recurring=False)
    assert one_off == {2024: (10 * M, 10 * M)}
    recurring = pro_rata_effects(low=10 * M, high=10 * M, start=start, years=years)
    assert recurring == dict.fromkeys(years, (10 * M, 10 * M))
    # Starting in 2025: nothing in 2024.
    later = pro_rata_effects(low=10 * M, high=10 * M, start=_dt.date(2025, 1, 1), years=years)
    assert set(later) == {2025, 2026}


def test_a_move_to_decided_needs_a_whole_decision():
    assert moves_to_decided("proposed", "decided") and moves_to_decided(None, "in_progress")
    assert not moves_to_decided("decided", "in_progress") and not moves_to_decided(None, "proposed")
    assert decision_missing(body="", reference=" ", date=None, consequence_analysis="") == [
        "decision_body",
        "decision_reference",
        "decision_date",
        "consequence_analysis",
    ]
    complete = {
        "body": "committee",
        "reference": "HSN 2023-12-19 § 12",
        "date": _dt.date(2023, 12, 19),
        "consequence_analysis": "Patienter: …",
    }
    assert decision_missing(**complete) == []
