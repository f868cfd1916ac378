"""The bad-input catalogue: what a user may type, paste, upload or click twice, and what they see.

Each case of ``CATALOGUE`` sends one bad input through the real pages as the person who would
send it, and checks the answer a user reads (status and message, Swedish by default) and that no
table of the application changed. Inputs that are odd but fine (Swedish numbers, other CSV
separators and encodings, ``<script>`` as text) and the neutralising of formulas in exports
follow the catalogue.
"""

from __future__ import annotations

import codecs
import csv
import html
import io
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from forecasts import imports
from forecasts.calculations import cell_key
from forecasts.models import Budget, Forecast, ForecastLine, ForecastRound, ImportUpload, Plan
from forecasts.services import forecast_approve, forecast_save, forecast_submit
from measures.models import Category, Measure
from regionbudget.reports.models import Meeting, StatusReport
from regionbudget.reports.services import report_create, report_publish
from tests.forecasts.helpers import area, cells, grid_post, lines_like_budget, user
from tests.page_forms import form_data

pytestmark = pytest.mark.django_db

PLAN = "Ekonomi i balans 2024–2026"
MEGABYTE_TEXT = "å" * 1_000_000
RLO = "\u202e"
NOT_A_NUMBER = "är inte ett tal"
TOO_LARGE = "Talet är för stort."
NUL_REFUSED = "Null-tecken är inte tillåtna."
DIRECTION = "osynliga tecken som ändrar skrivriktningen"
BUDGET = "Kostnadsställe;År;Kontogrupp;Belopp\n"

# --- the database fingerprint --------------------------------------------------------------------

# Every table of the application's own apps (their history events included). An upload waiting
# for its preview is stored on purpose before it is checked; it is the only table left out.
_APPS = {"forecasts", "measures", "regionbudget"}


def _tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.app_label in _APPS and model is not ImportUpload
    )


def fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row of every application table."""
    result = {}
    with connection.cursor() as cursor:
        for table in _tables():
            # The table names come from the models, never from input.
            name = connection.ops.quote_name(table)
            rows = "md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
            query = f"SELECT count(*), {rows} FROM {name} t"  # noqa: S608
            cursor.execute(query)
            result[table] = cursor.fetchone()
    return result


# --- how a case talks to the pages ----------------------------------------------------------------


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _plan() -> Plan:
    return Plan.objects.get(name=PLAN)


def _october() -> ForecastRound:
    return ForecastRound.objects.get(year=2024, month=10)


def _somatik_forecast() -> Forecast:
    return Forecast.objects.get(forecast_round=_october(), area=area("LSO-SOM"))


def _grid_data(*, amount: str | None = None, comment: str | None = None, **extra) -> dict:
    """Somatik's October grid as the page would post it, the first cell changed."""
    somatik = area("LSO-SOM")
    data = grid_post(lines_like_budget(somatik), version=_somatik_forecast().version, **extra)
    first = cells(somatik)[0]
    if amount is not None:
        data[cell_key("line", first)] = amount
    if comment is not None:
        data[cell_key("comment", first)] = comment
    return data


def _grid_url(forecast_round: ForecastRound | None = None) -> str:
    forecast_round = forecast_round or _october()
    return reverse("forecasts:forecast_edit", args=[forecast_round.pk, area("LSO-SOM").pk])


def grid(**changes) -> Callable[[Client, Any], Any]:
    return lambda client, _: client.post(_grid_url(), _grid_data(**changes))


def _m(code: str) -> Measure:
    return Measure.objects.get(plan=_plan(), code=code)


def report(**changes) -> Callable[[Client, Any], Any]:
    """Somatik's director reports on M03 (production planning, owned by somatik)."""

    def send(client, _):
        m03 = _m("M03")
        data = {
            "status": "in_progress",
            "year": "2024",
            "month": "5",
            "amount": "1,5",
            "comment": "Lägre bemanningskostnad",
            "version": str(m03.version),
            **changes,
        }
        return client.post(reverse("measures:measure_report", args=[m03.pk]), data)

    return send


def _measure_data(**changes) -> dict:
    return {
        "code": "M15",
        "title": "Ny åtgärd",
        "description": "",
        "category": str(Category.objects.get(name="Läkemedel").pk),
        "owner_area": "",
        "responsible": "Karin",
        "status": "proposed",
        "decision_reference": "HSN 2024-02-20 § 7",
        "start_date": "2024-03-01",
        "low_2024": "1,5",
        "high_2024": "2",
        **changes,
    }


