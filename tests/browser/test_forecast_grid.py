"""The forecast grid as a spreadsheet user expects it, in Chromium: pasting a block copied from
Excel or LibreOffice, headers and the save bar that stay in view, Ctrl+S, the warning before
leaving unsaved changes, comments marked while typing, and the grid on a 768 px tablet."""

from __future__ import annotations

from decimal import Decimal

import pytest

from forecasts.models import ForecastLine
from regionbudget.core.formatting import NBSP, amount_input_text, parse_amount
from tests.browser.conftest import assert_accessible, log_in, screenshot

UNIT = "1101 Kirurgkliniken Sundsvall-Härnösand"


@pytest.fixture
def seed(demo_committed):
    """The demo, committed (the live server reads it on its own connection)."""


def _log_in(page, username: str = "direktor.somatik") -> None:
    log_in(page, username)


def _open_grid(page) -> None:
    """October's grid of Länssjukvårdsområde somatik, from the forecast list."""
    page.get_by_role("link", name="Prognoser").click()
    page.get_by_role("link", name="Länssjukvårdsområde somatik").first.click()
    page.wait_for_url("**/edit/")


def _cell(page, group: str, column: str = "Helårsprognos"):
    return page.get_by_role("textbox", name=f"{column} {UNIT} {group}", exact=True)


def _unit_total(page) -> str:
    return page.locator('tr[data-total-for] [data-role="forecast-total"]').first.inner_text()


def _tkr(text: str) -> Decimal:
    return parse_amount(text.replace(f"{NBSP}tkr", ""))


