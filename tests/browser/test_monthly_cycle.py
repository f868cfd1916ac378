"""Finance runs a month's cycle in Chromium: opens a round, enters one area's forecast on its
behalf, reminds the late areas, has the forecast approved by someone else and closes the round.
The e-mails are received by a real SMTP server on 127.0.0.1."""

import pytest

from forecasts.models import Forecast, ForecastRound
from regionbudget.core.models import Area
from tests.browser.conftest import assert_accessible, log_in, screenshot

SOMATIK = "Länssjukvårdsområde somatik"
PSYKIATRI = "Länssjukvårdsområde psykiatri och habilitering"


@pytest.fixture
def seed(demo_committed):
    """The demo, committed (the live server reads it on its own connection)."""


def _log_out(page) -> None:
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/accounts/login/")


def _main(page) -> str:
    return page.locator("main").inner_text()


def test_finance_runs_the_monthly_cycle(page, axe, seed, smtp_server, settings, live_server):
    settings.SITE_URL = live_server.url
    log_in(page, "ekonom")

    # Open November 2024, due already (every area is late at once), no comments needed.
    page.get_by_role("link", name="Prognoser").click()
    page.get_by_role("link", name="Öppna ett prognostillfälle").click()
    page.get_by_label("År").fill("2024")
    page.get_by_label("Efter månad").select_option(label="november")
    page.get_by_label("Sista dag").fill("2024-12-10")
    page.get_by_label("Gräns för kommentar (tkr)").fill("1 000 000")
    page.get_by_role("button", name="Öppna prognostillfället").click()
    page.wait_for_url("**/rounds/*/")
    november = ForecastRound.objects.get(year=2024, month=11)
    assert "8 områden har inte skickat in sina prognoser före sista dag." in _main(page)

    # Enter somatik's forecast on the area's behalf and submit it.
    page.get_by_role("link", name=SOMATIK).click()
    page.get_by_role("link", name="Redigera prognosen").click()
    page.wait_for_url("**/edit/")
    assert f"Du lägger in prognosen för {SOMATIK} på områdets vägnar." in _main(page)
    page.get_by_role("button", name="Skicka in till ekonomi").click()
    page.wait_for_url("**/areas/*/")
    assert "Prognosen är inskickad till ekonomi." in _main(page)
    assert f"Inlagd av Karin Lindqvist för {SOMATIK}" in _main(page)
    assert "Du skickade in prognosen själv" in _main(page)  # someone else must approve it
    forecast = Forecast.objects.get(forecast_round=november, area__code="LSO-SOM")
    assert forecast.entered_on_behalf and forecast.status == Forecast.Status.SUBMITTED
    # The area's director is told it was submitted on the area's behalf.
    [on_behalf] = smtp_server.to("direktor.somatik@example.invalid")
    assert on_behalf.subject == f"Inlämnad för er räkning: {SOMATIK}, Prognos efter november 2024"

    # Remind the late ones: of the seven left, psykiatri is the one with a director to tell.
    page.goto(november.get_absolute_url())
    assert_accessible(axe, page, "the round page with late areas")
    page.get_by_role("button", name="Skicka en påminnelse till de 7 försenade områdena").click()
    page.wait_for_url(f"**{november.get_absolute_url()}")
    assert f"En påminnelse skickades till 1 försenat område: {PSYKIATRI}." in _main(page)
    screenshot(page, "round-reminded")
    [reminder] = smtp_server.to("direktor.psykiatri@example.invalid")
    assert reminder.subject == f"Prognosen är försenad: {PSYKIATRI}, Prognos efter november 2024"
    psykiatri = Area.objects.get(code="LSO-PSY")
    grid = f"{live_server.url}/forecasts/rounds/{november.pk}/areas/{psykiatri.pk}/edit/"
    assert grid in reminder.body  # an absolute link to the area's grid
    _log_out(page)

    # Someone else in finance (the administrator) approves it; the director is told.
    log_in(page, "admin")
    page.goto(forecast.get_absolute_url())
    page.get_by_role("button", name="Godkänn").click()
    page.wait_for_load_state()
    assert f"Prognosen för {SOMATIK} är godkänd." in _main(page)
    _on_behalf, approved = smtp_server.to("direktor.somatik@example.invalid")
    assert approved.subject == f"Prognos godkänd: {SOMATIK}, Prognos efter november 2024"
    assert live_server.url + forecast.get_absolute_url() in approved.body

    # And closes the round.
    page.goto(november.get_absolute_url())
    page.get_by_role("button", name="Stäng prognostillfället").click()
    page.wait_for_load_state()
    assert "Prognos efter november 2024 är stängd." in _main(page)
    november.refresh_from_db()
    assert november.status == ForecastRound.Status.CLOSED