def new_measure(**changes) -> Callable[[Client, Any], Any]:
    return lambda client, _: client.post(
        reverse("measures:measure_create") + f"?plan={_plan().pk}", _measure_data(**changes)
    )


def new_round(**changes) -> Callable[[Client, Any], Any]:
    def send(client, _):
        data = {
            "plan": str(_plan().pk),
            "year": "2025",
            "month": "3",
            "deadline": "2025-04-10",
            "comment_threshold": "500",
            **changes,
        }
        return client.post(reverse("forecasts:round_create"), data)

    return send


def upload(name: str, content, kind: str = "budget") -> Callable[[Client, Any], Any]:
    """Upload a file of budgets or actuals (``content`` may be a function making it); its
    preview, after trying to confirm it anyway."""

    def send(client, _):
        data = content() if callable(content) else content
        response = client.post(
            reverse("forecasts:import_start"),
            {"kind": kind, "file": SimpleUploadedFile(name, data)},
        )
        if response.status_code != 302:
            return response  # refused on the upload page itself
        preview = client.get(response["Location"])
        client.post(response["Location"] + "confirm/", {"replace": "on"})
        return preview

    return send


def plan_targets(*rows: dict, plan_name: str = PLAN) -> Callable[[Client, Any], Any]:
    """A plan's page in the administration, saved with new deficit target rows added."""

    def send(client, _):
        plan = Plan.objects.get(name=plan_name)
        url = reverse("admin:forecasts_plan_change", args=[plan.pk])
        data = form_data(client, url)
        total = int(data["targets-TOTAL_FORMS"])
        for i, row in enumerate(rows, start=total):
            new = {"id": "", "plan": str(plan.pk), "area": "", "basis": "", **row}
            data.update({f"targets-{i}-{key}": value for key, value in new.items()})
        data["targets-TOTAL_FORMS"] = str(total + len(rows))
        return client.post(url, data)

    return send


def somatik_admin(**changes: str) -> Callable[[Client, Any], Any]:
    """Somatik's page in the administration, saved with some fields changed."""

    def send(client, _):
        url = reverse("admin:regionbudget_area_change", args=[area("LSO-SOM").pk])
        return client.post(url, {**form_data(client, url), **changes})

    return send


MEASURE_HEADER = "kod;åtgärd;kategori;område;status;2024 låg;2024 hög\n"


def measure_upload(content: bytes, name: str = "plan.csv") -> Callable[[Client, Any], Any]:
    """Upload an action plan; its preview (or the upload page), after trying to confirm it."""

    def send(client, _):
        response = client.post(
            reverse("measures:measure_import"),
            {"plan": _plan().pk, "file": SimpleUploadedFile(name, content)},
        )
        if response.status_code != 302:
            return response
        preview = client.get(response["Location"])
        client.post(response["Location"] + "confirm/")
        return preview

    return send


def _xlsx(rows) -> bytes:
    """An .xlsx as openpyxl writes it: formulas are stored without a calculated value."""
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>Budget</w:document>")
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def _zip_bomb() -> bytes:
    """A small .xlsx whose sheet unpacks to 200 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"0" * 1_000_000
            for _ in range(200):
                sheet.write(block)
    return out.getvalue()


# --- preparations: the state a case needs before its bad input ------------------------------------


def _submit_somatik() -> Forecast:
    somatik = area("LSO-SOM")
    return forecast_submit(
        forecast_round=_october(),
        area=somatik,
        lines=lines_like_budget(somatik),
        expected_version=_somatik_forecast().version,
        user=user("direktor.somatik"),
    )


def _approve_somatik(client) -> Forecast:
    forecast = _submit_somatik()
    return forecast_approve(
        forecast=forecast, expected_version=forecast.version, user=user("ekonom")
    )


def _approved_twice(client):
    """Finance approves somatik's forecast from its page; the same POST is then sent again."""
    forecast = _submit_somatik()
    url = reverse("forecasts:forecast_approve", args=[_october().pk, area("LSO-SOM").pk])
    client.post(url, {"version": str(forecast.version)})
    assert Forecast.objects.get(pk=forecast.pk).status == Forecast.Status.APPROVED
    return url, {"version": str(forecast.version)}


def _submitted_from_the_grid(client):
    data = _grid_data(action="submit")
    assert client.post(_grid_url(), data).status_code == 302
    return data


