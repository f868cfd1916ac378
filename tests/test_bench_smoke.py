"""The benchmark's data generator, at a tiny scale: the rows it promises are there, and the
pages it is measured on open on them."""

import importlib.util
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from forecasts.models import AccountGroup, Forecast, ForecastLine, ForecastRound
from measures.models import Measure

pytestmark = pytest.mark.django_db

_spec = importlib.util.spec_from_file_location(
    "bench_data", Path(__file__).resolve().parents[1] / "scripts" / "bench_data.py"
)
bench_data = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("bench_data", bench_data)
_spec.loader.exec_module(bench_data)


def test_the_generator_writes_what_it_promises(finance):
    scale = bench_data.Scale(
        regions=2, units_per_region=22, years=(2024, 2025), rounds_per_year=3, measures_per_region=4
    )
    seeded = Measure.objects.count()  # the demo's, all in region 1
    counts = bench_data.generate(scale)

    groups = AccountGroup.objects.count()
    units_per_region = 20 + 7  # 20 in the large area, and at least one in each of the other 7
    rounds = 2 * 3
    assert counts["areas"] == 16
    assert counts["units"] == 2 * units_per_region
    assert ForecastRound.objects.count() == counts["rounds"] == rounds
    assert Forecast.objects.count() == counts["forecasts"] == rounds * 16
    assert ForecastLine.objects.count() == counts["forecast lines"]
    assert counts["forecast lines"] == rounds * 2 * units_per_region * groups
    assert Forecast.objects.filter(status="draft").count() == 16  # the last round's
    assert counts["measures"] == Measure.objects.count() == max(seeded, 4) + 4
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM measures_realisedeffect")
        assert cursor.fetchone()[0] == counts["realised effects"] == counts["measures"] * 2 * 12

    assert finance.get(reverse("gap_dashboard")).status_code == 200
    assert finance.get(reverse("measures:measure_list")).status_code == 200


_import_spec = importlib.util.spec_from_file_location(
    "bench_import", Path(__file__).resolve().parents[1] / "scripts" / "bench_import.py"
)
bench_import = importlib.util.module_from_spec(_import_spec)
_import_spec.loader.exec_module(bench_import)


def test_the_import_benchmark_imports_and_replaces_through_the_pages(finance):
    from pghistory.models import Events

    from forecasts.models import Actual

    result = bench_import.measure(finance, 700)

    assert result["rows"] == 700
    for case in ("new", "replace"):
        phases = [result[case][p] for p in ("upload", "preview", "confirm")]
        assert all(t > 0 for t in phases)
        assert result[case]["total"] == pytest.approx(sum(phases))
    assert result["copy_same"] > 0 and result["copy_bare"] > 0
    # Its rows are gone afterwards; the history of the replacement stays.
    assert not Actual.objects.filter(year__gte=bench_import.FIRST_YEAR).exists()
    replaced = Events.objects.filter(
        pgh_model="forecasts.ActualEvent",
        pgh_label="update",
        pgh_data__year__gte=bench_import.FIRST_YEAR,
    )
    assert replaced.count() == 700 + 1  # every row, and the one-row correction before
    cells = [cell(result) for _, cell in bench_import.markdown_rows({"S1": result})]
    assert cells[0].endswith(f"= **{result['new']['total']:.2f} s**")
    write, _whole = bench_import.targets(result)
    assert write[1].startswith(
        f"{result['replace']['confirm']:.2f} s vs {result['copy_same']:.2f} s"
    )
    assert write[2] == (result["replace"]["confirm"] <= 3 * result["copy_same"])