def _paste(page, cell, text: str) -> None:
    """Put ``text`` on the clipboard, as a spreadsheet does, and press Ctrl+V in ``cell``."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    cell.focus()
    page.keyboard.press("Control+V")


def _stored_lines() -> list[tuple[int, int, Decimal, str]]:
    return sorted(
        ForecastLine.objects.filter(
            forecast__area__code="LSO-SOM",
            forecast__forecast_round__year=2024,
            forecast__forecast_round__month=10,
        ).values_list("unit_id", "account_group_id", "amount", "comment")
    )


@pytest.fixture
def clipboard(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    return page


def test_a_block_pasted_from_a_spreadsheet_fills_the_cells_and_marks_the_bad_one(clipboard, seed):
    page = clipboard
    _log_in(page)
    _open_grid(page)
    groups = ["Köpt vård", "Läkemedel", "Material och inköp", "Lokaler"]
    before = {g: _tkr(_cell(page, g).input_value()) for g in groups}
    total_before = _tkr(_unit_total(page))
    stored_before = _stored_lines()

    # Four rows of three columns (amount, comment and a column the grid has no room for), one
    # amount not a number; Excel ends the block with a newline.
    block = (
        "41 500\tNytt avtal\tx\r\n"
        "41500,5\tDyrare cytostatika\tx\r\n"
        "fyrtio\t\tx\r\n"
        "\u2212500\tHyra återbetald\tx\r\n"
    )
    _paste(page, _cell(page, "Köpt vård"), block)

    assert _cell(page, "Köpt vård").input_value() == f"41{NBSP}500"
    assert _cell(page, "Läkemedel").input_value() == f"41{NBSP}500,5"
    assert _cell(page, "Material och inköp").input_value() == "fyrtio"
    assert _cell(page, "Lokaler").input_value() == "\u2212500"
    assert _cell(page, "Läkemedel", "Kommentar").input_value() == "Dyrare cytostatika"
    assert _cell(page, "Lokaler", "Kommentar").input_value() == "Hyra återbetald"

    # The bad value is marked on its cell with the server's reason; the others are not.
    reason = "”fyrtio” är inte ett tal. Skriv till exempel 1 234,5 eller −500."
    bad = _cell(page, "Material och inköp")
    assert bad.get_attribute("aria-invalid") == "true"
    assert reason in bad.evaluate(
        "el => el.getAttribute('aria-describedby').split(' ')"
        ".map(id => document.getElementById(id).innerText).join(' ')"
    )
    assert _cell(page, "Läkemedel").get_attribute("aria-invalid") is None

    # The totals follow: the pasted amounts replace the old ones; the bad cell adds nothing.
    # 41 500 + 41 500,5 − 500 = 82 500,5 tkr in place of the four cells' former amounts.
    expected = total_before - sum(before.values()) + Decimal("82500.5")
    assert _tkr(_unit_total(page)) == expected.quantize(Decimal(1), rounding="ROUND_HALF_UP")
    status = page.locator("#grid-status").inner_text()
    assert "Inklistrat: 8 värden. Inte godtagna (markerade i tabellen): 1." in status
    assert "Utanför tabellen, inte inklistrat: 4 värden." in status

    # Nothing is saved until the director saves.
    assert _stored_lines() == stored_before

    # An English block: commas between thousands, a decimal point.
    _paste(page, _cell(page, "Personal"), "41,500.5\n1,200\n")
    assert _cell(page, "Personal").input_value() == f"41{NBSP}500,5"
    assert _cell(page, "Hyrpersonal").input_value() == f"1{NBSP}200"

    # Saving: the server refuses the bad cell with the same reason and keeps every input.
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_load_state()
    assert reason in page.locator("main").inner_text()
    assert _cell(page, "Läkemedel").input_value() == f"41{NBSP}500,5"
    assert _stored_lines() == stored_before
    _cell(page, "Material och inköp").fill("40 000")
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_url("**/edit/")
    assert "Utkastet är sparat." in page.locator("main").inner_text()
    amounts = [(amount, comment) for _u, _g, amount, comment in _stored_lines()]
    assert (Decimal("41500000"), "Nytt avtal") in amounts  # Köpt vård, 41 500 tkr
    assert (Decimal("41500500"), "Dyrare cytostatika") in amounts  # Läkemedel
    assert (Decimal("40000000"), "") in amounts  # Material och inköp, typed after the paste
    assert (Decimal("-500000"), "Hyra återbetald") in amounts  # Lokaler
    assert Decimal("1200000") in [a for a, _c in amounts]  # Hyrpersonal, the English block


# --- In view while scrolling, Ctrl+S, the unsaved-changes warning, the keyboard -------------

_BOX = """(selector) => {
  const box = document.querySelector(selector).getBoundingClientRect();
  return {top: box.top, bottom: box.bottom, left: box.left, right: box.right};
}"""


def test_the_headers_first_column_and_save_bar_stay_in_view_while_scrolling(page, seed):
    _log_in(page)
    _open_grid(page)
    header = "#ch-forecast"  # Helårsprognos
    assert page.locator(header).inner_text() == "Helårsprognos"

    # Down the grid, 2 000 px: the headers stay at the top of the grid's box, the rows move.
    page.locator(".grid-scroll").evaluate("box => { box.scrollTop = 2000; }")
    grid_box = page.evaluate(_BOX, ".grid-scroll")
    after = page.evaluate(_BOX, header)
    assert abs(after["top"] - grid_box["top"]) <= 2, (after, grid_box)
    first_row = page.evaluate(_BOX, "#forecast-grid tbody tr.grid-row")
    assert first_row["bottom"] < grid_box["top"], "the first row has scrolled out of view"

    # Sideways: the account-group column stays at the left of the box.
    page.set_viewport_size({"width": 700, "height": 900})
    page.locator(".grid-scroll").evaluate("box => { box.scrollLeft = 400; }")
    grid_box = page.evaluate(_BOX, ".grid-scroll")
    label = page.evaluate(_BOX, "#forecast-grid tbody tr.grid-row th")
    assert abs(label["left"] - grid_box["left"]) <= 2, (label, grid_box)

    # The page scrolled to its end: Save and Submit are still in view.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    bar = page.evaluate(_BOX, "#grid-bar")
    assert bar["top"] >= 0 and bar["bottom"] <= 900, bar
    assert page.get_by_role("button", name="Spara utkast").is_visible()


def test_ctrl_s_saves_the_draft(page, seed):
    _log_in(page)
    _open_grid(page)
    _cell(page, "Läkemedel").fill("81 889")
    with page.expect_navigation():
        page.keyboard.press("Control+s")
    assert "Utkastet är sparat." in page.locator("main").inner_text()
    line = ForecastLine.objects.get(
        forecast__area__code="LSO-SOM",
        forecast__forecast_round__year=2024,
        forecast__forecast_round__month=10,
        unit__code="1101",
        account_group__name="Läkemedel",
    )
    assert line.amount == Decimal("81889000")


def test_leaving_with_unsaved_changes_asks_first(page, seed):
    _log_in(page)
    _open_grid(page)
    _cell(page, "Läkemedel").click()  # a click: the browser asks only after a user's gesture
    _cell(page, "Läkemedel").fill("81 889")
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.type) or dialog.dismiss())
    # The click returns once the browser has asked and the director chose to stay.
    page.get_by_role("link", name="Prognoser").click(no_wait_after=True)
    assert dialogs == ["beforeunload"]
    assert page.url.endswith("/edit/"), "the director stayed on the grid"
    assert _cell(page, "Läkemedel").input_value() == "81 889", "the typing is still there"

    # Without changes (the grid afresh, in another tab) nothing asks.
    fresh = page.context.new_page()
    fresh.on("dialog", lambda dialog: dialogs.append(dialog.type) or dialog.dismiss())
    fresh.goto(page.url)
    fresh.get_by_role("link", name="Prognoser").click()
    fresh.wait_for_url("**/rounds/")
    assert dialogs == ["beforeunload"], "no second question"


def test_save_is_at_most_five_key_presses_from_the_first_cell(page, seed):
    _log_in(page)
    _open_grid(page)
    _cell(page, "Personal").focus()
    for _press in range(5):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Spara utkast":
            break
    else:
        raise AssertionError("Save was not reached in five key presses")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Utkastet är sparat." in page.locator("main").inner_text()


# --- Comments: marked while typing by the server's rule ---------------------------------------

_HINTS = """() => Object.fromEntries(Array.from(document.querySelectorAll(".need-comment"))
  .map(hint => [hint.id, !hint.hidden]))"""


def _budget(page, group: str) -> Decimal:
    """The row's budget in SEK, as the page gives it to the script."""
    row = page.locator("tr.grid-row", has=_cell(page, group))
    return Decimal(row.get_attribute("data-budget").replace(",", "."))