def _forecast_imported_once(client):
    content = (BUDGET + "1101;2026;Personal;100\n").encode()
    response = client.post(
        reverse("forecasts:import_start"),
        {"kind": "budget", "file": SimpleUploadedFile("budget.csv", content)},
    )
    confirm = response["Location"] + "confirm/"
    assert client.post(confirm, {"replace": "on"}).status_code == 302
    return confirm


def _measures_imported_once(client):
    content = (MEASURE_HEADER + "M30;Ny från Excel;Inköp;;beslutad;1;2\n").encode()
    response = client.post(
        reverse("measures:measure_import"),
        {"plan": _plan().pk, "file": SimpleUploadedFile("plan.csv", content)},
    )
    confirm = response["Location"] + "confirm/"
    assert client.post(confirm).status_code == 302
    assert Measure.objects.filter(code="M30").exists()
    return confirm


def _published_report(client) -> StatusReport:
    draft = report_create(
        meeting=Meeting.objects.first(),
        plan=_plan(),
        year=2026,
        title="Utkast",
        user=user("ekonom"),
    )
    return report_publish(report=draft, expected_version=draft.version, user=user("ekonom"))


def _stale_grid(client) -> int:
    """A colleague saved somatik's draft after the director opened the page."""
    old = _somatik_forecast().version
    somatik = area("LSO-SOM")
    forecast_save(
        forecast_round=_october(),
        area=somatik,
        lines=lines_like_budget(somatik),
        expected_version=old,
        user=user("direktor.somatik"),
    )
    return old


def _stale_measure(client) -> int:
    m03 = _m("M03")
    old = m03.version
    Measure.objects.filter(pk=m03.pk).update(version=old + 1, title="Ändrad av kollega")
    return old


# --- the catalogue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One bad input: who sends it, how, the status and the message they then read."""

    name: str
    persona: str
    send: Callable[[Client, Any], Any]
    message: str
    status: int = 200
    prepare: Callable[[Client], Any] | None = None
    kept: str = ""  # the user's input, still on the page


