"""The grid as an Excel file: downloaded with numbers as numbers and formulas neutralised, and
uploaded back into the same round through the grid (all or nothing, every error listed)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from forecasts.models import Forecast, ForecastRound
from forecasts.services import LineInput, forecast_save
from regionbudget.core.formatting import NBSP
from tests.forecasts.helpers import area, cells, user

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def october(demo):
    return ForecastRound.objects.get(year=2024, month=10)


def _url(name, forecast_round, area_obj):
    return reverse(f"forecasts:{name}", args=[forecast_round.pk, area_obj.pk])


def _download(client, october):
    response = client.get(_url("forecast_download", october, area("LSO-SOM")))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _row(sheet, unit: str, group: str) -> int:
    for number, cells_ in enumerate(sheet.iter_rows(values_only=True), start=1):
        if cells_[0] == unit and cells_[3] == group:
            return number
    raise AssertionError(f"no row for {unit} {group}")


def _upload(client, october, book) -> str:
    out = io.BytesIO()
    book.save(out)
    file = SimpleUploadedFile("prognos.xlsx", out.getvalue(), content_type=XLSX)
    response = client.post(
        _url("forecast_edit", october, area("LSO-SOM")), {"action": "upload", "file": file}
    )
    return response


def test_the_download_has_the_grids_rows_with_numbers_as_numbers(director_own, october):
    somatik = area("LSO-SOM")
    forecast = Forecast.objects.get(forecast_round=october, area=somatik)
    first = cells(somatik)[0]
    lines = {
        (ln.unit_id, ln.account_group_id): LineInput(ln.amount, ln.comment)
        for ln in forecast.lines.all()
    }
    lines[first] = LineInput(Decimal("41500500"), '=HYPERLINK("http://x","klicka")')
    forecast_save(
        forecast_round=october,
        area=somatik,
        lines=lines,
        expected_version=forecast.version,
        user=user("direktor.somatik"),
    )
    sheet = _download(director_own, october).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Enhet", "Enhetens namn", "Kontogrupp", "Kontogruppens namn")
    assert rows[0][7:] == ("Helårsprognos (tkr)", "Kommentar")
    assert len(rows) == 1 + len(cells(somatik))
    # 41 500 500 kr is 41 500,5 tkr, a number; the formula is text (a leading apostrophe).
    assert rows[1][7] == 41500.5 and isinstance(rows[1][7], float)
    assert rows[1][8] == '\'=HYPERLINK("http://x","klicka")'
    assert all(isinstance(r[4], int | float) for r in rows[1:])  # the budget, as numbers


def test_a_filled_in_file_is_shown_in_the_grid_and_saved_only_by_saving(director_own, october):
    somatik = area("LSO-SOM")
    before = Forecast.objects.get(forecast_round=october, area=somatik)
    book = _download(director_own, october)
    sheet = book.active
    number = _row(sheet, "1101", "Läkemedel")
    sheet.cell(number, 8).value = 81889.5
    sheet.cell(number, 9).value = "Dyrare cytostatika"
    response = _upload(director_own, october, book)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Filens belopp står i prognosen nedan." in text
    assert f'value="81{NBSP}889,5"' in text
    assert 'value="Dyrare cytostatika"' in text
    # Nothing is written until the director saves.
    after = Forecast.objects.get(forecast_round=october, area=somatik)
    assert after.version == before.version
    assert after.lines.get(unit__code="1101", account_group__name="Läkemedel").amount == Decimal(
        "80889000"
    )


def test_a_figure_excel_computed_is_read_to_the_ore(director_own, october):
    book = _download(director_own, october)
    sheet = book.active
    # 80 889 × 1,07 in binary floating point: 86551.23000000001.
    assert repr(80889 * 1.07) == "86551.23000000001"
    sheet.cell(_row(sheet, "1101", "Läkemedel"), 8).value = 80889 * 1.07
    response = _upload(director_own, october, book)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert f'value="86{NBSP}551,23"' in response.content.decode()


def test_a_file_with_errors_lists_every_one_and_changes_nothing(director_own, october):
    book = _download(director_own, october)
    sheet = book.active
    sheet.cell(_row(sheet, "1101", "Läkemedel"), 8).value = "åttio"
    sheet.cell(_row(sheet, "1101", "Personal"), 1).value = "9999"
    sheet.cell(_row(sheet, "1101", "Köpt vård"), 9).value = "x" * 2001
    sheet.delete_rows(_row(sheet, "1101", "IT"))
    response = _upload(director_own, october, book)
    assert response.status_code == 400
    text = response.content.decode()
    assert "Filen lästes inte in i prognosen" in text
    assert "”åttio” är inte ett tal." in text
    assert "Inte en enhet i områdets prognos." in text
    assert "En kommentar rymmer högst 2000 tecken." in text
    assert text.count("Filen saknar en rad för den här raden i prognosen.") == 2  # Personal, IT
    # The grid shows the stored forecast, not one figure of the file.
    assert "Filens belopp står" not in text
    assert f'value="80{NBSP}889"' in text


def test_a_file_that_is_no_excel_file_is_refused_with_the_reason(director_own, october):
    file = SimpleUploadedFile("prognos.xlsx", b"not a workbook", content_type=XLSX)
    response = director_own.post(
        _url("forecast_edit", october, area("LSO-SOM")), {"action": "upload", "file": file}
    )
    assert response.status_code == 400
    assert "Filen heter .xlsx men är inte en Excelfil" in response.content.decode()


def test_another_areas_director_gets_no_file(director_other, october):
    assert director_other.get(_url("forecast_download", october, area("LSO-SOM"))).status_code == (
        404
    )
