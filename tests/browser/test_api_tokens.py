"""Finance creates an API token for a BI tool with the keyboard alone, a BI tool reads the gap
figures with it over HTTP, and finance revokes it; the page passes axe in English too."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from regionbudget.core.models import ApiToken
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_axe_every_page import _context, _log_in
from tests.browser.test_keyboard_journey import _assert_focus_visible, _focused


@pytest.fixture
def seed(demo_committed):
    """The demo, committed (the live server reads it on its own connection)."""


def _tab_to(page, predicate, limit: int = 60) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = _focused(page)
        if predicate(focused):
            _assert_focus_visible(page)
            return focused
    raise AssertionError("the control was not reached with Tab")


def _read(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (live server)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_finance_creates_uses_and_revokes_a_token_with_the_keyboard(browser, live_server, seed):
    context, page = _context(browser, live_server)
    try:
        # Bootstrap scrolls smoothly: focus is checked where the page has scrolled to.
        page.emulate_media(reduced_motion="reduce")
        _log_in(page, "ekonom")
        page.goto("/api-tokens/")
        _tab_to(page, lambda f: f["name"] == "name")
        page.keyboard.type("Qlik somatik")
        _tab_to(page, lambda f: f["name"] == "scope")
        page.keyboard.press("ArrowDown")  # the radio group: "Bara valda områden"
        assert page.get_by_label("Bara valda områden").is_checked()
        _tab_to(page, lambda f: f["name"] == "areas")  # the first area: somatik
        page.keyboard.press("Space")
        _tab_to(page, lambda f: f["name"] == "expires")
        with page.expect_navigation() as navigation:
            page.keyboard.press("Enter")
        assert navigation.value.status == 201
        # The secret is shown once, focused, ready to copy.
        secret_field = page.locator("#new-token")
        assert _focused(page)["id"] == "new-token"
        secret = secret_field.input_value()
        assert secret.startswith("rbt_")
        screenshot(page, "api-token-created")
        token = ApiToken.objects.get(name="Qlik somatik")
        assert [a.code for a in token.areas.all()] == ["LSO-SOM"]

        # The BI tool reads the area's figures with it, and nothing else.
        status, data = _read(f"{live_server.url}/gap/figures.json", secret)
        assert status == 200 and data["areas_in_scope"] == ["LSO-SOM"]
        status, data = _read(f"{live_server.url}/", secret)
        assert status == 403 and data["error"] == "insufficient_scope"

        # Revoke with the keyboard: the button names the token.
        page.goto("/api-tokens/")
        _tab_to(page, lambda f: f["text"].startswith("Återkalla"))
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "återkallades" in page.locator(".messages").inner_text()
        status, data = _read(f"{live_server.url}/gap/figures.json", secret)
        assert status == 401 and data["error"] == "invalid_token"
    finally:
        context.close()


def test_the_token_page_in_english_passes_axe(browser, live_server, axe, seed):
    context, page = _context(browser, live_server, language="en")
    try:
        _log_in(page, "ekonom")
        page.goto("/api-tokens/")
        page.get_by_label("Name").fill("Power BI")
        with page.expect_navigation():
            page.get_by_label("Name").press("Enter")
        assert page.get_by_role("heading", name="The token “Power BI” was created").is_visible()
        assert_accessible(axe, page, "API tokens in English, a token just created")
    finally:
        context.close()
