"""The dashboard's figures carry the right data in their traces (MSEK), not just pictures."""

from decimal import Decimal

import pandas as pd

from regionbudget.gap.calculations import EFFECT_COLUMNS, gap_bridge, gap_by_group, gap_by_year
from regionbudget.gap.charts import (
    coverage_figure,
    deviation_picker_data,
    forecast_deviation_figure,
    gap_bridge_figure,
    gap_years_figure,
)

M = Decimal("1000000")
LABELS = {
    "required": "Krav",
    "planned_low": "Planerat lågt",
    "planned_range": "Planerat spann",
    "realised": "Utfall",
    "expected": "Förväntat",
    "uncovered": "Ofinansierat",
    "axis": "mnkr",
    "low": "Täckning lågt",
    "range": "Täckning spann",
}


def _effects():
    rows = [
        ("M01", "Inköp", "LSO-SOM", "in_progress", 2024, 25, 28, 3),
        ("M02", "Bemanning", "LSO-SOM", "in_progress", 2024, 60, 62, 10),
        ("M04", "Vårdstruktur", "NSO-N", "decided", 2024, 8, 10, 0),
        ("M02", "Bemanning", "LSO-SOM", "in_progress", 2025, 150, 170, 0),
    ]
    return pd.DataFrame.from_records(
        [
            (c, c, cat, area, status, year, low * M, high * M, real * M)
            for c, cat, area, status, year, low, high, real in rows
        ],
        columns=EFFECT_COLUMNS,
    )


def test_the_years_figure_shows_required_planned_range_realised_and_expected():
    gap = gap_by_year(_effects(), {2024: 324 * M, 2025: 550 * M}, years=[2024, 2025])
    figure = gap_years_figure(gap, labels=LABELS)
    traces = {trace.name: trace for trace in figure.data}
    assert list(traces["Krav"].y) == [324.0, 550.0]
    assert list(traces["Planerat lågt"].y) == [93.0, 150.0]  # 25 + 60 + 8
    # the range bar starts at the low end and is as long as high − low: 100 − 93 = 7
    assert list(traces["Planerat spann"].base) == [93.0, 150.0]
    assert list(traces["Planerat spann"].y) == [7.0, 20.0]
    assert list(traces["Utfall"].y) == [13.0, 0.0]
    assert list(traces["Krav"].x) == ["2024", "2025"]
    assert figure.layout.xaxis.type == "category", "no ticks between the years (2 024,5)"
    assert "layout" not in figure.layout.template.to_plotly_json(), "no plotly theme in the page"


def test_the_bridge_is_a_waterfall_from_required_to_uncovered():
    steps = gap_bridge(_effects(), year=2024, required=324 * M)
    figure = gap_bridge_figure(steps, labels=LABELS)
    [waterfall] = figure.data
    assert waterfall.type == "waterfall"
    assert list(waterfall.x) == ["Krav", "Bemanning", "Inköp", "Vårdstruktur", "Ofinansierat"]
    assert list(waterfall.y) == [324.0, -60.0, -25.0, -8.0, 231.0]
    assert list(waterfall.measure) == ["absolute", "relative", "relative", "relative", "total"]


def test_the_coverage_figure_leaves_out_groups_without_a_target():
    by_area = gap_by_group(_effects(), by="area_code", year=2024, required={"LSO-SOM": 120 * M})
    figure = coverage_figure(by_area, by="area_code", labels={**LABELS, "LSO-SOM": "Somatik"})
    low, span = figure.data
    assert list(low.y) == ["Somatik"]
    # (25 + 60) / 120 = 70.8 %, (28 + 62) / 120 = 75.0 %
    assert list(low.x) == [70.8]
    assert [round(v, 1) for v in span.x] == [4.2]


DEVIATION_LABELS = {"total": "Alla områden", "areas": "Rörde sig mest", "axis": "mnkr"}


def test_the_forecast_deviation_figure_has_the_total_above_and_the_areas_below():
    figure = forecast_deviation_figure(
        ["sep 2024", "okt 2024"],
        [-70 * M, -80 * M],
        {"Somatik": [-50 * M, -58 * M], "Psykiatri": [None, -22 * M]},
        labels=DEVIATION_LABELS,
    )
    total, somatik, psykiatri = figure.data
    assert total.name == "Alla områden" and list(total.y) == [-70.0, -80.0]
    assert (total.xaxis, total.yaxis) == ("x", "y"), "the upper panel"
    assert somatik.name == "Somatik"
    assert list(somatik.x) == ["sep 2024", "okt 2024"]
    assert list(somatik.y) == [-50.0, -58.0], "a worsening forecast goes down"
    assert list(psykiatri.y) == [None, -22.0], "no forecast in September: a gap in the line"
    assert (somatik.xaxis, somatik.yaxis) == ("x2", "y2"), "the lower panel, its own scale"
    titles = [a.text for a in figure.layout.annotations]
    assert titles == ["Alla områden", "Rörde sig mest"]


def test_a_picked_area_joins_the_lower_panel_from_compact_data():
    picker = deviation_picker_data(
        ["sep 2024", "okt 2024"], {"Kirurgi": [-3 * M, Decimal("-4500000")]}, first_index=5
    )
    assert picker["x"] == ["sep 2024", "okt 2024"]
    (trace,) = picker["traces"]
    assert trace["name"] == "Kirurgi" and trace["y"] == [-3.0, -4.5]
    assert (trace["xaxis"], trace["yaxis"]) == ("x2", "y2")
    assert "x" not in trace, "the rounds are sent once, not per area"


