"""The benchmark's browser column: Debian's Chromium (``/usr/bin/chromium``) driven by
Playwright against the benchmark's gunicorn.

For each page, ``runs`` first visits (a new browser context each: empty cache) and ``runs``
repeat visits (the same page again in a context that has just visited it: files from the
browser's cache as their headers allow). Each visit records the navigation timing (responseEnd,
DOMContentLoaded, load, all from the start of the navigation) and "every chart drawn": the page is
scrolled through to its end, half a screen every three frames (charts draw when scrolled into
view), then the time at which
every chart (``[data-chart]`` / ``.js-plotly-plot``) has its ``.main-svg`` (or the page's
``window.regionbudgetChartsDrawn`` promise has settled) and the load event has fired; the
bytes the page transferred (``transferSize`` of the page and its resources) are kept too.
"""

from __future__ import annotations

import statistics

CHROMIUM = "/usr/bin/chromium"

# Scrolls to the end one screen per frame, then waits until every chart is drawn; answers the
# time (ms from the navigation's start) at which the last chart was found drawn.
_DRAWN = """
async () => {
  const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
  if (document.readyState !== "complete") {
    await new Promise((done) => window.addEventListener("load", done, { once: true }));
  }
  // Half a screen at a time, a few frames each, as a reader scrolls: a chart drawn when it
  // comes into view must be seen on the way (one frame per screen can skip past it).
  const step = Math.max(200, Math.round(window.innerHeight / 2));
  for (let y = 0; y < document.documentElement.scrollHeight; y += step) {
    window.scrollTo(0, y);
    await frame();
    await frame();
    await frame();
  }
  window.scrollTo(0, document.documentElement.scrollHeight);
  await frame();
  if (window.regionbudgetChartsDrawn) {
    await window.regionbudgetChartsDrawn;
  }
  const charts = () => Array.from(
    document.querySelectorAll("[data-chart], .js-plotly-plot")
  );
  const deadline = performance.now() + 60000;
  while (!charts().every((c) => c.querySelector(".main-svg")) && performance.now() < deadline) {
    await frame();
  }
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  return {
    responseEnd: nav.responseEnd,
    domContentLoaded: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
    charts: performance.now(),
    chartCount: charts().length,
    drawn: charts().every((c) => c.querySelector(".main-svg")),
    transferBytes: nav.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
  };
}
"""

KEYS = ("responseEnd", "domContentLoaded", "load", "charts", "transferBytes")


def _visit(page, url: str) -> dict:
    response = page.goto(url, wait_until="commit", timeout=120_000)
    if response is None or response.status != 200:
        raise SystemExit(f"browser: {url} answered {response and response.status}")
    found = page.evaluate(_DRAWN)
    if not found["drawn"]:
        raise SystemExit(f"browser: not every chart of {url} was drawn within 60 s")
    return found


def _median(visits: list[dict]) -> dict:
    result = {key: statistics.median(v[key] for v in visits) for key in KEYS}
    result["chartCount"] = visits[0]["chartCount"]
    return result


def measure(base: str, sessions: dict, pages: dict, runs: int) -> dict:
    """``pages``: name -> (user, path). Medians of ``runs`` first and repeat visits per page."""
    from playwright.sync_api import sync_playwright

    host = base.split("//", 1)[1].split(":")[0]
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            for name, (user, path) in pages.items():
                first, repeat = [], []
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 1366, "height": 900})
                    context.add_cookies(
                        [
                            {
                                "name": "sessionid",
                                "value": sessions[user],
                                "domain": host,
                                "path": "/",
                            }
                        ]
                    )
                    page = context.new_page()
                    first.append(_visit(page, base + path))
                    page.close()
                    page = context.new_page()
                    repeat.append(_visit(page, base + path))
                    context.close()
                results[name] = {"first": _median(first), "repeat": _median(repeat)}
        finally:
            browser.close()
    return results
