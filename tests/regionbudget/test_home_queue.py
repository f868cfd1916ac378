"""The home page as a work queue per role: what a director, finance and a committee member
have to do or to read now, with the query count pinned per role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from forecasts.models import Forecast, ForecastRound
from regionbudget.core.models import Area
from regionbudget.reports.models import Meeting, StatusReport

pytestmark = pytest.mark.django_db

SOMATIK = "Länssjukvårdsområde somatik"


@pytest.fixture
def today(monkeypatch):
    """The demo's day: 2 December 2026 (actuals imported up to October 2026; the October 2024
    round still open, its deadline 11 November 2024 long past)."""
    day = dt.date(2026, 12, 2)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    return day


@pytest.fixture
def october(demo):
    return ForecastRound.objects.get(year=2024, month=10)


def _queue(client) -> str:
    text = client.get("/").content.decode()
    start = text.index('id="work-queue"')
    return text[start : text.index("</section>", start)]


def _somatik_forecast(october) -> Forecast:
    return Forecast.objects.get(forecast_round=october, area__code="LSO-SOM")


# --- area director ---------------------------------------------------------------------------


def test_a_director_sees_their_late_forecast_and_measures_to_report(director_own, october, today):
    queue = _queue(director_own)
    somatik = Area.objects.get(code="LSO-SOM")
    assert f"{SOMATIK}: prognos efter oktober 2024" in queue
    assert reverse("forecasts:forecast_edit", args=[october.pk, somatik.pk]) in queue
    assert "Skulle lämnas den 11 november 2024: skicka in den så snart du kan." in queue
    # M02 was last reported for October 2026 and M03 for September: both owe November's
    assert "Åtgärder att rapportera för november 2026" in queue
    assert "M02 Utfasning av hyrpersonal" in queue
    assert "M03 Produktions- och kapacitetsplanering" in queue
    # not another area's forecast or measure
    assert "psykiatri" not in queue and "M13" not in queue


def test_a_director_sees_a_returned_forecast_with_finances_comment(director_own, october, today):
    Forecast.objects.filter(pk=_somatik_forecast(october).pk).update(
        status=Forecast.Status.RETURNED, return_comment="Förklara hyrpersonalen."
    )
    queue = _queue(director_own)
    assert "Återsänd av ekonomi: Förklara hyrpersonalen." in queue
    assert "skicka in den igen senast 11 november 2024" in queue


def test_a_director_sees_a_forecast_awaiting_approval(director_own, october, today):
    Forecast.objects.filter(pk=_somatik_forecast(october).pk).update(
        status=Forecast.Status.SUBMITTED
    )
    queue = _queue(director_own)
    assert "Inskickad: väntar på godkännande av ekonomi." in queue
    assert "Skulle lämnas" not in queue


# --- finance ---------------------------------------------------------------------------------


def test_finance_sees_the_open_rounds_state_and_what_waits_for_approval(finance, october, today):
    psykiatri = Forecast.objects.get(forecast_round=october, area__code="LSO-PSY")
    Forecast.objects.filter(pk=psykiatri.pk).update(status=Forecast.Status.SUBMITTED)
    queue = _queue(finance)
    # 8 areas: somatik a late draft, psykiatri submitted, the other 6 approved
    assert "6 av 8 områden godkända, 1 väntar på godkännande, 1 försenade." in queue
    assert "Granska prognosen för Länssjukvårdsområde psykiatri och habilitering" in queue
    assert reverse("forecasts:forecast_detail", args=[october.pk, psykiatri.area_id]) in queue
    assert f"Försenade: {SOMATIK}" in queue


def test_finance_is_told_that_last_months_actuals_are_due(finance, demo, today):
    queue = _queue(finance)
    assert "Utfallet för november 2026 är inte importerat än." in queue
    assert "Det senaste är för oktober 2026." in queue
    assert reverse("forecasts:import_start") in queue


def test_finance_sees_no_import_due_when_last_month_is_in(finance, demo, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 11, 5))
    queue = _queue(finance)
    assert "Utfallet är importerat till och med oktober 2026." in queue
    assert "är inte importerat än" not in queue


def test_finance_sees_the_next_meeting_and_whether_its_report_is_drafted(finance, demo, today):
    assert "Inget sammanträde är planerat." in _queue(finance)
    Meeting.objects.create(committee="hsn", date=dt.date(2026, 12, 15), title="Nämndsmöte")
    queue = _queue(finance)
    assert "Nästa sammanträde: Nämndsmöte, 15 december 2026." in queue
    assert "Ingen rapport för det än." in queue
    assert reverse("report_create") in queue


# --- committee -------------------------------------------------------------------------------


def test_a_committee_member_sees_the_latest_report_and_the_next_meeting(committee, demo, today):
    latest = StatusReport.objects.get(title="Lägesrapport efter oktober 2026")
    Meeting.objects.create(committee="hsn", date=dt.date(2026, 12, 15), title="Nämndsmöte")
    queue = _queue(committee)
    assert "Att läsa" in queue
    assert "Senaste lägesrapport:" in queue
    assert reverse("report_detail", args=[latest.pk]) in queue
    assert "Nästa sammanträde: Nämndsmöte, 15 december 2026." in queue
    assert reverse("report_create") not in queue  # not the committee's to draft


# --- query counts per role -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "queries"),
    [
        # the overview's 9 (session, user, groups, plans, areas, units, targets, outside
        # reductions, and the balance flags: the data version, the joined ledger being cached
        # for it after the first visit) + open rounds, their forecasts, the latest actuals month
        # and the next meeting
        ("finance", 13),
        # the overview's 9 + open rounds, their forecasts and the measures to report on
        ("director_own", 12),
        # the overview's 9 + the latest published report and the next meeting
        ("committee", 11),
    ],
)
def test_the_work_queue_has_a_fixed_number_of_queries_per_role(
    request, persona, queries, today, django_assert_num_queries
):
    client = request.getfixturevalue(persona)
    client.get("/")
    with django_assert_num_queries(queries):
        client.get("/")
    Area.objects.create(code="NEW", name="Nytt område", position=99)  # more areas, same count
    client.get("/")  # the area raised the data version: the joined ledger is computed again
    with django_assert_num_queries(queries):
        client.get("/")
