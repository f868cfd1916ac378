"""Every form of the app fuzzed through its real view: never a server error.

Each test loads the demo once, then hypothesis posts a few hundred variants of a valid submission:
fields replaced by random text (NUL included), numbers in odd formats, fields left out and extra
fields added. Whatever comes in, the answer is a page with errors (200), a redirect (302), a
refusal (403, 404) or a conflict (409), never a 5xx. Every example runs in a transaction that is
rolled back, so the examples are independent.

The forms are the app's own pages (login, forecast rounds and grid, review, imports, measures,
shares, filters, meetings and reports, API tokens), the administration's forms that finance
keeps the organisation, plans, targets and indicators with (read from the page as a browser
sends them), and the query parameters the other pages and exports read.
"""

from __future__ import annotations

import io
import os
from datetime import timedelta

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forecasts.models import Forecast, ForecastRound, Plan
from forecasts.services import forecast_submit
from measures.models import Category, Indicator, Measure
from regionbudget.core.caching import clear_cache
from regionbudget.core.models import Area
from regionbudget.gap.models import ConfidenceWeight
from regionbudget.reports.models import Meeting, StatusReport
from regionbudget.reports.services import report_create
from tests.forecasts.helpers import area, grid_post, lines_like_budget, user
from tests.page_forms import form_data

pytestmark = [
    pytest.mark.django_db,
    # A fuzzed ``sort`` parameter makes django-tables2 warn about its accessor syntax.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:django_tables2.*"),
]

FUZZ = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ALLOWED = {200, 302, 403, 404, 409}
# An import's preview of a file it refuses is a page with the reasons, answered 400.
PREVIEW_ALLOWED = ALLOWED | {400}
PLAN = "Ekonomi i balans 2024–2026"

# --- strategies --------------------------------------------------------------------------------

# Any text a browser can send: every code point but the surrogates (not encodable), NUL included.
any_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
ODD_NUMBERS = [
    "1 234,5",
    "1\u00a0234,5",
    "\u2212500",
    "1,2,3",
    "12abc",
    "--5",
    "+-5",
    "NaN",
    "nan",
    "sNaN",
    "-sNaN",
    "Infinity",
    "-inf",
    "1e400",
    "9" * 30,
    "0," + "0" * 40 + "1",
    "1.234,5",
    "1 2 3",
    ",5",
    "5,",
    "٣٤٥",
    "１２３",
    "0x1F",
    "1_000",
    "\x00",
    "5\x00",
    "   ",
    "%",
    "50 %",
    "99999999999999999999999",
    "-99999999999999",
    "2147483648",
    "9223372036854775808",
]
odd_number = st.one_of(
    st.sampled_from(ODD_NUMBERS),
    st.integers().map(str),
    st.floats().map(repr),
    st.decimals().map(str),
    st.from_regex(r"\A[-\u2212+]?\d{1,3}([ \u00a0]\d{3}){0,6}([,.]\d{0,8})?\Z"),
)
fuzz_value = st.one_of(any_text, odd_number, st.just(""))
number_value = st.one_of(st.sampled_from(ODD_NUMBERS), odd_number, fuzz_value)
extra_fields = st.dictionaries(
    st.one_of(
        st.sampled_from(["status", "area", "plan", "version", "id", "pk", "approved_by"]),
        any_text.filter(bool),
    ),
    fuzz_value,
    max_size=3,
)


@st.composite
def mutated(draw, base: dict) -> dict:
    """``base`` with each field kept, replaced by a fuzz value or left out, plus extra fields."""
    data = dict(draw(extra_fields))
    # Half the examples change one field only, so that they get past the other fields' checks.
    only = draw(st.one_of(st.none(), st.sampled_from(sorted(base))))
    for key, valid in base.items():
        choice = draw(st.integers(0, 5)) if only in (None, key) else 0
        if choice <= 2 and only != key:
            data[key] = valid
        elif choice <= 4:
            # A number field gets odd numbers more often than any text.
            numeric = (
                isinstance(valid, str)
                and valid.strip().strip("-").replace(",", "").replace(".", "").isdigit()
            )
            value = draw(number_value if numeric else fuzz_value)
            data[key] = [value] if isinstance(valid, list) else value
        # else: the field is left out
    return data


