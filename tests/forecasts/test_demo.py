"""The demo's budgets, actuals and forecast rounds reproduce the seed case, and load once."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from forecasts.demo import load_forecasts_demo
from forecasts.models import AccountGroup, Actual, Budget, Forecast, ForecastLine, ForecastRound
from regionbudget.demo import load_demo

pytestmark = pytest.mark.django_db
MSEK = Decimal("1000000")
SEED = Path(__file__).resolve().parents[2] / "regionbudget" / "demo_data" / "areas.csv"


def _seed() -> dict[str, dict]:
    with SEED.open(encoding="utf-8") as fh:
        return {row["area_code"]: row for row in csv.DictReader(fh)}


def test_the_ten_account_groups_are_there():
    names = list(AccountGroup.objects.values_list("name", flat=True))
    assert len(names) == 10
    assert {"Personal", "Hyrpersonal", "Köpt vård", "Läkemedel", "Intäkter"} <= set(names)
    assert AccountGroup.objects.get(name="Intäkter").kind == AccountGroup.Kind.REVENUE


def test_each_areas_budget_adds_up_to_the_seed(demo):
    budgets = dict(
        Budget.objects.filter(year=2024)
        .values("unit__area__code")
        .annotate(total=Sum("amount"))
        .values_list("unit__area__code", "total")
    )
    assert budgets == {
        code: Decimal(row["budget_net_2024_msek"]) * MSEK for code, row in _seed().items()
    }
    assert not Budget.objects.filter(
        year=2024, account_group__kind="revenue", amount__gt=0
    ).exists()
    assert not Budget.objects.filter(year=2024, account_group__kind="cost", amount__lt=0).exists()


def test_actuals_run_january_to_october(demo):
    months = sorted(set(Actual.objects.filter(year=2024).values_list("month", flat=True)))
    assert months == list(range(1, 11))


def _deviation(forecast: Forecast) -> Decimal:
    budget = Budget.objects.filter(unit__area=forecast.area, year=2024).aggregate(t=Sum("amount"))[
        "t"
    ]
    total = ForecastLine.objects.filter(forecast=forecast).aggregate(t=Sum("amount"))["t"]
    return budget - total


def test_september_is_closed_and_approved_with_the_seed_deviations(demo):
    september = ForecastRound.objects.get(year=2024, month=9)
    assert september.status == ForecastRound.Status.CLOSED
    forecasts = Forecast.objects.filter(forecast_round=september).select_related("area")
    assert {f.status for f in forecasts} == {Forecast.Status.APPROVED}
    deviations = {f.area.code: _deviation(f) for f in forecasts}
    expected = {
        code: Decimal(row["forecast_deviation_2024_msek"]) * MSEK for code, row in _seed().items()
    }
    assert deviations == expected
    assert sum(deviations.values()) == Decimal("-174") * MSEK


def test_october_is_open_with_somatik_as_a_draft_prefilled_from_september(demo):
    october = ForecastRound.objects.get(year=2024, month=10)
    assert october.status == ForecastRound.Status.OPEN
    states = dict(
        Forecast.objects.filter(forecast_round=october).values_list("area__code", "status")
    )
    assert states.pop("LSO-SOM") == Forecast.Status.DRAFT
    assert set(states.values()) == {Forecast.Status.APPROVED}
    draft = Forecast.objects.get(forecast_round=october, area__code="LSO-SOM")
    september = Forecast.objects.get(forecast_round__month=9, area__code="LSO-SOM")

    def as_lines(f):
        return sorted(f.lines.values_list("unit_id", "account_group_id", "amount", "comment"))

    assert as_lines(draft) == as_lines(september)


def test_loading_the_demo_twice_changes_nothing(demo):
    def snapshot():
        return [
            list(model.objects.order_by("pk").values_list())
            for model in (Budget, Actual, ForecastRound, Forecast, ForecastLine)
        ]

    first = snapshot()
    load_demo()
    load_forecasts_demo()
    assert snapshot() == first