CATALOGUE = [
    # Numbers typed in the forecast grid (tkr).
    Case("grid: 1,2,3", "direktor.somatik", grid(amount="1,2,3"), NOT_A_NUMBER),
    Case("grid: 12abc", "direktor.somatik", grid(amount="12abc"), NOT_A_NUMBER),
    Case("grid: --5", "direktor.somatik", grid(amount="--5"), NOT_A_NUMBER),
    Case("grid: NaN", "direktor.somatik", grid(amount="NaN"), NOT_A_NUMBER),
    Case("grid: Infinity", "direktor.somatik", grid(amount="Infinity"), NOT_A_NUMBER),
    Case("grid: -inf", "direktor.somatik", grid(amount="-inf"), NOT_A_NUMBER),
    Case("grid: 1e400", "direktor.somatik", grid(amount="1e400"), NOT_A_NUMBER),
    Case("grid: 30 digits", "direktor.somatik", grid(amount="9" * 30), TOO_LARGE),
    Case("grid: 14 digits tkr", "direktor.somatik", grid(amount="99 999 999 999 999"), TOO_LARGE),
    Case("grid: NUL in a number", "direktor.somatik", grid(amount="5\x00"), NUL_REFUSED),
    Case("grid: NUL in a comment", "direktor.somatik", grid(comment="bra\x00"), NUL_REFUSED),
    Case(
        "grid: 1 MB comment",
        "direktor.somatik",
        grid(comment=MEGABYTE_TEXT),
        "Säkerställ att detta värde har som mest 2000 tecken",
    ),
    Case("grid: RTL override", "direktor.somatik", grid(comment=f"ok {RLO}fdp.exe"), DIRECTION),
    # A measure's report (MSEK).
    Case("report: Infinity", "direktor.somatik", report(amount="Infinity"), NOT_A_NUMBER),
    Case("report: 1e400", "direktor.somatik", report(amount="1e400"), NOT_A_NUMBER),
    Case("report: 30 digits", "direktor.somatik", report(amount="9" * 30), TOO_LARGE),
    Case("report: 14 digits MSEK", "direktor.somatik", report(amount="9" * 14), TOO_LARGE),
    Case("report: NUL in comment", "direktor.somatik", report(comment="a\x00b"), NUL_REFUSED),
    Case(
        "report: 1 MB comment",
        "direktor.somatik",
        report(comment=MEGABYTE_TEXT),
        "Säkerställ att detta värde har som mest 2000 tecken",
    ),
    # Finance's measure form.
    Case(
        "measure: 1 MB title",
        "ekonom",
        new_measure(title=MEGABYTE_TEXT),
        "Säkerställ att detta värde har som mest 200 tecken",
    ),
    Case("measure: NUL in title", "ekonom", new_measure(title="M\x00"), NUL_REFUSED),
    Case("measure: RTL override", "ekonom", new_measure(title=f"Inköp {RLO}cod.exe"), DIRECTION),
    Case("measure: NaN low", "ekonom", new_measure(low_2024="NaN"), NOT_A_NUMBER),
    Case(
        "measure: unknown category",
        "ekonom",
        new_measure(category="999999"),
        "Välj ett giltigt alternativ",
    ),
    Case("measure: unknown area", "ekonom", new_measure(owner_area="999999"), "Välj ett giltigt"),
    # Opening a forecast round.
    Case(
        "round: threshold Infinity", "ekonom", new_round(comment_threshold="Infinity"), NOT_A_NUMBER
    ),
    Case(
        "round: threshold 14 digits tkr",
        "ekonom",
        new_round(comment_threshold="99 999 999 999 999"),
        TOO_LARGE,
    ),
    Case("round: year 1e400", "ekonom", new_round(year="1e400"), "Fyll i ett heltal."),
    Case("round: 30 February", "ekonom", new_round(deadline="2025-02-30"), "giltigt datum"),
    # Logging in.
    Case(
        "login: NUL in user name",
        "anonymous",
        lambda client, _: client.post(
            reverse("login"), {"username": "ekonom\x00", "password": "x"}
        ),
        NUL_REFUSED,
    ),
    Case(
        "login: NUL in the browser's user agent",
        "anonymous",
        lambda client, _: client.post(
            reverse("login"),
            {"username": "ekonom", "password": "fel"},
            HTTP_USER_AGENT="Mozilla/5.0\x00",
        ),
        "Observera att båda fälten är skiftlägeskänsliga.",
    ),
    # Shares of a region-wide measure.
    Case(
        "shares: NaN",
        "ekonom",
        lambda client, _: client.post(
            reverse("measures:measure_shares", args=[_m("M01").pk]),
            {f"share_{area('LSO-SOM').pk}": "NaN", "version": str(_m("M01").version)},
        ),
        NOT_A_NUMBER,
    ),
    # A status report highlighting a measure that does not exist.
    Case(
        "report: unknown measure",
        "ekonom",
        lambda client, _: client.post(
            reverse("report_create"),
            {
                "meeting": str(Meeting.objects.first().pk),
                "plan": str(_plan().pk),
                "year": "2026",
                "title": "Lägesrapport",
                "highlighted": ["999999"],
            },
        ),
        "Bara den valda planens åtgärder kan lyftas fram: välj bland dem som visas.",
    ),
    # The administration: a plan's deficit targets.
    Case(
        "admin: two plan-wide targets for one year",
        "ekonom",
        plan_targets({"year": "2024", "amount": "5"}),
        "Korrigera duplikatdata för år.",
    ),
    Case(
        "admin: a new year's target twice",
        "ekonom",
        plan_targets({"year": "2025", "amount": "5"}, {"year": "2025", "amount": "6"}),
        "Korrigera duplikatdata för år.",
    ),
    Case(
        "admin: sNaN as a target",
        "ekonom",
        plan_targets({"year": "2025", "amount": "sNaN"}),
        "Fyll i ett tal.",
    ),
    Case(
        "admin: an area director who is not an id",
        "ekonom",
        somatik_admin(**{"director_bindings-0-user": ":"}),
        "Välj ett giltigt alternativ. Det valet finns inte",
    ),
    Case(
        "admin: an area director's row sent again as new",
        "ekonom",
        somatik_admin(**{"director_bindings-INITIAL_FORMS": "0", "director_bindings-0-id": ""}),
        "Korrigera duplikatdata för användare.",
    ),
    # Files of budgets and actuals.
    Case("import: empty file", "ekonom", upload("tom.csv", b""), "Den skickade filen är tom."),
    Case(
        "import: PNG renamed .xlsx",
        "ekonom",
        upload("budget.xlsx", PNG),
        "Filen heter .xlsx men är inte en Excelfil",
        400,
    ),
    Case("import: PNG renamed .csv", "ekonom", upload("budget.csv", PNG), "binära data", 400),
    Case(
        "import: .docx renamed .xlsx",
        "ekonom",
        upload("budget.xlsx", _docx()),
        "Filen är inte en giltig Excelfil",
        400,
    ),
    Case(
        "import: .docx renamed .csv",
        "ekonom",
        upload("budget.csv", _docx()),
        "är en packad fil",
        400,
    ),
    Case("import: zip bomb .xlsx", "ekonom", upload("budget.xlsx", _zip_bomb), "orimligt", 400),
    Case(
        "import: formulas without values",
        "ekonom",
        upload(
            "budget.xlsx",
            _xlsx(
                [["Kostnadsställe", "År", "Kontogrupp", "Belopp"], [1101, 2025, "Personal", "=1+1"]]
            ),
        ),
        "En formel utan beräknat värde",
        400,
    ),
    Case(
        "import: duplicate column",
        "ekonom",
        upload("budget.csv", b"Kst;Enhet;\xc3\x85r;Kontogrupp;Belopp\n1101;1101;2025;Personal;1\n"),
        "förekommer två gånger",
        400,
    ),
    Case(
        "import: missing column",
        "ekonom",
        upload("budget.csv", "Kostnadsställe;År;Belopp\n1101;2025;100\n".encode()),
        "Kolumn saknas: Kontogrupp",
        400,
    ),
    Case(
        "import: unknown cost centre",
        "ekonom",
        upload("budget.csv", (BUDGET + "9999;2025;Personal;100\n").encode()),
        "Okänt kostnadsställe.",
        400,
    ),
    Case(
        "import: unknown account group",
        "ekonom",
        upload("budget.csv", (BUDGET + "1101;2025;Resor;100\n").encode()),
        "Okänd kontogrupp.",
        400,
    ),
    Case(
        "import: formula as amount",
        "ekonom",
        upload("budget.csv", (BUDGET + '1101;2025;Personal;=HYPERLINK("http://x")\n').encode()),
        NOT_A_NUMBER,
        400,
    ),
    # Files of measures.
    Case(
        "measure import: unknown category",
        "ekonom",
        measure_upload((MEASURE_HEADER + "M30;Ny;Trolleri;;beslutad;1;2\n").encode()),
        "Okänd kategori",
    ),
    Case(
        "measure import: unknown area",
        "ekonom",
        measure_upload((MEASURE_HEADER + "M30;Ny;Inköp;XX-YY;beslutad;1;2\n").encode()),
        "Okänt område",
    ),
    Case(
        "measure import: unknown status",
        "ekonom",
        measure_upload((MEASURE_HEADER + "M30;Ny;Inköp;;kanske;1;2\n").encode()),
        "Okänd status",
    ),
    Case(
        "measure import: .docx renamed .xlsx",
        "ekonom",
        measure_upload(_docx(), "plan.xlsx"),
        "Filen är inte en giltig Excelfil",
    ),
    # Clicking twice.
    Case(
        "double submit: the grid",
        "direktor.somatik",
        lambda client, data: client.post(_grid_url(), data, follow=True),
        "Prognosen är inskickad och kan inte längre ändras",
        prepare=_submitted_from_the_grid,
    ),
    Case(
        "double submit: approve",
        "ekonom",
        lambda client, prepared: client.post(*prepared, follow=True),
        "Prognosen är redan godkänd; inget ändrades.",
        prepare=_approved_twice,
    ),
    Case(
        "double submit: budget import",
        "ekonom",
        lambda client, url: client.post(url, {"replace": "on"}, follow=True),
        "Importen har gått ut eller är redan sparad.",
        prepare=_forecast_imported_once,
    ),
    Case(
        "double submit: measure import",
        "ekonom",
        lambda client, url: client.post(url, follow=True),
        "Importen har gått ut eller är redan sparad.",
        prepare=_measures_imported_once,
    ),
    Case(
        "double submit: publish a report",
        "ekonom",
        lambda client, published: client.post(
            reverse("report_publish", args=[published.pk]), {"version": str(published.version)}
        ),
        "En publicerad rapport kan inte ändras",
        409,
        prepare=_published_report,
    ),
    # Edits that came too late.
    Case(
        "too late: grid after approval",
        "direktor.somatik",
        lambda client, _: client.post(_grid_url(), _grid_data(), follow=True),
        "Prognosen är godkänd och kan inte längre ändras",
        prepare=_approve_somatik,
    ),
    Case(
        "too late: grid in a closed round",
        "direktor.somatik",
        lambda client, _: client.post(
            _grid_url(ForecastRound.objects.get(year=2024, month=9)),
            {**_grid_data(), "version": "1"},
            follow=True,
        ),
        "Prognostillfället är stängt; dess prognoser kan inte längre ändras.",
    ),
    Case(
        "too late: edit a published report",
        "ekonom",
        lambda client, published: client.post(
            reverse("report_edit", args=[published.pk]),
            {"title": "Ny titel", "year": "2026", "version": str(published.version)},
        ),
        "En publicerad rapport kan inte ändras",
        409,
        prepare=_published_report,
    ),
    # Stale forms: the page was older than what is stored.
    Case(
        "stale: grid",
        "direktor.somatik",
        lambda client, old: client.post(
            _grid_url(), {**_grid_data(amount="4 321"), "version": str(old)}
        ),
        "sparade prognosen medan du redigerade den",
        409,
        prepare=_stale_grid,
        kept="4 321",
    ),
    Case(
        "stale: measure",
        "ekonom",
        lambda client, old: client.post(
            reverse("measures:measure_edit", args=[_m("M03").pk]),
            _measure_data(code="M03", title="Min titel", version=str(old)),
        ),
        "Någon annan sparade åtgärden medan du redigerade den.",
        409,
        prepare=_stale_measure,
        kept="Min titel",
    ),
    Case(
        "stale: measure report",
        "direktor.somatik",
        lambda client, old: client.post(
            reverse("measures:measure_report", args=[_m("M03").pk]),
            {"status": "delayed", "year": "2024", "month": "5", "version": str(old)},
        ),
        "Någon annan ändrade åtgärden medan du rapporterade.",
        409,
        prepare=_stale_measure,
        kept="försenad",
    ),
]