def _client(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _rolled_back(call):
    """Run ``call`` in a transaction that is rolled back; check its responses."""
    with transaction.atomic():
        clear_cache()
        responses = call()
        transaction.set_rollback(True)
    for response in responses:
        allowed = PREVIEW_ALLOWED if getattr(response, "is_preview", False) else ALLOWED
        assert response.status_code in allowed, (response.status_code, response.content[:300])


def _plan() -> Plan:
    return Plan.objects.get(name=PLAN)


# --- login ---------------------------------------------------------------------------------------


def test_login_form(demo):
    """The form and the headers a failed login is recorded with (user agent, accept)."""

    @FUZZ
    @given(
        data=mutated({"username": "ekonom", "password": "demo"}),
        agent=any_text,
        accept=any_text,
    )
    def run(data, agent, accept):
        headers = {"HTTP_USER_AGENT": agent, "HTTP_ACCEPT": accept}
        _rolled_back(lambda: [Client().post(reverse("login"), data, **headers)])

    run()


# --- forecasts -----------------------------------------------------------------------------------


def test_round_form(demo):
    client = _client("ekonom")
    base = {
        "plan": str(_plan().pk),
        "year": "2025",
        "month": "3",
        "deadline": "2025-04-10",
        "comment_threshold": "500",
        "includes_decided_measures": "on",
    }

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        _rolled_back(lambda: [client.post(reverse("forecasts:round_create"), data)])

    run()


def _october():
    return ForecastRound.objects.get(year=2024, month=10)


def test_forecast_grid(demo):
    client = _client("direktor.somatik")
    somatik = area("LSO-SOM")
    forecast = Forecast.objects.get(forecast_round=_october(), area=somatik)
    base = grid_post(lines_like_budget(somatik), version=forecast.version)
    url = reverse("forecasts:forecast_edit", args=[_october().pk, somatik.pk])

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        _rolled_back(lambda: [client.post(url, data)])

    run()


@pytest.mark.parametrize("action", ["forecast_approve", "forecast_return"])
def test_review_forms(demo, action):
    somatik = area("LSO-SOM")
    forecast = Forecast.objects.get(forecast_round=_october(), area=somatik)
    forecast = forecast_submit(
        forecast_round=_october(),
        area=somatik,
        lines=lines_like_budget(somatik),
        expected_version=forecast.version,
        user=user("direktor.somatik"),
    )
    client = _client("ekonom")
    url = reverse(f"forecasts:{action}", args=[_october().pk, somatik.pk])
    base = {"version": str(forecast.version), "comment": "Rätta raden för hyrpersonal."}

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        _rolled_back(lambda: [client.post(url, data)])

    run()


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@st.composite
def figure_files(draw, header: list[str]) -> tuple[str, bytes]:
    """A file name and content: random bytes, or a table of fuzzed cells as CSV or .xlsx."""
    cells = st.one_of(fuzz_value, st.sampled_from(["1101", "2025", "Personal", "100", "5"]))
    rows = draw(st.lists(st.lists(cells, min_size=len(header), max_size=len(header)), max_size=4))
    kind = draw(st.sampled_from(["csv", "xlsx", "bytes"]))
    if kind == "bytes":
        content = draw(st.binary(max_size=400))
    elif kind == "csv":
        sep = draw(st.sampled_from([";", ",", "\t"]))
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
        text = "\n".join(sep.join(row) for row in [header, *rows]) + "\n"
        content = text.encode(encoding, errors="replace")
    else:
        # openpyxl refuses control characters in cells: those are a CSV-only risk.
        clean = [["".join(c for c in v if c >= " ") for v in row] for row in rows]
        content = _xlsx([header, *clean])
    suffix = draw(st.sampled_from([".csv", ".xlsx", ".txt", ".pdf", ""]))
    stem = draw(st.one_of(st.just("fil"), any_text))
    # What a browser sends is a base name; the test client cannot even build an empty one.
    name = os.path.basename(stem + suffix).strip()
    if name in ("", ".", ".."):
        name = "fil.csv"
    return name, content


def test_import_upload_preview_and_confirm(demo):
    client = _client("ekonom")
    header = ["Kostnadsställe", "År", "Månad", "Kontogrupp", "Belopp"]

    @FUZZ
    @given(
        file=figure_files(header),
        data=mutated({"kind": "actual"}),
        confirm=mutated({"replace": "on"}),
    )
    def run(file, data, confirm):
        def call():
            name, content = file
            response = client.post(
                reverse("forecasts:import_start"),
                {**data, "file": SimpleUploadedFile(name, content)},
            )
            if response.status_code != 302:
                return [response]
            preview = client.get(response["Location"])
            preview.is_preview = True
            return [response, preview, client.post(response["Location"] + "confirm/", confirm)]

        _rolled_back(call)

    run()


# --- measures ------------------------------------------------------------------------------------


def _measure_base(measure: Measure | None = None) -> dict:
    data = {
        "code": "M15",
        "title": "Ny åtgärd",
        "description": "Beskrivning",
        "category": str(Category.objects.get(name="Läkemedel").pk),
        "owner_area": "",
        "responsible": "Karin",
        "status": "proposed",
        "decision_reference": "HSN 2024-02-20 § 7",
        "start_date": "2024-03-01",
        "low_2024": "1,5",
        "high_2024": "2",
        "low_2025": "",
        "high_2025": "",
        "low_2026": "3",
        "high_2026": "4",
    }
    if measure is not None:
        data.update(code=measure.code, version=str(measure.version))
    return data


def _measure(code: str) -> Measure:
    return Measure.objects.get(plan=_plan(), code=code)


def test_measure_create_form(demo):
    client = _client("ekonom")
    url = reverse("measures:measure_create") + f"?plan={_plan().pk}"

    @FUZZ
    @given(data=mutated(_measure_base()))
    def run(data):
        _rolled_back(lambda: [client.post(url, data)])

    run()


def test_measure_edit_form(demo):
    client = _client("ekonom")
    m03 = _measure("M03")
    url = reverse("measures:measure_edit", args=[m03.pk])

    @FUZZ
    @given(data=mutated(_measure_base(m03)))
    def run(data):
        _rolled_back(lambda: [client.post(url, data)])

    run()


def test_measure_report_form(demo):
    client = _client("direktor.somatik")
    m03 = _measure("M03")
    url = reverse("measures:measure_report", args=[m03.pk])
    base = {
        "status": "in_progress",
        "year": "2024",
        "month": "5",
        "amount": "1,5",
        "comment": "Lägre bemanningskostnad",
        "version": str(m03.version),
    }

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        _rolled_back(lambda: [client.post(url, data)])

    run()


def test_area_shares_form(demo):
    client = _client("ekonom")
    m01 = _measure("M01")
    url = reverse("measures:measure_shares", args=[m01.pk])
    areas = list(Area.objects.filter(is_active=True))
    base = {f"share_{a.pk}": "" for a in areas}
    base.update({f"share_{areas[0].pk}": "60", f"share_{areas[1].pk}": "40"})
    base["version"] = str(m01.version)

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        _rolled_back(lambda: [client.post(url, data)])

    run()


def test_measure_import_form(demo):
    client = _client("ekonom")
    header = ["kod", "åtgärd", "kategori", "område", "status", "2024 låg", "2024 hög"]

    @FUZZ
    @given(
        file=figure_files(header),
        data=mutated({"plan": str(_plan().pk)}),
        confirm=mutated({"go": "1"}),
    )
    def run(file, data, confirm):
        def call():
            name, content = file
            response = client.post(
                reverse("measures:measure_import"),
                {**data, "file": SimpleUploadedFile(name, content)},
            )
            if response.status_code != 302:
                return [response]
            preview = client.get(response["Location"])
            preview.is_preview = True
            return [response, preview, client.post(response["Location"] + "confirm/", confirm)]

        _rolled_back(call)

    run()


@pytest.mark.parametrize("page", ["measures:measure_list", "gap_dashboard"])
def test_filter_forms(demo, page):
    client = _client("direktor.somatik")
    base = {
        "plan": str(_plan().pk),
        "year": "2025",
        "area": str(area("LSO-SOM").pk),
        "category": str(Category.objects.first().pk),
        "status": "decided",
        "sort": "-planned_high",
    }

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        _rolled_back(lambda: [client.get(reverse(page), data)])

    run()


# --- the balance requirement ---------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/balance/years/new/", "/balance/years/2024/edit/"])
def test_balance_statement_form(demo, url):
    from regionbudget.balance.models import BalanceYear

    client = _client("ekonom")
    base = {
        "year": "2027",
        "kind": "forecast",
        "note": "Prognos",
        "version": str(BalanceYear.objects.get(year=2024).version),
        "line_1_kind": "result",
        "line_1_label": "Årets resultat",
        "line_1_amount": "−35,5",
        "line_2_kind": "reserve",
        "line_2_label": "Uttag ur resultatreserven",
        "line_2_amount": "40",
    }

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        _rolled_back(lambda: [client.post(url, data)])

    run()


# --- meetings and status reports -----------------------------------------------------------------


def test_meeting_form(demo):
    client = _client("ekonom")
    base = {"committee": "hsn", "date": "2026-12-15", "title": "Nämndsammanträde"}

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        _rolled_back(lambda: [client.post(reverse("meeting_create"), data)])

    run()


def test_api_token_form(demo):
    """Finance's new API token: a created token is answered 201 (its secret shown once)."""
    client = _client("ekonom")
    somatik = str(Area.objects.get(code="LSO-SOM").pk)
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()
    base = {"name": "Power BI", "scope": "areas", "areas": [somatik], "expires": expires}

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        with transaction.atomic():
            response = client.post(reverse("api_tokens"), data)
            transaction.set_rollback(True)
        assert response.status_code in ALLOWED | {201}, response.content[:300]

    run()


def _report_base() -> dict:
    return {
        "meeting": str(Meeting.objects.first().pk),
        "plan": str(_plan().pk),
        "year": "2026",
        "title": "Lägesrapport",
        "summary": "Sammanfattning",
        "highlighted": [str(_measure("M01").pk), str(_measure("M03").pk)],
        "corrects": "",
        "correction_note": "",
    }


def test_report_create_form(demo):
    client = _client("ekonom")

    @FUZZ
    @given(data=mutated(_report_base()))
    def run(data):
        _rolled_back(lambda: [client.post(reverse("report_create"), data)])

    run()


def test_report_edit_and_publish_forms(demo):
    client = _client("ekonom")
    draft = report_create(
        meeting=Meeting.objects.first(),
        plan=_plan(),
        year=2026,
        title="Utkast",
        summary="",
        highlighted=Measure.objects.none(),
        corrects=None,
        correction_note="",
        user=user("ekonom"),
    )
    base = {**_report_base(), "version": str(draft.version)}
    published = StatusReport.objects.filter(status=StatusReport.Status.PUBLISHED).first()

    @FUZZ
    @given(
        data=mutated(base),
        publish=mutated({"version": str(draft.version)}),
        target=st.sampled_from([draft.pk, published.pk]),
    )
    def run(data, publish, target):
        _rolled_back(
            lambda: [
                client.post(reverse("report_edit", args=[target]), data),
                client.post(reverse("report_publish", args=[target]), publish),
            ]
        )

    run()


# --- the administration (finance keeps the organisation, plans, targets and indicators there) ---


def _fewest(model, related: str, having: str) -> int:
    """Of the objects with rows of every inline (``having``), the one with the fewest
    ``related`` rows: its page is the quickest to send and show."""
    candidates = model.objects.filter(**{f"{having}__isnull": False}).distinct()
    counted = candidates.annotate(rows=Count(related, distinct=True))
    return counted.order_by("rows", "pk").first().pk


def _admin_pages() -> list[tuple[str, object]]:
    """(admin url name, a function giving the object to change, or None to add one)."""
    return [
        ("forecasts_plan_change", lambda: _fewest(Plan, "targets", "targets")),
        ("forecasts_deficittarget_add", None),
        ("forecasts_accountgroup_add", None),
        ("regionbudget_area_change", lambda: _fewest(Area, "units", "director_bindings")),
        ("regionbudget_unit_add", None),
        ("regionbudget_confidenceweight_change", lambda: ConfidenceWeight.objects.first().pk),
        ("measures_category_add", None),
        ("measures_indicator_change", lambda: Indicator.objects.first().pk),
    ]


@pytest.mark.parametrize(("page", "obj"), _admin_pages(), ids=[page for page, _ in _admin_pages()])
def test_admin_forms(demo, page, obj):
    client = _client("ekonom")
    url = reverse(f"admin:{page}", args=[obj()] if obj else [])
    base = form_data(client, url)
    assert base, "the page has a form"
    if obj is None:
        # An add form starts empty: fill it with values that could be saved.
        filled = {
            "plan": str(_plan().pk),
            "year": "2025",
            "amount": "1000",
            "code": "9999",
            "name": "Ny",
            "area": str(area("LSO-SOM").pk),
            "kind": "cost",
            "position": "1",
        }
        base.update({key: value for key, value in filled.items() if key in base})

    @FUZZ
    @given(data=mutated(base))
    def run(data):
        _rolled_back(lambda: [client.post(url, _few_forms(data))])

    run()


def _few_forms(data: dict) -> dict:
    """A formset's form count is kept to at most 10: Django builds and shows up to 2,000 forms
    when told to, correct but too slow for a few hundred examples."""
    counts = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    for key, value in data.items():
        if key.endswith(counts) and value.strip().isdecimal() and len(value.strip()) > 1:
            data[key] = "10"
    return data


# --- the other parameters a page reads -----------------------------------------------------------


def test_query_parameters_of_the_other_pages(demo):
    """Home's plan, the gap figures, the exports, a correction's report and the language."""
    client = _client("ekonom")
    pages = [
        reverse("home"),
        reverse("gap_data_json"),
        reverse("gap_data_csv"),
        reverse("measures:measure_export", args=["csv"]),
        reverse("measures:measure_export", args=["xlsx"]),
        reverse("report_create"),
        reverse("forecasts:round_detail", args=[_october().pk]),
    ]
    base = {
        "plan": str(_plan().pk),
        "year": "2025",
        "area": str(area("LSO-SOM").pk),
        "status": "decided",
        "sort": "code",
        "corrects": str(StatusReport.objects.first().pk),
    }

    @FUZZ
    @given(data=mutated(base), page=st.sampled_from(pages), language=mutated({"language": "en"}))
    def run(data, page, language):
        _rolled_back(
            lambda: [
                client.get(page, data),
                client.post(reverse("set_language"), {**language, "next": page}),
            ]
        )

    run()


def test_round_close(demo):
    client = _client("ekonom")
    url = reverse("forecasts:round_close", args=[_october().pk])

    @FUZZ
    @given(data=mutated({"version": "1"}))
    def run(data):
        _rolled_back(lambda: [client.post(url, data)])

    run()
