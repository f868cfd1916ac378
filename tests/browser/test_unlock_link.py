"""A locked-out user gets back in with the keyboard alone: the locked-out page's form (their user
name filled in), the e-mailed link, the button on its page, and the login."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from tests.browser.test_keyboard_journey import _press_and_wait, _tab_to

User = get_user_model()


@pytest.fixture
def seed(demo_committed):
    """The demo, committed (the live server reads it on its own connection)."""


def _log_in(page, password: str) -> None:
    page.locator("#id_username").fill("ekonom")
    page.locator("#id_password").fill(password)
    _press_and_wait(page, "Enter")


def test_a_locked_out_user_unlocks_the_login_with_the_keyboard(page, seed):
    page.goto("/accounts/login/")
    for _ in range(5):
        _log_in(page, "fel")
    assert page.locator("h1").inner_text() == "För många misslyckade inloggningar"
    assert page.locator("#id_asked_for").input_value() == "ekonom"

    # From the top of the page, Tab to the form's button (every stop shows its focus); Enter.
    button = _tab_to(page, lambda f: f["text"] == "Skicka en upplåsningslänk")
    assert button["tag"] == "button"
    _press_and_wait(page, "Enter")
    assert page.url.endswith("/accounts/login/")
    assert "Om kontot finns och är låst har vi skickat en länk" in page.inner_text("main")

    # The mail to ekonom holding the link (the demo loaded for the test may have sent others).
    [sent] = [m for m in mail.outbox if "/accounts/unlock/" in m.body]
    assert sent.to == [User.objects.get(username="ekonom").email]
    link = re.search(r"/accounts/unlock/\S+/", sent.body).group(0)
    page.goto(link)
    _tab_to(page, lambda f: f["text"] == "Lås upp inloggningen")
    _press_and_wait(page, "Enter")
    assert "Inloggningen är upplåst" in page.inner_text("main")

    _log_in(page, "demo")
    assert page.url.endswith("/"), "logged in and on the home page"