@pytest.mark.parametrize("case", CATALOGUE, ids=[case.name for case in CATALOGUE])
def test_bad_input_is_refused_with_a_message_and_changes_nothing(demo, case: Case):
    client = Client() if case.persona == "anonymous" else _client(case.persona)
    prepared = case.prepare(client) if case.prepare else None
    before = fingerprint()
    response = case.send(client, prepared)
    text = html.unescape(response.content.decode())
    assert response.status_code == case.status, text[text.find("<main") : text.find("</main>")]
    assert case.message in text, text[text.find("<main") : text.find("</main>")]
    assert case.kept in text
    assert fingerprint() == before


def test_an_oversized_file_is_refused_on_the_upload_page(finance, monkeypatch):
    monkeypatch.setattr(imports, "MAX_BYTES", 1_000_000)
    content = (BUDGET + "1101;2026;Personal;100\n" * 70_000).encode()
    assert len(content) > 1_400_000
    before = fingerprint()
    response = finance.post(
        reverse("forecasts:import_start"),
        {"kind": "budget", "file": SimpleUploadedFile("stor.csv", content)},
    )
    assert response.status_code == 200
    assert "högst 1 MB kan importeras" in html.unescape(response.content.decode())
    assert not ImportUpload.objects.exists()
    assert fingerprint() == before


