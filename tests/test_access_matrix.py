"""Who may do what, on every page: each URL pattern × each kind of user × GET and POST.

The table ``MATRIX`` below is the specification: one row per case (a URL pattern with real demo
objects as arguments), one expected status code per user and method. A URL pattern of the
project that no row covers fails ``test_every_url_pattern_is_in_the_matrix``, so a new page
cannot be added without deciding who may open it. Wherever access is denied, the database
must be unchanged.

Users: ``anon`` (not logged in), ``dir_a`` (director of Länssjukvårdsområde somatik),
``dir_b`` (director of Länssjukvårdsområde psykiatri och habilitering), ``finance``,
``committee``, ``admin`` (superuser), ``inactive`` (a deactivated director of somatik, whose
session is still around: the app must treat them as logged out).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from forecasts.models import Forecast, ForecastRound, ImportUpload, Plan
from measures.models import Measure
from regionbudget.core.models import Area, AreaDirector
from regionbudget.reports.models import Meeting, StatusReport
from regionbudget.reports.services import meeting_create, report_create
from tests.forecasts.helpers import grid_post, lines_like_budget
from tests.measures.helpers import measure_edit_data

ROLES = ["anon", "dir_a", "dir_b", "finance", "committee", "admin", "inactive"]
USERNAMES = {
    "dir_a": "direktor.somatik",
    "dir_b": "direktor.psykiatri",
    "finance": "ekonom",
    "committee": "ledamot",
    "admin": "admin",
    "inactive": "avslutad.direktor",
}
PLAN = "Ekonomi i balans 2024–2026"

# Tables a refused request may still touch: sessions (activity renews the idle timeout)
# and the login throttle's bookkeeping.
VOLATILE_TABLES = {
    "django_session",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
}


# --- the demo objects the URLs point at ---------------------------------------------------------


@dataclass
class World:
    """Real objects of the seed case, made once per module."""

    plan: Plan
    october: ForecastRound
    september: ForecastRound
    area_a: Area
    area_b: Area
    m_a: Measure  # owned by somatik
    m_b: Measure  # owned by psykiatri
    m_region: Measure  # region-wide, with a share in somatik
    published: StatusReport
    draft: StatusReport
    meeting: Meeting
    upload: ImportUpload  # a budget file staged by finance
    extra: dict = field(default_factory=dict)


def _finance_upload() -> ImportUpload:
    client = Client()
    client.force_login(get_user_model().objects.get(username="ekonom"))
    content = "kostnadsställe;år;kontogrupp;belopp\n1101;2025;Personal;1\n".encode()
    response = client.post(
        reverse("forecasts:import_start"),
        {"kind": "budget", "file": SimpleUploadedFile("budget.csv", content)},
    )
    assert response.status_code == 302, response.content.decode()[:300]
    return ImportUpload.objects.latest("created_at")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo, loaded once for the whole module inside a transaction rolled back at the end;
    every test runs in a savepoint inside it (pytest-django's ``db``)."""
    from regionbudget.demo import load_demo

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            load_demo()
            user_model = get_user_model()
            inactive = user_model.objects.create_user(
                "avslutad.direktor", password="x-unused-x", is_active=False
            )
            inactive.groups.add(Group.objects.get(name="area_director"))
            area_a = Area.objects.get(code="LSO-SOM")
            AreaDirector.objects.create(user=inactive, area=area_a)
            plan = Plan.objects.get(name=PLAN)
            meeting = meeting_create(committee="hsn", date=dt.date(2026, 12, 15), title="HSN")
            draft = report_create(
                meeting=meeting,
                plan=plan,
                year=2026,
                title="Utkast december",
                summary="Utkast.",
                user=user_model.objects.get(username="ekonom"),
            )
            yield World(
                plan=plan,
                october=ForecastRound.objects.get(plan=plan, year=2024, month=10),
                september=ForecastRound.objects.get(plan=plan, year=2024, month=9),
                area_a=area_a,
                area_b=Area.objects.get(code="LSO-PSY"),
                m_a=Measure.objects.get(plan=plan, code="M03"),
                m_b=Measure.objects.get(plan=plan, code="M13"),
                m_region=Measure.objects.get(plan=plan, code="M01"),
                published=StatusReport.objects.filter(status="published").latest("pk"),
                draft=draft,
                meeting=meeting,
                upload=_finance_upload(),
            )
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def w(world, db):
    """The module's objects, fresh from the database for each test."""
    for name in ("october", "september", "m_a", "m_b", "m_region", "published", "draft"):
        getattr(world, name).refresh_from_db()
    return world


