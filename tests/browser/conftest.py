"""Browser tests: Debian's Chromium driven by Playwright, against Django's live server.

Chromium comes from Debian (``apt-get install -y chromium``), never from ``playwright install``.
Without it the browser tests are skipped with that instruction, except under CI (``CI=true``),
where a missing browser is a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API keeps an event loop in this thread; the Django calls made by the tests
# (fixtures, assertions on the database) are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = (
            f"Chromium is not installed at {CHROMIUM}: install it with "
            "'apt-get install -y chromium' to run the browser tests."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def log_in(page, username: str, *, start: str | None = "/accounts/login/") -> None:
    """Sign in with the demo password and wait for the page it leads to.

    ``start`` is the page to sign in from; None signs in on the page already open.
    """
    if start is not None:
        page.goto(start)
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill("demo")
    follow(page, page.get_by_role("button", name="Logga in"))


def follow(page, locator) -> None:
    """Click a link or button that leads to another page, and wait until that page has loaded.

    A click returns as soon as it is dispatched; a check made right after it may see the page
    it left, or the next one half parsed.
    """
    with page.expect_navigation():
        locator.click()


def assert_accessible(axe: Axe, page, label: str) -> None:
    """Run axe-core on the loaded page: 0 violations, or a readable report of each one."""
    page.wait_for_load_state("load")
    results = axe.run(page)
    if results.violations_count:
        pytest.fail(f"axe found violations on {label}:\n{results.generate_report()}")


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
