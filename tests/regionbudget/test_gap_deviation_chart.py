"""The forecast deviation chart of the dashboard reads at any number of areas: the total of all
areas, the few areas whose forecasts moved most, and the rest on demand (picker data)."""

from decimal import Decimal

import pandas as pd
from django.utils import translation

from regionbudget.core.formatting import format_money
from regionbudget.gap.calculations import top_movers
from regionbudget.gap.charts import DEVIATION_AREA_LINES
from regionbudget.gap.dashboard import deviation_view

M = Decimal("1000000")

# MSEK per area in the rounds after March, June and September 2024 (None: no approved forecast).
AREAS = {
    "Anestesi": [-10, -12, -20],  # moved −10
    "Barn": [-5, -5, -5],  # 0
    "Cancer": [2, 4, 10],  # +8
    "Dialys": [-1, -1, -2],  # −1
    "Ekonomi": [0, -3, -6],  # −6
    "Fysioterapi": [-30, -30, -27],  # +3: the largest deficit, but it moved little
    "Geriatrik": [None, -4, -9],  # −5, from its first approved forecast in June
}


def _deviations() -> pd.DataFrame:
    rows = [
        {
            "year": 2024,
            "month": month,
            "area_code": name[:3].upper(),
            "area_name": name,
            "deviation": None if value is None else value * M,
        }
        for name, values in AREAS.items()
        for month, value in zip((3, 6, 9), values, strict=True)
    ]
    return pd.DataFrame(rows)


def test_the_areas_that_moved_most_are_the_largest_changes_either_way():
    table = [{"area": name, "values": [v and v * M for v in vals]} for name, vals in AREAS.items()]
    movers = top_movers(table, count=5)
    assert [row["area"] for row in movers] == [
        "Anestesi",
        "Cancer",
        "Ekonomi",
        "Geriatrik",
        "Fysioterapi",
    ]
    assert [row["change"] for row in movers] == [-10 * M, 8 * M, -6 * M, -5 * M, 3 * M]
    assert movers[3]["first"] == -4 * M, "Geriatrik moved from its first approved forecast"


def test_with_one_round_the_largest_deviations_either_way_lead():
    table = [
        {"area": "A", "values": [-2 * M]},
        {"area": "B", "values": [7 * M]},
        {"area": "C", "values": [-9 * M]},
    ]
    assert [row["area"] for row in top_movers(table, count=2)] == ["C", "B"]


def test_the_chart_has_the_total_and_five_areas_and_the_rest_wait_for_the_picker():
    with translation.override("sv"):
        view = deviation_view(_deviations(), language="sv")
    traces = view["deviation_chart"]["data"]
    assert DEVIATION_AREA_LINES == 5
    assert len(traces) == 1 + 5
    total = traces[0]
    assert total["name"] == "Alla områden"
    # −10 − 5 + 2 − 1 + 0 − 30 = −44; June −12 − 5 + 4 − 1 − 3 − 30 − 4 = −51;
    # September −20 − 5 + 10 − 2 − 6 − 27 − 9 = −59
    assert total["y"] == [-44.0, -51.0, -59.0]
    assert [t["name"] for t in traces[1:]] == [
        "Anestesi",
        "Cancer",
        "Ekonomi",
        "Geriatrik",
        "Fysioterapi",
    ]
    assert traces[4]["y"] == [None, -4.0, -9.0]
    # Every other area can be added to the chart, with its figures.
    assert view["deviation_others"] == ["Barn", "Dialys"]
    barn, dialys = view["deviation_picker"]["traces"]
    assert (barn["name"], barn["y"]) == ("Barn", [-5.0, -5.0, -5.0])
    assert (dialys["name"], dialys["y"]) == ("Dialys", [-1.0, -1.0, -2.0])
    assert (
        view["deviation_picker"]["x"]
        == total["x"]
        == ["efter mars 2024", "efter juni 2024", "efter september 2024"]
    )
    assert view["deviation_movers"][1]["change"] == "+" + format_money(8 * M, language="sv")
    # The sentence list names the movers with their change, and the table keeps every area.
    assert view["deviation_movers"][0] == {
        "area": "Anestesi",
        "change": format_money(-10 * M, language="sv"),
        "latest": format_money(-20 * M, language="sv"),
    }
    assert [row["area"] for row in view["deviation_rows"]] == [*AREAS, "Alla områden"]
    assert view["deviation_rows"][-1]["values"] == [-44 * M, -51 * M, -59 * M]


def test_a_single_area_is_the_total_alone():
    one = _deviations()
    one = one[one["area_name"] == "Barn"]
    view = deviation_view(one, language="sv")
    assert len(view["deviation_chart"]["data"]) == 1
    assert view["deviation_picker"] is None and view["deviation_movers"] == []
