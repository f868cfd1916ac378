"""Each demo user logs in through the browser and reads their home page in Swedish and English."""

import pytest

from tests.browser.conftest import assert_accessible, log_in, screenshot

# username -> (Swedish heading and a figure or name they see, English heading, a name they
# must not see)
JOURNEYS = {
    "ekonom": ("Översikt", "Folktandvården", "Overview", None),
    "direktor.somatik": (
        "Dina områden",
        "1101 Kirurgkliniken Sundsvall-Härnösand",
        "Your areas",
        "Länssjukvårdsområde psykiatri och habilitering",
    ),
    "direktor.psykiatri": (
        "Dina områden",
        "2103 Habiliteringen",
        "Your areas",
        "Länssjukvårdsområde somatik",
    ),
    "ledamot": (
        "Översikt för nämnden",
        "Rättspsykiatriska regionkliniken",
        "Overview for the committee",
        "7101",
    ),
    "admin": ("Översikt", "Personer och roller", "Overview", None),
}


@pytest.fixture
def seed(demo_committed):
    """The demo, committed (the live server reads it on its own connection)."""


def _log_in(page, username: str) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "sv"
    log_in(page, username, start=None)


@pytest.mark.parametrize("username", list(JOURNEYS))
def test_each_demo_user_reads_their_home_page_in_swedish_and_english(page, axe, seed, username):
    heading_sv, visible, heading_en, hidden = JOURNEYS[username]
    _log_in(page, username)

    assert page.get_by_role("heading", level=1).inner_text() == heading_sv
    assert page.get_by_text(visible).first.is_visible()
    body = page.locator("main").inner_text()
    if hidden:
        assert hidden not in body
    assert "324,0\u00a0mnkr" in body
    assert_accessible(axe, page, f"home of {username} in Swedish")
    screenshot(page, f"home-{username}-sv")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == heading_en
    assert "324.0\u00a0MSEK" in page.locator("main").inner_text()
    assert_accessible(axe, page, f"home of {username} in English")
    screenshot(page, f"home-{username}-en")


def test_the_login_page_tells_a_wrong_password_and_passes_axe(page, axe, seed):
    page.goto("/accounts/login/")
    assert_accessible(axe, page, "login page")
    page.get_by_label("Användarnamn").fill("ekonom")
    page.get_by_label("Lösenord").fill("fel")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("alert").inner_text().startswith("Ange ett korrekt användarnamn")
    assert page.get_by_label("Användarnamn").input_value() == "ekonom"
    assert_accessible(axe, page, "login page with an error")


def test_the_skip_link_is_the_first_stop_for_the_keyboard(page, seed):
    _log_in(page, "ekonom")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
