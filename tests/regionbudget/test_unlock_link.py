"""A locked-out user gets back in with a one-time link by e-mail: asked for on the locked-out
page (or from the login page), sent only for a locked account with an e-mail address, the same
answer for everyone, a confirm page that changes nothing on GET, the lockout lifted on POST,
and the link refused once used, forged or expired. Sending is throttled per user and per
address, and logged without the link."""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, TestCase
from django.utils import timezone

from regionbudget.core.models import UnlockLinkRequest
from regionbudget.core.security import unlock_token_make
from tests.regionbudget.test_lockout import _fail_five_times, _logged_in, _login

pytestmark = pytest.mark.django_db

ASK = "/accounts/unlock/"
SAME_ANSWER = "Om kontot finns och är låst har vi skickat en länk"
LOCKED_ADDRESS = "10.1.1.1"


def _ask(client, asked_for, address="10.3.3.3"):
    # the mail goes once the request's transaction commits (inside the test's, it would not)
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(ASK, {"asked_for": asked_for}, REMOTE_ADDR=address, follow=True)


def _link_path(message) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/unlock/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def _locked(client, username="ekonom") -> None:
    _fail_five_times(client, username, address=LOCKED_ADDRESS)
    assert _login(client, username, "demo", address=LOCKED_ADDRESS).status_code == 429


def test_the_locked_out_page_and_the_login_page_lead_to_the_unlock_link(client, demo):
    login = client.get("/accounts/login/").content.decode()
    assert "Utelåst? Få en upplåsningslänk" in login and 'href="/accounts/unlock/"' in login
    _fail_five_times(client, "ekonom")
    locked = _login(client, "ekonom", "demo").content.decode()
    assert 'action="/accounts/unlock/"' in locked
    assert 'value="ekonom"' in locked  # the user name tried, filled in


def test_a_locked_out_user_gets_a_link_that_unlocks_once(client, demo):
    _locked(client)
    response = _ask(Client(), "ekonom")
    assert response.redirect_chain == [("/accounts/login/", 302)]
    assert SAME_ANSWER in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ekonom@example.invalid"]
    assert message.subject == "Lås upp din inloggning till Regionbudget"
    assert "30 minuter" in message.body
    path = _link_path(message)

    # Opening the link (as a mail scanner would) changes nothing.
    before = list(AccessAttempt.objects.values_list("pk", "failures_since_start"))
    page = Client().get(path)
    assert page.status_code == 200
    assert "Lås upp inloggningen för <strong>ekonom</strong>" in page.content.decode()
    assert list(AccessAttempt.objects.values_list("pk", "failures_since_start")) == before
    assert _login(client, "ekonom", "demo", address=LOCKED_ADDRESS).status_code == 429

    # The button unlocks, and the right password logs in from the locked address.
    unlocked = Client().post(path, follow=True)
    assert unlocked.redirect_chain == [("/accounts/login/", 302)]
    assert "Inloggningen är upplåst" in unlocked.content.decode()
    assert not AccessAttempt.objects.filter(username="ekonom").exists()
    assert _logged_in(_login(Client(), "ekonom", "demo", address=LOCKED_ADDRESS))

    # The same link a second time: refused, nothing changed.
    _locked(Client(), "ledamot")
    before = list(AccessAttempt.objects.values_list("pk", "failures_since_start"))
    for method in ("get", "post"):
        again = getattr(Client(), method)(path)
        assert again.status_code == 400
        assert "Länken för att låsa upp fungerar inte" in again.content.decode()
    assert list(AccessAttempt.objects.values_list("pk", "failures_since_start")) == before


def test_a_link_made_before_a_new_lockout_does_not_lift_it(client, demo):
    _locked(client)
    _ask(Client(), "ekonom")
    path = _link_path(mail.outbox[0])
    assert Client().post(path).status_code == 302
    _locked(client)  # locked again later: the old link stays used
    assert Client().post(path).status_code == 400
    assert AccessAttempt.objects.filter(username="ekonom").exists()


def test_a_forged_or_changed_link_is_refused(client, demo):
    _locked(client)
    ekonom = get_user_model().objects.get(username="ekonom")
    token = unlock_token_make(ekonom)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for path in (f"/accounts/unlock/{forged}/", "/accounts/unlock/not-a-link/"):
        assert Client().get(path).status_code == 400
        assert Client().post(path).status_code == 400
    assert AccessAttempt.objects.filter(username="ekonom").count() == 1
    # a new password ends the link, too
    ekonom.set_password("ett nytt lösenord")
    ekonom.save()
    assert Client().post(f"/accounts/unlock/{token}/").status_code == 400
    assert AccessAttempt.objects.filter(username="ekonom").count() == 1