# --- the payloads of the POSTs (valid for a user who may write) ----------------------------------


def _grid(w: World, area: Area) -> dict:
    forecast = Forecast.objects.filter(forecast_round=w.october, area=area).first()
    version = forecast.version if forecast else 0
    return grid_post(lines_like_budget(area), version=version)


def _measure_form(m: Measure) -> dict:
    return measure_edit_data(m, title=m.title + " (ändrad)", responsible="Ny ansvarig")


def _report_form(m: Measure) -> dict:
    return {
        "status": m.status,
        "year": 2026,
        "month": 11,
        "amount": "0,5",
        "comment": "Rapport",
        "version": m.version,
    }


def _shares(w: World) -> dict:
    data = {"version": w.m_region.version}
    data[f"share_{w.area_a.pk}"] = "50"
    data[f"share_{w.area_b.pk}"] = "50"
    return data


def _report_draft_form(w: World, report: StatusReport) -> dict:
    return {
        "meeting": w.meeting.pk,
        "plan": w.plan.pk,
        "year": 2026,
        "title": "Ny titel",
        "summary": "Ny sammanfattning.",
        "version": report.version,
    }


def _measure_import_file() -> dict:
    content = (
        "kod;åtgärd;kategori;område;status;2024 låg;2024 hög;2025 låg;2025 hög;2026 låg;2026 hög\n"
        "M40;Ny importerad åtgärd;Inköp;;proposed;1;2;;;;\n"
    ).encode()
    return {"file": SimpleUploadedFile("plan.csv", content)}


def _stage_measure_import(client: Client, w: World) -> str:
    """Stage a checked action-plan file for this client's user, as the upload page does."""
    users = get_user_model().objects
    user_id = client.session.get("_auth_user_id")
    upload = ImportUpload.objects.create(
        token=uuid.uuid4(),
        kind=ImportUpload.Kind.ACTION_PLAN,
        plan=w.plan,
        filename="plan.csv",
        created_by=users.get(pk=user_id) if user_id else users.get(username="ekonom"),
    )
    return str(upload.token)


# --- the matrix ---------------------------------------------------------------------------------


@dataclass
class Case:
    """One URL (a pattern with real arguments), its POST payload, and the expected statuses:
    ``get``/``post`` map each role to its status code."""

    name: str
    pattern: str
    url: object  # callable(w, client) -> str
    get: dict
    post: dict
    data: object = None  # callable(w) -> dict


def _row(*codes: int) -> dict:
    """Statuses in the order of ROLES: anon, dir_a, dir_b, finance, committee, admin, inactive."""
    assert len(codes) == len(ROLES)
    return dict(zip(ROLES, codes, strict=True))


LOGIN_ONLY_GET = _row(302, 200, 200, 200, 200, 200, 302)
NOT_POST = _row(302, 405, 405, 405, 405, 405, 302)
NOT_GET = _row(302, 405, 405, 405, 405, 405, 302)
FINANCE_ONLY_GET = _row(302, 403, 403, 200, 403, 200, 302)


def _r(name, *args):
    return lambda w, client: reverse(name, args=[a(w) if callable(a) else a for a in args])


MATRIX: list[Case] = []  # filled in below


def _case(name, pattern, url, get, post, data=None):
    MATRIX.append(Case(name, pattern, url, get, post, data))


