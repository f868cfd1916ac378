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


# The benchmark's own modules (scripts/ is not a package: its folder goes on the path).
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
import bench  # noqa: E402
import bench_http  # noqa: E402


def test_the_concurrent_cases_file_imports_through_the_page_as_new_rows(finance):
    """The rows the readers' import sends are accepted by the import page and replace nothing."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from forecasts.models import Actual
    from regionbudget.core.models import Unit

    units = list(Unit.objects.filter(is_active=True).values_list("code", flat=True))[:3]
    groups = list(AccountGroup.objects.values_list("name", flat=True))[:2]
    content = bench_http.actuals_csv(units, groups, 20, 2031)
    assert content.decode().count("\n") == 21  # the header and 20 rows
    before = Actual.objects.count()
    upload = finance.post(
        reverse("forecasts:import_start"),
        {"kind": "actual", "file": SimpleUploadedFile("utfall.csv", content)},
    )
    assert upload.status_code == 302
    preview = finance.get(upload["Location"])
    assert preview.status_code == 200
    confirm = finance.post(upload["Location"] + "confirm/", {})
    assert confirm.status_code == 302 and confirm["Location"] == reverse("forecasts:import_start")
    # 6 cells over 4 months (3 × 2 cells, months 1–4 of 2031; the last month has 2 rows).
    assert Actual.objects.count() == before + 20
    assert set(Actual.objects.filter(year=2031).values_list("month", flat=True)) == {1, 2, 3, 4}


def _result(*, cold_ms, sql_ms, dashboard_charts, report_charts, measure_list_ms) -> dict:
    page = {"median_ms": 10.0, "p95_ms": 12.0, "queries": 5}
    visit = {"charts": dashboard_charts}
    return {
        "scale": "S20",
        "cold": {"median_ms": cold_ms},
        "aggregate": {"median_ms": sql_ms},
        "throughput": {"dashboard_rps": 30.0, "bare_rps": 100.0},
        "pages": {"dashboard (warm)": page, "measure list": {**page, "median_ms": measure_list_ms}},
        "import_pages": {
            "rows": 100_000,
            "new": {"upload": 0.5, "preview": 0.5, "confirm": 1.0, "total": 2.0},
            "replace": {"upload": 0.5, "preview": 0.5, "confirm": 2.5, "total": 3.5},
            "copy_same": 1.0,
            "copy_bare": 0.1,
        },
        "wire": {
            "dashboard": {
                "total_bytes": 500 * 1024,
                "html_bytes": 90 * 1024,
                "html_encoding": "gzip",
            }
        },
        "grid_save": {"median_ms": 50.0, "cells": 200},
        "browser": {
            "dashboard": {"first": visit, "repeat": visit},
            "status report": {
                "first": {"charts": report_charts},
                "repeat": {"charts": report_charts},
            },
        },
        "concurrent": {"readers": 20, "errors": 0, "read_p95_ms": 100.0},
    }


def test_the_targets_are_checked_on_the_cold_dashboard_and_the_browsers_times():
    small = _result(
        cold_ms=100.0, sql_ms=80.0, dashboard_charts=900.0, report_charts=500.0, measure_list_ms=100
    )
    big = _result(
        cold_ms=300.0,
        sql_ms=100.0,
        dashboard_charts=1100.0,
        report_charts=500.0,
        measure_list_ms=250,
    )
    targets = {
        text: (figure, met) for text, figure, met in bench._targets({"S1": small, "S20": big})
    }

    # 300 ms cold against 100 ms of its SQL: 3×, beyond the 2× target, within the earlier 3×.
    assert targets["cold dashboard (fresh process, empty cache) at S20 ≤ 2× the SQL it runs"] == (
        "300 ms vs 100 ms: 3.00×",
        False,
    )
    assert targets["(the earlier target) cold dashboard at S20 ≤ 3× the SQL it runs"][1] is True
    # 900 / 500 = 1.8× at S1, 1100 / 500 = 2.2× at S20.
    assert targets["dashboard charts drawn ≤ 2× the status report's, first visit, S1"][1] is True
    assert targets["dashboard charts drawn ≤ 2× the status report's, repeat visit, S20"] == (
        "1100 ms vs 500 ms: 2.2×",
        False,
    )
    # 250 ms against 100 ms: 2.5×.
    assert targets["measure list at S20 ≤ 3× its S1 time"] == ("250 ms vs 100 ms: 2.5×", True)
    assert targets["warm dashboard throughput ≥ 20 % of the bare view's"] == ("30%", True)
    # The replace's write 2.5 s against a COPY of 1.0 s: within 3×; the whole import 3.5× is not.
    write, whole = ((figure, met) for text, (figure, met) in targets.items() if "COPY" in text)
    assert write == ("2.50 s vs 1.00 s (2.5×; 25.0× a COPY into a bare table)", True)
    assert whole[1] is False


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
