"""The balance requirement ledger joined to the forecasts: the current year is read by the gap's
outlook (requirement − what the approved forecasts still leave uncovered), and the ledger moves
when an approved forecast moves the outlook. Every figure worked out by hand in mnkr.

A world of its own in 2027 (after the demo's years): a plan covering 2027 with a requirement of
50 for the whole region and no measures; somatik's unit budgeted 100 of personnel; a forecast
statement for 2027 entered as −60 before the plan's measures.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from forecasts.models import AccountGroup, Budget
from forecasts.services import (
    LineInput,
    deficit_target_set,
    forecast_approve,
    forecast_submit,
    plan_upsert,
    round_open,
)
from regionbudget.balance.models import BalanceYear
from regionbudget.balance.services import LineInput as StatementLineInput
from regionbudget.balance.services import balance_year_save
from regionbudget.core.formatting import NBSP
from regionbudget.core.models import Area, Unit
from regionbudget.gap.selectors import ledger_snapshot
from tests.forecasts.helpers import cells, user

pytestmark = pytest.mark.django_db
D = Decimal
M = D("1000000")


@pytest.fixture
def world(demo):
    somatik = Area.objects.get(code="LSO-SOM")
    unit = Unit.objects.filter(area=somatik, is_active=True).order_by("code").first()
    personnel = AccountGroup.objects.get(code="PERS")
    Budget.objects.create(unit=unit, year=2027, account_group=personnel, amount=100 * M)
    plan = plan_upsert(
        name="Ekonomi i balans 2027",
        organisation="Hälso- och sjukvården",
        baseline_year=2026,
        start_year=2027,
        end_year=2027,
    )
    deficit_target_set(plan=plan, year=2027, amount=50 * M)
    balance_year_save(
        year=2027,
        kind=BalanceYear.Kind.FORECAST,
        note="Prognos före planens åtgärder",
        lines=[StatementLineInput("result", "Årets resultat", -60 * M)],
        expected_version=None,
        user=user("ekonom"),
    )
    return {"somatik": somatik, "unit": unit, "personnel": personnel, "plan": plan}


def _approve(world, *, month: int, forecast: Decimal) -> None:
    """A round of 2027 in which somatik forecasts ``forecast`` for its unit and finance approves."""
    forecast_round = round_open(
        year=2027, month=month, deadline=dt.date(2099, 1, 1), user=user("ekonom")
    )
    lines = {c: LineInput(D(0)) for c in cells(world["somatik"])}
    lines[(world["unit"].pk, world["personnel"].pk)] = LineInput(forecast, "Fler vårdplatser")
    submitted = forecast_submit(
        forecast_round=forecast_round,
        area=world["somatik"],
        lines=lines,
        expected_version=0,
        user=user("direktor.somatik"),
    )
    forecast_approve(forecast=submitted, expected_version=submitted.version, user=user("ekonom"))


def _year(snapshot: dict, scenario: str, year: int) -> dict:
    return next(y for y in snapshot["ledgers"][scenario]["years"] if y["year"] == year)


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode().replace(NBSP, " "))


def test_without_an_approved_forecast_the_year_is_read_by_the_plan(world):
    snapshot = ledger_snapshot(plan=world["plan"], year=2027)
    assert snapshot["outlook"] is None
    # The plan has no measures: 2027 counts −60 as entered at both ends.
    assert _year(snapshot, "low", 2027)["counted"] == "-60000000.00"
    assert _year(snapshot, "high", 2027)["improvement"] == "0.00"


def test_the_current_year_follows_the_approved_forecasts(world):
    # March: somatik forecasts 130 against a budget of 100, a deviation of −30. Required now
    # = 0 outside the budgets + 30 = 30; no measures cover it: 30 uncovered at both ends.
    # Improvement = requirement 50 − 30 uncovered = 20; counted −60 + 20 = −40.
    _approve(world, month=3, forecast=130 * M)
    snapshot = ledger_snapshot(plan=world["plan"], year=2027)
    assert snapshot["outlook"] == {
        "year": 2027,
        "round": {"year": 2027, "month": 3},
        "joined": True,
        "required": "50000000.00",
        "uncovered_low": "30000000.00",
        "uncovered_high": "30000000.00",
        "improvement_low": "20000000.00",
        "improvement_high": "20000000.00",
        "plan_improvement_low": "0.00",
        "plan_improvement_high": "0.00",
    }
    assert _year(snapshot, "low", 2027)["counted"] == "-40000000.00"
    assert _year(snapshot, "entered", 2027)["counted"] == "-60000000.00"  # as entered stays

    # June: somatik now forecasts 110 (deviation −10): 10 uncovered, improvement 40, counted
    # −60 + 40 = −20. The ledger moved with the forecast.
    _approve(world, month=6, forecast=110 * M)
    snapshot = ledger_snapshot(plan=world["plan"], year=2027)
    assert snapshot["outlook"]["round"] == {"year": 2027, "month": 6}
    assert snapshot["outlook"]["uncovered_high"] == "10000000.00"
    assert _year(snapshot, "high", 2027)["improvement"] == "40000000.00"
    assert _year(snapshot, "high", 2027)["counted"] == "-20000000.00"
    deficit = next(d for d in snapshot["ledgers"]["high"]["deficits"] if d["year"] == 2027)
    assert deficit["amount"] == "20000000.00"


def test_the_ledger_page_says_which_year_is_read_by_the_forecasts(world):
    _approve(world, month=3, forecast=130 * M)
    client = Client()
    client.force_login(user("ledamot"))
    text = _text(client.get(reverse("balance:ledger"), {"plan": world["plan"].pk}))
    assert (
        "2027 räknas enligt prognoserna efter mars 2027: kravet på 50,0 mnkr minus de 30,0 mnkr "
        "till 30,0 mnkr som prognoserna fortfarande lämnar ofinansierade förbättrar den inmatade "
        "prognosen med 20,0 mnkr till 20,0 mnkr (enligt planen ensam: 0,0 mnkr till 0,0 mnkr)."
    ) in text
    assert "enligt prognoserna efter mars 2027</span>" in text  # the year's row is marked


def test_an_actual_year_is_never_replaced_by_the_forecasts(world):
    # The annual report is out: 2027 is actual, and stands as entered whatever the forecasts.
    _approve(world, month=3, forecast=130 * M)
    stored = BalanceYear.objects.get(year=2027)
    balance_year_save(
        year=2027,
        kind=BalanceYear.Kind.ACTUAL,
        lines=[StatementLineInput("result", "Årets resultat", -60 * M)],
        expected_version=stored.version,
        user=user("ekonom"),
    )
    snapshot = ledger_snapshot(plan=world["plan"], year=2027)
    assert snapshot["outlook"]["joined"] is False
    assert _year(snapshot, "low", 2027)["counted"] == "-60000000.00"
    client = Client()
    client.force_login(user("ekonom"))
    text = _text(client.get(reverse("balance:ledger"), {"plan": world["plan"].pk}))
    assert "ingen prognos av balanskravsutredningen för 2027" in text


def test_the_demo_2026_is_read_by_the_october_forecasts(demo):
    # The demo's 2026 outlook after October: 775 required, 85–99 uncovered, so the improvement
    # is 775 − 99 = 676 at the low end and 775 − 85 = 690 at the high end (the plan alone:
    # 719–831). 2026 counts −560 + 676 = 116 and −560 + 690 = 130.
    from forecasts.models import Plan

    plan = Plan.objects.get(name="Ekonomi i balans 2024–2026")
    snapshot = ledger_snapshot(plan=plan, year=2026)
    outlook = snapshot["outlook"]
    assert (outlook["improvement_low"], outlook["improvement_high"]) == (
        "676000000.00",
        "690000000.00",
    )
    assert (outlook["plan_improvement_low"], outlook["plan_improvement_high"]) == (
        "719000000.00",
        "831000000.00",
    )
    assert _year(snapshot, "low", 2026)["counted"] == "116000000.00"
    assert _year(snapshot, "high", 2026)["counted"] == "130000000.00"


def test_the_dashboard_and_the_ledger_read_the_regions_forecast_deviations_once(
    finance, monkeypatch
):
    """The dashboard shows the ledger too: its outlook of the year and the dashboard's figures
    read the same region-wide deviations, computed once (at twenty regions 0.4 s of SQL each),
    and the ledger's outlook is the same as when it was read alone."""
    import forecasts.selectors
    from forecasts.models import Plan
    from regionbudget.core.caching import clear_cache

    plan = Plan.objects.get(name="Ekonomi i balans 2024–2026")
    clear_cache()
    alone = ledger_snapshot(plan=plan, year=2026)["outlook"]
    calls = []
    original = forecasts.selectors.forecast_deviation_by_area

    def counted(**kwargs):
        calls.append(kwargs["years"])
        return original(**kwargs)

    monkeypatch.setattr(forecasts.selectors, "forecast_deviation_by_area", counted)
    clear_cache()
    page = finance.get("/gap/", {"plan": plan.pk, "year": 2026})
    assert page.status_code == 200
    assert calls == [[2024, 2025, 2026]]
    assert ledger_snapshot(plan=plan, year=2026)["outlook"] == alone
    assert len(calls) == 1, "the ledger read the cached deviations"


