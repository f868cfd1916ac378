"""Browser journeys: finance reads the gap dashboard; a committee member reads the latest report
on a tablet and in print."""

import re

import pytest

from tests.browser.conftest import assert_accessible, log_in, screenshot


@pytest.fixture
def seed(demo_committed):
    """The demo, committed (the live server reads it on its own connection)."""


def test_finance_reads_the_gap_switches_year_and_opens_the_bridge(page, axe, seed):
    log_in(page, "ekonom")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Gapöversikt").click()
    page.wait_for_url("**/gap/")
    sentences = page.locator(".gap-sentences")
    assert "2024: 132–149\u00a0mnkr saknas" in sentences.inner_text()
    # the chart is drawn by plotly from the JSON beside it, when it comes into view
    page.locator("#per-year .chart").scroll_into_view_if_needed()
    page.wait_for_selector("#per-year .chart .main-svg")
    assert_accessible(axe, page, "gap dashboard")

    page.get_by_label("År", exact=True).select_option("2024")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url("**year=2024**")
    assert page.locator("#gap-table tr[data-year='2024'] .uncovered").inner_text() == (
        "132–149\u00a0mnkr"
    )
    page.get_by_label("År", exact=True).select_option("2026")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url("**year=2026**")
    page.get_by_role("link", name="Gapbrygga").click()
    bridge = page.locator("#bridge")
    assert "Gapbrygga 2026" in bridge.get_by_role("heading").inner_text()
    page.wait_for_selector("#bridge .chart .main-svg")
    rows = bridge.locator("#bridge-table tbody tr")
    assert rows.first.inner_text().startswith("Krav")
    assert "775,0\u00a0mnkr" in rows.first.inner_text()
    assert "Ofinansierat" in rows.last.inner_text()
    assert "56,0\u00a0mnkr" in rows.last.inner_text()  # 775 − 719 at the low end
    assert_accessible(axe, page, "gap dashboard 2026")
    screenshot(page, "gap-dashboard-2026")


# Every range on a report, with a dash between word joiners or in words between no-break
# spaces ("85,0–99,0 mnkr", "−56,0 till 56,0 mnkr"), and whether any of them wraps.
RANGES_ON_ONE_LINE = r"""(root) => {
  const end = "[\\u2212\\d][\\d\\u00a0,]*";
  const between = "(?:\\u2060\\u2013\\u2060|\\u00a0till\\u00a0)";
  const range = new RegExp(end + between + end + "\\u00a0mnkr", "g");
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const found = [], wrapped = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    for (const match of node.data.matchAll(range)) {
      const r = document.createRange();
      r.setStart(node, match.index);
      r.setEnd(node, match.index + match[0].length);
      const boxes = [...r.getClientRects()].filter((b) => b.width > 0);
      const lines = new Set(boxes.map((b) => Math.round(b.top)));
      found.push(match[0]);
      if (lines.size > 1) wrapped.push(match[0]);
    }
  }
  return {found, wrapped};
}"""


def test_a_committee_member_reads_the_latest_report_on_a_tablet_and_in_print(
    browser, live_server, axe, seed
):
    import io

    from pypdf import PdfReader

    context = browser.new_context(base_url=live_server.url, viewport={"width": 768, "height": 1024})
    page = context.new_page()
    log_in(page, "ledamot")
    # Below 992 px the menu folds behind its button.
    page.get_by_role("button", name=re.compile("meny", re.I)).click()
    page.get_by_role("link", name="Lägesrapporter").click()
    page.get_by_role("link", name="Lägesrapport efter oktober 2026").click()
    report = page.locator("#report")
    assert "Till Hälso- och sjukvårdsnämnden" in report.locator(".report-meeting").inner_text()

    # The first screen answers in words: where 2026 ends by October's forecasts and whether
    # the plan is enough, a range across zero said as what is left and what is over.
    brief = report.locator("#report-brief")
    assert brief.bounding_box()["y"] < 1024, "the answers start on the first screen"
    assert "slutar 2026 med ett underskott på 20,0\u00a0mnkr" in brief.inner_text()
    assert page.locator("#report-outlook-verdict").inner_text() == (
        "Nej: 85,0\u2060–\u206099,0\u00a0mnkr återstår att täcka."
    )
    assert page.locator("#report-plan-verdict").inner_text() == (
        "Kanske: mellan 56,0\u00a0mnkr kvar att täcka och 56,0\u00a0mnkr över."
    )
    assert "M07 Hemtagning av köpt vård" in brief.locator(".report-attention").inner_text()
    assert report.locator("#report-outlook .uncovered").inner_text() == (
        "85,0\u2060–\u206099,0\u00a0mnkr"
    )
    assert report.locator("#report-plan .uncovered").inner_text() == (
        "\u221256,0\u00a0till\u00a056,0\u00a0mnkr"
    )
    # At 768 px: no range wraps and nothing makes the page scroll sideways.
    lines = report.evaluate(RANGES_ON_ONE_LINE)
    assert len(lines["found"]) > 20 and lines["wrapped"] == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 768
    tables_scrolling = report.evaluate(
        "(root) => [...root.querySelectorAll('.table-wrap, .table-responsive')]"
        ".filter((w) => w.scrollWidth > w.clientWidth).map((w) => w.id || w.innerText.slice(0, 40))"
    )
    assert tables_scrolling == [], "every table of the report fits the tablet's width"
    changes = report.locator(".report-status-changes").inner_text()
    assert "M07 Hemtagning av köpt vård" in changes
    assert "från pågår till försenad" in changes
    assert_accessible(axe, page, "status report")
    screenshot(page, "report-tablet")

    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".report-actions").is_hidden()
    assert report.is_visible()
    screenshot(page, "report-print")
    # Printed (A4 from the browser's print): every table's caption on the page of its head.
    printed = PdfReader(io.BytesIO(page.pdf(format="A4")))
    pages = [" ".join(p.extract_text().split()) for p in printed.pages]
    for caption, head in [
        ("Vart 2026 är på väg enligt prognoserna", "Belopp"),
        ("Planen som den antogs, 2026, mnkr", "Belopp"),
        ("Per år (mnkr)", "Sannolikhet"),
        ("Per område (mnkr)", "Egna åtgärder"),
        ("Planens alla åtgärder (mnkr)", "Ljus"),
    ]:
        on = next(text for text in pages if caption in text)
        assert head in on[on.index(caption) :], f"{caption!r} is printed with its table"
    context.close()


def test_the_year_box_shows_the_year_of_the_figures_and_keeps_it_when_an_area_is_chosen(page, seed):
    import re

    from forecasts.models import Plan
    from measures.selectors import default_year

    shown = str(default_year(Plan.objects.get(name="Ekonomi i balans 2024–2026")))
    log_in(page, "ekonom")
    page.goto("/gap/")

    def figures_year() -> str:
        text = page.locator("#outlook").inner_text()
        return re.search(r"(?:Utsikt |Ingen godkänd prognos för )(\d{4})", text).group(1)

    assert page.get_by_label("År", exact=True).input_value() == shown == figures_year()
    page.get_by_label("Område", exact=True).select_option(label="Länssjukvårdsområde somatik")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url("**area=**")
    assert page.get_by_label("År", exact=True).input_value() == shown == figures_year()
