"""The forecast accuracy page, its JSON and CSV: figures for two rounds computed by hand, each
role's scope, the months known, and spreadsheet-safe exports."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from forecasts.models import AccountGroup, Actual
from forecasts.services import LineInput, forecast_approve, forecast_submit
from regionbudget.core.formatting import NBSP
from regionbudget.core.models import Area, Unit
from regionbudget.core.services import api_token_create
from tests.forecasts.helpers import area, cells, new_round, user

pytestmark = pytest.mark.django_db

D = Decimal
URL = reverse("forecasts:forecast_accuracy")
JSON_URL = reverse("forecasts:forecast_accuracy_json")
CSV_URL = reverse("forecasts:forecast_accuracy_csv")


def _approved(forecast_round, area_obj, cell, amount):
    lines = {c: LineInput(D("0")) for c in cells(area_obj)}
    lines[cell] = LineInput(amount)
    forecast = forecast_submit(
        forecast_round=forecast_round,
        area=area_obj,
        lines=lines,
        expected_version=0,
        user=user("direktor.somatik"),
    )
    return forecast_approve(
        forecast=forecast, expected_version=forecast.version, user=user("ekonom")
    )


@pytest.fixture
def year_2027(demo):
    """Somatik forecasts 100 mnkr after March and 104 after June 2027 (one line, the rest 0);
    the year's outcome is 12 × 8,75 = 105 mnkr."""
    somatik = area("LSO-SOM")
    unit = Unit.objects.filter(area=somatik, is_active=True).order_by("code").first()
    personnel = AccountGroup.objects.get(code="PERS")
    cell = (unit.pk, personnel.pk)
    for month, amount in ((3, D("100000000")), (6, D("104000000"))):
        forecast_round = new_round(year=2027, month=month, threshold="100000000000")
        _approved(forecast_round, somatik, cell, amount)
    for month in range(1, 13):
        Actual.objects.create(
            unit=unit, year=2027, month=month, account_group=personnel, amount=D("8750000")
        )
    return somatik


def _text(response) -> str:
    return response.content.decode()


def test_finance_sees_two_rounds_errors_computed_by_hand(finance, year_2027):
    text = _text(finance.get(URL, {"year": "2027"}))
    # March: outcome 105 − forecast 100 = 5,0 mnkr; 5 ÷ 105 = 4,76… → 4,8 %
    assert f"5,0{NBSP}mnkr" in text and f"4,8{NBSP}%" in text
    # June: 105 − 104 = 1,0 mnkr; 1 ÷ 105 = 0,95… → 1,0 %
    assert f"1,0{NBSP}mnkr" in text and f"1,0{NBSP}%" in text
    # Too optimistic both times: listed, 5 + 1 = 6,0 mnkr.
    assert "Länssjukvårdsområde somatik: för optimistisk i alla 2 omgångar, 6,0" in text
    assert "Prognostillförlitlighet 2027" in text


def test_a_complete_year_is_shown_by_default_and_2024_for_the_months_known(finance, demo):
    text = _text(finance.get(URL))
    assert "Prognostillförlitlighet 2025" in text  # 2026 has January–October only
    assert 'data-chart="chart-accuracy"' in text
    text = _text(finance.get(URL, {"year": "2024"}))
    assert "januari–oktober" in text
    assert "i utfallet för 2025 (områdets säsongsprofil)" in text
    assert "Prognos för kända månader" in text


def test_the_json_holds_the_hand_computed_errors(finance, year_2027):
    data = finance.get(JSON_URL, {"year": "2027"}).json()
    assert data["year"] == 2027 and data["complete"] is True
    rows = {row["round"]: row for row in data["rows"]}
    assert rows["2027-03"]["error"] == "5000000.00"
    assert rows["2027-03"]["error_percent"] == "4.8"
    assert rows["2027-06"]["error"] == "1000000.00"
    assert rows["2027-06"]["too_optimistic"] is True
    assert data["optimistic_every_round"][0]["error"] == "6000000.00"


def test_a_director_sees_their_own_areas_only(director_own, director_other, year_2027):
    text = _text(director_own.get(URL, {"year": "2025"}))
    assert "Länssjukvårdsområde somatik" in text
    assert "psykiatri" not in text
    rows = director_own.get(JSON_URL, {"year": "2025"}).json()["rows"]
    assert rows and {row["area_code"] for row in rows} == {"LSO-SOM"}
    # Psykiatri's director: 2027 is not one of their years, somatik never appears.
    data = director_other.get(JSON_URL, {"year": "2027"}).json()
    assert 2027 not in data["years"]
    assert {row["area_code"] for row in data["rows"]} == {"LSO-PSY"}


def test_the_committee_reads_every_area(committee, demo):
    data = committee.get(JSON_URL).json()
    assert (
        len({row["area_code"] for row in data["rows"]})
        == Area.objects.filter(is_active=True).count()
    )


def test_the_csv_neutralises_a_name_that_would_be_a_formula(finance, year_2027):
    year_2027.name = '=HYPERLINK("http://x")'
    year_2027.save()
    response = finance.get(CSV_URL, {"year": "2027"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["year", "round", "area_code", "area_name"]
    assert rows[1][3].startswith("'=HYPERLINK")
    assert rows[1][8] == "5000000.00"  # a number, not neutralised


def test_an_api_token_reads_the_json_in_its_scope(client, demo):
    _token, secret = api_token_create(
        user=user("ekonom"),
        name="BI",
        areas=[area("LSO-PSY")],
        expires_at=timezone.now() + dt.timedelta(days=5),
    )
    response = client.get(JSON_URL, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert {row["area_code"] for row in response.json()["rows"]} == {"LSO-PSY"}


def test_the_page_has_a_bounded_number_of_queries(finance, demo, django_assert_max_num_queries):
    finance.get(URL)
    with django_assert_max_num_queries(16):
        finance.get(URL)
