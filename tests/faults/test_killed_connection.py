"""A database connection killed in the middle of a save: nothing is half-written, the page
comes back with the user's input and tells them to save again; saving again works.

The request's own PostgreSQL backend is terminated (``pg_terminate_backend``, from a second
connection) after the save has written its first rows and before it commits.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from forecasts.forms import amount_input_text
from forecasts.models import Budget, Forecast, ForecastLine, ForecastRound, ImportUpload
from forecasts.services import LineInput, figures, workflow
from measures import services as measure_services
from measures.models import AreaShare, Measure, PlannedEffect, RealisedEffect
from regionbudget.core.models import Area
from regionbudget.reports import services as report_services
from regionbudget.reports.models import Meeting, StatusReport
from tests.forecasts.helpers import grid_post, lines_like_budget
from tests.measures.helpers import measure_edit_data

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE = "Anslutningen till databasen bröts medan du sparade. Inget sparades."


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _kill_own_backend() -> None:
    """Terminate this thread's PostgreSQL backend from another connection, and wait until it
    is gone."""
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(200):
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if not cursor.fetchone()[0]:
                    return
                time.sleep(0.01)
    finally:
        other.close()
    raise AssertionError("the backend did not go away")


def _kill_after(monkeypatch, module, name: str) -> list:
    """The first call of ``module.name`` does its writes, then its connection is killed."""
    killed = []
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        result = original(*args, **kwargs)
        if not killed:
            killed.append(True)
            _kill_own_backend()
        return result

    monkeypatch.setattr(module, name, wrapper)
    return killed


def _lines(forecast: Forecast) -> dict:
    return {
        (ln.unit_id, ln.account_group_id): (ln.amount, ln.comment)
        for ln in ForecastLine.objects.filter(forecast=forecast)
    }


def test_a_killed_grid_save_writes_nothing_and_keeps_the_input(monkeypatch, demo_committed):
    somatik = Area.objects.get(code="LSO-SOM")
    october = ForecastRound.objects.get(year=2024, month=10)
    forecast = Forecast.objects.get(forecast_round=october, area=somatik)
    before, version = _lines(forecast), forecast.version
    lines = lines_like_budget(somatik)
    cell = sorted(lines)[0]
    lines[cell] = LineInput(Decimal("4321500"), "Hyrläkare")
    url = reverse("forecasts:forecast_edit", args=[october.pk, somatik.pk])
    director = _client("direktor.somatik")
    killed = _kill_after(monkeypatch, workflow, "_write_lines")

    response = director.post(url, grid_post(lines, version=version))

    assert killed, "the save reached its writes"
    assert response.status_code == 503
    page = response.content.decode()
    assert MESSAGE in page
    assert amount_input_text(Decimal("4321500")) in page and "Hyrläkare" in page
    forecast.refresh_from_db()
    assert forecast.version == version
    assert _lines(forecast) == before, "nothing of the save is stored"

    response = director.post(url, grid_post(lines, version=version))  # save again
    assert response.status_code == 302
    forecast.refresh_from_db()
    assert forecast.version == version + 1
    assert _lines(forecast)[cell] == (Decimal("4321500"), "Hyrläkare")


def test_a_killed_measure_report_writes_nothing_and_keeps_the_input(monkeypatch, demo_committed):
    m03 = Measure.objects.get(code="M03")
    status, version = m03.status, m03.version
    url = reverse("measures:measure_report", args=[m03.pk])
    data = {
        "status": "delayed",
        "year": 2026,
        "month": 11,
        "amount": "3,25",
        "comment": "Försenad upphandling",
        "version": version,
    }
    director = _client("direktor.somatik")
    killed = _kill_after(monkeypatch, measure_services, "_bump_version")

    response = director.post(url, data)

    assert killed
    assert response.status_code == 503
    page = response.content.decode()
    assert MESSAGE in page
    assert "Försenad upphandling" in page and "3,25" in page
    m03.refresh_from_db()
    assert (m03.status, m03.version) == (status, version)
    assert not RealisedEffect.objects.filter(measure=m03, year=2026, month=11).exists()

    assert director.post(url, data).status_code == 302
    m03.refresh_from_db()
    assert m03.status == "delayed"
    effect = RealisedEffect.objects.get(measure=m03, year=2026, month=11)
    assert effect.amount == Decimal("3250000")


def test_a_killed_measure_edit_writes_nothing_and_keeps_the_input(monkeypatch, demo_committed):
    m03 = Measure.objects.get(code="M03")
    title, version = m03.title, m03.version
    planned = set(m03.planned_effects.values_list("year", "low", "high"))
    data = measure_edit_data(m03, title="Ny titel efter avbrott", planned="5")
    url = reverse("measures:measure_edit", args=[m03.pk])
    finance = _client("ekonom")
    killed = _kill_after(monkeypatch, measure_services, "_bump_version")

    response = finance.post(url, data)

    assert killed
    assert response.status_code == 503
    page = response.content.decode()
    assert MESSAGE in page and "Ny titel efter avbrott" in page
    m03.refresh_from_db()
    assert (m03.title, m03.version) == (title, version)
    assert set(m03.planned_effects.values_list("year", "low", "high")) == planned

    assert finance.post(url, data).status_code == 302
    m03.refresh_from_db()
    assert m03.title == "Ny titel efter avbrott"


def _budgets() -> list:
    return list(
        Budget.objects.order_by("pk").values_list(
            "pk", "unit_id", "year", "account_group_id", "amount"
        )
    )


def test_a_killed_budget_import_writes_nothing_and_can_be_confirmed_again(
    monkeypatch, demo_committed
):
    finance = _client("ekonom")
    content = "Kostnadsställe;År;Kontogrupp;Belopp\n1101;2024;Personal;7 654 321\n"
    upload = finance.post(
        reverse("forecasts:import_start"),
        {"kind": "budget", "file": SimpleUploadedFile("budget.csv", content.encode())},
    )
    assert upload.status_code == 302
    confirm = upload["Location"] + "confirm/"
    before = _budgets()
    killed = _kill_after(monkeypatch, figures, "_replace_staged")  # rows written, not committed

    response = finance.post(confirm, {"replace": "on"})

    assert killed
    assert response.status_code == 503
    page = response.content.decode()
    assert MESSAGE in page
    assert 'id="id_replace" required checked' in page, "the confirmation tick is kept"
    assert _budgets() == before, "no figure of the file is stored, none removed"
    assert ImportUpload.objects.count() == 1, "the checked file is kept for the retry"

    assert finance.post(confirm, {"replace": "on"}).status_code == 302  # confirm again
    stored = Budget.objects.filter(unit__code="1101", year=2024)
    assert list(stored.values_list("account_group__name", "amount")) == [
        ("Personal", Decimal("7654321.00"))
    ]
    assert not ImportUpload.objects.exists()


def test_a_killed_measure_import_writes_nothing_and_can_be_saved_again(monkeypatch, demo_committed):
    plan = Measure.objects.get(code="M03").plan
    finance = _client("ekonom")
    content = (
        "kod;åtgärd;kategori;område;status;2024 låg;2024 hög\n"
        "M30;Ny efter avbrott;Inköp;;beslutad;1;2\n"
        "M03;Ändrad efter avbrott;Produktivitet;LSO-SOM;pågår;15;17\n"
    )
    upload = finance.post(
        reverse("measures:measure_import"),
        {"plan": plan.pk, "file": SimpleUploadedFile("plan.csv", content.encode())},
    )
    assert upload.status_code == 302
    token = upload["Location"].rstrip("/").split("/")[-1]
    confirm = reverse("measures:measure_import_confirm", args=[token])
    m03 = Measure.objects.get(code="M03")
    before = (m03.title, m03.version, set(m03.planned_effects.values_list("year", "low", "high")))
    effects = PlannedEffect.objects.count()
    # ImportResult is built after the last write of the import, inside its transaction.
    killed = _kill_after(monkeypatch, measure_services, "ImportResult")

    response = finance.post(confirm)

    assert killed
    assert response.status_code == 503
    page = response.content.decode()
    assert MESSAGE in page and "Ny efter avbrott" in page, "the staged file is shown again"
    assert not Measure.objects.filter(code="M30").exists()
    m03.refresh_from_db()
    after = (m03.title, m03.version, set(m03.planned_effects.values_list("year", "low", "high")))
    assert after == before
    assert PlannedEffect.objects.count() == effects

    assert finance.post(confirm).status_code == 302  # save again
    assert Measure.objects.get(code="M30").title == "Ny efter avbrott"
    m03.refresh_from_db()
    assert (m03.title, m03.version) == ("Ändrad efter avbrott", before[1] + 1)


# --- Every other write page: one case per view ------------------------------------------------
#
# Each case: who posts, where, what (a fresh dict per post: a file can be sent once), after which
# write the connection is killed (inside the save's transaction), what is stored (it must not
# change, and must change when the user saves again) and what of the input the page shows again.


@dataclass
class WriteCase:
    username: str
    url: str
    data: Callable[[], dict]
    kill_after: tuple[object, str]
    stored: Callable[[], object]
    kept: tuple[str, ...] = ()


def _october_somatik() -> tuple[ForecastRound, Area, Forecast]:
    somatik = Area.objects.get(code="LSO-SOM")
    october = ForecastRound.objects.get(year=2024, month=10)
    return october, somatik, Forecast.objects.get(forecast_round=october, area=somatik)


def _submitted_somatik() -> tuple[ForecastRound, Area, Forecast]:
    october, somatik, forecast = _october_somatik()
    forecast = workflow.forecast_submit(
        forecast_round=october,
        area=somatik,
        lines=lines_like_budget(somatik),
        expected_version=forecast.version,
        user=get_user_model().objects.get(username="direktor.somatik"),
    )
    return october, somatik, forecast


def _forecast_state(pk: int):
    return Forecast.objects.filter(pk=pk).values_list("status", "version", "return_comment").get()


def _draft_report() -> StatusReport:
    meeting = report_services.meeting_create(
        committee="hsn", date=dt.date(2026, 12, 15), title="HSN december"
    )
    return report_services.report_create(
        meeting=meeting,
        plan=Measure.objects.get(code="M03").plan,
        year=2026,
        title="Lägesrapport december",
        summary="Utkast.",
        highlighted=Measure.objects.filter(code="M03"),
        user=get_user_model().objects.get(username="ekonom"),
    )


def _report_state(pk: int):
    return StatusReport.objects.filter(pk=pk).values_list("status", "version", "title").get()


def _round_create() -> WriteCase:
    data = {
        "plan": Measure.objects.get(code="M03").plan_id,
        "year": "2024",
        "month": "11",
        "deadline": "2024-12-10",
        "comment_threshold": "1 234",
        "includes_decided_measures": "",
    }
    return WriteCase(
        "ekonom",
        reverse("forecasts:round_create"),
        lambda: data,
        (ForecastRound, "save"),
        lambda: ForecastRound.objects.filter(year=2024, month=11).exists(),
        kept=('value="1 234"',),
    )


def _round_close() -> WriteCase:
    october, _somatik, _forecast = _october_somatik()
    return WriteCase(
        "ekonom",
        reverse("forecasts:round_close", args=[october.pk]),
        dict,
        (ForecastRound, "refresh_from_db"),
        lambda: ForecastRound.objects.get(pk=october.pk).status,
    )


def _forecast_approve() -> WriteCase:
    october, somatik, forecast = _submitted_somatik()
    return WriteCase(
        "ekonom",
        reverse("forecasts:forecast_approve", args=[october.pk, somatik.pk]),
        lambda: {"version": forecast.version},
        (workflow, "update_versioned"),
        lambda: _forecast_state(forecast.pk),
    )


def _forecast_return() -> WriteCase:
    october, somatik, forecast = _submitted_somatik()
    return WriteCase(
        "ekonom",
        reverse("forecasts:forecast_return", args=[october.pk, somatik.pk]),
        lambda: {"version": forecast.version, "comment": "Förklara hyrläkarkostnaden"},
        (workflow, "update_versioned"),
        lambda: _forecast_state(forecast.pk),
        kept=("Förklara hyrläkarkostnaden",),
    )


def _import_start() -> WriteCase:
    content = "Kostnadsställe;År;Kontogrupp;Belopp\n1101;2024;Personal;7 654 321\n".encode()
    return WriteCase(
        "ekonom",
        reverse("forecasts:import_start"),
        lambda: {"kind": "actual", "file": SimpleUploadedFile("utfall.csv", content)},
        (ImportUpload, "save"),
        lambda: ImportUpload.objects.count(),
        kept=('value="actual" checked',),
    )


def _measure_import_upload() -> WriteCase:
    plan_id = Measure.objects.get(code="M03").plan_id
    content = "kod;åtgärd;kategori;område;status;2024 låg;2024 hög\nM31;Ny;Inköp;;beslutad;1;2\n"
    return WriteCase(
        "ekonom",
        reverse("measures:measure_import"),
        lambda: {"plan": plan_id, "file": SimpleUploadedFile("plan.csv", content.encode())},
        (ImportUpload, "save"),
        lambda: ImportUpload.objects.count(),
        kept=(f'value="{plan_id}" selected',),
    )


def _measure_create() -> WriteCase:
    m03 = Measure.objects.get(code="M03")
    # A new measure starts as proposed (created as decided it would need its decision).
    data = measure_edit_data(
        m03, code="M77", title="Ny åtgärd efter avbrott", status="proposed", version=""
    )
    return WriteCase(
        "ekonom",
        reverse("measures:measure_create") + f"?plan={m03.plan_id}",
        lambda: data,
        (Measure, "save"),
        lambda: Measure.objects.filter(code="M77").exists(),
        kept=("Ny åtgärd efter avbrott",),
    )


def _measure_shares() -> WriteCase:
    m01 = Measure.objects.get(code="M01")
    som, nso = Area.objects.get(code="LSO-SOM"), Area.objects.get(code="NSO-S")
    data = {f"share_{som.pk}": "61", f"share_{nso.pk}": "39", "version": m01.version}
    return WriteCase(
        "ekonom",
        reverse("measures:measure_shares", args=[m01.pk]),
        lambda: data,
        (measure_services, "_bump_version"),
        lambda: (
            Measure.objects.get(pk=m01.pk).version,
            set(AreaShare.objects.filter(measure=m01).values_list("area_id", "share")),
        ),
        kept=('value="61"', 'value="39"'),
    )


def _meeting_create() -> WriteCase:
    data = {"committee": "hsn", "date": "2026-12-15", "title": "Extra möte efter avbrott"}
    return WriteCase(
        "ekonom",
        reverse("meeting_create"),
        lambda: data,
        (Meeting, "full_clean"),  # the connection is gone before the meeting is written
        lambda: Meeting.objects.filter(title="Extra möte efter avbrott").exists(),
        kept=("Extra möte efter avbrott",),
    )


def _report_create() -> WriteCase:
    meeting = report_services.meeting_create(
        committee="hsn", date=dt.date(2026, 12, 15), title="HSN december"
    )
    m03 = Measure.objects.get(code="M03")
    data = {
        "meeting": meeting.pk,
        "plan": m03.plan_id,
        "year": 2026,
        "title": "Rapport efter avbrott",
        "summary": "Sammanfattning.",
        "highlighted": [m03.pk],
    }
    return WriteCase(
        "ekonom",
        reverse("report_create"),
        lambda: data,
        (StatusReport, "save"),  # then the highlighted measures are written
        lambda: StatusReport.objects.filter(title="Rapport efter avbrott").exists(),
        kept=("Rapport efter avbrott",),
    )


def _report_edit() -> WriteCase:
    draft = _draft_report()
    data = {
        "year": 2026,
        "title": "Ändrad efter avbrott",
        "summary": "Ny sammanfattning.",
        "highlighted": [Measure.objects.get(code="M03").pk],
        "correction_note": "",
        "version": draft.version,
    }
    return WriteCase(
        "ekonom",
        reverse("report_edit", args=[draft.pk]),
        lambda: data,
        (report_services, "update_versioned"),  # then the highlighted measures are written
        lambda: _report_state(draft.pk),
        kept=("Ändrad efter avbrott",),
    )


def _report_publish() -> WriteCase:
    draft = _draft_report()
    return WriteCase(
        "ekonom",
        reverse("report_publish", args=[draft.pk]),
        lambda: {"version": draft.version},
        (report_services, "update_versioned"),
        lambda: _report_state(draft.pk),
    )


@pytest.mark.parametrize(
    "case",
    [
        _round_create,
        _round_close,
        _forecast_approve,
        _forecast_return,
        _import_start,
        _measure_import_upload,
        _measure_create,
        _measure_shares,
        _meeting_create,
        _report_create,
        _report_edit,
        _report_publish,
    ],
    ids=lambda case: case.__name__.lstrip("_"),
)
def test_a_killed_save_on_any_write_page_writes_nothing_and_keeps_the_input(
    monkeypatch, case, demo_committed
):
    case = case()
    before = case.stored()
    client = _client(case.username)
    module, name = case.kill_after
    killed = _kill_after(monkeypatch, module, name)

    response = client.post(case.url, case.data())

    assert killed, "the save reached its writes"
    assert response.status_code == 503
    page = response.content.decode()
    assert MESSAGE in page
    for text in case.kept:
        assert text in page
    assert case.stored() == before, "nothing of the save is stored"

    assert client.post(case.url, case.data()).status_code == 302  # save again
    assert case.stored() != before