# Region-wide pages.
_case("home", "home", _r("home"), LOGIN_ONLY_GET, NOT_POST)
_case("healthz", "healthz", _r("healthz"), _row(*[200] * 7), _row(*[405] * 7))
# A logged-in user is sent on from the login page; a deactivated one is logged out.
LOGIN = _row(200, 302, 302, 302, 302, 302, 200)
_case("login", "login", _r("login"), LOGIN, LOGIN, lambda w: {})
_case("logout", "logout", _r("logout"), _row(*[405] * 7), _row(*[302] * 7), lambda w: {})
_case(
    "set_language",
    "set_language",
    _r("set_language"),
    _row(*[302] * 7),
    _row(*[302] * 7),
    lambda w: {"language": "en", "next": "/"},
)
GAP_GET = _row(302, 200, 200, 200, 403, 200, 302)
_case("gap_dashboard", "gap_dashboard", _r("gap_dashboard"), GAP_GET, NOT_POST)
_case("gap_data_json", "gap_data_json", _r("gap_data_json"), GAP_GET, NOT_POST)
_case("gap_data_csv", "gap_data_csv", _r("gap_data_csv"), GAP_GET, NOT_POST)

# Status reports: finance drafts and publishes; everyone else reads published reports only.
FINANCE_WRITE = _row(302, 403, 403, 302, 403, 302, 302)
_case("report_list", "report_list", _r("report_list"), LOGIN_ONLY_GET, NOT_POST)
_case(
    "report_create",
    "report_create",
    _r("report_create"),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: _report_draft_form(w, StatusReport(version=0)),
)
_case(
    "meeting_create",
    "meeting_create",
    _r("meeting_create"),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: {"committee": "hsn", "date": "2027-01-20", "title": "HSN januari"},
)
_case(
    "report_detail-published",
    "report_detail",
    _r("report_detail", lambda w: w.published.pk),
    LOGIN_ONLY_GET,
    NOT_POST,
)
_case(
    "report_detail-draft",
    "report_detail",
    _r("report_detail", lambda w: w.draft.pk),
    _row(302, 404, 404, 200, 404, 200, 302),
    NOT_POST,
)
_case(
    "report_edit-draft",
    "report_edit",
    _r("report_edit", lambda w: w.draft.pk),
    _row(302, 403, 403, 200, 403, 200, 302),
    FINANCE_WRITE,
    lambda w: _report_draft_form(w, w.draft),
)
_case(
    "report_edit-published",
    "report_edit",
    _r("report_edit", lambda w: w.published.pk),
    _row(302, 403, 403, 409, 403, 409, 302),
    _row(302, 403, 403, 409, 403, 409, 302),
    lambda w: _report_draft_form(w, w.published),
)
_case(
    "report_publish-draft",
    "report_publish",
    _r("report_publish", lambda w: w.draft.pk),
    NOT_GET,
    FINANCE_WRITE,
    lambda w: {"version": w.draft.version},
)
_case(
    "report_pdf-published",
    "report_pdf",
    _r("report_pdf", lambda w: w.published.pk),
    LOGIN_ONLY_GET,
    NOT_POST,
)
_case(
    "report_pdf-draft",
    "report_pdf",
    _r("report_pdf", lambda w: w.draft.pk),
    _row(302, 404, 404, 404, 404, 404, 302),
    NOT_POST,
)

