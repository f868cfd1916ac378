"""Pages per role: what each demo user sees, in Swedish and in English, and who is refused."""

import json
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.urls import reverse

from forecasts.models import Plan
from regionbudget import views
from regionbudget.core.formatting import NBSP
from regionbudget.core.models import Area

pytestmark = pytest.mark.django_db

MNKR = f"{NBSP}mnkr"


def _text(response) -> str:
    return response.content.decode()


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/"


def test_the_login_page_is_swedish_even_when_the_browser_asks_for_english(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    assert '<html lang="sv">' in _text(response)
    assert "Logga in i Regionbudget" in _text(response)
    assert "Användarnamn" in _text(response)


def test_a_wrong_password_gets_a_clear_swedish_message_and_keeps_the_username(client, demo):
    response = client.post("/accounts/login/", {"username": "ekonom", "password": "fel"})
    assert response.status_code == 200
    assert "Ange ett korrekt användarnamn och lösenord" in _text(response)
    assert 'value="ekonom"' in _text(response)
    assert "_auth_user_id" not in client.session


def test_a_demo_user_logs_in_and_lands_on_the_home_page(client, demo):
    response = client.post(
        "/accounts/login/", {"username": "ledamot", "password": "demo"}, follow=True
    )
    assert response.redirect_chain == [("/", 302)]
    assert "Översikt för nämnden" in _text(response)


def test_finance_sees_the_plan_targets_and_every_area_with_units(finance):
    response = finance.get("/")
    text = _text(response)
    assert response.status_code == 200
    assert "Ekonomi i balans 2024–2026" in text
    for figure in ("324,0", "550,0", "775,0"):
        assert f"{figure}{MNKR}" in text
    for area in Area.objects.all():
        assert area.name in text
    assert "1101 Kirurgkliniken Sundsvall-Härnösand" in text
    assert reverse("forecasts:plan_list") in text
    assert reverse("people_list") in text, "finance binds directors to areas there"
    assert reverse("admin:auth_user_changelist") not in text, "user admin is the admin's"


def test_a_director_sees_only_their_own_areas(director_own):
    text = _text(director_own.get("/"))
    assert "Dina områden" in text
    assert "Länssjukvårdsområde somatik" in text
    assert "1104 Operation och intensivvård" in text
    assert "Länssjukvårdsområde psykiatri och habilitering" not in text
    assert "2101 Vuxenpsykiatrin Sundsvall" not in text
    assert f"324,0{MNKR}" in text
    assert reverse("admin:index") not in text


def test_the_other_director_sees_psychiatry_only(director_other):
    text = _text(director_other.get("/"))
    assert "Länssjukvårdsområde psykiatri och habilitering" in text
    assert "Länssjukvårdsområde somatik" not in text


def test_a_committee_member_sees_the_plan_and_areas_without_unit_details(committee):
    text = _text(committee.get("/"))
    assert "Översikt för nämnden" in text
    assert f"775,0{MNKR}" in text
    assert "Folktandvården" in text
    assert '<th scope="row">Folktandvården</th><td class="num">3</td>' in text
    assert "6101 Folktandvården söder" not in text
    assert reverse("admin:index") not in text


def test_the_administrator_can_manage_users(administrator):
    text = _text(administrator.get("/"))
    assert reverse("people_list") in text
    assert administrator.get(reverse("people_list")).status_code == 200
    assert administrator.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_english_is_selectable_and_money_reads_the_english_way(finance, english):
    text = _text(english(finance).get("/"))
    assert '<html lang="en">' in text
    assert "Required reduction 2024" in text
    assert f"324.0{NBSP}MSEK" in text


def test_the_language_switch_sets_english_and_returns_to_the_page(finance):
    response = finance.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "Overview" in _text(finance.get("/"))


def test_another_plan_can_be_chosen(finance):
    earlier = Plan.objects.get(status=Plan.Status.CLOSED)
    text = _text(finance.get(f"/?plan={earlier.pk}"))
    assert "Kostnadsreduceringar i specialistvården 2021–2023" in text
    assert f"350,0{MNKR}" in text


def test_area_targets_are_shown_only_for_areas_the_user_sees(director_own, finance):
    # the demo's 2024 target of psykiatri (35,7 mnkr) and of somatik (120,9 mnkr)
    assert f"35,7{MNKR}" in _text(finance.get("/"))
    text = _text(director_own.get("/"))
    assert f"120,9{MNKR}" in text
    assert f"35,7{MNKR}" not in text


def test_the_home_page_query_count_does_not_grow_with_areas(finance, django_assert_num_queries):
    # session, user, groups, plans, areas, their units, targets, the reductions outside the
    # area budgets (the idle timeout was renewed at login: no session write); the balance
    # requirement's flag: the data version, statements, their lines, the plan's measures, planned
    # and realised effects, and the current year's outlook it is joined to (targets, rounds,
    # budgets, approved forecasts, their inclusions, the reductions outside the budgets); the
    # work queue: open rounds, their forecasts, the latest actuals month and the next meeting
    # (per role: tests/regionbudget/test_home_queue.py). The plan's effects, the region's
    # outlooks and their forecast deviations are cached on their own, shared with the
    # dashboard: their data versions are three queries more, and the month of the outlook's
    # round one.
    with django_assert_num_queries(33):
        finance.get("/")
    Area.objects.create(code="NEW", name="Nytt område", position=99)
    with django_assert_num_queries(33):
        finance.get("/")
    # The joined ledger is cached for the data version: read, not computed, the next time
    # (the data version instead of its 18 queries).
    with django_assert_num_queries(13):
        finance.get("/")


def test_an_unknown_page_gets_a_swedish_404(finance):
    response = finance.get("/finns-inte/")
    assert response.status_code == 404
    assert "Sidan finns inte" in _text(response)


@pytest.mark.parametrize("persona", ["director_own", "committee"])
def test_the_administration_refuses_directors_and_committee(request, persona):
    client = request.getfixturevalue(persona)
    for url in ("/admin/", reverse("admin:regionbudget_area_changelist")):
        response = client.get(url, follow=True)
        assert response.status_code == 403
        assert "Ingen behörighet" in _text(response)


def test_finance_adds_a_unit_through_the_administration(finance):
    area = Area.objects.get(code="NSO-V")
    response = finance.post(
        reverse("admin:regionbudget_unit_add"),
        {"area": area.pk, "code": "5105", "name": "Kramfors sjukstuga", "is_active": "on"},
    )
    assert response.status_code == 302
    assert area.units.filter(code="5105", name="Kramfors sjukstuga").exists()


def test_anonymous_users_are_sent_from_the_administration_to_the_login_page(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_logout_is_a_post_and_ends_the_session(finance):
    assert finance.get("/accounts/logout/").status_code == 405
    response = finance.post("/accounts/logout/")
    assert response.status_code == 302
    assert finance.get("/").status_code == 302


def test_healthz_reports_a_reachable_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database_with_503(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["database"] == "unreachable"


def test_a_database_outage_gets_a_503_page_not_a_traceback():
    request = RequestFactory().get("/")
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = views.server_error(request)
    assert response.status_code == 503
    assert "Tillfälligt otillgänglig" in response.content.decode()
    assert "connection refused" not in response.content.decode()


def test_an_unexpected_error_shows_an_incident_id_and_no_internals():
    request = RequestFactory().get("/")
    try:
        raise RuntimeError("secret internals")
    except RuntimeError:
        response = views.server_error(request)
    text = response.content.decode()
    assert response.status_code == 500
    assert "Något gick fel" in text
    assert 'class="incident-id"' in text
    assert "secret internals" not in text


def test_a_user_who_chose_english_gets_it_back_when_signing_in_on_another_browser(db):
    from django.test import Client

    first = Client()
    assert (
        first.post(reverse("login"), {"username": "ekonom", "password": "demo"}).status_code == 302
    )
    first.post(reverse("set_language"), {"language": "en", "next": "/"})

    other = Client()  # another device: no language cookie
    assert '<html lang="sv">' in _text(other.get(reverse("login")))
    response = other.post(reverse("login"), {"username": "ekonom", "password": "demo"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in _text(other.get("/"))
    # Someone who never chose keeps the default.
    third = Client()
    third.post(reverse("login"), {"username": "ledamot", "password": "demo"})
    assert '<html lang="sv">' in _text(third.get("/"))
