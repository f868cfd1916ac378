"""The monthly cycle run by finance: forecasts entered on an area's behalf, the round page
(region total, change from the previous round, late areas, reminders, the prompt to close),
and the e-mail around it, received by a real SMTP server started by the test."""

from __future__ import annotations

import datetime as dt
import logging
import socket

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from forecasts.models import Forecast, ForecastRound, ReminderSent
from regionbudget.core.formatting import NBSP
from regionbudget.core.models import UserPreference
from tests.forecasts.helpers import area, grid_post, lines_like_budget, new_round, user

pytestmark = pytest.mark.django_db

SOMATIK = "Länssjukvårdsområde somatik"


@pytest.fixture
def october(demo):
    """The demo's open round: every area approved but somatik (a draft); deadline 2024-11-11."""
    return ForecastRound.objects.get(year=2024, month=10)


@pytest.fixture
def site_url(settings):
    settings.SITE_URL = "https://budget.example.se"
    return settings.SITE_URL


def _url(name, forecast_round, area_obj):
    return reverse(f"forecasts:{name}", args=[forecast_round.pk, area_obj.pk])


def _text(response) -> str:
    return response.content.decode()


# --- Finance enters a forecast on an area's behalf -------------------------------------------


def test_finance_opens_an_areas_grid_and_saves_it_on_the_areas_behalf(finance, demo):
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    page = finance.get(_url("forecast_edit", november, somatik))
    assert page.status_code == 200
    assert f"Du lägger in prognosen för {SOMATIK}" in _text(page)

    data = grid_post(lines_like_budget(somatik), version=0)
    assert finance.post(_url("forecast_edit", november, somatik), data).status_code == 302

    forecast = Forecast.objects.get(forecast_round=november, area=somatik)
    assert forecast.status == Forecast.Status.DRAFT
    assert forecast.entered_by == user("ekonom") and forecast.entered_on_behalf is True
    # the history keeps who entered it and that it was on the area's behalf
    events = Events.objects.tracks(forecast).filter(pgh_label="insert")
    assert [e.pgh_data["entered_on_behalf"] for e in events] == [True]
    assert [e.pgh_data["entered_by_id"] for e in events] == [user("ekonom").pk]


def test_the_forecast_page_says_who_entered_it_and_for_whom(finance, director_own, demo):
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    data = grid_post(lines_like_budget(somatik), version=0, action="submit")
    finance.post(_url("forecast_edit", november, somatik), data)
    for client in (finance, director_own):
        text = _text(client.get(_url("forecast_detail", november, somatik)))
        assert f"Inlagd av Karin Lindqvist för {SOMATIK}" in text


def test_a_director_entering_their_own_forecast_is_not_on_behalf(director_own, demo):
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    page = _text(director_own.get(_url("forecast_edit", november, somatik)))
    assert "Du lägger in prognosen för" not in page
    director_own.post(
        _url("forecast_edit", november, somatik), grid_post(lines_like_budget(somatik), version=0)
    )
    forecast = Forecast.objects.get(forecast_round=november, area=somatik)
    assert forecast.entered_by == user("direktor.somatik") and forecast.entered_on_behalf is False
    assert "Inlagd av" not in _text(director_own.get(_url("forecast_detail", november, somatik)))


def test_finance_who_submitted_on_the_areas_behalf_cannot_approve_it(finance, administrator, demo):
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    data = grid_post(lines_like_budget(somatik), version=0, action="submit")
    assert finance.post(_url("forecast_edit", november, somatik), data).status_code == 302
    forecast = Forecast.objects.get(forecast_round=november, area=somatik)
    assert forecast.status == Forecast.Status.SUBMITTED
    assert forecast.submitted_by == user("ekonom")

    detail = _text(finance.get(_url("forecast_detail", november, somatik)))
    assert _url("forecast_approve", november, somatik) not in detail
    refused = finance.post(
        _url("forecast_approve", november, somatik), {"version": forecast.version}, follow=True
    )
    assert "Du skickade in prognosen själv" in _text(refused)
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.SUBMITTED and forecast.approved_by is None

    # someone else in finance (here the administrator) approves it
    administrator.post(_url("forecast_approve", november, somatik), {"version": forecast.version})
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.APPROVED and forecast.approved_by == user("admin")


