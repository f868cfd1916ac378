"""Setting up with the keyboard alone: finance creates a plan and types its deficit targets in
mnkr; an administrator adds an area director with their area in one form. No mouse, no address
typed after the login page; every page on the way passes an axe scan."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from forecasts.models import DeficitTarget, Plan
from regionbudget.core.models import Area
from regionbudget.core.roles import Role, roles_of
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_keyboard_journey import _focused, _press_and_wait, _tab_to

MSEK = Decimal(1_000_000)


@pytest.fixture
def seed(demo_committed):
    """The demo, committed (the live server reads it on its own connection)."""


def _log_in(page, username: str) -> None:
    page.emulate_media(reduced_motion="reduce")
    page.goto("/accounts/login/")
    if _focused_id(page) != "id_username":
        _tab_to(page, lambda f: f["id"] == "id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("demo")
    _press_and_wait(page, "Enter")


def _focused_id(page) -> str:
    if page.evaluate("document.activeElement === document.body"):
        return ""
    return _focused(page)["id"]


def _type_into(page, field_id: str, text: str) -> None:
    _tab_to(page, lambda f: f["id"] == field_id)
    page.keyboard.type(text)


def _follow(page, text: str, *, backwards: bool = False) -> None:
    _tab_to(page, lambda f: f["tag"] == "a" and f["text"] == text, backwards=backwards)
    _press_and_wait(page, "Enter")


def test_finance_sets_up_a_plan_with_targets_in_mnkr_with_the_keyboard(page, seed, axe):
    somatik = Area.objects.get(code="LSO-SOM")
    _log_in(page, "ekonom")
    _follow(page, "Planer")
    assert_accessible(axe, page, "the plan list")
    _follow(page, "Ny plan")
    assert_accessible(axe, page, "the new plan form")

    for field_id, text in (
        ("id_name", "Balans 2027–2029"),
        ("id_organisation", "Hälso- och sjukvården"),
        ("id_baseline_year", "2026"),
        ("id_start_year", "2027"),
        ("id_end_year", "20290"),  # a slip of the finger: refused, the input kept
    ):
        _type_into(page, field_id, text)
    _press_and_wait(page, "Enter")
    assert page.locator("#id_end_year-error").inner_text() == "Ange ett år från 2000 till 2100."
    assert page.locator("#id_name").input_value() == "Balans 2027–2029"
    assert_accessible(axe, page, "the plan form with an error")
    _tab_to(page, lambda f: f["id"] == "id_end_year", backwards=True)
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    _press_and_wait(page, "Enter")

    # On to the targets: the whole plan and somatik, in mnkr the Swedish way.
    plan = Plan.objects.get(name="Balans 2027–2029")
    assert page.locator("h1").inner_text() == "Besparingsmål"
    assert_accessible(axe, page, "the targets form")
    for name, text in (
        ("target_2027_plan", "120"),
        ("target_2028_plan", "250,5"),
        ("target_2029_plan", "400"),
        (f"target_2027_{somatik.pk}", "40,25"),
    ):
        _type_into(page, f"id_{name}", text)
    screenshot(page, "setup-targets-form")
    _press_and_wait(page, "Enter")
    stored = {(t.year, t.area_id): t.amount for t in DeficitTarget.objects.filter(plan=plan)}
    assert stored == {
        (2027, None): 120 * MSEK,
        (2028, None): Decimal("250.5") * MSEK,
        (2029, None): 400 * MSEK,
        (2027, somatik.pk): Decimal("40.25") * MSEK,
    }
    # Back on the home page with the new plan: its targets in mnkr.
    assert "Balans 2027–2029" in page.locator("#plan-heading").inner_text()
    assert "250,5" in page.locator("#targets-table").inner_text()


def test_an_administrator_adds_a_director_with_an_area_with_the_keyboard(page, seed, axe):
    _log_in(page, "admin")
    _follow(page, "Personer")
    assert_accessible(axe, page, "the people list")
    _follow(page, "Lägg till en person")
    assert_accessible(axe, page, "the person form")
    for field_id, text in (
        ("id_first_name", "Nora"),
        ("id_last_name", "Nordin"),
        ("id_email", "nora.nordin@example.se"),
        ("id_username", "nora.nordin"),
    ):
        _type_into(page, field_id, text)
    director = page.get_by_label("Områdesdirektör", exact=True)
    _tab_to(page, lambda f: f["id"] == director.get_attribute("id"))
    page.keyboard.press("Space")
    # Saved without an area: refused, the input kept.
    _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Spara")
    _press_and_wait(page, "Enter")
    assert "Välj områdesdirektörens områden." in page.locator("main").inner_text()
    assert page.locator("#id_email").input_value() == "nora.nordin@example.se"
    assert_accessible(axe, page, "the person form with an error")

    somatik = page.get_by_label("Länssjukvårdsområde somatik", exact=True)
    _tab_to(page, lambda f: f["id"] == somatik.get_attribute("id"))
    page.keyboard.press("Space")
    _tab_to(page, lambda f: f["tag"] == "button" and f["text"] == "Spara")
    _press_and_wait(page, "Enter")
    screenshot(page, "setup-people-list")
    assert "Nora Nordin" in page.locator("#people-table").inner_text()
    nora = get_user_model().objects.get(username="nora.nordin")
    assert roles_of(nora) == {Role.AREA_DIRECTOR}
    assert list(nora.area_bindings.values_list("area__code", flat=True)) == ["LSO-SOM"]
    assert not nora.has_usable_password()
