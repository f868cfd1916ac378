"""Sign-in through the region's identity provider in Chromium: the login page's button, the
provider's page (a real OpenID Connect provider on 127.0.0.1), and back, signed in."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible, screenshot
from tests.regionbudget.oidc_provider import configure, running_provider, set_user


@pytest.fixture
def issuer(settings, demo_committed):
    with running_provider() as url:
        configure(settings, url)
        yield url


def _sign_in_at_the_provider(page, sub: str) -> None:
    page.get_by_role("link", name="Logga in med regionens konto").click()
    page.wait_for_url("http://127.0.0.1:*/oauth2/authorize*")
    page.locator("input[name=sub]").fill(sub)
    with page.expect_navigation(url=lambda url: "/oauth2/" not in url):
        page.get_by_role("button", name="Authorize").click()


def test_a_director_signs_in_through_the_provider(page, axe, issuer, live_server):
    set_user(
        issuer,
        "anna",
        preferred_username="anna.andersson",
        given_name="Anna",
        family_name="Andersson",
        roles=["rb-direktor"],
        areas=["LSO-SOM"],
    )
    page.goto("/accounts/login/")
    assert_accessible(axe, page, "the login page with the region's account")
    _sign_in_at_the_provider(page, "anna")
    assert page.url == f"{live_server.url}/"
    assert page.get_by_text("Anna Andersson").first.is_visible()
    assert page.get_by_role("heading", name="Länssjukvårdsområde somatik").is_visible()
    screenshot(page, "oidc-signed-in")
    # Logging out ends the provider's session too: its logout page asks to confirm.
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("http://127.0.0.1:*/oauth2/end_session*")


def test_an_account_without_a_role_gets_a_clear_page(page, axe, issuer):
    set_user(issuer, "okand", preferred_username="okand", roles=["another-app"])
    page.goto("/accounts/login/")
    _sign_in_at_the_provider(page, "okand")
    assert page.get_by_role("heading", name="Ingen roll i Regionbudget").is_visible()
    assert "har ingen roll i Regionbudget" in page.locator("#sign-in-refused").inner_text()
    assert_accessible(axe, page, "the sign-in refused for want of a role")
    screenshot(page, "oidc-no-role")


def test_with_password_logins_off_the_page_offers_the_region_and_a_break_glass_link(
    page, axe, issuer, settings
):
    settings.OIDC_PASSWORD_LOGIN = False
    settings.OIDC_BREAK_GLASS_USERS = ["admin"]
    page.goto("/accounts/login/")
    assert page.locator("input[name=password]").count() == 0
    assert_accessible(axe, page, "the login page with password logins off")
    page.get_by_role("link", name="Logga in med lokalt konto").click()
    page.get_by_label("Användarnamn").fill("admin")
    page.get_by_label("Lösenord").fill("demo")
    with page.expect_navigation():
        page.get_by_label("Lösenord").press("Enter")
    assert page.get_by_text("Administratör").first.is_visible()
