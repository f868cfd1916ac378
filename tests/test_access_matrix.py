"""Who may do what, on every page: each URL pattern × each kind of user × GET and POST.

The table ``MATRIX`` below is the specification: one row per case (a URL pattern with real demo
objects as arguments), one expected status code per user and method. A URL pattern of the
project that no row covers fails ``test_every_url_pattern_is_in_the_matrix``, so a new page
cannot be added without deciding who may open it. Wherever access is denied, the database
must be unchanged; wherever a role may write, the row's ``stored`` says what must be stored.

Users: ``anon`` (not logged in), ``dir_a`` (director of Länssjukvårdsområde somatik),
``dir_b`` (director of Länssjukvårdsområde psykiatri och habilitering), ``finance``,
``committee``, ``admin`` (superuser), ``inactive`` (a deactivated director of somatik, whose
session is still around: the app must treat them as logged out).
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from forecasts.models import Forecast, ForecastRound, ImportUpload, Plan
from measures.models import Measure
from regionbudget.core.models import ApiToken, Area, AreaDirector
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
    # a published report's PDF, made on its first download and kept
    "regionbudget_reportpdf",
    # the unlock link form's throttle (every request is counted, from anyone)
    "regionbudget_unlocklinkrequest",
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
    """The demo (loaded once per test database) and this module's additions, made once for the
    whole module inside a transaction rolled back at the end; every test runs in a savepoint
    inside it (pytest-django's ``db``)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
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
                october=ForecastRound.objects.get(year=2024, month=10),
                september=ForecastRound.objects.get(year=2024, month=9),
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


MEASURE_IMPORT_CSV = (
    "kod;åtgärd;kategori;område;status;2024 låg;2024 hög;2025 låg;2025 hög;2026 låg;2026 hög\n"
    "M40;Ny importerad åtgärd;Inköp;;proposed;1;2;;;;\n"
)


def _measure_import_file() -> dict:
    return {"file": SimpleUploadedFile("plan.csv", MEASURE_IMPORT_CSV.encode())}


def _stage_measure_import(client: Client, w: World) -> str:
    """Stage the checked action-plan file (one new measure, M40) for this client's user, as
    the upload page does."""
    from measures import selectors
    from measures.imports import REQUIRED_COLUMNS, import_columns, row_to_json, validate_rows
    from regionbudget.core.tabular import read_table

    columns = import_columns(w.plan.years)
    table = read_table(
        io.BytesIO(MEASURE_IMPORT_CSV.encode()),
        filename="plan.csv",
        columns=columns,
        required=REQUIRED_COLUMNS,
    )
    rows, errors = validate_rows(
        table,
        years=w.plan.years,
        categories=selectors.category_lookup(),
        areas=selectors.area_lookup(),
        columns=columns,
    )
    assert len(rows) == 1 and not errors
    users = get_user_model().objects
    user_id = client.session.get("_auth_user_id")
    upload = ImportUpload.objects.create(
        token=uuid.uuid4(),
        kind=ImportUpload.Kind.ACTION_PLAN,
        plan=w.plan,
        filename="plan.csv",
        row_count=1,
        rows=[row_to_json(r) for r in rows],
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
    stored: object = None  # callable(w, user): asserts what an allowed POST wrote


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


def _case(name, pattern, url, get, post, data=None, stored=None):
    MATRIX.append(Case(name, pattern, url, get, post, data, stored))


# --- what an allowed POST stores (``user`` is the one who posted) --------------------------------

# A POST the role may make that has nothing to do (e.g. approving an approved forecast): it is
# sent on with a message, and the database stays as it was.
UNCHANGED = "unchanged"


def _stored_report_draft(w: World, user, client: Client, *, pk=None) -> None:
    reports = StatusReport.objects.filter(title="Ny titel", plan=w.plan, meeting=w.meeting)
    report = reports.get(pk=pk) if pk else reports.get()
    assert (report.status, report.year, report.summary) == ("draft", 2026, "Ny sammanfattning.")
    if pk is None:
        assert report.created_by == user


def _stored_meeting(w: World, user, client: Client) -> None:
    meeting = Meeting.objects.get(committee="hsn", date=dt.date(2027, 1, 20))
    assert meeting.title == "HSN januari"


def _stored_published(w: World, user, client: Client) -> None:
    w.draft.refresh_from_db()
    assert w.draft.status == StatusReport.Status.PUBLISHED
    assert w.draft.published_by == user and w.draft.published_at is not None
    assert len(w.draft.checksum) == 64 and w.draft.snapshot


def _stored_round(w: World, user, client: Client) -> None:
    created = ForecastRound.objects.get(year=2024, month=11)
    assert (created.status, created.deadline) == ("open", dt.date(2024, 12, 10))
    assert created.comment_threshold == 500_000 and created.opened_by == user  # 500 tkr


def _stored_outside_budgets(w: World, user, client: Client) -> None:
    from forecasts.models import OutsideBudgetReduction

    stored = dict(OutsideBudgetReduction.objects.filter(plan=w.plan).values_list("year", "amount"))
    assert stored == {2024: 175_000_000, 2025: 150_000_000}  # 2026 left empty: none


def _stored_closed(w: World, user, client: Client) -> None:
    w.october.refresh_from_db()
    assert w.october.status == ForecastRound.Status.CLOSED


def _stored_language(w: World, user, client: Client) -> None:
    from regionbudget.core.models import UserPreference

    assert UserPreference.objects.get(user=user).language == "en"


def _stored_reminded(w: World, user, client: Client) -> None:
    # October's only late area is somatik (a draft after the deadline)
    from forecasts.models import ReminderSent

    sent = ReminderSent.objects.get(forecast_round=w.october)
    assert (sent.area, sent.sent_by, sent.kind) == (w.area_a, user, ReminderSent.Kind.LATE)


def _stored_grid(w: World, user, client: Client) -> None:
    forecast = Forecast.objects.get(forecast_round=w.october, area=w.area_a)
    assert (forecast.status, forecast.updated_by) == (Forecast.Status.DRAFT, user)
    # finance and the administrator write it on the area's behalf, its director does not
    assert forecast.entered_by == user
    assert forecast.entered_on_behalf is (user.username != "direktor.somatik")
    posted = {c: (line.amount, line.comment) for c, line in lines_like_budget(w.area_a).items()}
    stored = {
        (line.unit_id, line.account_group_id): (line.amount, line.comment)
        for line in forecast.lines.all()
    }
    assert stored == posted


def _stored_upload(w: World, user, client: Client) -> None:
    upload = ImportUpload.objects.exclude(pk=w.upload.pk).get(created_by=user)
    assert (upload.kind, upload.filename) == ("budget", "b.csv")
    assert bytes(upload.content) == "kostnadsställe;år;kontogrupp;belopp\n".encode()


def _stored_import(w: World, user, client: Client) -> None:
    from forecasts.models import Budget

    budget = Budget.objects.get(unit__code="1101", year=2025, account_group__name="Personal")
    assert budget.amount == 1
    assert not ImportUpload.objects.filter(pk=w.upload.pk).exists(), "a written upload is gone"


def _stored_new_measure(w: World, user, client: Client) -> None:
    created = Measure.objects.get(plan=w.plan, code="M41")
    assert (created.title, created.responsible) == (w.m_a.title + " (ändrad)", "Ny ansvarig")
    assert created.owner_area == w.area_a
    planned = set(created.planned_effects.values_list("year", "low", "high"))
    assert planned == {(year, 1_000_000, 1_000_000) for year in w.plan.years}


def _stored_staged_import(w: World, user, client: Client) -> None:
    (staged,) = ImportUpload.objects.filter(kind=ImportUpload.Kind.ACTION_PLAN, created_by=user)
    assert (staged.plan, staged.filename, staged.row_count) == (w.plan, "plan.csv", 1)
    assert [row["code"] for row in staged.rows] == ["M40"] and staged.errors == []


def _stored_imported_measure(w: World, user, client: Client) -> None:
    created = Measure.objects.get(plan=w.plan, code="M40")
    assert (created.title, created.status, created.owner_area) == (
        "Ny importerad åtgärd",
        "proposed",
        None,
    )
    assert set(created.planned_effects.values_list("year", "low", "high")) == {
        (2024, 1_000_000, 2_000_000)
    }
    staged = ImportUpload.objects.filter(kind=ImportUpload.Kind.ACTION_PLAN, created_by=user)
    assert not staged.exists(), "the saved import is no longer staged"


def _stored_measure_edit(w: World, user, client: Client) -> None:
    old = Measure.objects.get(pk=w.m_a.pk)
    assert (old.title, old.responsible) == (w.m_a.title + " (ändrad)", "Ny ansvarig")
    assert old.version == w.m_a.version + 1
    planned = set(old.planned_effects.values_list("year", "low", "high"))
    assert planned == {(year, 1_000_000, 1_000_000) for year in w.plan.years}


def _stored_report(measure: str):
    def check(w: World, user, client: Client) -> None:
        m = getattr(w, measure)
        effect = m.realised_effects.get(year=2026, month=11)
        assert (effect.amount, effect.comment, effect.recorded_by) == (500_000, "Rapport", user)
        assert Measure.objects.get(pk=m.pk).version == m.version + 1

    return check


def _stored_shares(w: World, user, client: Client) -> None:
    shares = dict(w.m_region.area_shares.values_list("area_id", "share"))
    assert shares == {w.area_a.pk: 50, w.area_b.pk: 50}


# Region-wide pages.
_case("home", "home", _r("home"), LOGIN_ONLY_GET, NOT_POST)
_case("healthz", "healthz", _r("healthz"), _row(*[200] * 7), _row(*[405] * 7))
# A logged-in user is sent on from the login page; a deactivated one is logged out.
LOGIN = _row(200, 302, 302, 302, 302, 302, 200)
_case("login", "login", _r("login"), LOGIN, LOGIN, lambda w: {})
_case("logout", "logout", _r("logout"), _row(*[405] * 7), _row(*[302] * 7), lambda w: {})
# A locked-out user's unlock link: no login needed (they cannot log in). Asking answers the same
# for everyone (on to the login page); a link that is not one of ours is refused (400).
_case(
    "login_unlock_request",
    "login_unlock_request",
    _r("login_unlock_request"),
    _row(*[200] * 7),
    _row(*[302] * 7),
    lambda w: {"asked_for": "nobody"},
)
_case(
    "login_unlock-forged",
    "login_unlock",
    _r("login_unlock", "forged:link"),
    _row(*[400] * 7),
    _row(*[400] * 7),
    lambda w: {},
)
_case(
    "set_language",
    "set_language",
    _r("set_language"),
    _row(*[302] * 7),
    _row(*[302] * 7),
    lambda w: {"language": "en", "next": "/"},
    stored=_stored_language,
)
GAP_GET = _row(302, 200, 200, 200, 403, 200, 302)
_case("gap_dashboard", "gap_dashboard", _r("gap_dashboard"), GAP_GET, NOT_POST)
_case("gap_data_json", "gap_data_json", _r("gap_data_json"), GAP_GET, NOT_POST)
_case("gap_data_csv", "gap_data_csv", _r("gap_data_csv"), GAP_GET, NOT_POST)
# Forecast accuracy: every role reads it (the committee too: approved forecasts and actuals
# only); a director's figures are their own areas' (tests/forecasts/test_accuracy_views.py).
for _name in ("forecast_accuracy", "forecast_accuracy_json", "forecast_accuracy_csv"):
    _case(_name, f"forecasts:{_name}", _r(f"forecasts:{_name}"), LOGIN_ONLY_GET, NOT_POST)


# API tokens for BI tools: finance's page. A new token's secret is shown on the POST's answer
# (201 Created), not after a redirect; revoking redirects to the list.
def _stored_api_token(w: World, user, client: Client) -> None:
    token = ApiToken.objects.get(name="BI matris")
    assert token.created_by == user and token.all_areas and token.revoked_at is None


def _matrix_api_token(w: World, client: Client) -> str:
    token = ApiToken.objects.create(
        name="BI att återkalla",
        prefix="rbt_matris0",
        secret_hash="0" * 64,
        all_areas=True,
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    return reverse("api_token_revoke", args=[token.pk])


def _stored_api_token_revoked(w: World, user, client: Client) -> None:
    token = ApiToken.objects.get(prefix="rbt_matris0")
    assert token.revoked_at is not None and token.revoked_by == user


_case(
    "api_tokens",
    "api_tokens",
    _r("api_tokens"),
    FINANCE_ONLY_GET,
    _row(302, 403, 403, 201, 403, 201, 302),
    lambda w: {
        "name": "BI matris",
        "scope": "region",
        "expires": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
    },
    stored=_stored_api_token,
)
_case(
    "api_token_revoke",
    "api_token_revoke",
    _matrix_api_token,
    NOT_GET,
    _row(302, 403, 403, 302, 403, 302, 302),
    lambda w: {},
    stored=_stored_api_token_revoked,
)

# People and roles: administrators add people and give roles; finance lists people and binds
# area directors to areas, nothing else.
ADMIN_ONLY_GET = _row(302, 403, 403, 403, 403, 200, 302)
ADMIN_WRITE = _row(302, 403, 403, 403, 403, 302, 302)


def _person_form(w: World) -> dict:
    return {
        "first_name": "Matris",
        "last_name": "Person",
        "email": "matris.person@example.se",
        "username": "matris.person",
        "roles": ["area_director"],
        "areas": [str(w.area_b.pk)],
    }


def _stored_new_person(w: World, user, client: Client) -> None:
    person = get_user_model().objects.get(username="matris.person")
    assert person.email == "matris.person@example.se" and not person.has_usable_password()
    assert list(person.area_bindings.values_list("area", flat=True)) == [w.area_b.pk]
    assert list(person.groups.values_list("name", flat=True)) == ["area_director"]


def _ledamot_form(w: World) -> dict:
    return {
        "first_name": "Lena",
        "last_name": "Ledamot",
        "email": "lena.ledamot@example.se",
        "username": "ledamot",
        "roles": ["committee"],
        "areas": [],
        "is_active": "on",
    }


def _stored_ledamot(w: World, user, client: Client) -> None:
    person = get_user_model().objects.get(username="ledamot")
    assert (person.first_name, person.email, person.is_active) == (
        "Lena",
        "lena.ledamot@example.se",
        True,
    )
    assert list(person.groups.values_list("name", flat=True)) == ["committee"]


def _stored_director_areas(w: World, user, client: Client) -> None:
    bound = AreaDirector.objects.filter(user__username=USERNAMES["dir_b"])
    assert set(bound.values_list("area", flat=True)) == {w.area_a.pk, w.area_b.pk}


_case("people_list", "people_list", _r("people_list"), FINANCE_ONLY_GET, NOT_POST)
_case(
    "person_create",
    "person_create",
    _r("person_create"),
    ADMIN_ONLY_GET,
    ADMIN_WRITE,
    _person_form,
    stored=_stored_new_person,
)
_case(
    "person_edit",
    "person_edit",
    _r("person_edit", lambda w: get_user_model().objects.get(username="ledamot").pk),
    ADMIN_ONLY_GET,
    ADMIN_WRITE,
    _ledamot_form,
    stored=_stored_ledamot,
)
_case(
    "person_areas",
    "person_areas",
    _r("person_areas", lambda w: get_user_model().objects.get(username=USERNAMES["dir_b"]).pk),
    FINANCE_ONLY_GET,
    _row(302, 403, 403, 302, 403, 302, 302),
    lambda w: {"areas": [str(w.area_a.pk), str(w.area_b.pk)]},
    stored=_stored_director_areas,
)

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
    stored=_stored_report_draft,
)
_case(
    "meeting_create",
    "meeting_create",
    _r("meeting_create"),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: {"committee": "hsn", "date": "2027-01-20", "title": "HSN januari"},
    stored=_stored_meeting,
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
    stored=lambda w, user, client: _stored_report_draft(w, user, client, pk=w.draft.pk),
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
    stored=_stored_published,
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

# Forecast rounds and forecasts: area A is somatik (a draft in October), area B psykiatri (approved
# in October: approving or returning it again is sent on with a message and changes nothing).
_case("round_list", "forecasts:round_list", _r("forecasts:round_list"), LOGIN_ONLY_GET, NOT_POST)
_case(
    "outside_budgets_edit",
    "forecasts:outside_budgets_edit",
    _r("forecasts:outside_budgets_edit", lambda w: w.plan.pk),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: {"amount_2024": "175", "amount_2025": "150", "amount_2026": ""},
    stored=_stored_outside_budgets,
)


# Plans and their deficit targets (mnkr): finance's pages.
def _plan_form(name: str, end_year: str) -> dict:
    return {
        "name": name,
        "organisation": "Hälso- och sjukvården",
        "baseline_year": "2023",
        "start_year": "2024",
        "end_year": end_year,
        "status": "active",
        "source": "",
        "description": "",
    }


def _stored_new_plan(w: World, user, client: Client) -> None:
    plan = Plan.objects.get(name="Matrisplan 2024–2025")
    assert (plan.baseline_year, plan.start_year, plan.end_year) == (2023, 2024, 2025)


def _stored_plan_edit(w: World, user, client: Client) -> None:
    plan = Plan.objects.get(pk=w.plan.pk)
    assert (plan.name, plan.end_year) == (PLAN, 2027)


def _targets_form(w: World) -> dict:
    # the whole plan only: every area's field is left empty (their targets are removed)
    return {"target_2024_plan": "300", "target_2025_plan": "500", "target_2026_plan": ""}


def _stored_targets(w: World, user, client: Client) -> None:
    from forecasts.models import DeficitTarget

    stored = set(DeficitTarget.objects.filter(plan=w.plan).values_list("year", "area", "amount"))
    assert stored == {(2024, None, 300_000_000), (2025, None, 500_000_000)}


_case("plan_list", "forecasts:plan_list", _r("forecasts:plan_list"), FINANCE_ONLY_GET, NOT_POST)
_case(
    "plan_create",
    "forecasts:plan_create",
    _r("forecasts:plan_create"),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: _plan_form("Matrisplan 2024–2025", "2025"),
    stored=_stored_new_plan,
)
_case(
    "plan_edit",
    "forecasts:plan_edit",
    _r("forecasts:plan_edit", lambda w: w.plan.pk),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: _plan_form(PLAN, "2027"),
    stored=_stored_plan_edit,
)
_case(
    "plan_targets_edit",
    "forecasts:plan_targets_edit",
    _r("forecasts:plan_targets_edit", lambda w: w.plan.pk),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    _targets_form,
    stored=_stored_targets,
)
_case(
    "round_create",
    "forecasts:round_create",
    _r("forecasts:round_create"),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: {
        "year": 2024,
        "month": 11,
        "deadline": "2024-12-10",
        "comment_threshold": "500",
    },
    stored=_stored_round,
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
    stored=_stored_closed,
)
_case(
    "round_remind",
    "forecasts:round_remind",
    _r("forecasts:round_remind", lambda w: w.october.pk),
    NOT_GET,
    FINANCE_WRITE,
    lambda w: {},
    stored=_stored_reminded,
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
    # the area's director, or finance (and the administrator) on the area's behalf
    _row(302, 200, 404, 200, 403, 200, 302),
    _row(302, 302, 404, 302, 403, 302, 302),
    lambda w: _grid(w, w.area_a),
    stored=_stored_grid,
)
_case(
    "forecast_download-own-draft",
    "forecasts:forecast_download",
    _r("forecasts:forecast_download", lambda w: w.october.pk, lambda w: w.area_a.pk),
    _row(302, 200, 404, 200, 404, 200, 302),
    NOT_POST,
)
_case(
    "forecast_approve-b-approved",
    "forecasts:forecast_approve",
    _r("forecasts:forecast_approve", lambda w: w.october.pk, lambda w: w.area_b.pk),
    NOT_GET,
    _row(302, 404, 403, 302, 403, 302, 302),
    lambda w: {"version": Forecast.objects.get(forecast_round=w.october, area=w.area_b).version},
    stored=UNCHANGED,
)
_case(
    "forecast_return-b-approved",
    "forecasts:forecast_return",
    _r("forecasts:forecast_return", lambda w: w.october.pk, lambda w: w.area_b.pk),
    NOT_GET,
    _row(302, 404, 403, 302, 403, 302, 302),
    lambda w: {
        "version": Forecast.objects.get(forecast_round=w.october, area=w.area_b).version,
        "comment": "Förklara avvikelsen.",
    },
    stored=UNCHANGED,
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
    stored=_stored_upload,
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
    stored=_stored_import,
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
    # A new measure starts as proposed: created as decided it would need its decision.
    lambda w: {
        **_measure_form(w.m_a),
        "code": "M41",
        "owner_area": w.area_a.pk,
        "status": "proposed",
    },
    stored=_stored_new_measure,
)
_case(
    "measure_import",
    "measures:measure_import",
    _r("measures:measure_import"),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: {"plan": w.plan.pk, **_measure_import_file()},
    stored=_stored_staged_import,
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
    stored=_stored_imported_measure,
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


def _with_file(m: Measure) -> int:
    """``m`` with a consequence analysis file; its pk."""
    from measures.models import ConsequenceAnalysisFile

    ConsequenceAnalysisFile.objects.update_or_create(
        measure=m,
        defaults={
            "name": "analys.pdf",
            "content_type": "application/pdf",
            "size": 9,
            "sha256": "0" * 64,
            "data": b"%PDF-1.7\n",
        },
    )
    return m.pk


# The consequence analysis file: whoever sees the measure downloads it (a director of another
# area gets 404 as for the measure).
_case(
    "measure_consequence_file-own",
    "measures:measure_consequence_file",
    _r("measures:measure_consequence_file", lambda w: _with_file(w.m_a)),
    _row(302, 200, 404, 200, 200, 200, 302),
    NOT_POST,
)
_case(
    "measure_consequence_file-region",
    "measures:measure_consequence_file",
    _r("measures:measure_consequence_file", lambda w: _with_file(w.m_region)),
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
    stored=_stored_measure_edit,
)
_case(
    "measure_report-own",
    "measures:measure_report",
    _r("measures:measure_report", lambda w: w.m_a.pk),
    _row(302, 200, 404, 200, 403, 200, 302),
    _row(302, 302, 404, 302, 403, 302, 302),
    lambda w: _report_form(w.m_a),
    stored=_stored_report("m_a"),
)


# Indicators, on the measure's page: finance and the director of the owning area.
def _stored_indicator(w: World, user, client: Client) -> None:
    from measures.models import Indicator

    indicator = Indicator.objects.get(measure=w.m_a, name="Matrisindikator")
    assert (indicator.unit, indicator.target) == ("dagar", 30)


def _stored_indicator_edit(w: World, user, client: Client) -> None:
    indicator = w.m_a.indicators.order_by("pk").first()
    assert (indicator.name, indicator.unit, indicator.target, indicator.baseline) == (
        "Ändrad indikator",
        "st",
        7,
        None,
    )


def _stored_indicator_value(w: World, user, client: Client) -> None:
    from measures.models import IndicatorValue

    value = IndicatorValue.objects.get(
        indicator=w.m_a.indicators.order_by("pk").first(), year=2026, month=11, unit=None
    )
    assert str(value.actual) == "12.5000"


_case(
    "indicator_create-own",
    "measures:indicator_create",
    _r("measures:indicator_create", lambda w: w.m_a.pk),
    _row(302, 200, 404, 200, 403, 200, 302),
    _row(302, 302, 404, 302, 403, 302, 302),
    lambda w: {"name": "Matrisindikator", "unit": "dagar", "target": "30", "direction": "decrease"},
    stored=_stored_indicator,
)
_case(
    "indicator_edit-own",
    "measures:indicator_edit",
    _r(
        "measures:indicator_edit",
        lambda w: w.m_a.pk,
        lambda w: w.m_a.indicators.order_by("pk").first().pk,
    ),
    _row(302, 200, 404, 200, 403, 200, 302),
    _row(302, 302, 404, 302, 403, 302, 302),
    lambda w: {"name": "Ändrad indikator", "unit": "st", "target": "7", "direction": "increase"},
    stored=_stored_indicator_edit,
)
_case(
    "indicator_value_add-own",
    "measures:indicator_value_add",
    _r(
        "measures:indicator_value_add",
        lambda w: w.m_a.pk,
        lambda w: w.m_a.indicators.order_by("pk").first().pk,
    ),
    _row(302, 200, 404, 200, 403, 200, 302),
    _row(302, 302, 404, 302, 403, 302, 302),
    lambda w: {"year": "2026", "month": "11", "actual": "12,5"},
    stored=_stored_indicator_value,
)
_case(
    "measure_report-region",
    "measures:measure_report",
    _r("measures:measure_report", lambda w: w.m_region.pk),
    _row(302, 403, 403, 200, 403, 200, 302),
    _row(302, 403, 403, 302, 403, 302, 302),
    lambda w: _report_form(w.m_region),
    stored=_stored_report("m_region"),
)
_case(
    "measure_shares-region",
    "measures:measure_shares",
    _r("measures:measure_shares", lambda w: w.m_region.pk),
    _row(302, 403, 403, 200, 403, 200, 302),
    FINANCE_WRITE,
    _shares,
    stored=_stored_shares,
)


# --- the balance requirement: everyone with a role reads the ledger and its exports; finance
# enters and changes the statements ------------------------------------------------------------


def _balance_form(*, year: str, version="") -> dict:
    return {
        "year": year,
        "kind": "forecast",
        "note": "Matris",
        "version": version,
        "line_1_kind": "result",
        "line_1_label": "Årets resultat",
        "line_1_amount": "−12,5",
    }


def _balance_version(year: int) -> int:
    from regionbudget.balance.models import BalanceYear

    return BalanceYear.objects.get(year=year).version


def _stored_balance(year: int):
    def check(w: World, user, client: Client) -> None:
        from regionbudget.balance.models import BalanceYear

        stored = BalanceYear.objects.get(year=year)
        assert (stored.kind, stored.note, stored.updated_by) == ("forecast", "Matris", user)
        assert list(stored.lines.values_list("kind", "amount")) == [("result", -12_500_000)]

    return check


def _removed_balance(year: int):
    def check(w: World, user, client: Client) -> None:
        from regionbudget.balance.models import BalanceLine, BalanceYear

        assert not BalanceYear.objects.filter(year=year).exists()
        assert not BalanceLine.objects.filter(balance_year__year=year).exists()

    return check


_case("balance-ledger", "balance:ledger", _r("balance:ledger"), LOGIN_ONLY_GET, NOT_POST)
_case(
    "balance-ledger_json",
    "balance:ledger_json",
    _r("balance:ledger_json"),
    LOGIN_ONLY_GET,
    NOT_POST,
)
_case(
    "balance-ledger_export",
    "balance:ledger_export",
    _r("balance:ledger_export"),
    LOGIN_ONLY_GET,
    NOT_POST,
)
_case(
    "balance-year_create",
    "balance:year_create",
    _r("balance:year_create"),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: _balance_form(year="2027"),
    stored=_stored_balance(2027),
)
_case(
    "balance-year_edit",
    "balance:year_edit",
    _r("balance:year_edit", 2024),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: _balance_form(year="2024", version=_balance_version(2024)),
    stored=_stored_balance(2024),
)
_case(
    "balance-year_delete",
    "balance:year_delete",
    _r("balance:year_delete", 2024),
    FINANCE_ONLY_GET,
    FINANCE_WRITE,
    lambda w: {"version": str(_balance_version(2024))},
    stored=_removed_balance(2024),
)
_case(
    "balance-year_edit-missing",
    "balance:year_edit",
    _r("balance:year_edit", 2031),
    _row(302, 403, 403, 404, 403, 404, 302),
    _row(302, 403, 403, 404, 403, 404, 302),
    lambda w: _balance_form(year="2031", version=1),
)

# --- running it ---------------------------------------------------------------------------------


def _fingerprint(tables: list[str] | None = None) -> dict[str, str]:
    """A digest of every row of ``tables`` (default: every table but the volatile ones), in one
    round trip."""
    with connection.cursor() as cursor:
        if tables is None:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
            tables = [t for (t,) in cursor.fetchall() if t not in VOLATILE_TABLES]
        if not tables:
            return {}
        digest = "coalesce(md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))), '')"
        parts = [f"SELECT '{t}', {digest} FROM \"{t}\" x" for t in tables]  # noqa: S608
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


def _write_counts() -> dict[str, int]:
    """Rows inserted, updated or deleted per table so far in this transaction (PostgreSQL's
    per-transaction statistics)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
        )
        return dict(cursor.fetchall())


@contextmanager
def database_unchanged(message: str):
    """Assert that the block leaves every table but the volatile ones exactly as it was: the same
    check as comparing ``_fingerprint()`` before and after, at a fraction of its cost. The tables
    the block wrote rows to (PostgreSQL's per-transaction counters) are digested as the block
    left them, then the block is rolled back (a savepoint) and they are digested again; a table
    no row was written to is unchanged. Use it last in a test: the block's writes are undone."""
    counts = _write_counts()
    savepoint = transaction.savepoint()
    yield
    written = sorted(
        table
        for table, count in _write_counts().items()
        if count != counts.get(table, 0) and table not in VOLATILE_TABLES
    )
    after = _fingerprint(written)
    transaction.savepoint_rollback(savepoint)
    assert _fingerprint(written) == after, f"{message} (rows written in {written})"


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
    if method == "GET":
        response = client.get(url)
    elif _is_allowed_write(case, role) and case.stored != UNCHANGED:
        response = client.post(url, case.data(w) if case.data else {})
    else:  # a refused POST, or one with nothing to do: the database stays as it was
        data = case.data(w) if case.data else {}
        with database_unchanged(f"POST {url} as {role} changed the database"):
            response = client.post(url, data)
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
    if method == "POST" and _is_allowed_write(case, role) and case.stored != UNCHANGED:
        user = get_user_model().objects.get(username=USERNAMES[role])
        case.stored(w, user, client)


def test_every_allowed_write_says_what_it_stores():
    missing = sorted(
        case.name
        for case in MATRIX
        for role in ROLES
        if _is_allowed_write(case, role) and case.stored is None
    )
    assert not missing, f"rows whose allowed POSTs assert nothing stored: {missing}"


def _is_allowed_write(case: Case, role: str) -> bool:
    """A 302 after a POST is a write for those who may write (201: a new API token, whose
    secret the answer shows); logging in and out change no application data (choosing a
    language keeps it as the user's own, for their e-mail); asking for an unlock link writes
    only the throttle's bookkeeping, and a forged link nothing."""
    if case.name in ("login", "logout", "login_unlock_request", "login_unlock-forged"):
        return False
    return case.post[role] in (201, 302) and role not in ("anon", "inactive")


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
    created = ForecastRound.objects.get(year=2024, month=11)
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
# anonymous or deactivated user ends on the application's login page (200). Every registered
# model's list, add, change and delete pages are in test_permission_matrix.py
# (test_administration_get); the index is here.
ADMIN_PAGES = {
    "admin:index": _row(200, 403, 403, 200, 403, 200, 200),
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
