"""The forecast journey with the keyboard alone: no mouse, and no address typed after the login
page. The area director logs in, reaches *Prognoser*, opens the area's draft, moves through the
grid with Tab, arrows and Enter, types amounts the Swedish way, comments, saves and submits.
Wherever focus goes it is visible."""

from __future__ import annotations

from decimal import Decimal

import pytest

from forecasts.models import Forecast, ForecastLine
from regionbudget.core.formatting import NBSP
from regionbudget.core.models import Area
from tests.browser.conftest import screenshot

UNIT = "1101 Kirurgkliniken Sundsvall-Härnösand"
MAX_TABS = 200  # the grid of an area has a hundred or so cells

# What the focused element is and whether a sighted keyboard user can see where focus is:
# an outline or a box shadow (Bootstrap's focus ring), on an element inside the viewport.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: el.getAttribute("name") || "",
    text: (el.innerText || el.value || "").trim(),
    label: el.getAttribute("aria-labelledby")
      ? el.getAttribute("aria-labelledby").split(" ")
          .map((id) => document.getElementById(id).innerText.trim()).join(" ")
      : "",
    href: el.getAttribute("href") || "",
    ring: (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
      || (style.boxShadow !== "none" && style.boxShadow !== ""),
    visible: box.width > 0 && box.height > 0 && box.bottom > 0
      && box.top < window.innerHeight && box.right > 0,
  };
}"""


@pytest.fixture
def seed(demo_committed):
    """The demo, committed (the live server reads it on its own connection)."""


def _focused(page) -> dict:
    focused = page.evaluate(FOCUSED)
    assert focused is not None, "focus was lost to the page body"
    return focused


def _assert_focus_visible(page) -> dict:
    focused = _focused(page)
    if focused["id"] != "main":  # the skip link's target is a landmark, not a control
        assert focused["ring"], f"no visible focus ring on {focused}"
        assert focused["visible"], f"the focused element is off screen: {focused}"
    return focused


def _tab_to(page, wanted, *, backwards: bool = False) -> dict:
    """Press Tab until ``wanted(focused)`` holds; every stop on the way shows its focus."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        focused = _assert_focus_visible(page)
        if wanted(focused):
            return focused
    raise AssertionError(f"Tab never reached the element; last was {focused}")


def _press_and_wait(page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def _grid_label(column: str, group: str) -> str:
    return f"{column} {UNIT} {group}"


def _unit_total(page) -> str:
    return page.locator('tr[data-total-for] [data-role="forecast-total"]').first.inner_text()


def test_the_director_enters_and_submits_a_forecast_with_the_keyboard_alone(page, seed):
    # Bootstrap scrolls smoothly unless reduced motion is asked for; without the animation a
    # focused element is in view at once, so "in view" can be checked right after each key.
    page.emulate_media(reduced_motion="reduce")
    page.goto("/accounts/login/")

    # The login form: the user name has focus (or is one Tab away); type, Tab, type, Enter.
    focused = _focused(page) if page.evaluate("document.activeElement !== document.body") else {}
    if focused.get("id") != "id_username":
        _tab_to(page, lambda f: f["id"] == "id_username")
    page.keyboard.type("direktor.somatik")
    page.keyboard.press("Tab")
    assert _assert_focus_visible(page)["id"] == "id_password"
    page.keyboard.type("demo")
    _press_and_wait(page, "Enter")
    assert page.url.endswith("/"), "logged in and on the home page"

    # The first Tab on a page reaches the skip link; Enter moves focus into the main landmark.
    skip = _tab_to(page, lambda f: True)
    assert skip["text"] == "Hoppa till innehållet" and skip["href"] == "#main"
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "main"

    # Back up to the menu and open Prognoser.
    _tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Prognoser", backwards=True)
    _press_and_wait(page, "Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Prognostillfällen"

    # The area's draft in the open round (the first link with the area's name).
    _tab_to(page, lambda f: f["tag"] == "a" and f["text"] == "Länssjukvårdsområde somatik")
    _press_and_wait(page, "Enter")
    assert page.url.endswith("/edit/"), page.url
    assert _unit_total(page) == f"1{NBSP}026{NBSP}148{NBSP}tkr"

    # Into the grid with Tab: the first forecast cell of the first unit.
    first = _tab_to(page, lambda f: f["label"].startswith("Helårsprognos"))
    assert first["label"] == _grid_label("Helårsprognos", "Personal")

    # Down the column with the arrow key and Enter until Läkemedel.
    for step in range(10):
        focused = _assert_focus_visible(page)
        if focused["label"] == _grid_label("Helårsprognos", "Läkemedel"):
            break
        page.keyboard.press("ArrowDown" if step % 2 else "Enter")
    else:
        raise AssertionError("the arrow keys never reached Läkemedel")
    enter_moved_not_submitted = page.url.endswith("/edit/")
    assert enter_moved_not_submitted

    # Moving into a cell selects its text, so typing replaces it; the Swedish way: a space
    # between thousands and a decimal comma. The totals follow the typing.
    page.keyboard.type("81 889,4")
    assert _unit_total(page) == f"1{NBSP}027{NBSP}148{NBSP}tkr", "totals follow the typing"
    area_total = page.locator('#area-total [data-role="forecast-total"]').inner_text()

    # Right arrow at the end of the amount moves to its comment; the comment is required.
    page.keyboard.press("ArrowRight")
    assert _assert_focus_visible(page)["label"] == _grid_label("Kommentar", "Läkemedel")
    page.keyboard.type("Dyrare cytostatika")

    # Another cell, a negative amount with the minus sign: revenue (Intäkter).
    for _ in range(12):
        page.keyboard.press("ArrowDown")
        if _assert_focus_visible(page)["label"] == _grid_label("Kommentar", "Intäkter"):
            break
    page.keyboard.press("ArrowLeft")  # the comment is empty: the caret is at its start
    revenue = _assert_focus_visible(page)
    assert revenue["label"] == _grid_label("Helårsprognos", "Intäkter")
    revenue_before = revenue["text"]
    page.keyboard.type("\u2212" + revenue_before.lstrip("-\u2212"))  # the same figure, typed anew
    assert page.locator('#area-total [data-role="forecast-total"]').inner_text() == area_total

    # Save the draft: back with Shift+Tab to the bar above the grid, Enter.
    _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Spara utkast", backwards=True)
    _press_and_wait(page, "Enter")
    assert "Utkastet är sparat." in page.locator("main").inner_text()
    area = Area.objects.get(code="LSO-SOM")
    forecast = Forecast.objects.get(area=area, forecast_round__year=2024, forecast_round__month=10)
    assert forecast.status == Forecast.Status.DRAFT
    line = ForecastLine.objects.get(
        forecast=forecast, unit__code="1101", account_group__name="Läkemedel"
    )
    assert line.amount == Decimal("81889400")
    assert line.comment == "Dyrare cytostatika"

    # Submit: after the save the page starts over; Tab through it to the submit button.
    _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Skicka in till ekonomi")
    screenshot(page, "keyboard-journey-grid")
    _press_and_wait(page, "Enter")
    assert "Prognosen är inskickad till ekonomi." in page.locator("main").inner_text()
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.SUBMITTED
    assert forecast.submitted_by.username == "direktor.somatik"
    line.refresh_from_db()
    assert (line.amount, line.comment) == (Decimal("81889400"), "Dyrare cytostatika")