def test_a_link_older_than_30_minutes_is_refused(client, demo):
    _locked(client)
    # made 31 minutes ago (the signature carries the time it was made)
    with mock.patch("time.time", return_value=time.time() - 31 * 60):
        token = unlock_token_make(get_user_model().objects.get(username="ekonom"))
    page = Client().get(f"/accounts/unlock/{token}/")
    assert page.status_code == 400
    assert "äldre än 30 minuter" in page.content.decode()
    assert Client().post(f"/accounts/unlock/{token}/").status_code == 400
    assert AccessAttempt.objects.filter(username="ekonom").exists()


def test_an_unknown_or_unlocked_account_gets_the_same_answer_and_no_mail(client, demo):
    answers = []
    for asked_for in ("nobody", "ledamot", "nobody@example.invalid"):
        response = _ask(Client(), asked_for)
        answers.append((response.redirect_chain, SAME_ANSWER in response.content.decode()))
    assert answers == [([("/accounts/login/", 302)], True)] * 3
    assert mail.outbox == []


def test_the_e_mail_address_finds_the_account_and_the_mail_is_in_the_users_language(client, demo):
    from regionbudget.core.models import UserPreference

    ekonom = get_user_model().objects.get(username="ekonom")
    UserPreference.objects.update_or_create(user=ekonom, defaults={"language": "en"})
    _locked(client)
    _ask(Client(), "EKONOM@example.invalid")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Unlock your login to Regionbudget"
    assert "works once, for 30 minutes" in mail.outbox[0].body


def test_one_mail_per_user_per_five_minutes(client, demo):
    _locked(client)
    for address in ("10.3.3.3", "10.4.4.4", "10.5.5.5"):
        assert SAME_ANSWER in _ask(Client(), "ekonom", address=address).content.decode()
    assert len(mail.outbox) == 1
    # six minutes later (the lockout lasts a quarter of an hour) another link may go
    UnlockLinkRequest.objects.update(requested_at=timezone.now() - dt.timedelta(minutes=6))
    _ask(Client(), "ekonom")
    assert len(mail.outbox) == 2


def test_an_address_that_asks_too_often_gets_no_more_mail(client, demo):
    for name in ("a1", "a2", "a3", "a4", "a5"):
        _ask(Client(), name, address="10.6.6.6")
    _locked(client)
    response = _ask(Client(), "ekonom", address="10.6.6.6")
    assert SAME_ANSWER in response.content.decode()
    assert mail.outbox == []
    _ask(Client(), "ekonom", address="10.7.7.7")  # another address may
    assert len(mail.outbox) == 1


def test_the_security_log_names_user_and_address_never_the_link(client, demo, caplog):
    _locked(client)
    with caplog.at_level(logging.INFO, logger="regionbudget.core.security"):
        _ask(Client(), "ekonom", address="10.8.8.8")
        path = _link_path(mail.outbox[0])
        Client().post(path, REMOTE_ADDR="10.8.8.9")
        _ask(Client(), "nobody\nforged line", address="10.8.8.8")
    text = caplog.text
    assert "unlock link sent user=ekonom address=10.8.8.8" in text
    assert "login unlocked by e-mail link user=ekonom address=10.8.8.9" in text
    assert "asked_for=nobody?forged line address=10.8.8.8 reason=no such user" in text
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert token not in text


def test_bad_input_is_refused_in_words(client, demo):
    response = client.post(ASK, {"asked_for": ""})
    assert response.status_code == 200
    assert "Detta fält måste fyllas i." in response.content.decode()
    response = client.post(ASK, {"asked_for": "x" * 300})
    assert "har som mest 254 tecken" in response.content.decode()
    assert not UnlockLinkRequest.objects.exists()


def test_the_forms_need_their_csrf_token(client, demo):
    _locked(client)
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(ASK, {"asked_for": "ekonom"}).status_code == 403
    assert mail.outbox == [] and not UnlockLinkRequest.objects.exists()
    path = f"/accounts/unlock/{unlock_token_make(get_user_model().objects.get(username='ekonom'))}/"
    assert browser.post(path).status_code == 403
    assert AccessAttempt.objects.filter(username="ekonom").exists()
