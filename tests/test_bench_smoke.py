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