# Forecast rounds and forecasts: area A is somatik (a draft in October), area B psykiatri.
_case("round_list", "forecasts:round_list", _r("forecasts:round_list"), LOGIN_ONLY_GET, NOT_POST)
_case(
    "round_create",
    "forecasts:round_create",
    _r("forecasts:round_create"),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: {
        "plan": w.plan.pk,
        "year": 2024,
        "month": 11,
        "deadline": "2024-12-10",
        "comment_threshold": "500",
    },
)
_case(
    "round_detail",
    "forecasts:round_detail",
    _r("forecasts:round_detail", lambda w: w.october.pk),
    LOGIN_ONLY_GET,
    NOT_POST,
)
_case(
    "round_close",
    "forecasts:round_close",
    _r("forecasts:round_close", lambda w: w.october.pk),
    NOT_GET,
    FINANCE_WRITE,
    lambda w: {},
)
_case(
    "forecast_detail-own-draft",
    "forecasts:forecast_detail",
    _r("forecasts:forecast_detail", lambda w: w.october.pk, lambda w: w.area_a.pk),
    _row(302, 200, 404, 200, 404, 200, 302),
    NOT_POST,
)
_case(
    "forecast_detail-other-approved",
    "forecasts:forecast_detail",
    _r("forecasts:forecast_detail", lambda w: w.september.pk, lambda w: w.area_b.pk),
    _row(302, 404, 200, 200, 200, 200, 302),
    NOT_POST,
)
_case(
    "forecast_edit-a",
    "forecasts:forecast_edit",
    _r("forecasts:forecast_edit", lambda w: w.october.pk, lambda w: w.area_a.pk),
    _row(302, 200, 404, 403, 403, 403, 302),
    _row(302, 302, 404, 403, 403, 403, 302),
    lambda w: _grid(w, w.area_a),
)
_case(
    "forecast_approve-submitted",
    "forecasts:forecast_approve",
    _r("forecasts:forecast_approve", lambda w: w.october.pk, lambda w: w.area_b.pk),
    NOT_GET,
    _row(302, 404, 403, 302, 403, 302, 302),
    lambda w: {"version": Forecast.objects.get(forecast_round=w.october, area=w.area_b).version},
)
_case(
    "forecast_return-submitted",
    "forecasts:forecast_return",
    _r("forecasts:forecast_return", lambda w: w.october.pk, lambda w: w.area_b.pk),
    NOT_GET,
    _row(302, 404, 403, 302, 403, 302, 302),
    lambda w: {
        "version": Forecast.objects.get(forecast_round=w.october, area=w.area_b).version,
        "comment": "Förklara avvikelsen.",
    },
)
_case(
    "area_detail-a",
    "forecasts:area_detail",
    _r("forecasts:area_detail", lambda w: w.area_a.pk),
    _row(302, 200, 404, 200, 200, 200, 302),
    NOT_POST,
)

# Imports of budgets and actuals: finance's own uploads only.
_case(
    "import_start",
    "forecasts:import_start",
    _r("forecasts:import_start"),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: {
        "kind": "budget",
        "file": SimpleUploadedFile("b.csv", "kostnadsställe;år;kontogrupp;belopp\n".encode()),
    },
)
FINANCE_OWN_UPLOAD_GET = _row(302, 403, 403, 200, 403, 404, 302)
_case(
    "import_preview",
    "forecasts:import_preview",
    _r("forecasts:import_preview", lambda w: w.upload.token),
    FINANCE_OWN_UPLOAD_GET,
    NOT_POST,
)
_case(
    "import_confirm",
    "forecasts:import_confirm",
    _r("forecasts:import_confirm", lambda w: w.upload.token),
    NOT_GET,
    _row(302, 403, 403, 302, 403, 404, 302),
    lambda w: {"replace": "on"},
)
_case(
    "import_errors",
    "forecasts:import_errors",
    _r("forecasts:import_errors", lambda w: w.upload.token),
    FINANCE_OWN_UPLOAD_GET,
    NOT_POST,
)
_case(
    "import_template",
    "forecasts:import_template",
    _r("forecasts:import_template", "actual", "xlsx"),
    FINANCE_ONLY_GET,
    NOT_POST,
)