def test_the_dashboard_and_the_ledger_compute_the_regions_outlooks_once(finance, monkeypatch):
    """The ledger's outlook is the dashboard's outlook of the region: after the dashboard it is
    read from the cache, not computed again, and it is the same as when it was computed alone.
    An area's dashboard computes its own."""
    from forecasts.models import Plan
    from regionbudget.core.caching import clear_cache
    from regionbudget.gap import selectors

    plan = Plan.objects.get(name="Ekonomi i balans 2024–2026")
    clear_cache()
    alone = ledger_snapshot(plan=plan, year=2026)["outlook"]
    calls = []
    original = selectors._outlooks

    def counted(deviations, **kwargs):
        calls.append(sorted(set(deviations["area_code"])))
        return original(deviations, **kwargs)

    monkeypatch.setattr(selectors, "_outlooks", counted)
    clear_cache()
    assert finance.get("/gap/", {"plan": plan.pk, "year": 2026}).status_code == 200
    assert len(calls) == 1 and len(calls[0]) > 1, "the region's outlooks, once"
    assert ledger_snapshot(plan=plan, year=2026)["outlook"] == alone
    assert len(calls) == 1, "the ledger read the dashboard's outlooks"
    area = Area.objects.get(code="LSO-SOM")
    assert finance.get("/gap/", {"plan": plan.pk, "year": 2026, "area": area.pk}).status_code == 200
    assert calls[1:] == [["LSO-SOM"]], "an area's outlooks are its own"


