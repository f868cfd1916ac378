"""Security headers, login throttling, the session idle timeout and the security log."""

import datetime as dt
import logging

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_pages_carry_a_content_security_policy_without_unsafe_inline(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


# The policy as the project's own middleware wrote it before django-csp: the same must be sent.
POLICY_BEFORE_DJANGO_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Django's administration uses a few inline style attributes.
ADMIN_POLICY_BEFORE_DJANGO_CSP = POLICY_BEFORE_DJANGO_CSP.replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'"
)


def _directives(policy: str) -> dict[str, list[str]]:
    """A policy as directive -> sources (browsers read the directives in any order)."""
    parts = [part.split() for part in policy.split(";") if part.strip()]
    directives = {name: sources for name, *sources in parts}
    assert len(directives) == len(parts), f"a directive appears twice: {policy}"
    return directives


@pytest.mark.parametrize(
    ("path", "before"),
    [
        ("/accounts/login/", POLICY_BEFORE_DJANGO_CSP),
        ("/", POLICY_BEFORE_DJANGO_CSP),  # a redirect to the login page
        ("/no-such-page/", POLICY_BEFORE_DJANGO_CSP),  # the 404 page
        ("/admin/login/", ADMIN_POLICY_BEFORE_DJANGO_CSP),
    ],
)
def test_the_content_security_policy_is_the_same_as_before_django_csp(client, path, before):
    response = client.get(path)
    assert _directives(response["Content-Security-Policy"]) == _directives(before)
    assert "Content-Security-Policy-Report-Only" not in response
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=(), payment=()"


def test_logins_are_throttled_per_user_name(client, demo):
    for _ in range(4):
        response = client.post("/accounts/login/", {"username": "ekonom", "password": "fel"})
        assert response.status_code == 200
    # the fifth failure locks the user name, and then even the right password is refused
    response = client.post("/accounts/login/", {"username": "ekonom", "password": "fel"})
    assert response.status_code == 429
    response = client.post("/accounts/login/", {"username": "ekonom", "password": "demo"})
    assert response.status_code == 429
    assert "För många misslyckade inloggningar" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_successful_login_resets_the_count(client, demo):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "ledamot", "password": "fel"})
    client.post("/accounts/login/", {"username": "ledamot", "password": "demo"})
    client.post("/accounts/logout/")
    for _ in range(3):
        response = client.post("/accounts/login/", {"username": "ledamot", "password": "fel"})
    assert response.status_code == 200


def test_logins_failures_and_denials_are_logged(client, demo, director_own, caplog):
    caplog.set_level(logging.INFO, logger="regionbudget.core.security")
    client.post("/accounts/login/", {"username": "ekonom", "password": "fel"})
    client.post("/accounts/login/", {"username": "ekonom", "password": "demo"})
    director_own.get("/admin/", follow=True)
    messages = [record.getMessage() for record in caplog.records]
    assert any(m.startswith("login failed user=ekonom") for m in messages)
    assert any(m.startswith("login user=ekonom") for m in messages)
    assert any("access denied status=403 user=direktor.somatik" in m for m in messages)
    assert not any("fel" in m.split() for m in messages), "no password in the log"


def _session_row(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key)


def test_a_session_ends_after_the_idle_time(finance, settings):
    assert finance.get("/").status_code == 200
    row = _session_row(finance)
    row.expire_date = timezone.now() - dt.timedelta(seconds=1)  # idle for the whole age
    row.save()
    response = finance.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_activity_renews_the_idle_time_at_most_once_a_minute(finance, settings):
    from regionbudget.core.middleware import IdleTimeoutMiddleware

    finance.get("/")
    row = _session_row(finance)
    soon = timezone.now() + dt.timedelta(seconds=30)
    row.expire_date = soon
    row.save()
    finance.get("/")  # renewed less than a minute ago: no write
    assert _session_row(finance).expire_date == soon
    session = finance.session
    session[IdleTimeoutMiddleware.TOUCHED] -= settings.SESSION_RENEW_SECONDS
    session.save()
    row = _session_row(finance)
    row.expire_date = soon
    row.save()
    assert finance.get("/").status_code == 200  # a minute later: the expiry moves on
    renewed = _session_row(finance).expire_date
    expected = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((renewed - expected).total_seconds()) < 5


def test_the_administration_login_never_redirects_to_another_site(finance):
    response = finance.get("/admin/login/?next=https://elsewhere.example/steal")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    response = finance.get("/admin/login/?next=/admin/regionbudget/area/")
    assert response["Location"] == "/admin/regionbudget/area/"