def test_the_lines_needing_a_comment_are_marked_while_typing_as_the_server_marks_them(page, seed):
    _log_in(page)
    _open_grid(page)
    threshold = Decimal(page.locator("#forecast-grid").get_attribute("data-threshold"))
    assert threshold == Decimal("500000")  # 500 tkr, the demo round's
    budget = _budget(page, "Läkemedel")
    hint = page.locator(f"#need-{_cell(page, 'Läkemedel', 'Kommentar').get_attribute('name')}")
    _cell(page, "Läkemedel", "Kommentar").fill("")

    # Exactly the threshold below budget: not above it, no comment needed.
    _cell(page, "Läkemedel").fill(amount_input_text(budget - threshold))
    assert hint.is_hidden()
    # One öre (0,00001 tkr) more: needed, and the hint goes as soon as a comment is typed.
    _cell(page, "Läkemedel").fill(amount_input_text(budget - threshold - Decimal("0.01")))
    assert hint.is_visible()
    _cell(page, "Läkemedel", "Kommentar").fill("Dyrare cytostatika")
    assert hint.is_hidden()
    _cell(page, "Läkemedel", "Kommentar").fill("")
    assert hint.is_visible()

    # Far above budget in two other lines, back to budget in a third; then the server draws
    # the hints of the saved draft: the same lines.
    _cell(page, "Personal").fill("999 999")
    _cell(page, "Personal", "Kommentar").fill("")
    _cell(page, "Köpt vård").fill("0")
    _cell(page, "Intäkter").fill(amount_input_text(_budget(page, "Intäkter")))
    live = page.evaluate(_HINTS)
    assert sum(live.values()) >= 3
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_url("**/edit/")
    assert "Utkastet är sparat." in page.locator("main").inner_text()
    assert page.evaluate(_HINTS) == live


# --- A 768 × 1024 tablet ----------------------------------------------------------------------

_OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_the_grid_on_a_tablet_fits_the_page_and_the_menu_reaches_log_out(
    browser, live_server, axe, seed
):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 768, "height": 1024})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.emulate_media(reduced_motion="reduce")
    _log_in(page)
    assert page.evaluate(_OVERFLOW) == 0, "the home page scrolls sideways"

    # Who is signed in and "Logga ut" stay in view under the menu, which is folded behind a
    # button; opened, its items are in reach.
    logout = page.get_by_role("button", name="Logga ut")
    assert logout.is_visible()
    box = logout.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 768, box
    assert not page.locator("#main-nav").is_visible()
    page.get_by_role("button", name="Visa menyn").click()
    page.locator("#main-nav").wait_for(state="visible")
    page.get_by_role("link", name="Prognoser").click()
    page.get_by_role("link", name="Länssjukvårdsområde somatik").first.click()
    page.wait_for_url("**/edit/")
    assert page.evaluate(_OVERFLOW) == 0, "the grid page scrolls sideways"
    assert_accessible(axe, page, "the grid at 768 px")
    screenshot(page, "forecast-grid-tablet")

    # The last column's input is reachable: focused, it is in view, with its row's label.
    comment = _cell(page, "Läkemedel", "Kommentar")
    comment.focus()
    box = comment.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 768, box
    label = page.locator("tr.grid-row", has=comment).locator("th").bounding_box()
    assert label["x"] >= 0 and label["x"] + label["width"] <= box["x"], (label, box)
    assert page.locator("tr.grid-row", has=comment).locator("th").inner_text() == "Läkemedel"
    comment.fill("Dyrare cytostatika")
    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_url("**/edit/")
    assert "Utkastet är sparat." in page.locator("main").inner_text()
    page.get_by_role("button", name="Visa menyn").click()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/accounts/login/")
    context.close()