def test_the_plans_effects_are_read_once_and_follow_an_edit(finance, monkeypatch):
    """The dashboard's figures and the ledger's plan totals read the plan's effects computed
    once; an edit of a planned effect moves the ledger's plan totals at once."""
    import measures.selectors
    from forecasts.models import Plan
    from measures.models import PlannedEffect
    from regionbudget.core.caching import clear_cache

    plan = Plan.objects.get(name="Ekonomi i balans 2024–2026")
    calls = []
    original = measures.selectors.measure_effects_frame

    def counted(**kwargs):
        calls.append(kwargs["plan"].pk)
        return original(**kwargs)

    monkeypatch.setattr(measures.selectors, "measure_effects_frame", counted)
    clear_cache()
    assert finance.get("/gap/", {"plan": plan.pk, "year": 2026}).status_code == 200
    before = ledger_snapshot(plan=plan, year=2026)["outlook"]["plan_improvement_high"]
    assert calls == [plan.pk], "one computation for the dashboard and the ledger"
    effect = PlannedEffect.objects.get(measure__plan=plan, measure__code="M01", year=2026)
    effect.high += 10 * M
    effect.save()
    after = ledger_snapshot(plan=plan, year=2026)["outlook"]["plan_improvement_high"]
    assert D(after) == D(before) + 10 * M
