"""Failed logins lock a user name from one address only; an address is slowed down, never locked;
an administrator can lift a lockout; behind proxies the client's own address counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"


def _login(client, username, password, address="10.1.1.1", **extra):
    return client.post(
        LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def _logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/"


def _fail_five_times(client, username, address="10.1.1.1", **extra):
    for _ in range(5):
        response = _login(client, username, "fel", address, **extra)
    assert response.status_code == 429
    return response


def test_failures_lock_the_user_name_only_from_the_address_they_came_from(client, demo):
    _fail_five_times(client, "admin", address="10.1.1.66")
    locked = _login(client, "admin", "demo", address="10.1.1.66")
    assert locked.status_code == 429
    assert "För många misslyckade inloggningar" in locked.content.decode()
    # the administrator, from their own desk, is not locked out by someone else's guesses
    assert _logged_in(_login(client, "admin", "demo", address="10.2.2.2"))


def test_failures_with_many_names_from_one_address_lock_nobody_else_behind_it(client, demo):
    for n in range(5):
        assert _login(client, f"nobody{n}", "fel").status_code == 200
    # a colleague behind the same address (a shared proxy or network) logs in at once
    assert _logged_in(_login(client, "ledamot", "demo"))


def _age_attempts(seconds: int) -> None:
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(seconds=seconds))


def test_an_address_that_keeps_failing_is_slowed_down_not_locked(client, demo, settings):
    settings.LOGIN_ADDRESS_FREE_FAILURES = 6
    settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS = 30
    for n in range(6):
        assert _login(client, f"guess{n}", "fel").status_code == 200
    # the seventh try comes too soon after the sixth failure: wait a second
    waiting = _login(client, "ledamot", "demo")
    assert waiting.status_code == 429
    assert waiting["Retry-After"] == "1"
    assert "Försök igen om 1 sekund" in waiting.content.decode()
    assert "_auth_user_id" not in client.session
    # a wait is not a failure, and after it the right password gets in
    _age_attempts(2)
    assert _logged_in(_login(client, "ledamot", "demo"))


def test_the_wait_doubles_with_each_failure_up_to_the_limit(client, demo, settings):
    settings.LOGIN_ADDRESS_FREE_FAILURES = 2
    settings.LOGIN_ADDRESS_MAX_DELAY_SECONDS = 30
    waits = []
    for n in range(9):
        response = _login(client, f"guess{n}", "fel")
        if response.status_code == 429:  # waiting: let the time pass, then try again
            waits.append(int(response["Retry-After"]))
            _age_attempts(60)
            assert _login(client, f"guess{n}", "fel").status_code == 200
    assert waits == [1, 2, 4, 8, 16, 30, 30]


def test_another_address_is_not_slowed_down(client, demo, settings):
    settings.LOGIN_ADDRESS_FREE_FAILURES = 2
    for n in range(3):
        _login(client, f"guess{n}", "fel", address="10.9.9.9")
    assert _login(client, "x", "fel", address="10.9.9.9").status_code == 429
    assert _logged_in(_login(client, "ledamot", "demo", address="10.1.1.2"))


def test_an_administrator_unlocks_a_user_in_the_administration(client, demo, administrator):
    _fail_five_times(client, "ekonom")
    changelist = reverse("admin:auth_user_changelist")
    page = administrator.get(changelist)
    assert "Lås upp inloggningen" in page.content.decode()
    from django.contrib.auth import get_user_model

    ekonom = get_user_model().objects.get(username="ekonom")
    response = administrator.post(
        changelist,
        {"action": "unlock_logins", "_selected_action": [ekonom.pk]},
        follow=True,
    )
    assert "1 användare kan logga in igen" in response.content.decode()
    assert _logged_in(_login(client, "ekonom", "demo"))


def test_finance_cannot_unlock_users(client, demo, finance):
    _fail_five_times(client, "admin")
    from django.contrib.auth import get_user_model

    page = finance.get(reverse("admin:auth_user_changelist"))
    assert page.status_code == 200
    assert "unlock_logins" not in page.content.decode()
    admin_user = get_user_model().objects.get(username="admin")
    finance.post(
        reverse("admin:auth_user_changelist"),
        {"action": "unlock_logins", "_selected_action": [admin_user.pk]},
    )
    assert _login(client, "admin", "demo").status_code == 429


def test_the_unlock_command_lifts_a_lockout(client, demo, capsys):
    _fail_five_times(client, "ekonom")
    call_command("unlock_user", "ekonom")
    assert "ekonom can log in again" in capsys.readouterr().out
    assert _logged_in(_login(client, "ekonom", "demo"))


def test_the_unlock_command_names_an_unknown_user(demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("unlock_user", "nobody")


def test_behind_proxies_the_clients_own_address_counts(client, demo, settings):
    settings.PROXY_COUNT = 2  # the HTTPS proxy and nginx, as docker-compose.yml runs it
    nginx = "172.18.0.3"

    def forwarded(address):
        # the client's own (forged) entry, the HTTPS proxy's view, nginx's view of that proxy
        return {"HTTP_X_FORWARDED_FOR": f"6.6.6.6, {address}, 172.18.0.1"}

    _fail_five_times(client, "ekonom", address=nginx, **forwarded("10.3.3.3"))
    assert _login(client, "ekonom", "demo", nginx, **forwarded("10.3.3.3")).status_code == 429
    # everyone comes through the same nginx: a colleague elsewhere is not locked out
    assert _logged_in(_login(client, "ekonom", "demo", nginx, **forwarded("10.4.4.4")))
    assert AccessAttempt.objects.filter(ip_address="10.3.3.3").exists()


def test_without_proxies_a_forwarded_header_is_ignored(client, demo, settings):
    settings.PROXY_COUNT = 0
    for n in range(5):
        _login(client, "ekonom", "fel", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert _login(client, "ekonom", "demo", HTTP_X_FORWARDED_FOR="10.0.0.99").status_code == 429


def test_the_compose_file_runs_a_buffering_proxy_and_tells_the_app_about_it():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "PROXY_COUNT: ${PROXY_COUNT:-2}" in compose
    assert "image: nginx" in compose
    nginx = (ROOT / "nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in nginx
    assert "proxy_request_buffering on;" in nginx
