"""The gap dashboard in the browser: charts drawn as they come into view (all of them for
print), the forecast deviation chart summarised, and any other area added with a picker."""

import pytest

from tests.browser.conftest import assert_accessible, log_in, screenshot


@pytest.fixture
def seed(demo_committed):
    """The demo, committed (the live server reads it on its own connection)."""


def _traces(page, selector: str) -> list[str]:
    return page.eval_on_selector(selector, "el => el.data.map(t => t.name)")


def test_charts_below_the_first_screen_wait_until_scrolled_to_and_print_draws_them_all(page, seed):
    log_in(page, "ekonom")
    page.goto("/gap/?year=2024")
    page.wait_for_selector("#outlook .chart .main-svg")  # the first screen's chart
    assert page.locator("#categories .chart .main-svg").count() == 0, "not drawn yet"
    # the table beside it is there from the start
    assert page.locator("#category-table tbody tr").count() > 0
    page.locator("#categories .chart").scroll_into_view_if_needed()
    page.wait_for_selector("#categories .chart .main-svg")

    page.goto("/gap/?year=2024")
    page.wait_for_selector("#outlook .chart .main-svg")
    assert page.locator("#areas .chart .main-svg").count() == 0
    page.emulate_media(media="print")
    page.wait_for_selector("#areas .chart .main-svg", state="attached")
    charts = page.locator("[data-chart]").count()
    assert page.locator("[data-chart] .main-svg").count() >= charts


def test_a_jump_past_the_charts_draws_every_chart_scrolled_past(page, seed):
    """A jump to the end of the page (End, or a quick scroll while the page is busy) passes the
    charts between two of the observer's checks: they are drawn all the same."""
    log_in(page, "ekonom")
    page.goto("/gap/?year=2024")
    page.wait_for_selector("#outlook .chart .main-svg")
    assert page.locator("#categories .chart .main-svg").count() == 0, "not drawn yet"
    page.evaluate(
        "window.scrollTo({top: document.documentElement.scrollHeight, behavior: 'instant'})"
    )
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')]"
        ".every((chart) => chart.querySelector('.main-svg'))"
    )
    drawn = page.locator("[data-chart]", has=page.locator(".main-svg")).count()
    assert drawn == page.locator("[data-chart]").count() == 6


def test_the_picker_adds_an_area_that_is_not_among_the_movers(page, axe, seed):
    log_in(page, "ekonom")
    page.goto("/gap/?year=2024#forecast")
    chart = "#forecast .chart"
    page.wait_for_selector(f"{chart} .main-svg")
    names = _traces(page, chart)
    movers = page.locator(".deviation-movers .mover-area").all_inner_texts()
    assert names == ["Alla områden", *movers]
    assert 1 <= len(movers) <= 5

    picker = page.get_by_label("Lägg till ett annat område i diagrammet")
    assert picker.is_visible()
    picker.focus()
    page.keyboard.press("ArrowDown")  # the first area after "Inget", by keyboard
    chosen = picker.evaluate("el => el.options[el.selectedIndex].text")
    assert chosen not in movers
    page.wait_for_function(
        "([sel, n]) => document.querySelector(sel).data.length === n", arg=[chart, len(names) + 1]
    )
    assert _traces(page, chart)[-1] == chosen
    # its line has the figures of the table's row (mnkr, one decimal)
    row = page.locator("#deviation-table tbody tr", has=page.locator(f"th:text-is('{chosen}')"))
    table = [
        float(cell.replace("\u2212", "-").replace(",", ".").replace("\u00a0mnkr", "") or "nan")
        for cell in row.locator("td").all_inner_texts()
    ]
    line = page.eval_on_selector(chart, "el => el.data[el.data.length - 1].y")
    assert [round(v, 1) for v in line if v is not None] == [v for v in table if v == v]

    page.keyboard.press("ArrowDown")  # another one replaces it
    other = picker.evaluate("el => el.options[el.selectedIndex].text")
    page.wait_for_function(
        "([sel, name]) => document.querySelector(sel).data.at(-1).name === name",
        arg=[chart, other],
    )
    assert len(_traces(page, chart)) == len(names) + 1
    assert_accessible(axe, page, "gap dashboard, an area picked")
    screenshot(page, "gap-dashboard-deviation-picker")