# The measure register: finance keeps it; a director reports on their own area's measures.
_case(
    "measure_list", "measures:measure_list", _r("measures:measure_list"), LOGIN_ONLY_GET, NOT_POST
)
_case(
    "measure_export",
    "measures:measure_export",
    _r("measures:measure_export", "csv"),
    LOGIN_ONLY_GET,
    NOT_POST,
)
_case(
    "measure_create",
    "measures:measure_create",
    _r("measures:measure_create"),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: {**_measure_form(w.m_a), "code": "M41", "owner_area": w.area_a.pk},
)
_case(
    "measure_import",
    "measures:measure_import",
    _r("measures:measure_import"),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: {"plan": w.plan.pk, **_measure_import_file()},
)
_case(
    "measure_import_preview",
    "measures:measure_import_preview",
    lambda w, client: reverse(
        "measures:measure_import_preview", args=[_stage_measure_import(client, w)]
    ),
    FINANCE_ONLY_GET,
    NOT_POST,
)
_case(
    "measure_import_confirm",
    "measures:measure_import_confirm",
    lambda w, client: reverse(
        "measures:measure_import_confirm", args=[_stage_measure_import(client, w)]
    ),
    NOT_GET,
    FINANCE_WRITE,
    lambda w: {},
)
_case(
    "measure_detail-own",
    "measures:measure_detail",
    _r("measures:measure_detail", lambda w: w.m_a.pk),
    _row(302, 200, 404, 200, 200, 200, 302),
    NOT_POST,
)
_case(
    "measure_detail-other",
    "measures:measure_detail",
    _r("measures:measure_detail", lambda w: w.m_b.pk),
    _row(302, 404, 200, 200, 200, 200, 302),
    NOT_POST,
)
_case(
    "measure_detail-region",
    "measures:measure_detail",
    _r("measures:measure_detail", lambda w: w.m_region.pk),
    LOGIN_ONLY_GET,
    NOT_POST,
)
_case(
    "measure_edit-own",
    "measures:measure_edit",
    _r("measures:measure_edit", lambda w: w.m_a.pk),
    _row(302, 403, 404, 200, 403, 200, 302),
    _row(302, 403, 404, 302, 403, 302, 302),
    lambda w: _measure_form(w.m_a),
)
_case(
    "measure_report-own",
    "measures:measure_report",
    _r("measures:measure_report", lambda w: w.m_a.pk),
    _row(302, 200, 404, 200, 403, 200, 302),
    _row(302, 302, 404, 302, 403, 302, 302),
    lambda w: _report_form(w.m_a),
)
_case(
    "measure_report-region",
    "measures:measure_report",
    _r("measures:measure_report", lambda w: w.m_region.pk),
    _row(302, 403, 403, 200, 403, 200, 302),
    _row(302, 403, 403, 302, 403, 302, 302),
    lambda w: _report_form(w.m_region),
)
_case(
    "measure_shares-region",
    "measures:measure_shares",
    _r("measures:measure_shares", lambda w: w.m_region.pk),
    _row(302, 403, 403, 200, 403, 200, 302),
    FINANCE_WRITE,
    _shares,
)


# --- running it ---------------------------------------------------------------------------------


