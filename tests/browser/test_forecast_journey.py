"""The forecast journey in Chromium: the director fills in and submits, finance returns it, the
director fixes and resubmits, finance approves, and the approved figures show on the area page.
And the grid's live totals agree with the totals the server draws."""

import re

import pytest

from regionbudget.core.formatting import NBSP
from tests.browser.conftest import assert_accessible, follow, log_in, screenshot


@pytest.fixture
def seed(demo_committed):
    """The demo, committed (the live server reads it on its own connection)."""


def _log_out(page) -> None:
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/accounts/login/")


def _cell(page, group: str, column: str = "Helårsprognos"):
    """The input of the 1101 unit's row ``group`` in ``column`` (as a screen reader names it)."""
    return page.get_by_role(
        "textbox", name=f"{column} 1101 Kirurgkliniken Sundsvall-Härnösand {group}", exact=True
    )


def _unit_total(page) -> str:
    return page.locator('tr[data-total-for] [data-role="forecast-total"]').first.inner_text()


def test_director_submits_finance_returns_director_fixes_finance_approves(page, axe, seed):
    # The director opens October's forecast from the forecast list.
    log_in(page, "direktor.somatik")
    page.get_by_role("link", name="Prognoser").click()
    assert "Försenad" in page.locator("main").inner_text()
    page.get_by_role("link", name="Länssjukvårdsområde somatik").first.click()
    page.wait_for_url("**/edit/")
    assert_accessible(axe, page, "the forecast grid")
    assert _unit_total(page) == f"1{NBSP}026{NBSP}148{NBSP}tkr"

    # Keyboard only: from Köpt vård, the down arrow moves to Läkemedel; typing updates totals.
    _cell(page, "Köpt vård").focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.name") == _cell(page, "Läkemedel").get_attribute(
        "name"
    )
    page.keyboard.type("81 889")
    assert _unit_total(page) == f"1{NBSP}027{NBSP}148{NBSP}tkr", "totals follow the typing"
    page.keyboard.press("Enter")  # moves down, does not submit
    assert page.evaluate("document.activeElement.name") == _cell(
        page, "Material och inköp"
    ).get_attribute("name")

    # Submitting without the comment the deviation needs is refused next to the cell.
    page.get_by_role("button", name="Skicka in till ekonomi").click()
    page.wait_for_load_state()
    assert "Avvikelsen är större än gränsen" in page.locator("main").inner_text()
    assert _cell(page, "Läkemedel").input_value() == "81 889"
    assert_accessible(axe, page, "the grid with an error")
    _cell(page, "Läkemedel", "Kommentar").fill("Dyrare cytostatika")
    page.get_by_role("button", name="Skicka in till ekonomi").click()
    page.wait_for_url("**/areas/*/")
    assert "Prognosen är inskickad till ekonomi." in page.locator("main").inner_text()
    screenshot(page, "forecast-submitted")
    _log_out(page)

    # Finance returns it with a comment.
    log_in(page, "ekonom")
    page.get_by_role("link", name="Prognoser").click()
    follow(page, page.get_by_role("link", name="Prognos efter oktober 2024"))
    assert_accessible(axe, page, "the round overview")
    follow(page, page.get_by_role("link", name="Länssjukvårdsområde somatik"))
    assert_accessible(axe, page, "the submitted forecast")
    page.get_by_label("Vad ska området rätta?").fill("Läkemedel: räkna med avtalspriset")
    page.get_by_role("button", name="Återsänd med kommentar").click()
    page.wait_for_load_state()
    assert "Prognosen är återsänd" in page.locator("main").inner_text()
    _log_out(page)

    # The director reads why, fixes the figure and submits again.
    log_in(page, "direktor.somatik")
    page.get_by_role("link", name="Prognoser").click()
    page.get_by_role("link", name="Länssjukvårdsområde somatik").first.click()
    page.wait_for_url("**/edit/")
    assert "Läkemedel: räkna med avtalspriset" in page.locator("main").inner_text()
    _cell(page, "Läkemedel").fill("81 389")
    page.get_by_role("button", name="Skicka in till ekonomi").click()
    page.wait_for_url("**/areas/*/")
    _log_out(page)

    # Finance approves; the area page shows the approved figures.
    log_in(page, "ekonom")
    page.get_by_role("link", name="Prognoser").click()
    page.get_by_role("link", name="Prognos efter oktober 2024").click()
    page.get_by_role("link", name="Länssjukvårdsområde somatik").click()
    page.get_by_role("button", name="Godkänn").click()
    page.wait_for_load_state()
    assert (
        "Prognosen för Länssjukvårdsområde somatik är godkänd." in page.locator("main").inner_text()
    )
    page.get_by_role("link", name="Godkända prognoser för Länssjukvårdsområde somatik").click()
    main = page.locator("main").inner_text()
    assert "Per verksamhet, prognos efter oktober 2024 (godkänd)" in main
    october = page.locator("#deviation-per-round tbody tr").nth(1).inner_text()
    assert "Prognos efter oktober 2024" in october
    assert f"−58,5{NBSP}mnkr" in october
    assert f"−15{NBSP}537{NBSP}tkr" in page.locator("#unit-figures").inner_text()
    assert_accessible(axe, page, "the area page")
    screenshot(page, "forecast-area-approved")


_TOTALS = '[data-role="forecast-total"], [data-role="deviation-total"], [data-role="change-total"]'
_SERVED_TOTAL = re.compile(r'data-role="(?:forecast|deviation|change)-total">([^<]*)<')


def test_the_live_totals_are_the_totals_the_server_draws_with_an_empty_cell(page, seed):
    log_in(page, "direktor.somatik")
    page.get_by_role("link", name="Prognoser").click()
    page.get_by_role("link", name="Länssjukvårdsområde somatik").first.click()
    page.wait_for_url("**/edit/")
    assert _cell(page, "Läkemedel").input_value() == f"80{NBSP}889"

    # An emptied cell adds nothing: the unit's total is the rest, 1 026 148 − 80 889 tkr.
    _cell(page, "Läkemedel").fill("")
    assert _unit_total(page) == f"945{NBSP}259{NBSP}tkr"
    live = page.locator(_TOTALS).all_inner_texts()

    # Saving is refused (the cell needs an amount); the server draws the same totals.
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="Spara utkast").click()
    served = _SERVED_TOTAL.findall(response.value.text())
    page.wait_for_load_state()
    assert "Ange ett belopp." in page.locator("main").inner_text()
    assert served == live
    assert page.locator(_TOTALS).all_inner_texts() == served, "the script keeps them"


def test_the_import_page_passes_axe(page, axe, seed):
    log_in(page, "ekonom")
    follow(page, page.get_by_role("link", name="Import"))
    assert_accessible(axe, page, "the import page")
    page.get_by_role("link", name="Prognoser").click()
    follow(page, page.get_by_role("link", name="Öppna ett prognostillfälle"))
    assert_accessible(axe, page, "the round form")