# --- The grid through Excel and back ----------------------------------------------------------


def test_the_grid_goes_to_excel_and_back_into_the_same_round(page, seed, tmp_path):
    import openpyxl

    _log_in(page)
    _open_grid(page)
    total_before = _tkr(_unit_total(page))
    läkemedel = _tkr(_cell(page, "Läkemedel").input_value())
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ned prognosen som Excelfil (.xlsx)").click()
    path = tmp_path / "prognos.xlsx"
    download.value.save_as(path)

    # Filled in "in Excel": Läkemedel of 1101 up by 1 000,5 tkr, with a comment.
    book = openpyxl.load_workbook(path)
    sheet = book.active
    number = next(
        n
        for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        if row[0] == "1101" and row[3] == "Läkemedel"
    )
    sheet.cell(number, 8).value = float(läkemedel + Decimal("1000.5"))
    sheet.cell(number, 9).value = "Dyrare cytostatika"
    book.save(path)

    page.get_by_label("Ifylld prognosfil (.xlsx)").set_input_files(path)
    page.get_by_role("button", name="Visa filen i prognosen").click()
    page.wait_for_load_state()
    assert "Filens belopp står i prognosen nedan." in page.locator("main").inner_text()
    assert _tkr(_cell(page, "Läkemedel").input_value()) == läkemedel + Decimal("1000.5")
    assert _cell(page, "Läkemedel", "Kommentar").input_value() == "Dyrare cytostatika"
    # 1 000,5 tkr more: the total, rounded to whole tkr (half up).
    assert _tkr(_unit_total(page)) == total_before + 1001

    page.get_by_role("button", name="Spara utkast").click()
    page.wait_for_url("**/edit/")
    line = ForecastLine.objects.get(
        forecast__area__code="LSO-SOM",
        forecast__forecast_round__year=2024,
        forecast__forecast_round__month=10,
        unit__code="1101",
        account_group__name="Läkemedel",
    )
    assert (line.amount, line.comment) == (
        (läkemedel + Decimal("1000.5")) * 1000,
        "Dyrare cytostatika",
    )


def test_a_unit_folds_and_unfolds_and_its_total_stays(page, seed):
    _log_in(page)
    _open_grid(page)
    total = _unit_total(page)
    fold = page.get_by_role("button", name=f"Fäll ihop {UNIT}")
    assert fold.get_attribute("aria-expanded") == "true"
    fold.click()
    assert not _cell(page, "Personal").is_visible()
    assert _unit_total(page) == total, "the folded unit's total still shows"
    unfold = page.get_by_role("button", name=f"Fäll ut {UNIT}")
    assert unfold.get_attribute("aria-expanded") == "false"
    unfold.click()
    assert _cell(page, "Personal").is_visible()


def test_the_change_since_the_previous_forecast_follows_the_typing(page, seed):
    _log_in(page)
    _open_grid(page)
    row = page.locator("tr.grid-row", has=_cell(page, "Läkemedel"))
    previous = Decimal(row.get_attribute("data-previous")) / 1000  # tkr
    _cell(page, "Läkemedel").fill(amount_input_text((previous + 250) * 1000))
    assert row.locator('[data-role="change"]').inner_text() == f"250{NBSP}tkr"
    _cell(page, "Läkemedel").fill(amount_input_text((previous - 1200) * 1000))
    assert row.locator('[data-role="change"]').inner_text() == f"\u22121{NBSP}200{NBSP}tkr"
    _cell(page, "Läkemedel").fill("")
    assert row.locator('[data-role="change"]').inner_text() == "–"