def _fingerprint() -> dict[str, str]:
    """A digest of every row of every table but the volatile ones, in one round trip."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
        tables = [t for (t,) in cursor.fetchall() if t not in VOLATILE_TABLES]
        digest = "coalesce(md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))), '')"
        parts = [f"SELECT '{t}', {digest} FROM \"{t}\" x" for t in tables]  # noqa: S608
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


def _client(role: str) -> Client:
    client = Client()
    if role != "anon":
        client.force_login(get_user_model().objects.get(username=USERNAMES[role]))
    return client


def _cells():
    for case in MATRIX:
        for method in ("GET", "POST"):
            for role in ROLES:
                yield pytest.param(case, method, role, id=f"{case.name}-{role}-{method}")


@pytest.mark.parametrize(("case", "method", "role"), list(_cells()))
def test_access(w, case: Case, method: str, role: str):
    client = _client(role)
    url = case.url(w, client)
    expected = (case.get if method == "GET" else case.post)[role]
    before = _fingerprint()
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, case.data(w) if case.data else {})
    assert response.status_code == expected, (
        f"{method} {url} as {role}: {response.status_code}, expected {expected}"
    )
    if (
        response.status_code == 302
        and role in ("anon", "inactive")
        and case.name
        not in (
            "login",
            "logout",
            "set_language",
        )
    ):
        assert response["Location"].startswith(reverse("login")), response["Location"]
    if method == "POST" and not _is_allowed_write(case, role):
        assert _fingerprint() == before, f"a refused POST changed the database: {url} as {role}"


def _is_allowed_write(case: Case, role: str) -> bool:
    """A 302 after a POST is a write for those who may write; logging in and out and choosing a
    language change no application data."""
    if case.name in ("login", "logout", "set_language"):
        return False
    return case.post[role] == 302 and role not in ("anon", "inactive")


def test_finance_cannot_change_user_accounts(w):
    """Finance may look users up but not make themselves (or anyone) an administrator."""
    finance = _client("finance")
    ekonom = get_user_model().objects.get(username="ekonom")
    url = reverse("admin:auth_user_change", args=[ekonom.pk])
    before = _fingerprint()
    response = finance.post(
        url, {"username": "ekonom", "is_superuser": "on", "is_staff": "on", "is_active": "on"}
    )
    assert response.status_code == 403
    assert _fingerprint() == before
    ekonom.refresh_from_db()
    assert not ekonom.is_superuser


# --- extra POST fields never change protected columns --------------------------------------------

FORGED = {
    "id": "999999",
    "pk": "999999",
    "plan": "999999",
    "created_by": "1",
    "approved_by": "1",
    "published_at": "2020-01-01T00:00:00Z",
    "checksum": "forged",
    "snapshot": "{}",
}


def test_a_director_reporting_cannot_move_or_rewrite_their_measure(w):
    m = w.m_a
    protected = ("pk", "plan_id", "code", "title", "owner_area_id", "category_id", "responsible")
    before = {name: getattr(m, name) for name in protected}
    planned = sorted(m.planned_effects.values_list("year", "low", "high"))
    data = {
        **FORGED,
        **_report_form(m),
        "owner_area": w.area_b.pk,
        "code": "M99",
        "title": "Kapad",
        "category": "1",
        "responsible": "Någon annan",
        "low_2024": "999",
        "high_2024": "999",
    }
    response = _client("dir_a").post(reverse("measures:measure_report", args=[m.pk]), data)
    assert response.status_code == 302
    m.refresh_from_db()
    assert {name: getattr(m, name) for name in protected} == before
    assert sorted(m.planned_effects.values_list("year", "low", "high")) == planned
    assert m.realised_effects.filter(year=2026, month=11).exists(), "the report itself is saved"


def test_a_director_saving_the_grid_cannot_approve_it_or_move_it(w):
    forecast = Forecast.objects.get(forecast_round=w.october, area=w.area_a)
    data = {
        **FORGED,
        **_grid(w, w.area_a),
        "status": "approved",
        "area": w.area_b.pk,
        "forecast_round": w.september.pk,
        "submitted_by": "1",
        "return_comment": "forged",
    }
    response = _client("dir_a").post(
        reverse("forecasts:forecast_edit", args=[w.october.pk, w.area_a.pk]), data
    )
    assert response.status_code == 302
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.DRAFT
    assert (forecast.area_id, forecast.forecast_round_id) == (w.area_a.pk, w.october.pk)
    assert forecast.approved_by_id is None and forecast.return_comment == ""


def test_finance_editing_a_measure_cannot_set_its_version_or_identity(w):
    m = w.m_a
    version = m.version
    data = {**FORGED, **_measure_form(m), "plan": "999999"}
    data["version_forged"] = "1000"
    response = _client("finance").post(reverse("measures:measure_edit", args=[m.pk]), data)
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.version == version + 1
    assert m.plan_id == w.plan.pk
    assert not Measure.objects.filter(pk=999999).exists()


def test_finance_opening_a_round_cannot_set_who_opened_it_or_its_state(w):
    data = {
        **FORGED,
        "plan": w.plan.pk,
        "year": 2024,
        "month": 11,
        "deadline": "2024-12-10",
        "comment_threshold": "500",
        "status": "closed",
        "opened_by": "1",
    }
    response = _client("finance").post(reverse("forecasts:round_create"), data)
    assert response.status_code == 302
    created = ForecastRound.objects.get(plan=w.plan, year=2024, month=11)
    assert created.status == ForecastRound.Status.OPEN
    assert created.opened_by.username == "ekonom"


def test_finance_editing_a_draft_report_cannot_publish_it_or_forge_its_checksum(w):
    data = {
        **FORGED,
        **_report_draft_form(w, w.draft),
        "status": "published",
        "corrects": w.published.pk,
    }
    response = _client("finance").post(reverse("report_edit", args=[w.draft.pk]), data)
    assert response.status_code == 302
    w.draft.refresh_from_db()
    assert w.draft.status == StatusReport.Status.DRAFT
    assert w.draft.checksum == "" and not w.draft.snapshot
    assert w.draft.title == "Ny titel", "the allowed fields are saved"


def test_shares_cannot_move_the_measure(w):
    m = w.m_region
    owner, plan = m.owner_area_id, m.plan_id
    data = {**FORGED, **_shares(w), "owner_area": w.area_a.pk, "status": "cancelled"}
    response = _client("finance").post(reverse("measures:measure_shares", args=[m.pk]), data)
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.owner_area_id, m.plan_id) == (owner, plan)
    assert m.status != Measure.Status.CANCELLED
    assert m.area_shares.count() == 2


# --- every URL pattern is in the matrix; the administration ---------------------------------------


def _patterns(resolver=None, prefix="", namespace=""):
    """Every named URL pattern of the project as 'namespace:name', with its route."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern)


