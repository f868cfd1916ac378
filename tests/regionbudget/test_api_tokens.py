"""API tokens for BI tools: finance's page, the secret stored hashed, and reading the gap figures
with ``Authorization: Bearer`` in exactly the token's scope (and nothing else)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forecasts.models import Plan
from measures.models import Measure
from regionbudget.core.models import ApiToken, Area
from regionbudget.core.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db

PLAN = "Ekonomi i balans 2024–2026"


def _user(username: str):
    return get_user_model().objects.get(username=username)


def _token(*, areas=None, days: int = 30, name: str = "Power BI") -> tuple[ApiToken, str]:
    return api_token_create(
        user=_user("ekonom"),
        name=name,
        areas=areas,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )


def _bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _plan() -> Plan:
    return Plan.objects.get(name=PLAN)


def _figures(client: Client, secret: str | None = None, *, name="gap_data_json", **params):
    headers = _bearer(secret) if secret else {}
    return client.get(reverse(name), {"plan": _plan().pk, **params}, **headers)


# --- the secret -------------------------------------------------------------------------------


def test_the_secret_is_shown_once_and_only_its_hash_is_stored(demo):
    token, secret = _token()
    assert secret.startswith("rbt_") and len(secret) > 40
    token.refresh_from_db()
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) == 12
    # Nowhere in the token's row is the secret (or its secret part) in clear.
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(t)::text FROM regionbudget_apitoken t")
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert secret not in stored
    assert secret[len(token.prefix) + 1 :] not in stored


def test_only_finance_and_administrators_create_and_revoke_tokens(demo):
    expires = timezone.now() + dt.timedelta(days=1)
    for username in ("direktor.somatik", "ledamot"):
        with pytest.raises(PermissionDenied):
            api_token_create(user=_user(username), name="x", areas=None, expires_at=expires)
    token, _secret = api_token_create(user=_user("admin"), name="x", areas=None, expires_at=expires)
    with pytest.raises(PermissionDenied):
        api_token_revoke(user=_user("direktor.somatik"), token=token)
    assert api_token_revoke(user=_user("ekonom"), token=token) is True
    assert api_token_revoke(user=_user("ekonom"), token=token) is False


# --- exactly its scope ------------------------------------------------------------------------


def test_a_region_token_reads_what_finance_reads(finance):
    _token_, secret = _token()
    for name in ("gap_data_json", "gap_data_csv"):
        for params in ({}, {"year": 2025}, {"area": Area.objects.get(code="LSO-PSY").pk}):
            with_token = _figures(Client(), secret, name=name, **params)
            as_finance = _figures(finance, name=name, **params)
            assert with_token.status_code == 200, with_token.content[:200]
            assert with_token.content == as_finance.content
    data = json.loads(_figures(Client(), secret, year=2024).content)
    assert data["areas_in_scope"] is None
    y2024 = next(row for row in data["by_year"] if row["year"] == 2024)
    assert (y2024["uncovered_low"], y2024["uncovered_high"]) == ("132000000.00", "149000000.00")


def test_an_area_token_reads_exactly_what_that_areas_director_reads(director_own):
    somatik = Area.objects.get(code="LSO-SOM")
    _t, secret = _token(areas=[somatik])
    for name in ("gap_data_json", "gap_data_csv"):
        for params in ({}, {"year": 2026}, {"area": somatik.pk}):
            with_token = _figures(Client(), secret, name=name, **params)
            as_director = _figures(director_own, name=name, **params)
            assert with_token.status_code == 200
            assert with_token.content == as_director.content
    data = json.loads(_figures(Client(), secret).content)
    assert data["areas_in_scope"] == ["LSO-SOM"]
    assert {row["area"] for row in data["by_area"]} == {"LSO-SOM"}
    # Another area's figures do not exist for it, as for the director.
    other = Area.objects.get(code="LSO-PSY")
    assert _figures(Client(), secret, area=other.pk).status_code == 404


def test_a_token_of_two_areas_reads_both_and_no_other(demo):
    areas = list(Area.objects.filter(code__in=["LSO-SOM", "LSO-PSY"]))
    _t, secret = _token(areas=areas)
    data = json.loads(_figures(Client(), secret, year=2024).content)
    assert sorted(data["areas_in_scope"]) == ["LSO-PSY", "LSO-SOM"]
    assert {row["area"] for row in data["by_area"]} <= {"LSO-PSY", "LSO-SOM"}
    region = json.loads(_figures(Client(), _token()[1], year=2024).content)
    assert data["by_year"] != region["by_year"]
    third = Area.objects.exclude(code__in=["LSO-SOM", "LSO-PSY"]).first()
    assert _figures(Client(), secret, area=third.pk).status_code == 404


def test_the_token_wins_over_a_session_sent_with_it(finance):
    """A finance user's browser session sent along with an area token reads the token's scope."""
    _t, secret = _token(areas=[Area.objects.get(code="LSO-SOM")])
    data = json.loads(_figures(finance, secret).content)
    assert data["areas_in_scope"] == ["LSO-SOM"]


# --- refused tokens ---------------------------------------------------------------------------


def _refused(response, status: int, error: str) -> None:
    assert response.status_code == status
    assert json.loads(response.content)["error"] == error
    assert f'error="{error}"' in response["WWW-Authenticate"]


def test_a_revoked_token_gets_401(demo):
    token, secret = _token()
    assert _figures(Client(), secret).status_code == 200
    api_token_revoke(user=_user("ekonom"), token=token)
    for name in ("gap_data_json", "gap_data_csv"):
        _refused(_figures(Client(), secret, name=name), 401, "invalid_token")


def test_an_expired_token_gets_401(demo):
    token, secret = _token()
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    _refused(_figures(Client(), secret), 401, "invalid_token")
    _refused(_figures(Client(), secret, name="gap_data_csv"), 401, "invalid_token")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer rbt_00000000_unknown-secret-unknown-secret-unknown-secret",
        "Bearer ",
        "Bearer not-a-token",
        "bearer rbt_",
    ],
)
def test_an_unknown_or_malformed_token_gets_401(demo, header):
    response = Client().get(
        reverse("gap_data_json"), {"plan": _plan().pk}, HTTP_AUTHORIZATION=header
    )
    _refused(response, 401, "invalid_token")


def test_a_token_whose_secret_is_changed_gets_401(demo):
    _t, secret = _token()
    tampered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    _refused(_figures(Client(), tampered), 401, "invalid_token")


# --- never a page, never a write --------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/gap/",
        "/measures/",
        "/forecasts/rounds/",
        "/reports/",
        "/api-tokens/",
        "/admin/",
        "/admin/auth/user/",
    ],
)
def test_a_valid_token_opens_no_page(demo, path):
    _t, secret = _token()
    _refused(Client().get(path, **_bearer(secret)), 403, "insufficient_scope")


def test_a_token_makes_no_write(demo):
    token, secret = _token()
    client = Client(enforce_csrf_checks=True)
    before = (ApiToken.objects.count(), Measure.objects.count())
    posts = [
        (reverse("gap_data_json"), {}),
        (reverse("gap_data_csv"), {}),
        (reverse("api_tokens"), {"name": "x", "scope": "region", "expires": "2030-01-01"}),
        (reverse("api_token_revoke", args=[token.pk]), {}),
        (reverse("measures:measure_create"), {"code": "M99", "title": "x"}),
        (reverse("logout"), {}),
    ]
    for path, data in posts:
        _refused(client.post(path, data, **_bearer(secret)), 403, "insufficient_scope")
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(reverse("gap_data_json"), **_bearer(secret))
        _refused(response, 403, "insufficient_scope")
    token.refresh_from_db()
    assert token.revoked_at is None
    assert (ApiToken.objects.count(), Measure.objects.count()) == before


def test_an_invalid_token_on_a_page_gets_401(demo):
    _refused(Client().get("/", **_bearer("rbt_nothing")), 401, "invalid_token")
    _refused(Client().post("/api-tokens/", **_bearer("rbt_nothing")), 401, "invalid_token")


def test_a_request_without_a_token_or_session_is_sent_to_the_login(demo):
    response = _figures(Client())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- last use and the log ---------------------------------------------------------------------


def test_every_request_with_a_token_is_logged_and_the_last_use_recorded(demo, caplog):
    token, secret = _token(name="Qlik ekonomi")
    assert token.last_used_at is None
    with caplog.at_level(logging.INFO, logger="regionbudget.core.security"):
        Client().get(reverse("gap_data_json"), REMOTE_ADDR="10.1.2.3", **_bearer(secret))
        Client().get("/", **_bearer(secret))
        Client().get(reverse("gap_data_csv"), **_bearer("rbt_unknown"))
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_address == "10.1.2.3"
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("api token req")]
    assert len(lines) == 3
    assert f"token={token.prefix}" in lines[0] and "status=200" in lines[0]
    assert "name='Qlik ekonomi'" in lines[0] and "path=/gap/figures.json" in lines[0]
    assert "status=403" in lines[1] and "path=/ " in lines[1] + " "
    assert "token=-" in lines[2] and "status=401" in lines[2]
    assert all(secret not in line for line in caplog.messages)


def test_a_refused_token_records_no_use(demo):
    token, secret = _token()
    Client().get("/", **_bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at is None


# --- finance's page ---------------------------------------------------------------------------


def _future(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def test_finance_creates_a_token_on_the_page_and_sees_the_secret_once(finance):
    somatik = Area.objects.get(code="LSO-SOM")
    response = finance.post(
        reverse("api_tokens"),
        {
            "name": "Power BI somatik",
            "scope": "areas",
            "areas": [somatik.pk],
            "expires": _future(30),
        },
    )
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    token = ApiToken.objects.get(name="Power BI somatik")
    assert secret.startswith(token.prefix)
    assert secret in response.content.decode()
    assert "Kopiera den nu" in response.content.decode()
    assert list(token.areas.all()) == [somatik] and not token.all_areas
    assert token.created_by.username == "ekonom"
    # Valid through the whole of the chosen day, local time.
    assert timezone.localtime(token.expires_at).date() == timezone.localdate() + dt.timedelta(31)
    # The list shows it afterwards, without the secret.
    page = finance.get(reverse("api_tokens")).content.decode()
    assert "Power BI somatik" in page and f"{token.prefix}…" in page
    assert _future(30) in page  # the last day it works, as chosen
    assert secret not in page
    # The secret reads the area's figures.
    assert _figures(Client(), secret).status_code == 200


def test_a_region_token_from_the_page_ignores_ticked_areas(finance):
    somatik = Area.objects.get(code="LSO-SOM")
    finance.post(
        reverse("api_tokens"),
        {"name": "Hela regionen", "scope": "region", "areas": [somatik.pk], "expires": _future(5)},
    )
    token = ApiToken.objects.get(name="Hela regionen")
    assert token.all_areas and not token.areas.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x", "scope": "areas", "expires": "+30"}, "Välj minst ett område"),
        ({"name": "x", "scope": "region", "expires": "-1"}, "Datumet har passerat"),
        ({"name": "x", "scope": "region", "expires": "+400"}, "högst 365 dagar"),
        ({"name": "", "scope": "region", "expires": "+30"}, "Detta fält måste fyllas i"),
        ({"name": "x\u202eevil", "scope": "region", "expires": "+30"}, "skrivriktningen"),
    ],
)
def test_the_form_refuses_bad_input_and_keeps_it(finance, data, message):
    data = {**data, "expires": _future(int(data["expires"]))}
    response = finance.post(reverse("api_tokens"), data)
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text
    assert response.context["secret"] is None
    assert not ApiToken.objects.exists()
    assert data["expires"] in text  # the input is kept


def test_finance_revokes_a_token_on_the_page(finance):
    token, secret = _token()
    response = finance.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert response.status_code == 200
    assert "återkallades" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by.username == "ekonom"
    assert _figures(Client(), secret).status_code == 401
    again = finance.post(reverse("api_token_revoke", args=[token.pk]), follow=True)
    assert "redan återkallad" in again.content.decode()


def test_the_page_in_english(finance, english):
    _token(name="Qlik")
    text = english(finance).get(reverse("api_tokens")).content.decode()
    assert "API tokens for BI tools" in text and "Revoke" in text and "Qlik" in text


@pytest.mark.parametrize("persona", ["director_own", "committee"])
def test_other_roles_get_403_on_the_page(request, persona):
    client = request.getfixturevalue(persona)
    token, _secret = _token()
    assert client.get(reverse("api_tokens")).status_code == 403
    data = {"name": "x", "scope": "region", "expires": _future(3)}
    assert client.post(reverse("api_tokens"), data).status_code == 403
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 403
    assert ApiToken.objects.count() == 1
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_home_page_links_finance_to_the_tokens(finance, director_own):
    assert reverse("api_tokens") in finance.get("/").content.decode()
    assert reverse("api_tokens") not in director_own.get("/").content.decode()
