"""Sign-in through the region's identity provider: a real OpenID Connect provider runs on
127.0.0.1 in the tests (oidc-provider-mock), and each test sets the claims of its accounts."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from regionbudget.core.models import AreaDirector, SignInIdentity
from regionbudget.core.oidc import RegionOIDCBackend
from regionbudget.core.roles import Role, roles_of
from tests.regionbudget.oidc_provider import (
    CLIENT_ID,
    authorize,
    configure,
    local,
    query,
    running_provider,
    set_user,
)

pytestmark = pytest.mark.django_db

SOMATIK, PSYKIATRI = "Länssjukvårdsområde somatik", "Länssjukvårdsområde psykiatri och habilitering"


@pytest.fixture(scope="module")
def issuer():
    with running_provider() as url:
        yield url


@pytest.fixture
def oidc(settings, issuer, demo):
    configure(settings, issuer)
    return issuer


def _director(issuer: str, sub: str = "anna", **changes) -> None:
    claims = {
        "preferred_username": "anna.andersson",
        "given_name": "Anna",
        "family_name": "Andersson",
        "email": "anna.andersson@rvn.se",
        "roles": ["rb-direktor"],
        "areas": ["LSO-SOM"],
    }
    set_user(issuer, sub, **{**claims, **changes})


def _start(client: Client, issuer: str, **params) -> str:
    """The login page's button: the answer sends the browser to the provider."""
    response = client.get(reverse("oidc_authentication_init"), params)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{issuer}/oauth2/authorize?")
    return response["Location"]


def _sign_in(client: Client, issuer: str, sub: str = "anna"):
    """The whole round trip; the app's answer to the provider's redirect back."""
    back = authorize(_start(client, issuer), sub)
    assert back.startswith("http://testserver/oidc/callback/?")
    return client.get(local(back))


def _user(username: str):
    return get_user_model().objects.get(username=username)


# --- the round trip ---------------------------------------------------------------------------


def test_a_director_signs_in_and_lands_on_their_home_with_their_area(oidc):
    _director(oidc)
    client = Client()
    response = _sign_in(client, oidc)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    text = home.content.decode()
    assert "Anna Andersson" in text and "Områdesdirektör" in text
    assert SOMATIK in text and PSYKIATRI not in text
    user = _user("anna.andersson")
    assert (user.first_name, user.last_name, user.email) == (
        "Anna",
        "Andersson",
        "anna.andersson@rvn.se",
    )
    assert not user.has_usable_password()
    assert roles_of(user) == {Role.AREA_DIRECTOR}
    assert [b.area.code for b in AreaDirector.objects.filter(user=user)] == ["LSO-SOM"]
    assert SignInIdentity.objects.get(user=user).subject == "anna"
    figures = json.loads(client.get(reverse("gap_data_json")).content)
    assert figures["areas_in_scope"] == ["LSO-SOM"]


def test_a_finance_user_signs_in_and_lands_on_finances_home(oidc):
    set_user(oidc, "erik", preferred_username="erik.ekonom", name="Erik Ek", roles=["rb-ekonomi"])
    client = Client()
    assert _sign_in(client, oidc, "erik")["Location"] == "/"
    text = client.get("/").content.decode()
    assert "Erik Ek" in text and "Ekonom" in text
    assert SOMATIK in text and PSYKIATRI in text  # every area
    assert client.get(reverse("api_tokens")).status_code == 200  # finance's own pages
    assert roles_of(_user("erik.ekonom")) == {Role.FINANCE}


def test_the_authorisation_request_carries_pkce_state_and_nonce(oidc):
    client = Client()
    params = query(_start(client, oidc))
    assert params["client_id"] == CLIENT_ID and params["response_type"] == "code"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert len(params["state"]) >= 32 and len(params["nonce"]) >= 32
    assert params["scope"] == "openid profile email"
    stored = client.session["oidc_states"][params["state"]]
    assert stored["nonce"] == params["nonce"] and len(stored["code_verifier"]) >= 43


def test_the_code_verifier_goes_with_the_token_request(oidc):
    _director(oidc)
    client = Client()
    start = _start(client, oidc)
    verifier = client.session["oidc_states"][query(start)["state"]]["code_verifier"]
    sent = {}
    real = RegionOIDCBackend.get_token

    def spy(backend, payload):
        sent.update(payload)
        return real(backend, payload)

    with mock.patch.object(RegionOIDCBackend, "get_token", spy):
        assert client.get(local(authorize(start, "anna"))).status_code == 302
    assert sent["code_verifier"] == verifier


def test_a_next_page_is_kept_through_the_round_trip(oidc):
    _director(oidc)
    client = Client()
    start = _start(client, oidc, next="/measures/")
    response = client.get(local(authorize(start, "anna")))
    assert response["Location"] == "/measures/"


# --- every sign-in brings the claims up to date -------------------------------------------------