EVIL = '<a href="https://evil.example/">x</a>'
SHOWN = '&lt;a href="https://evil.example/"&gt;x&lt;/a&gt;'


def test_names_reach_plotly_escaped_in_every_figure():
    from measures.charts import measure_effect_figure

    deviation = forecast_deviation_figure(
        [EVIL],
        [-M],
        {EVIL: [-M]},
        labels={"total": EVIL, "areas": EVIL, "axis": EVIL},
    )
    assert all(t.name == SHOWN and list(t.x) == [SHOWN] for t in deviation.data)
    assert deviation.layout.yaxis.title.text == SHOWN
    assert [a.text for a in deviation.layout.annotations] == [SHOWN, SHOWN]
    picked = deviation_picker_data([EVIL], {EVIL: [-M]}, first_index=0)
    assert picked["x"] == [SHOWN] and picked["traces"][0]["name"] == SHOWN
    coverage = coverage_figure(
        pd.DataFrame(
            {"category": [EVIL], "coverage_low": [Decimal(50)], "coverage_high": [Decimal(60)]}
        ),
        by="category",
        labels={**LABELS, "low": EVIL, "range": EVIL, "axis": EVIL},
    )
    assert list(coverage.data[0].y) == [SHOWN] and coverage.data[0].name == SHOWN
    assert coverage.layout.xaxis.title.text == SHOWN
    effect = measure_effect_figure(
        pd.DataFrame(
            {"year": [2024], "low": [M], "high": [2 * M], "realised": [M]},
        ),
        planned_label=EVIL,
        realised_label=EVIL,
        axis_label=EVIL,
    )
    assert [t.name for t in effect.data] == [SHOWN, SHOWN]
    assert effect.layout.yaxis.title.text == SHOWN


def test_a_category_name_in_the_bridge_is_escaped():
    from regionbudget.gap.calculations import BridgeStep

    steps = [
        BridgeStep(label="required", kind="required", amount=10 * M, running=10 * M),
        BridgeStep(label=EVIL, kind="measure", amount=-4 * M, running=6 * M),
        BridgeStep(label="uncovered", kind="uncovered", amount=6 * M, running=6 * M),
    ]
    figure = gap_bridge_figure(steps, labels=LABELS)
    assert list(figure.data[0].x) == ["Krav", SHOWN, "Ofinansierat"]


# Margins are fitted to the labels on the server (7.5 px per character at the figures' font),
# so that plotly.js draws each chart once instead of measuring and drawing it again.


def test_a_long_area_name_gets_a_left_margin_wide_enough_for_it():
    name = "Länssjukvårdsområde psykiatri och habilitering"  # 46 characters
    by_area = gap_by_group(_effects(), by="area_code", year=2024, required={"LSO-SOM": 120 * M})
    figure = coverage_figure(by_area, by="area_code", labels={**LABELS, "LSO-SOM": name})
    # 46 × 7.5 = 345 px of name, 12 px from the bars
    assert figure.layout.margin.l == 357
    short = coverage_figure(by_area, by="area_code", labels={**LABELS, "LSO-SOM": "Somatik"})
    assert short.layout.margin.l == round(7 * 7.5 + 12)
    assert not figure.layout.xaxis.automargin and not figure.layout.yaxis.automargin


def test_escaped_names_are_measured_as_drawn():
    by_area = gap_by_group(_effects(), by="area_code", year=2024, required={"LSO-SOM": 120 * M})
    figure = coverage_figure(by_area, by="area_code", labels={**LABELS, "LSO-SOM": "A&B"})
    assert list(figure.data[0].y) == ["A&amp;B"]
    assert figure.layout.margin.l == round(3 * 7.5 + 12), "three characters, not seven"


def test_the_bridge_leaves_room_below_for_its_slanted_category_names():
    steps = gap_bridge(_effects(), year=2024, required=324 * M)
    figure = gap_bridge_figure(steps, labels=LABELS)
    # The longest name, "Ofinansierat" and "Vårdstruktur" (12 characters, 90 px), slanted 30°:
    # 90 × 0.5 + 13 × 0.866 + 12 = 68.3 px below the axis.
    assert figure.layout.margin.b == 68
    # Left: the tick labels (324 MSEK at most: 3 digits and one more for the next round tick,
    # "1 000", with its space and a sign: 6 characters, 45 px) and the axis title (28 px);
    # "Krav" slanted reaches 4 × 7.5 × 0.866 = 26 px left of its tick.
    assert figure.layout.margin.l == 73
    assert figure.layout.xaxis.tickangle == -30


def test_the_years_figure_fits_its_largest_figure_and_its_legend():
    gap = gap_by_year(_effects(), {2024: 12_324 * M, 2025: 550 * M}, years=[2024, 2025])
    figure = gap_years_figure(gap, labels=LABELS)
    # 12 324 MSEK: 5 digits and one more (100 000), one space, a sign: 8 characters = 60 px,
    # and 28 px of axis title.
    assert figure.layout.margin.l == 88
    assert figure.layout.margin.t == 44, "one legend row above the plot"
    assert figure.layout.yaxis.tickformat == ",~f", "12 000, not 12k"


def test_an_axis_of_small_amounts_leaves_room_for_decimal_ticks():
    gap = gap_by_year(_effects(), {2026: M / 4}, years=[2026])  # 0.25 MSEK, nothing planned
    figure = gap_years_figure(gap, labels=LABELS)
    # 0.25: 1 digit and one more, a sign = 3 characters, under the minimum of 5 ("−0,25"):
    # 37.5 px, and 28 px of axis title.
    assert figure.layout.margin.l == round(5 * 7.5 + 28)
