"""The dashboard's coverage-per-area chart reads at any number of areas: with more areas than
``COVERAGE_AREA_BARS`` it shows the ones whose measures cover least of their target, lowest
first, and says so; the table beside it still lists every area."""

from decimal import Decimal

import pandas as pd
from django.utils import translation

from regionbudget.gap.calculations import (
    EFFECT_COLUMNS,
    gap_by_group,
    gap_by_year,
    lowest_coverage,
)
from regionbudget.gap.charts import COVERAGE_AREA_BARS
from regionbudget.gap.dashboard import gap_page
from regionbudget.gap.selectors import GapData

M = Decimal("1000000")

# Area code: (planned low, planned high) in MSEK for 2024; every area's target is 100 MSEK,
# so the coverage in % is the MSEK figure itself.
AREAS = {
    "A01": (90, 95),
    "A02": (10, 40),  # lowest low end
    "A03": (55, 60),
    "A04": (30, 35),
    "A05": (70, 70),
    "A06": (20, 22),
    "A07": (30, 31),  # same low end as A04, lower high end: before A04
    "A08": (99, 99),
    "A09": (45, 80),
    "A10": (65, 66),
    "A11": (15, 15),
    "A12": (50, 50),
}
# Lowest low end first; the two at 30 % by their high end (A07 31 % before A04 35 %).
LOWEST_TEN = ["A02", "A11", "A06", "A07", "A04", "A09", "A12", "A03", "A10", "A05"]


def _effects(areas: dict) -> pd.DataFrame:
    return pd.DataFrame.from_records(
        [
            (f"M-{code}", f"M-{code}", "Inköp", code, "decided", 2024, lo * M, hi * M, 0 * M)
            for code, (lo, hi) in areas.items()
        ],
        columns=EFFECT_COLUMNS,
    )


def _by_area(areas: dict, *, without_target: tuple = ()) -> pd.DataFrame:
    required = {code: 100 * M for code in areas if code not in without_target}
    return gap_by_group(_effects(areas), by="area_code", year=2024, required=required)


def test_at_most_ten_areas_are_all_shown_in_their_order():
    few = dict(list(AREAS.items())[:COVERAGE_AREA_BARS])
    by_area = _by_area(few)
    shown = lowest_coverage(by_area, by="area_code", count=COVERAGE_AREA_BARS)
    assert list(shown["area_code"]) == list(by_area["area_code"])


def test_with_more_areas_the_ten_covering_least_are_shown_lowest_first():
    assert COVERAGE_AREA_BARS == 10
    shown = lowest_coverage(_by_area(AREAS), by="area_code", count=COVERAGE_AREA_BARS)
    assert list(shown["area_code"]) == LOWEST_TEN
    assert [str(v) for v in shown["coverage_low"]] == [
        "10.0",
        "15.0",
        "20.0",
        "30.0",
        "30.0",
        "45.0",
        "50.0",
        "55.0",
        "65.0",
        "70.0",
    ]


def test_an_area_without_a_target_is_never_shown_or_counted():
    # A02 (the lowest) has no target: nothing to cover, so A01 (90 %) gets the last place.
    shown = lowest_coverage(
        _by_area(AREAS, without_target=("A02",)), by="area_code", count=COVERAGE_AREA_BARS
    )
    assert "A02" not in list(shown["area_code"])
    assert list(shown["area_code"]) == [*LOWEST_TEN[1:], "A01"]


def _data(areas: dict) -> GapData:
    effects = _effects(areas)
    required = dict.fromkeys(areas, 100 * M)
    return GapData(
        years=[2024],
        area_codes=None,
        by_year=gap_by_year(effects, {2024: 100 * M * len(areas)}, years=[2024]),
        probability={2024: None},
        bridge=[],
        by_area=gap_by_group(effects, by="area_code", year=2024, required=required),
        by_category=gap_by_group(effects, by="category", year=2024),
        measures=effects,
        weights={},
        area_names={code: f"Område {code}" for code in areas},
        area_ids={code: index for index, code in enumerate(areas, start=1)},
    )


def test_the_dashboard_chart_shows_ten_bars_and_says_which_while_the_table_has_all():
    with translation.override("sv"):
        page = gap_page(_data(AREAS), year=2024, language="sv")
    low, span = page.area_chart["data"]
    assert low["y"] == [f"Område {code}" for code in LOWEST_TEN]
    assert low["x"] == [10.0, 15.0, 20.0, 30.0, 30.0, 45.0, 50.0, 55.0, 65.0, 70.0]
    # the range bar starts at the low end: A02 40 − 10 = 30 points
    assert span["x"][0] == 30.0
    assert page.area_chart_note == (
        "Diagrammet visar de 10 områden (av 12 med mål) vars åtgärder täcker minst av sitt mål, "
        "lägst först; tabellen listar alla områden."
    )
    assert len(page.area_rows) == 12, "the table lists every area"


def test_with_ten_areas_the_chart_has_them_all_and_no_note():
    few = dict(list(AREAS.items())[:COVERAGE_AREA_BARS])
    with translation.override("sv"):
        page = gap_page(_data(few), year=2024, language="sv")
    low, _span = page.area_chart["data"]
    assert len(low["y"]) == 10
    assert page.area_chart_note == ""