def test_a_zip_bomb_is_refused_without_unpacking_it(finance):
    bomb = _zip_bomb()
    assert len(bomb) < 1_000_000  # 200 MB packed into a few hundred kB
    tracemalloc.start()
    try:
        response = upload("budget.xlsx", bomb)(finance, None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 400
    assert "orimligt" in response.content.decode()
    assert peak < 30_000_000  # far below the 200 MB the sheet unpacks to


# --- odd input that is fine -----------------------------------------------------------------------


def test_a_swedish_number_is_accepted_in_the_grid(director_own):
    somatik = area("LSO-SOM")
    first = cells(somatik)[0]
    response = director_own.post(_grid_url(), _grid_data(amount="1 234,5"))
    assert response.status_code == 302
    line = ForecastLine.objects.get(
        forecast=_somatik_forecast(), unit_id=first[0], account_group_id=first[1]
    )
    assert line.amount == Decimal("1234500")


def test_a_swedish_number_is_accepted_in_a_measure_report(director_own):
    response = report(amount="1\u00a0234,5", comment="Stor effekt")(director_own, None)
    assert response.status_code == 302
    assert _m("M03").realised_effects.get(year=2024, month=5).amount == Decimal("1234500000")


def _budget_file(sep: str) -> str:
    return (
        f"Kostnadsställe{sep}År{sep}Kontogrupp{sep}Belopp\n1101{sep}2026{sep}Läkemedel{sep}1234\n"
    )


ACCEPTED_FILES = [
    ("semicolon, UTF-8", _budget_file(";").encode("utf-8")),
    ("comma, UTF-8 with BOM", _budget_file(",").encode("utf-8-sig")),
    ("tab, UTF-8", _budget_file("\t").encode("utf-8")),
    ("semicolon, Windows-1252", _budget_file(";").encode("cp1252")),
    ("tab, UTF-16 (Excel's Unicode text)", _budget_file("\t").encode("utf-16")),
    ("Latin-1 behind a UTF-8 BOM", codecs.BOM_UTF8 + _budget_file(";").encode("latin-1")),
]


def test_a_plan_wide_and_an_area_target_for_one_year_are_saved_together(finance):
    """The duplicate check of the administration refuses only real duplicates."""
    earlier = Plan.objects.exclude(name=PLAN).get()
    assert list(earlier.targets.values_list("year", "area")) == [(2023, None)]
    somatik = str(area("LSO-SOM").pk)
    response = plan_targets(
        {"year": "2023", "area": somatik, "amount": "5"},
        {"year": "2022", "amount": "7"},
        plan_name=earlier.name,
    )(finance, None)
    assert response.status_code == 302
    saved = earlier.targets.order_by("year", "area").values_list("year", "area__code", "amount")
    assert list(saved) == [
        (2022, None, Decimal("7")),
        (2023, "LSO-SOM", Decimal("5")),
        (2023, None, Decimal("350000000")),
    ]


@pytest.mark.parametrize(
    "content", [c for _, c in ACCEPTED_FILES], ids=[name for name, _ in ACCEPTED_FILES]
)
def test_separators_and_encodings_are_read_with_their_letters(finance, content):
    before = fingerprint()
    response = finance.post(
        reverse("forecasts:import_start"),
        {"kind": "budget", "file": SimpleUploadedFile("budget.csv", content)},
    )
    preview = finance.get(response["Location"])
    text = preview.content.decode()
    assert preview.status_code == 200, text[text.find("<main") : text.find("</main>")]
    assert "Läkemedel" in text  # the account group was found: its letters were read right
    assert fingerprint() == before  # nothing is written before the confirmation
    finance.post(response["Location"] + "confirm/", {"replace": "on"})
    budget = Budget.objects.get(unit__code="1101", year=2026, account_group__name="Läkemedel")
    assert budget.amount == Decimal("1234")


def test_script_in_a_title_is_stored_as_text_and_shown_escaped(finance):
    title = "<script>alert('x')</script>"
    response = new_measure(code="M60", title=title)(finance, None)
    assert response.status_code == 302
    measure = Measure.objects.get(code="M60")
    assert measure.title == title
    for page in (finance.get(response["Location"]), finance.get(reverse("measures:measure_list"))):
        text = page.content.decode()
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
        assert title not in text


FORMULAS = ['=HYPERLINK("http://evil.example","Klicka")', "+1+1", "-2+3", "@SUM(A1:A9)"]


def _exported_titles(client, fmt: str) -> list[str]:
    response = client.get(reverse("measures:measure_export", args=[fmt]), {"year": 2024})
    if fmt == "csv":
        rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    else:
        rows = openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(
            values_only=True
        )
    return [row[1] for row in rows]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("title", FORMULAS)
def test_a_formula_typed_as_a_title_is_neutralised_in_the_exports(finance, title, fmt):
    assert new_measure(code="M61", title=title)(finance, None).status_code == 302
    titles = _exported_titles(finance, fmt)
    assert "'" + title in titles
    assert title not in titles


def test_a_formula_in_an_imported_file_is_neutralised_in_the_list_of_errors(finance):
    formula = '=HYPERLINK("http://evil.example","Klicka")'
    response = finance.post(
        reverse("forecasts:import_start"),
        {
            "kind": "budget",
            "file": SimpleUploadedFile(
                "budget.csv", (BUDGET + f"1101;2025;Personal;{formula}\n").encode()
            ),
        },
    )
    errors = finance.get(response["Location"] + "errors.csv")
    rows = list(csv.reader(io.StringIO(errors.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][2] == "'" + formula