def test_every_url_pattern_is_in_the_matrix():
    covered = {case.pattern for case in MATRIX}
    missing = sorted(
        f"{name} ({route})"
        for name, route in _patterns()
        if not route.startswith("admin/") and name not in covered
    )
    assert not missing, "URL patterns without a row in MATRIX: " + ", ".join(missing)


# The administration: finance keeps the organisation, plans and targets; user accounts and
# groups are the administrator's alone; directors and committee members have no access (the
# administration sends them to its login, which refuses them). Statuses after redirects: an
# anonymous or deactivated user ends on the application's login page (200).
ADMIN_PAGES = {
    "admin:index": _row(200, 403, 403, 200, 403, 200, 200),
    "admin:regionbudget_area_changelist": _row(200, 403, 403, 200, 403, 200, 200),
    "admin:regionbudget_area_add": _row(200, 403, 403, 200, 403, 200, 200),
    "admin:forecasts_plan_changelist": _row(200, 403, 403, 200, 403, 200, 200),
    # Finance may look users up (to bind an area director), never add or change them.
    "admin:auth_user_changelist": _row(200, 403, 403, 200, 403, 200, 200),
    "admin:auth_user_add": _row(200, 403, 403, 403, 403, 200, 200),
    "admin:auth_group_changelist": _row(200, 403, 403, 403, 403, 200, 200),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", sorted(ADMIN_PAGES))
def test_administration(w, page: str, role: str):
    response = _client(role).get(reverse(page), follow=True)
    assert response.status_code == ADMIN_PAGES[page][role]
    if role in ("anon", "inactive"):
        assert response.request["PATH_INFO"] == reverse("login")


@pytest.mark.parametrize("role", ROLES)
def test_administration_change_page_of_an_area(w, role: str):
    client = _client(role)
    url = reverse("admin:regionbudget_area_change", args=[w.area_a.pk])
    expected = _row(200, 403, 403, 200, 403, 200, 200)[role]
    assert client.get(url, follow=True).status_code == expected
    before = _fingerprint()
    client.post(url, {"code": "HACKED", "name": "Kapat"})
    if role not in ("finance", "admin"):
        assert _fingerprint() == before
        assert not Area.objects.filter(code="HACKED").exists()
