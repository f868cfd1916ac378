"""The outlook in Chromium: a director's forecast, approved by finance in the browser, moves
where 2026 is heading on the dashboard and in the next status report's draft."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from forecasts.models import AccountGroup, Forecast, Plan
from forecasts.services import LineInput, forecast_submit, round_open
from regionbudget.core.formatting import NBSP
from regionbudget.core.models import Area, Unit
from regionbudget.reports.models import Meeting
from regionbudget.reports.services import meeting_create, report_create
from tests.browser.conftest import assert_accessible, log_in, screenshot

M = Decimal("1000000")


@pytest.fixture
def november(demo_committed):
    """A November 2026 round in which somatik's director has submitted a forecast 50 MSEK
    above October's (50 MSEK more personnel cost in one unit), and a draft report for the
    December meeting."""
    users = get_user_model().objects
    ekonom, director = users.get(username="ekonom"), users.get(username="direktor.somatik")
    somatik = Area.objects.get(code="LSO-SOM")
    october = Forecast.objects.get(
        forecast_round__year=2026, forecast_round__month=10, area=somatik
    )
    lines = {
        (ln.unit_id, ln.account_group_id): LineInput(ln.amount, ln.comment)
        for ln in october.lines.all()
    }
    unit = Unit.objects.filter(area=somatik, is_active=True).order_by("code").first()
    cell = (unit.pk, AccountGroup.objects.get(code="PERS").pk)
    lines[cell] = LineInput(lines[cell].amount + 50 * M, "Övertid i operationsverksamheten")
    forecast_round = round_open(year=2026, month=11, deadline=dt.date(2026, 12, 10), user=ekonom)
    forecast_submit(
        forecast_round=forecast_round,
        area=somatik,
        lines=lines,
        expected_version=0,
        user=director,
    )
    meeting = Meeting.objects.filter(date=dt.date(2026, 12, 15)).first() or meeting_create(
        committee="hsn", date=dt.date(2026, 12, 15), title="Lägesrapport december"
    )
    draft = report_create(
        meeting=meeting,
        plan=Plan.objects.get(name="Ekonomi i balans 2024–2026"),
        year=2026,
        title="Lägesrapport efter november 2026",
        user=ekonom,
    )
    return {"round": forecast_round, "somatik": somatik, "draft": draft}


def _headline(page) -> tuple[str, str]:
    page.goto("/gap/?year=2026")
    card = page.locator("#outlook-headline")
    return card.locator("h3").inner_text(), card.locator(".outlook-uncovered").inner_text()


def test_an_approved_forecast_moves_the_outlook_on_the_dashboard_and_the_draft_report(
    page, axe, november
):
    log_in(page, "ekonom")
    # Before: October's forecasts. Deviation −20, 150 outside the budgets: required now 170;
    # the proposed measures M08 and M12 (50–60 and 21–25) are not in the forecasts: 85–99.
    heading, uncovered = _headline(page)
    assert heading == "Utsikt 2026, efter oktober 2026"
    assert uncovered == f"85–99{NBSP}mnkr"

    # Finance approves somatik's November forecast on its page.
    page.goto(f"/forecasts/rounds/{november['round'].pk}/areas/{november['somatik'].pk}/")
    page.get_by_role("button", name="Godkänn").click()
    page.wait_for_load_state()
    assert "Godkänd" in page.locator("main").inner_text()

    # After: somatik 50 further over budget: required now 220, uncovered 135–149.
    heading, uncovered = _headline(page)
    assert heading == "Utsikt 2026, efter november 2026"
    assert uncovered == f"135–149{NBSP}mnkr"
    assert_accessible(axe, page, "the dashboard with the outlook")
    screenshot(page, "dashboard-outlook")

    # The next report's draft (a live preview) says the same.
    page.goto(f"/reports/{november['draft'].pk}/")
    outlook = page.locator("#report-outlook")
    assert "efter november 2026" in outlook.locator("caption").inner_text()
    assert outlook.locator(".uncovered").inner_text() == f"135,0\u2060–\u2060149,0{NBSP}mnkr"
    assert_accessible(axe, page, "the draft report with the outlook")