def test_the_areas_director_is_told_when_finance_submits_on_their_behalf(
    finance, director_own, demo, site_url, django_capture_on_commit_callbacks
):
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    data = grid_post(lines_like_budget(somatik), version=0, action="submit")
    with django_capture_on_commit_callbacks(execute=True):
        assert finance.post(_url("forecast_edit", november, somatik), data).status_code == 302
    to_director = [m for m in mail.outbox if m.to == ["direktor.somatik@example.invalid"]]
    assert len(to_director) == 1
    message = to_director[0]
    assert message.subject == f"Inlämnad för er räkning: {SOMATIK}, Prognos efter november 2024"
    assert f"Karin Lindqvist på ekonomi har lagt in och lämnat in prognosen för {SOMATIK}" in (
        message.body
    )
    forecast = Forecast.objects.get(forecast_round=november, area=somatik)
    assert f"{site_url}{forecast.get_absolute_url()}" in message.body
    # the director's own submission tells finance only, never the director themselves
    mail.outbox.clear()
    december = new_round(month=12)
    data = grid_post(lines_like_budget(somatik), version=0, action="submit")
    with django_capture_on_commit_callbacks(execute=True):
        director_own.post(_url("forecast_edit", december, somatik), data)
    assert mail.outbox and all(m.to != ["direktor.somatik@example.invalid"] for m in mail.outbox)


def test_the_committee_and_another_director_still_cannot_open_the_grid(
    committee, director_other, demo
):
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    assert committee.get(_url("forecast_edit", november, somatik)).status_code == 403
    assert director_other.get(_url("forecast_edit", november, somatik)).status_code == 404


# --- The round page --------------------------------------------------------------------------


def test_the_round_page_has_the_regions_total_row(finance, october):
    text = _text(finance.get(october.get_absolute_url()))
    # Budgets 2024 (mnkr): 120 + 1550 + 850 + 3900 + 800 + 1250 + 650 + 180 = 9 300;
    # forecasts: 124 + 1580 + 872 + 3958 + 814 + 1274 + 666 + 186 = 9 474;
    # deviation 9 300 − 9 474 = −174 (the seed's deficit in the areas' forecasts).
    total = text[text.index('id="region-total"') :]
    total = total[: total.index("</tr>")]
    assert f"9{NBSP}300,0{NBSP}mnkr" in total
    assert f"9{NBSP}474,0{NBSP}mnkr" in total
    assert f"−174,0{NBSP}mnkr" in total
    # every area's October forecast equals its September one: no change anywhere
    assert "oförändrad sedan prognos efter september 2024" in text
    assert text.count(f"0,0{NBSP}mnkr</span>") == 9  # eight areas and the region
    assert "oförändrad sedan föregående prognostillfälle" in total


def test_the_change_from_the_previous_round_is_signed_and_said_in_words(finance, demo):
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    finance.post(
        _url("forecast_edit", november, somatik), grid_post(lines_like_budget(somatik), version=0)
    )
    text = _text(finance.get(november.get_absolute_url()))
    row = text[text.index('data-area="LSO-SOM"') :]
    row = row[: row.index("</tr>")]
    # October's forecast of somatik is a draft, so September's approved one is the previous:
    # 3 900 (the budget, entered now) − 3 958 = −58 mnkr.
    assert f"−58,0{NBSP}mnkr" in row
    assert f"58,0{NBSP}mnkr lägre än i prognos efter september 2024" in row


def test_late_areas_are_marked_and_finance_is_offered_a_reminder(finance, director_own, october):
    text = _text(finance.get(october.get_absolute_url()))
    row = text[text.index('data-area="LSO-SOM"') - 40 :]
    assert 'class="table-danger"' in row[: row.index("</tr>")]
    assert "Skicka en påminnelse till det försenade området" in text
    assert reverse("forecasts:round_remind", args=[october.pk]) in text
    director_text = _text(director_own.get(october.get_absolute_url()))
    assert reverse("forecasts:round_remind", args=[october.pk]) not in director_text