def test_a_changed_claim_changes_the_role_at_the_next_sign_in(oidc):
    _director(oidc)
    _sign_in(Client(), oidc)
    user = _user("anna.andersson")
    assert roles_of(user) == {Role.AREA_DIRECTOR}

    # At the provider: Anna moves to the committee, under a new name.
    _director(oidc, roles=["rb-namnd"], family_name="Berg")
    client = Client()
    assert _sign_in(client, oidc)["Location"] == "/"
    user = _user("anna.andersson")
    assert roles_of(user) == {Role.COMMITTEE} and user.last_name == "Berg"
    assert not AreaDirector.objects.filter(user=user).exists()
    assert client.get(reverse("gap_dashboard")).status_code == 403  # no longer a director
    assert get_user_model().objects.filter(email="anna.andersson@rvn.se").count() == 1


def test_a_directors_areas_follow_the_claim(oidc):
    _director(oidc)
    _sign_in(Client(), oidc)
    _director(oidc, areas=["LSO-PSY", "NO-SUCH-AREA"])
    client = Client()
    _sign_in(client, oidc)
    user = _user("anna.andersson")
    assert [b.area.code for b in AreaDirector.objects.filter(user=user)] == ["LSO-PSY"]
    text = client.get("/").content.decode()
    assert PSYKIATRI in text and SOMATIK not in text


def test_area_values_are_mapped_by_the_setting(oidc, settings):
    settings.OIDC_AREA_MAP = {"grp-somatik": "LSO-SOM"}
    _director(oidc, areas=["grp-somatik", "LSO-PSY"])
    _sign_in(Client(), oidc)
    user = _user("anna.andersson")
    assert [b.area.code for b in AreaDirector.objects.filter(user=user)] == ["LSO-SOM"]


def test_the_administrator_role_needs_the_setting(oidc, settings):
    set_user(oidc, "ada", preferred_username="ada", roles=["rb-admin", "rb-ekonomi"])
    _sign_in(Client(), oidc, "ada")
    assert roles_of(_user("ada")) == {Role.FINANCE}
    assert not _user("ada").is_superuser
    settings.OIDC_ALLOW_ADMIN = True
    _sign_in(Client(), oidc, "ada")
    ada = _user("ada")
    assert ada.is_superuser and ada.is_staff and roles_of(ada) == {Role.ADMIN, Role.FINANCE}
    settings.OIDC_ALLOW_ADMIN = False
    _sign_in(Client(), oidc, "ada")
    assert not _user("ada").is_superuser


def test_a_local_account_of_the_same_name_is_never_taken_over(oidc):
    set_user(oidc, "x-ekonom", preferred_username="ekonom", roles=["rb-namnd"])
    _sign_in(Client(), oidc, "x-ekonom")
    ekonom = _user("ekonom")
    assert roles_of(ekonom) == {Role.FINANCE}  # the demo's finance user, untouched
    assert roles_of(_user("ekonom-2")) == {Role.COMMITTEE}


# --- refused, each with a clear message ---------------------------------------------------------


def _refused(response, status: int, text: str) -> str:
    assert response.status_code == status
    body = response.content.decode()
    assert text in body, body[:2000]
    return body


def _not_signed_in(client: Client) -> None:
    assert client.get("/").status_code == 302


def test_an_unknown_role_is_refused_with_a_clear_page(oidc):
    set_user(oidc, "okand", preferred_username="okand", roles=["some-other-app"])
    client = Client()
    _refused(_sign_in(client, oidc, "okand"), 403, "har ingen roll i Regionbudget")
    _not_signed_in(client)
    assert not get_user_model().objects.filter(username="okand").exists()


def test_a_role_removed_at_the_provider_is_removed_here(oidc):
    _director(oidc)
    client = Client()
    _sign_in(client, oidc)
    assert client.get("/").status_code == 200
    _director(oidc, roles=[])
    _refused(_sign_in(client, oidc), 403, "har ingen roll i Regionbudget")
    _not_signed_in(client)  # the session this browser had is ended too
    user = _user("anna.andersson")
    assert roles_of(user) == set() and not AreaDirector.objects.filter(user=user).exists()


def test_a_tampered_state_is_refused(oidc):
    _director(oidc)
    client = Client()
    back = authorize(_start(client, oidc), "anna")
    tampered = back.replace("state=", "state=x")
    _refused(client.get(local(tampered)), 400, "kunde inte kopplas till en inloggning")
    _not_signed_in(client)
    assert not get_user_model().objects.filter(username="anna.andersson").exists()


def test_a_state_from_another_browser_is_refused(oidc):
    _director(oidc)
    back = authorize(_start(Client(), oidc), "anna")
    other = Client()
    _refused(other.get(local(back)), 400, "kunde inte kopplas till en inloggning")
    _not_signed_in(other)


def test_a_state_is_used_once(oidc):
    _director(oidc)
    client = Client()
    back = authorize(_start(client, oidc), "anna")
    assert client.get(local(back)).status_code == 302
    client.post(reverse("logout"))
    _refused(client.get(local(back)), 400, "kunde inte kopplas till en inloggning")


