"""The measure register in Chromium: a director reports a realised effect and sees the total move;
finance adds a measure and finds it in the export. Every page passes axe."""

import csv
import io
import re
from decimal import Decimal

import pytest

from forecasts.models import Plan
from measures.models import Category, Measure, PlannedEffect
from tests.browser.conftest import assert_accessible, log_in, screenshot


@pytest.fixture
def seed(demo_committed):
    """The demo, committed (the live server reads it on its own connection)."""


def _realised_total(page) -> str:
    return page.locator("#total-realised").inner_text()


def test_a_director_records_a_realised_effect_on_m03_and_sees_the_total_move(page, axe, seed):
    log_in(page, "direktor.somatik")
    page.get_by_role("link", name="Åtgärder").first.click()
    page.wait_for_url("**/measures/")
    page.get_by_label("År").select_option("2026")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_load_state()
    before = _realised_total(page)
    assert "M13" not in page.locator("main").inner_text(), "psychiatry's measure"
    assert_accessible(axe, page, "measure list of the director")
    screenshot(page, "measures-list-director")

    page.get_by_role("link", name="M03").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("M03")
    assert_accessible(axe, page, "measure detail")
    page.get_by_role("link", name="Rapportera läget").click()
    page.get_by_label("År").select_option("2026")
    page.get_by_label(re.compile(r"^Månad")).select_option("10")
    page.get_by_label("Utfallen effekt under månaden (mnkr)").fill("4,5")
    page.get_by_label("Kommentar").fill("Färre hyrläkare i oktober")
    assert_accessible(axe, page, "report form")
    page.get_by_role("button", name="Spara rapporten").click()
    page.wait_for_load_state()
    assert "Rapporten för M03 är sparad." in page.locator("main").inner_text()
    assert "Färre hyrläkare i oktober" in page.locator("#realised-comments").inner_text()
    assert "Anna Berglund" in page.locator("#history").inner_text()
    screenshot(page, "measures-detail-m03")

    page.goto("/measures/?year=2026")
    after = _realised_total(page)
    # Somatik's 2026 realised effect grows by exactly the 4,5 mnkr just reported.
    to_number = lambda text: float(text.split("\u00a0")[0].replace(",", "."))  # noqa: E731
    assert to_number(after) == pytest.approx(to_number(before) + 4.5, abs=0.05)


def test_finance_adds_a_measure_and_finds_it_in_the_export(page, axe, seed):
    log_in(page, "ekonom")
    page.goto("/measures/")
    page.get_by_role("link", name="Ny åtgärd").click()
    assert_accessible(axe, page, "new measure form")
    page.get_by_label(re.compile(r"^Kod")).fill("M15")
    page.get_by_label(re.compile(r"^Rubrik")).fill("Samordnad transport")
    page.get_by_label("Kategori").select_option(label="Köpt vård")
    page.get_by_label("Ägande område").select_option(label="Närsjukvårdsområde norr")
    page.get_by_label("2024 låg (mnkr)").fill("1")
    page.get_by_label("2024 hög (mnkr)").fill("0,5")
    page.get_by_role("button", name="Spara").click()
    assert "Den höga änden kan inte vara lägre än den låga." in page.locator("main").inner_text()
    assert page.get_by_label(re.compile(r"^Kod")).input_value() == "M15"
    assert_accessible(axe, page, "new measure form with an error")
    page.get_by_label("2024 hög (mnkr)").fill("1,5")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "M15 Samordnad transport"

    page.goto("/measures/?year=2024")
    assert "176,0–193,5\u00a0mnkr" in page.locator("#total-planned").inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Exportera till CSV").click()
    content = download_info.value.path().read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    m15 = next(row for row in rows if row[0] == "M15")
    assert m15[1:4] == ["Samordnad transport", "Köpt vård", "NSO-N"]
    assert m15[6:8] == ["1", "1,5"]
    assert rows[-1][6:8] == ["176", "193,5"]
    screenshot(page, "measures-list-finance")


def test_finance_pages_through_a_long_list_by_keyboard_with_the_filter_kept(page, axe, seed):
    plan = Plan.objects.get(name="Ekonomi i balans 2024–2026")
    created = Measure.objects.bulk_create(
        Measure(
            plan=plan,
            code=f"X{n:02d}",
            title=f"Åtgärd {n}",
            category=Category.objects.first(),
            status="done",
        )
        for n in range(1, 61)
    )
    PlannedEffect.objects.bulk_create(
        PlannedEffect(measure=m, year=2024, low=Decimal(10**6), high=Decimal(2 * 10**6))
        for m in created
    )
    log_in(page, "ekonom")
    page.goto("/measures/?year=2024&status=done")
    pages = page.get_by_role("navigation", name="Åtgärdslistans sidor")
    assert "Åtgärder 1–50 av 60" in pages.inner_text()
    assert page.locator("#measure-table tbody tr").count() == 50
    assert_accessible(axe, page, "measure list, first of two pages")
    # By keyboard: focus the link to the next page and press Enter.
    pages.get_by_role("link", name="Nästa").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**page=2**")
    assert page.locator("#measure-table tbody tr").count() == 10
    assert page.get_by_label("Status").input_value() == "done", "the filter is kept"
    assert "X60" in page.locator("#measure-table").inner_text()
    assert page.locator("#total-planned").inner_text() == "60–120\u00a0mnkr"
    assert_accessible(axe, page, "measure list, second page")
    screenshot(page, "measures-list-page-2")
