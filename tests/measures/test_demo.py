"""The seed action plan: loaded from measures.csv, M01 split across areas, idempotent."""

from decimal import Decimal

import pytest

from forecasts.models import Plan
from measures.calculations import totals_by_year
from measures.models import AreaShare, Category, Indicator, IndicatorValue, Measure, RealisedEffect
from measures.selectors import measure_effects_frame
from regionbudget.demo import load_demo

pytestmark = pytest.mark.django_db
M = Decimal("1000000")


def _snapshot():
    return [
        list(model.objects.order_by("pk").values_list())
        for model in (Category, Measure, AreaShare, RealisedEffect, Indicator, IndicatorValue)
    ] + [list(Measure.pgh_event_model.objects.order_by("pgh_id").values_list("pgh_id"))]


def test_the_seed_plan_has_the_fourteen_measures_and_the_press_release_totals(finance):
    from django.contrib.auth import get_user_model

    plan = Plan.objects.get(name="Ekonomi i balans 2024–2026")
    assert Measure.objects.filter(plan=plan).count() == 14
    assert Category.objects.count() == 11
    m01 = Measure.objects.get(plan=plan, code="M01")
    assert m01.owner_area is None
    assert sum(s.share for s in m01.area_shares.all()) == 100
    user = get_user_model().objects.get(username="ekonom")
    totals = totals_by_year(measure_effects_frame(plan=plan, user=user), years=plan.years)
    assert [(t.low, t.high) for t in totals.itertuples()] == [
        (175 * M, 192 * M),
        (461 * M, 541 * M),
        (719 * M, 831 * M),
    ]
    m05 = Indicator.objects.get(measure__code="M05")
    assert m05.values.filter(unit__isnull=False, target_level__isnull=False).count() == 8


def test_running_the_demo_twice_changes_nothing(demo):
    first = _snapshot()
    load_demo()
    assert _snapshot() == first