def test_finance_reminds_the_late_areas_once_a_day(
    finance, october, django_capture_on_commit_callbacks
):
    url = reverse("forecasts:round_remind", args=[october.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = finance.post(url, follow=True)
    assert f"En påminnelse skickades till 1 försenat område: {SOMATIK}." in _text(response)
    assert [m.to for m in mail.outbox] == [["direktor.somatik@example.invalid"]]
    assert mail.outbox[0].subject == f"Prognosen är försenad: {SOMATIK}, Prognos efter oktober 2024"
    reminder = ReminderSent.objects.get(forecast_round=october)
    assert reminder.area == area("LSO-SOM") and reminder.sent_by == user("ekonom")

    with django_capture_on_commit_callbacks(execute=True):
        again = finance.post(url, follow=True)
    assert f"Redan påmind i dag, så inte igen: {SOMATIK}." in _text(again)
    assert len(mail.outbox) == 1 and ReminderSent.objects.count() == 1


def test_only_finance_sends_reminders(director_own, committee, october):
    url = reverse("forecasts:round_remind", args=[october.pk])
    assert director_own.post(url).status_code == 403
    assert committee.post(url).status_code == 403
    assert director_own.get(url).status_code == 405
    assert not ReminderSent.objects.exists() and not mail.outbox


def test_finance_is_prompted_to_close_the_round_when_every_area_is_approved(finance, october):
    assert 'id="close-prompt"' not in _text(finance.get(october.get_absolute_url()))
    Forecast.objects.filter(forecast_round=october).update(
        status=Forecast.Status.APPROVED, approved_at=timezone.now()
    )
    text = _text(finance.get(october.get_absolute_url()))
    assert 'id="close-prompt"' in text
    assert "Alla områdens prognoser är godkända" in text
    finance.post(reverse("forecasts:round_close", args=[october.pk]))
    october.refresh_from_db()
    assert october.status == ForecastRound.Status.CLOSED


def test_the_round_page_with_the_new_columns_has_a_bounded_number_of_queries(
    finance, director_own, october, django_assert_max_num_queries
):
    for client in (finance, director_own):
        client.get(october.get_absolute_url())
        with django_assert_max_num_queries(11):
            client.get(october.get_absolute_url())


# --- E-mail over SMTP ------------------------------------------------------------------------


def test_a_submitted_forecast_is_told_to_finance_over_smtp(
    director_own, smtp_server, site_url, django_capture_on_commit_callbacks
):
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    data = grid_post(lines_like_budget(somatik), version=0, action="submit")
    with django_capture_on_commit_callbacks(execute=True):
        assert director_own.post(_url("forecast_edit", november, somatik), data).status_code == 302
    [notice] = smtp_server.received
    assert notice.recipients == ["ekonom@example.invalid"]
    assert notice.language == "sv"
    assert notice.subject == f"Prognos inskickad: {SOMATIK}, Prognos efter november 2024"
    assert f"{site_url}/forecasts/rounds/{november.pk}/areas/{somatik.pk}/" in notice.body
    assert "väntar på godkännande" in notice.body


def test_a_returned_forecast_is_told_to_the_director_in_their_language_with_the_comment(
    finance, director_own, smtp_server, site_url, django_capture_on_commit_callbacks
):
    UserPreference.objects.create(user=user("direktor.somatik"), language="en")
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    director_own.post(
        _url("forecast_edit", november, somatik),
        grid_post(lines_like_budget(somatik), version=0, action="submit"),
    )
    forecast = Forecast.objects.get(forecast_round=november, area=somatik)
    with django_capture_on_commit_callbacks(execute=True):
        finance.post(
            _url("forecast_return", november, somatik),
            {"version": forecast.version, "comment": "Personalkostnaden saknar förklaring."},
        )
    [notice] = smtp_server.to("direktor.somatik@example.invalid")
    assert notice.language == "en"
    assert notice.subject == f"Forecast returned: {SOMATIK}, Forecast after November 2024"
    assert "Personalkostnaden saknar förklaring." in notice.body
    assert "Finance's comment:" in notice.body
    assert f"{site_url}/forecasts/rounds/{november.pk}/areas/{somatik.pk}/" in notice.body


def test_an_approved_forecast_is_told_to_the_director_over_smtp(
    finance, director_own, smtp_server, site_url, django_capture_on_commit_callbacks
):
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    director_own.post(
        _url("forecast_edit", november, somatik),
        grid_post(lines_like_budget(somatik), version=0, action="submit"),
    )
    forecast = Forecast.objects.get(forecast_round=november, area=somatik)
    with django_capture_on_commit_callbacks(execute=True):
        finance.post(_url("forecast_approve", november, somatik), {"version": forecast.version})
    [notice] = smtp_server.to("direktor.somatik@example.invalid")
    assert notice.language == "sv"
    assert notice.subject == f"Prognos godkänd: {SOMATIK}, Prognos efter november 2024"
    assert "Ekonomi har godkänt prognosen" in notice.body


def test_nothing_is_sent_when_the_action_rolls_back(director_own, smtp_server, demo):
    """Mail goes after the commit: a submission refused (a cell missing) sends nothing."""
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    lines = lines_like_budget(somatik)
    lines.pop(next(iter(lines)))
    data = grid_post(lines, version=0, action="submit")
    assert director_own.post(_url("forecast_edit", november, somatik), data).status_code == 200
    assert smtp_server.received == []


def test_a_mail_server_that_is_down_never_fails_the_users_action(
    director_own, settings, caplog, django_capture_on_commit_callbacks
):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port
    november = new_round(month=11)
    somatik = area("LSO-SOM")
    data = grid_post(lines_like_budget(somatik), version=0, action="submit")
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        response = director_own.post(_url("forecast_edit", november, somatik), data, follow=True)
    assert response.status_code == 200
    assert "Prognosen är inskickad till ekonomi." in _text(response)
    assert Forecast.objects.get(forecast_round=november, area=somatik).status == "submitted"
    assert any("e-mail not sent" in r.getMessage() for r in caplog.records)


def test_the_language_switch_keeps_the_users_language_for_email(director_own):
    director_own.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert UserPreference.objects.get(user=user("direktor.somatik")).language == "en"
    director_own.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert UserPreference.objects.get(user=user("direktor.somatik")).language == "en"


# --- The daily reminders (manage.py send_reminders) ------------------------------------------


def test_the_daily_command_reminds_before_the_deadline_never_twice_a_day(
    october, smtp_server, site_url, django_capture_on_commit_callbacks
):
    # October 2024's deadline is 11 November 2024: reminders go on the 8th and the 11th.
    def run(date):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", f"--date={date}")

    run("2024-11-07")
    assert smtp_server.received == []
    run("2024-11-08")
    [reminder] = smtp_server.received
    assert reminder.recipients == ["direktor.somatik@example.invalid"]
    assert reminder.subject == (
        f"Påminnelse: prognosen för {SOMATIK} ska lämnas, Prognos efter oktober 2024"
    )
    assert "om 3 dagar, den 11 november 2024" in reminder.body
    assert f"{site_url}/forecasts/rounds/{october.pk}/areas/{area('LSO-SOM').pk}/edit/" in (
        reminder.body
    )
    run("2024-11-08")  # cron ran twice: nothing more
    assert len(smtp_server.received) == 1
    run("2024-11-11")
    assert len(smtp_server.received) == 2
    assert "i dag" in smtp_server.received[1].body
    assert list(
        ReminderSent.objects.filter(forecast_round=october).values_list("sent_on", flat=True)
    ) == [dt.date(2024, 11, 11), dt.date(2024, 11, 8)]


def test_an_area_that_has_submitted_is_not_reminded(
    october, smtp_server, django_capture_on_commit_callbacks
):
    Forecast.objects.filter(forecast_round=october, area=area("LSO-SOM")).update(
        status=Forecast.Status.SUBMITTED
    )
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", "--date=2024-11-08")
    assert smtp_server.received == []
    assert not ReminderSent.objects.exists()