def test_an_id_token_for_another_application_is_refused(oidc, settings):
    """The provider issues, and signs, an ID token whose audience is another application; it is
    passed to Regionbudget instead of one for it."""
    _director(oidc)
    client = Client()
    settings.OIDC_RP_CLIENT_ID = "another-application"
    start = _start(client, oidc)
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    real = RegionOIDCBackend.get_token

    def for_the_other_application(backend, payload):
        return real(backend, {**payload, "client_id": "another-application"})

    with mock.patch.object(RegionOIDCBackend, "get_token", for_the_other_application):
        response = client.get(local(authorize(start, "anna")))
    _refused(response, 403, "utfärdades för ett annat program")
    _not_signed_in(client)


def test_an_expired_id_token_is_refused(settings, demo):
    with running_provider(token_max_age=timedelta(minutes=-5)) as issuer:
        configure(settings, issuer)
        _director(issuer)
        client = Client()
        _refused(_sign_in(client, issuer), 403, "har gått ut")
        _not_signed_in(client)


def test_an_id_token_with_a_changed_claim_fails_its_signature(oidc):
    _director(oidc, roles=["rb-namnd"])
    client = Client()
    start = _start(client, oidc)
    real = RegionOIDCBackend.get_token

    def promoted(backend, payload):
        tokens = real(backend, payload)
        header, body, signature = tokens["id_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims["roles"] = ["rb-ekonomi"]
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return {**tokens, "id_token": f"{header}.{forged}.{signature}"}

    with mock.patch.object(RegionOIDCBackend, "get_token", promoted):
        response = client.get(local(authorize(start, "anna")))
    _refused(response, 403, "kunde inte verifieras")
    assert not get_user_model().objects.filter(username="anna.andersson").exists()


def test_a_sign_in_denied_at_the_provider_says_so(oidc):
    client = Client()
    start = _start(client, oidc)
    import requests

    back = requests.post(start, data={"action": "deny"}, allow_redirects=False, timeout=10)
    response = client.get(local(back.headers["Location"]))
    _refused(response, 403, "access_denied")


def test_an_unreachable_provider_is_a_clear_page(settings, demo):
    configure(settings, "http://127.0.0.1:9")  # nothing listens on the discard port
    response = Client().get(reverse("oidc_authentication_init"))
    _refused(response, 503, "kunde inte nås")


def test_the_refusal_in_english(oidc, english):
    set_user(oidc, "okand", preferred_username="okand", roles=[])
    client = english(Client())
    _refused(_sign_in(client, oidc, "okand"), 403, "has no role in Regionbudget")


# --- logout -----------------------------------------------------------------------------------


def test_logout_ends_the_session_and_the_providers(oidc):
    _director(oidc)
    client = Client()
    _sign_in(client, oidc)
    id_token = client.session["oidc_id_token"]
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{oidc}/oauth2/end_session?")
    params = query(response["Location"])
    assert params["id_token_hint"] == id_token and params["client_id"] == CLIENT_ID
    assert params["post_logout_redirect_uri"] == "http://testserver/accounts/login/"
    _not_signed_in(client)


def test_a_local_login_logs_out_locally_only(oidc):
    client = Client()
    client.post(reverse("login"), {"username": "ekonom", "password": "demo"})
    assert client.get("/").status_code == 200
    assert client.post(reverse("logout"))["Location"] == reverse("login")


# --- the login page and password logins ---------------------------------------------------------


def test_the_login_page_offers_the_regions_account(oidc):
    text = Client().get(reverse("login")).content.decode()
    assert "Logga in med regionens konto" in text
    assert reverse("oidc_authentication_init") in text
    assert 'name="password"' in text  # password logins stay on unless switched off


def test_without_the_settings_nothing_changes(demo, settings):
    assert settings.OIDC_ENABLED is False
    assert "regionbudget.core.oidc.RegionOIDCBackend" not in settings.AUTHENTICATION_BACKENDS
    text = Client().get(reverse("login")).content.decode()
    assert "regionens konto" not in text and 'name="password"' in text
    assert Client().get("/oidc/authenticate/").status_code == 404
    client = Client()
    client.post(reverse("login"), {"username": "ekonom", "password": "demo"})
    assert client.get("/").status_code == 200


def test_password_logins_off_except_for_the_break_glass_administrator(oidc, settings):
    settings.OIDC_PASSWORD_LOGIN = False
    settings.OIDC_BREAK_GLASS_USERS = ["admin"]
    text = Client().get(reverse("login")).content.decode()
    assert "Logga in med regionens konto" in text and 'name="password"' not in text
    assert "?local=1" in text
    assert 'name="password"' in Client().get(reverse("login") + "?local=1").content.decode()
    finance = Client()
    response = finance.post(reverse("login"), {"username": "ekonom", "password": "demo"})
    assert response.status_code == 200 and "login-error" in response.content.decode()
    _not_signed_in(finance)
    admin = Client()
    assert (
        admin.post(reverse("login"), {"username": "admin", "password": "demo"}).status_code == 302
    )
    assert admin.get("/").status_code == 200
