"""The permission matrix, second half: the cases ``test_access_matrix.py`` leaves out.

``tests/test_access_matrix.py`` holds one row per URL pattern, mostly with area A's objects. This
module adds the mirror cases (area B's objects, region-wide measures, forecasts in every state,
closed rounds, someone else's upload, unknown tokens and ids), the whole administration (every
registered model: list, add, change, delete), and more "extra POST fields" checks. It reuses the
other module's demo world (loaded once per module, rolled back at the end).

Every POST states who may write: for those roles the database must change, for every other role
it must stay exactly as it was (a digest of every application table), whatever the status code.
No GET writes a single row (PostgreSQL's per-transaction write counters).

Users, in the order of every row: anon, dir_a (director of somatik), dir_b (director of
psykiatri), finance, committee, admin, inactive (a deactivated director of somatik). Other
methods, CSRF, rights taken away mid-session, users without a role or area, and the gap filters'
scope are in ``test_access_edges.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forecasts import services as forecast_services
from forecasts.models import Forecast, ForecastLine, ForecastRound, ImportUpload
from measures.models import AreaShare, Measure, RealisedEffect
from regionbudget.core.models import Area, Unit
from regionbudget.reports.models import Meeting, StatusReport
from tests import test_access_matrix as base
from tests.forecasts.helpers import cells, grid_post, lines_like_budget

ROLES = base.ROLES
_row = base._row
_client = base._client
_fingerprint = base._fingerprint
FORGED = base.FORGED

# The other module's module-scoped demo world, made available to this module's tests.
world = base.world


def _writes() -> dict[str, int]:
    """Rows inserted, updated or deleted per table so far in this transaction (PostgreSQL's
    per-transaction statistics): a cheap check that a GET wrote nothing at all."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
            " WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"
        )
        return {t: n for t, n in cursor.fetchall() if t not in base.VOLATILE_TABLES}


WRITERS_FINANCE = frozenset({"finance", "admin"})
NOBODY = frozenset()


@dataclass
class Extra:
    """Objects this module adds to the demo world."""

    december: ForecastRound  # open; area A submitted, area B a draft
    foreign_upload: ImportUpload  # staged by a second finance user


@pytest.fixture(scope="module")
def extra(world, django_db_blocker):
    """Made once, inside the world's transaction (rolled back with it)."""
    user_model = get_user_model()
    with django_db_blocker.unblock():
        ekonom = user_model.objects.get(username="ekonom")
        december = forecast_services.round_open(
            year=2024,
            month=12,
            deadline=dt.date(2099, 1, 10),
            user=ekonom,
        )
        forecast_services.forecast_submit(
            forecast_round=december,
            area=world.area_a,
            lines=lines_like_budget(world.area_a),
            expected_version=0,
            user=user_model.objects.get(username="direktor.somatik"),
        )
        forecast_services.forecast_save(
            forecast_round=december,
            area=world.area_b,
            lines=lines_like_budget(world.area_b),
            expected_version=0,
            user=user_model.objects.get(username="direktor.psykiatri"),
        )
        other = user_model.objects.create_user("ekonom2", password="x-unused-x")
        other.groups.add(Group.objects.get(name="finance"))
        upload = forecast_services.import_upload_store(
            kind="budget",
            filename="budget.csv",
            content="kostnadsställe;år;kontogrupp;belopp\n1101;2025;Personal;1\n".encode(),
            user=other,
        )
    return Extra(december=december, foreign_upload=upload)


@pytest.fixture
def w(world, extra, db):
    """The world and this module's objects, fresh from the database for each test."""
    for name in ("october", "september", "m_a", "m_b", "m_region", "published", "draft"):
        getattr(world, name).refresh_from_db()
    extra.december.refresh_from_db()
    world.extra["x"] = extra
    return world


def _x(w) -> Extra:
    return w.extra["x"]


def _forecast(w, forecast_round, area) -> Forecast:
    return Forecast.objects.get(forecast_round=forecast_round, area=area)


def _grid_at(w, forecast_round, area) -> dict:
    forecast = Forecast.objects.filter(forecast_round=forecast_round, area=area).first()
    return grid_post(lines_like_budget(area), version=forecast.version if forecast else 0)


# --- what the POST of a role in ``writes`` stores (``user`` is the one who posted) ----------------


def _stored_grid_b(w, user) -> None:
    forecast = _forecast(w, _x(w).december, w.area_b)
    assert (forecast.status, forecast.updated_by) == (Forecast.Status.DRAFT, user)
    posted = {c: (line.amount, line.comment) for c, line in lines_like_budget(w.area_b).items()}
    stored = {
        (line.unit_id, line.account_group_id): (line.amount, line.comment)
        for line in forecast.lines.all()
    }
    assert stored == posted


def _stored_review_a(status: str, comment: str = ""):
    def check(w, user) -> None:
        forecast = _forecast(w, _x(w).december, w.area_a)
        assert (forecast.status, forecast.return_comment) == (status, comment)
        if status == Forecast.Status.APPROVED:
            assert forecast.approved_by == user and forecast.approved_at is not None
        else:
            assert forecast.approved_by is None

    return check


def _stored_december_closed(w, user) -> None:
    _x(w).december.refresh_from_db()
    assert _x(w).december.status == ForecastRound.Status.CLOSED


def _stored_measure_edit(measure: str):
    def check(w, user) -> None:
        before = getattr(w, measure)
        after = Measure.objects.get(pk=before.pk)
        assert (after.title, after.responsible) == (before.title + " (ändrad)", "Ny ansvarig")
        assert after.version == before.version + 1
        planned = set(after.planned_effects.values_list("year", "low", "high"))
        assert planned == {(year, 1_000_000, 1_000_000) for year in w.plan.years}

    return check


def _stored_report_b(w, user) -> None:
    effect = RealisedEffect.objects.get(measure=w.m_b, year=2026, month=11)
    assert (effect.amount, effect.comment, effect.recorded_by) == (500_000, "Rapport", user)
    assert Measure.objects.get(pk=w.m_b.pk).version == w.m_b.version + 1


# --- the matrix ---------------------------------------------------------------------------------


@dataclass
class Case:
    """A URL with real arguments, the statuses per role for GET and POST, the POST body, and the
    roles whose POST must write (for every other role the database must stay unchanged)."""

    name: str
    pattern: str
    url: object  # callable(w) -> str
    get: dict
    post: dict
    data: object = None  # callable(w) -> dict
    writes: frozenset = NOBODY
    stored: object = None  # callable(w, user): asserts what the POST of a writer stored


def _r(name, *args):
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


def _uid(username: str) -> int:
    return get_user_model().objects.get(username=username).pk


def _stored_roles(username: str, groups: set, *, superuser: bool) -> None:
    person = get_user_model().objects.get(username=username)
    assert set(person.groups.values_list("name", flat=True)) == groups
    assert person.is_superuser is superuser


LOGIN_ONLY_GET = _row(302, 200, 200, 200, 200, 200, 302)
NOT_POST = _row(302, 405, 405, 405, 405, 405, 302)
NOT_GET = _row(302, 405, 405, 405, 405, 405, 302)
FINANCE_404 = _row(302, 403, 403, 404, 403, 404, 302)
ALL_404 = _row(302, 404, 404, 404, 404, 404, 302)

MATRIX: list[Case] = [
    # --- forecasts in every state, area B's side ---
    Case(
        "forecast_detail-a-approved-closed_round",
        "forecasts:forecast_detail",
        _r("forecasts:forecast_detail", lambda w: w.september.pk, lambda w: w.area_a.pk),
        _row(302, 200, 404, 200, 200, 200, 302),
        NOT_POST,
    ),
    Case(
        "forecast_detail-b-draft",
        "forecasts:forecast_detail",
        _r("forecasts:forecast_detail", lambda w: _x(w).december.pk, lambda w: w.area_b.pk),
        _row(302, 404, 200, 200, 404, 200, 302),
        NOT_POST,
    ),
    Case(
        "forecast_detail-a-submitted",
        "forecasts:forecast_detail",
        _r("forecasts:forecast_detail", lambda w: _x(w).december.pk, lambda w: w.area_a.pk),
        _row(302, 200, 404, 200, 404, 200, 302),
        NOT_POST,
    ),
    Case(
        "forecast_detail-missing_area",
        "forecasts:forecast_detail",
        _r("forecasts:forecast_detail", lambda w: w.october.pk, 999999),
        ALL_404,
        NOT_POST,
    ),
    Case(
        "forecast_edit-b-draft",
        "forecasts:forecast_edit",
        _r("forecasts:forecast_edit", lambda w: _x(w).december.pk, lambda w: w.area_b.pk),
        # its director, or finance and the administrator on the area's behalf
        _row(302, 404, 200, 200, 403, 200, 302),
        _row(302, 404, 302, 302, 403, 302, 302),
        lambda w: _grid_at(w, _x(w).december, w.area_b),
        frozenset({"dir_b", "finance", "admin"}),
        stored=_stored_grid_b,
    ),
    # Locked: approved, submitted, or in a closed round. The owner (and finance, who may write
    # on the area's behalf) is sent to the read-only page and nothing is written.
    Case(
        "forecast_edit-b-approved",
        "forecasts:forecast_edit",
        _r("forecasts:forecast_edit", lambda w: w.october.pk, lambda w: w.area_b.pk),
        _row(302, 404, 302, 302, 403, 302, 302),
        _row(302, 404, 302, 302, 403, 302, 302),
        lambda w: _grid_at(w, w.october, w.area_b),
    ),
    Case(
        "forecast_edit-a-submitted",
        "forecasts:forecast_edit",
        _r("forecasts:forecast_edit", lambda w: _x(w).december.pk, lambda w: w.area_a.pk),
        _row(302, 302, 404, 302, 403, 302, 302),
        _row(302, 302, 404, 302, 403, 302, 302),
        lambda w: _grid_at(w, _x(w).december, w.area_a),
    ),
    Case(
        "forecast_edit-a-closed_round",
        "forecasts:forecast_edit",
        _r("forecasts:forecast_edit", lambda w: w.september.pk, lambda w: w.area_a.pk),
        _row(302, 302, 404, 302, 403, 302, 302),
        _row(302, 302, 404, 302, 403, 302, 302),
        lambda w: _grid_at(w, w.september, w.area_a),
    ),
    # Review: a director may not review even their own area (403); a submitted forecast is not
    # the committee's to see (404).
    Case(
        "forecast_approve-a-submitted",
        "forecasts:forecast_approve",
        _r("forecasts:forecast_approve", lambda w: _x(w).december.pk, lambda w: w.area_a.pk),
        NOT_GET,
        _row(302, 403, 404, 302, 404, 302, 302),
        lambda w: {"version": _forecast(w, _x(w).december, w.area_a).version},
        WRITERS_FINANCE,
        stored=_stored_review_a(Forecast.Status.APPROVED),
    ),
    Case(
        "forecast_return-a-submitted",
        "forecasts:forecast_return",
        _r("forecasts:forecast_return", lambda w: _x(w).december.pk, lambda w: w.area_a.pk),
        NOT_GET,
        _row(302, 403, 404, 302, 404, 302, 302),
        lambda w: {
            "version": _forecast(w, _x(w).december, w.area_a).version,
            "comment": "Förklara avvikelsen på hyrpersonal.",
        },
        WRITERS_FINANCE,
        stored=_stored_review_a(Forecast.Status.RETURNED, "Förklara avvikelsen på hyrpersonal."),
    ),
    Case(
        "forecast_approve-a-draft",
        "forecasts:forecast_approve",
        _r("forecasts:forecast_approve", lambda w: w.october.pk, lambda w: w.area_a.pk),
        NOT_GET,
        _row(302, 403, 404, 302, 404, 302, 302),
        lambda w: {"version": _forecast(w, w.october, w.area_a).version},
    ),
    Case(
        "forecast_return-b-draft",
        "forecasts:forecast_return",
        _r("forecasts:forecast_return", lambda w: _x(w).december.pk, lambda w: w.area_b.pk),
        NOT_GET,
        _row(302, 404, 403, 302, 404, 302, 302),
        lambda w: {"version": _forecast(w, _x(w).december, w.area_b).version, "comment": "Nej."},
    ),
    # --- rounds and areas ---
    Case(
        "round_detail-closed",
        "forecasts:round_detail",
        _r("forecasts:round_detail", lambda w: w.september.pk),
        LOGIN_ONLY_GET,
        NOT_POST,
    ),
    Case(
        "round_detail-missing",
        "forecasts:round_detail",
        _r("forecasts:round_detail", 999999),
        ALL_404,
        NOT_POST,
    ),
    Case(
        "round_close-already_closed",
        "forecasts:round_close",
        _r("forecasts:round_close", lambda w: w.september.pk),
        NOT_GET,
        _row(302, 403, 403, 302, 403, 302, 302),
        lambda w: {},
    ),
    Case(
        "round_close-december",
        "forecasts:round_close",
        _r("forecasts:round_close", lambda w: _x(w).december.pk),
        NOT_GET,
        _row(302, 403, 403, 302, 403, 302, 302),
        lambda w: {},
        WRITERS_FINANCE,
        stored=_stored_december_closed,
    ),
    # Reminders: a closed round, or an open one with nobody late, reminds nobody.
    Case(
        "round_remind-closed",
        "forecasts:round_remind",
        _r("forecasts:round_remind", lambda w: w.september.pk),
        NOT_GET,
        _row(302, 403, 403, 302, 403, 302, 302),
        lambda w: {},
    ),
    Case(
        "round_remind-nobody_late",
        "forecasts:round_remind",
        _r("forecasts:round_remind", lambda w: _x(w).december.pk),
        NOT_GET,
        _row(302, 403, 403, 302, 403, 302, 302),
        lambda w: {},
    ),
    Case(
        "round_remind-missing",
        "forecasts:round_remind",
        _r("forecasts:round_remind", 999999),
        NOT_GET,
        FINANCE_404,
        lambda w: {},
    ),
    Case(
        "area_detail-b",
        "forecasts:area_detail",
        _r("forecasts:area_detail", lambda w: w.area_b.pk),
        _row(302, 404, 200, 200, 200, 200, 302),
        NOT_POST,
    ),
    Case(
        "area_detail-missing",
        "forecasts:area_detail",
        _r("forecasts:area_detail", 999999),
        ALL_404,
        NOT_POST,
    ),
    # --- imports: someone else's upload, unknown tokens, unknown templates ---
    Case(
        "import_preview-foreign",
        "forecasts:import_preview",
        _r("forecasts:import_preview", lambda w: _x(w).foreign_upload.token),
        FINANCE_404,
        NOT_POST,
    ),
    Case(
        "import_errors-foreign",
        "forecasts:import_errors",
        _r("forecasts:import_errors", lambda w: _x(w).foreign_upload.token),
        FINANCE_404,
        NOT_POST,
    ),
    Case(
        "import_confirm-foreign",
        "forecasts:import_confirm",
        _r("forecasts:import_confirm", lambda w: _x(w).foreign_upload.token),
        NOT_GET,
        FINANCE_404,
        lambda w: {"replace": "on"},
    ),
    Case(
        "import_confirm-unknown",
        "forecasts:import_confirm",
        _r("forecasts:import_confirm", uuid.UUID(int=7)),
        NOT_GET,
        _row(302, 403, 403, 302, 403, 302, 302),
        lambda w: {"replace": "on"},
    ),
    Case(
        "import_template-unknown_kind",
        "forecasts:import_template",
        _r("forecasts:import_template", "salaries", "csv"),
        FINANCE_404,
        NOT_POST,
    ),
    Case(
        "import_template-budget_csv",
        "forecasts:import_template",
        _r("forecasts:import_template", "budget", "csv"),
        _row(302, 403, 403, 200, 403, 200, 302),
        NOT_POST,
    ),
    # --- measures: area B's, region-wide, missing ---
    Case(
        "measure_edit-b",
        "measures:measure_edit",
        _r("measures:measure_edit", lambda w: w.m_b.pk),
        _row(302, 404, 403, 200, 403, 200, 302),
        _row(302, 404, 403, 302, 403, 302, 302),
        lambda w: base._measure_form(w.m_b),
        WRITERS_FINANCE,
        stored=_stored_measure_edit("m_b"),
    ),
    Case(
        "measure_edit-region",
        "measures:measure_edit",
        _r("measures:measure_edit", lambda w: w.m_region.pk),
        _row(302, 403, 403, 200, 403, 200, 302),
        _row(302, 403, 403, 302, 403, 302, 302),
        lambda w: base._measure_form(w.m_region),
        WRITERS_FINANCE,
        stored=_stored_measure_edit("m_region"),
    ),
    Case(
        "measure_report-b",
        "measures:measure_report",
        _r("measures:measure_report", lambda w: w.m_b.pk),
        _row(302, 404, 200, 200, 403, 200, 302),
        _row(302, 404, 302, 302, 403, 302, 302),
        lambda w: base._report_form(w.m_b),
        frozenset({"dir_b", "finance", "admin"}),
        stored=_stored_report_b,
    ),
    Case(
        "measure_shares-own_not_region_wide",
        "measures:measure_shares",
        _r("measures:measure_shares", lambda w: w.m_a.pk),
        _row(302, 403, 404, 404, 403, 404, 302),
        _row(302, 403, 404, 404, 403, 404, 302),
        lambda w: {
            "version": w.m_a.version,
            f"share_{w.area_a.pk}": "50",
            f"share_{w.area_b.pk}": "50",
        },
    ),
    Case(
        "measure_detail-missing",
        "measures:measure_detail",
        _r("measures:measure_detail", 999999),
        ALL_404,
        NOT_POST,
    ),
    Case(
        "measure_report-missing",
        "measures:measure_report",
        _r("measures:measure_report", 999999),
        ALL_404,
        ALL_404,
        lambda w: base._report_form(w.m_a),
    ),
    Case(
        "measure_export-xlsx",
        "measures:measure_export",
        _r("measures:measure_export", "xlsx"),
        LOGIN_ONLY_GET,
        NOT_POST,
    ),
    Case(
        "measure_export-unknown_format",
        "measures:measure_export",
        _r("measures:measure_export", "pdf"),
        ALL_404,
        NOT_POST,
    ),
    # A staged import lives in the session of the user who uploaded it: a token of nobody's.
    Case(
        "measure_import_preview-unknown",
        "measures:measure_import_preview",
        _r("measures:measure_import_preview", "not-staged"),
        FINANCE_404,
        NOT_POST,
    ),
    Case(
        "measure_import_confirm-unknown",
        "measures:measure_import_confirm",
        _r("measures:measure_import_confirm", "not-staged"),
        NOT_GET,
        # Like a second click on "save": back to the upload page with a message, nothing written.
        _row(302, 403, 403, 302, 403, 302, 302),
        lambda w: {},
    ),
    # --- people and roles: refusals that write nothing ---
    # An administrator changing their own roles (to finance only) is refused with a message.
    Case(
        "person_edit-self",
        "person_edit",
        _r("person_edit", lambda w: _uid("admin")),
        _row(302, 403, 403, 403, 403, 200, 302),
        _row(302, 403, 403, 403, 403, 200, 302),
        lambda w: {
            "first_name": "A",
            "last_name": "B",
            "email": "admin@example.se",
            "username": "admin",
            "roles": ["finance"],
            "is_active": "on",
        },
    ),
    # Finance making someone an administrator or finance: only an administrator gives roles.
    Case(
        "person_edit-director_made_admin",
        "person_edit",
        _r("person_edit", lambda w: _uid("direktor.somatik")),
        _row(302, 403, 403, 403, 403, 200, 302),
        _row(302, 403, 403, 403, 403, 302, 302),
        lambda w: {
            "first_name": "S",
            "last_name": "D",
            "email": "somatik@example.se",
            "username": "direktor.somatik",
            "roles": ["admin", "finance"],
            "is_active": "on",
        },
        frozenset({"admin"}),
        stored=lambda w, user: _stored_roles("direktor.somatik", {"finance"}, superuser=True),
    ),
    # Binding areas makes nobody a director: the committee member's areas are refused.
    Case(
        "person_areas-not_a_director",
        "person_areas",
        _r("person_areas", lambda w: _uid("ledamot")),
        _row(302, 403, 403, 200, 403, 200, 302),
        _row(302, 403, 403, 200, 403, 200, 302),
        lambda w: {"areas": [str(w.area_a.pk)]},
    ),
    # Nobody chooses their own areas.
    Case(
        "person_areas-self",
        "person_areas",
        _r("person_areas", lambda w: _uid("ekonom")),
        _row(302, 403, 403, 403, 403, 200, 302),
        _row(302, 403, 403, 403, 403, 200, 302),
        lambda w: {"areas": [str(w.area_a.pk)]},
    ),
    Case(
        "person_edit-missing",
        "person_edit",
        _r("person_edit", 999999),
        _row(302, 403, 403, 403, 403, 404, 302),
        _row(302, 403, 403, 403, 403, 404, 302),
        lambda w: {},
    ),
    # --- status reports ---
    Case(
        "report_publish-published",
        "report_publish",
        _r("report_publish", lambda w: w.published.pk),
        NOT_GET,
        _row(302, 403, 403, 409, 403, 409, 302),
        lambda w: {"version": w.published.version},
    ),
    Case(
        "report_publish-draft_stale_version",
        "report_publish",
        _r("report_publish", lambda w: w.draft.pk),
        NOT_GET,
        _row(302, 403, 403, 302, 403, 302, 302),
        lambda w: {"version": w.draft.version + 5},
    ),
    Case(
        "report_edit-missing",
        "report_edit",
        _r("report_edit", 999999),
        _row(302, 403, 403, 404, 403, 404, 302),
        _row(302, 403, 403, 404, 403, 404, 302),
        lambda w: base._report_draft_form(w, w.draft),
    ),
    Case(
        "report_detail-missing",
        "report_detail",
        _r("report_detail", 999999),
        ALL_404,
        NOT_POST,
    ),
]


def _cells():
    for case in MATRIX:
        for method in ("GET", "POST"):
            for role in ROLES:
                yield pytest.param(case, method, role, id=f"{case.name}-{role}-{method}")


@pytest.mark.parametrize(("case", "method", "role"), list(_cells()))
def test_access(w, case: Case, method: str, role: str):
    client = _client(role)
    url = case.url(w)
    expected = (case.get if method == "GET" else case.post)[role]
    data = case.data(w) if case.data and method == "POST" else {}
    if method == "GET":
        before = _writes()
        response = client.get(url)
        assert _writes() == before, f"GET {url} as {role} wrote to the database"
    elif role in case.writes:
        before = _fingerprint()
        response = client.post(url, data)
        assert _fingerprint() != before, f"an allowed POST wrote nothing: {url} as {role}"
        case.stored(w, get_user_model().objects.get(username=base.USERNAMES[role]))
    else:
        with base.database_unchanged(f"POST {url} as {role} changed the database"):
            response = client.post(url, data)
    assert response.status_code == expected, (
        f"{method} {url} as {role}: {response.status_code}, expected {expected}"
    )
    if response.status_code == 302 and role in ("anon", "inactive"):
        assert response["Location"].startswith(reverse("login")), response["Location"]


def test_every_url_pattern_is_in_a_matrix():
    """Together with the first half, every non-admin URL pattern has rows; every row of this
    module names a real pattern."""
    patterns = {name for name, route in base._patterns() if not route.startswith("admin/")}
    covered = {case.pattern for case in base.MATRIX} | {case.pattern for case in MATRIX}
    missing = sorted(patterns - covered)
    assert not missing, f"URL patterns in no matrix: {missing}"
    unknown = sorted({case.pattern for case in MATRIX} - patterns)
    assert not unknown, f"rows of unknown patterns: {unknown}"


def test_every_write_says_what_it_stores():
    missing = sorted(case.name for case in MATRIX if case.writes and case.stored is None)
    assert not missing, f"rows whose writers' POSTs assert nothing stored: {missing}"


def test_case_names_are_unique():
    names = [case.name for case in MATRIX]
    assert len(names) == len(set(names))


# --- the administration: every registered model ---------------------------------------------------

# Statuses after following redirects (the administration first sends everyone without access
# to its own login, which passes them on). LOGIN: ends on the application's login page.
LOGIN = "login"
APP_ADMIN = _row(LOGIN, 403, 403, 200, 403, 200, LOGIN)
ADMIN_ONLY = _row(LOGIN, 403, 403, 403, 403, 200, LOGIN)
# Finance may look user accounts up (to bind an area director), never add, change or delete.
USERS_READ = _row(LOGIN, 403, 403, 200, 403, 200, LOGIN)
# The login throttle's records are read-only in the administration (no add page).
AXES_ADD = _row(LOGIN, 403, 403, 403, 403, 403, LOGIN)

# model label -> (changelist, add, change, delete) GET statuses; None: no row to open (the login
# throttle's tables are empty in the demo).
ADMIN_MODELS = {
    "auth.group": (ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY, ADMIN_ONLY),
    "auth.user": (USERS_READ, ADMIN_ONLY, USERS_READ, ADMIN_ONLY),
    "axes.accessattempt": (ADMIN_ONLY, AXES_ADD, None, None),
    "axes.accesslog": (ADMIN_ONLY, AXES_ADD, None, None),
    "axes.accessfailurelog": (ADMIN_ONLY, AXES_ADD, None, None),
    "regionbudget.area": (APP_ADMIN,) * 4,
    "regionbudget.unit": (APP_ADMIN,) * 4,
    "regionbudget.areadirector": (APP_ADMIN,) * 4,
    "regionbudget.confidenceweight": (APP_ADMIN,) * 4,
    "forecasts.plan": (APP_ADMIN,) * 4,
    "forecasts.deficittarget": (APP_ADMIN,) * 4,
    "forecasts.accountgroup": (APP_ADMIN,) * 4,
    "measures.category": (APP_ADMIN,) * 4,
    "measures.indicator": (APP_ADMIN,) * 4,
}
ADMIN_VIEWS = ("changelist", "add", "change", "delete")


def test_every_registered_admin_model_is_in_the_table():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS)


def _admin_url(label: str, view: str) -> str:
    app, model = label.split(".")
    name = f"admin:{app}_{model}_{view}"
    if view in ("change", "delete"):
        model_class = next(m for m in admin.site._registry if m._meta.label_lower == label)
        # Not the admin's own account (finance may view it, but deleting it changes sessions).
        obj = model_class._default_manager.exclude(pk__in=_admin_pks(model_class)).first()
        return reverse(name, args=[obj.pk])
    return reverse(name)


def _admin_pks(model_class) -> list[int]:
    if model_class is get_user_model():
        return list(model_class.objects.filter(is_superuser=True).values_list("pk", flat=True))
    return []


def _admin_cells():
    for label, statuses in sorted(ADMIN_MODELS.items()):
        for view, expected in zip(ADMIN_VIEWS, statuses, strict=True):
            if expected is None:
                continue
            for role in ROLES:
                yield pytest.param(label, view, role, expected[role], id=f"{label}-{view}-{role}")


def _assert_outcome(response, expected) -> None:
    if expected == LOGIN:
        assert response.status_code == 200
        assert response.request["PATH_INFO"] == reverse("login")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("label", "view", "role", "expected"), list(_admin_cells()))
def test_administration_get(w, label: str, view: str, role: str, expected):
    client = _client(role)
    before = _writes()
    _assert_outcome(client.get(_admin_url(label, view), follow=True), expected)
    assert _writes() == before


# POSTs to the administration by those who may not write there: a plausible add (an area, a
# user made superuser, a category) and a confirmed delete. All refused, nothing changes.
ADMIN_POSTS = {
    "regionbudget.area-add": {"code": "KAPAD", "name": "Kapat område", "position": "1"},
    "auth.user-add": {
        "username": "inkraktare",
        "password1": "Xy7-lang-lösen-123",
        "password2": "Xy7-lang-lösen-123",
    },
    "auth.group-add": {"name": "superekonomer"},
    "measures.category-add": {"name": "Kapad kategori", "position": "1", "is_active": "on"},
    "regionbudget.unit-delete": {"post": "yes"},
    "auth.user-delete": {"post": "yes"},
    "regionbudget.areadirector-delete": {"post": "yes"},
}
# None: the role may write there (not posted here).
REFUSED_POST = {
    "regionbudget.area-add": _row(LOGIN, 403, 403, None, 403, None, LOGIN),
    "auth.user-add": _row(LOGIN, 403, 403, 403, 403, None, LOGIN),
    "auth.group-add": _row(LOGIN, 403, 403, 403, 403, None, LOGIN),
    "measures.category-add": _row(LOGIN, 403, 403, None, 403, None, LOGIN),
    "regionbudget.unit-delete": _row(LOGIN, 403, 403, None, 403, None, LOGIN),
    "auth.user-delete": _row(LOGIN, 403, 403, 403, 403, None, LOGIN),
    "regionbudget.areadirector-delete": _row(LOGIN, 403, 403, None, 403, None, LOGIN),
}


def _admin_post_cells():
    for key, statuses in sorted(REFUSED_POST.items()):
        for role in ROLES:
            if statuses[role] is not None:
                yield pytest.param(key, role, statuses[role], id=f"{key}-{role}-POST")


@pytest.mark.parametrize(("key", "role", "expected"), list(_admin_post_cells()))
def test_administration_refused_post(w, key: str, role: str, expected):
    label, view = key.split("-")
    url = _admin_url(label, view)
    client = _client(role)  # logging in stamps last_login: before the check begins
    with base.database_unchanged(f"a refused POST to {url} as {role} changed the database"):
        response = client.post(url, ADMIN_POSTS[key], follow=True)
    _assert_outcome(response, expected)


def test_finance_cannot_bulk_delete_user_accounts(w):
    """Finance may list user accounts; the list's "delete selected" action is not theirs."""
    director = get_user_model().objects.get(username="direktor.psykiatri")
    client = _client("finance")
    before = _fingerprint()
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [director.pk], "post": "yes"},
    )
    assert response.status_code == 200  # the list again: no such action for finance
    assert _fingerprint() == before
    assert get_user_model().objects.filter(pk=director.pk).exists()


# --- extra POST fields never change protected columns --------------------------------------------


def test_a_director_submitting_cannot_approve_or_sign_as_someone_else(w):
    forecast = _forecast(w, w.october, w.area_a)
    finance = get_user_model().objects.get(username="ekonom")
    data = {
        **FORGED,
        **_grid_at(w, w.october, w.area_a),
        "action": "submit",
        "status": "approved",
        "approved_by": finance.pk,
        "approved_at": "2020-01-01T00:00:00Z",
        "submitted_by": finance.pk,
        "updated_by": finance.pk,
    }
    response = _client("dir_a").post(
        reverse("forecasts:forecast_edit", args=[w.october.pk, w.area_a.pk]), data
    )
    assert response.status_code == 302
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.SUBMITTED
    assert forecast.approved_by_id is None and forecast.approved_at is None
    assert forecast.submitted_by.username == "direktor.somatik"
    assert forecast.updated_by.username == "direktor.somatik"


def test_a_director_cannot_write_another_areas_cells_through_their_grid(w):
    """Cells of area B's units posted into area A's grid are ignored, not stored anywhere."""
    b_cells = cells(w.area_b)[:3]
    b_forecast = _forecast(w, w.october, w.area_b)
    b_lines = sorted(b_forecast.lines.values_list("unit_id", "account_group_id", "amount"))
    data = _grid_at(w, w.october, w.area_a)
    for unit_id, group_id in b_cells:
        data[f"line-{unit_id}-{group_id}"] = "-99 999"
        data[f"comment-{unit_id}-{group_id}"] = "Kapad"
    response = _client("dir_a").post(
        reverse("forecasts:forecast_edit", args=[w.october.pk, w.area_a.pk]), data
    )
    assert response.status_code == 302
    b_units = Unit.objects.filter(area=w.area_b)
    a_forecast = _forecast(w, w.october, w.area_a)
    assert not ForecastLine.objects.filter(forecast=a_forecast, unit__in=b_units).exists()
    assert sorted(b_forecast.lines.values_list("unit_id", "account_group_id", "amount")) == (
        b_lines
    )
    assert not ForecastLine.objects.filter(comment="Kapad").exists()


def test_the_grids_action_is_save_or_submit_never_approve(w):
    client = _client("dir_a")
    before = _fingerprint()
    data = {**_grid_at(w, w.october, w.area_a), "action": "approve"}
    response = client.post(
        reverse("forecasts:forecast_edit", args=[w.october.pk, w.area_a.pk]), data
    )
    assert response.status_code == 200  # the grid again, with the error
    assert _fingerprint() == before
    assert _forecast(w, w.october, w.area_a).status == Forecast.Status.DRAFT


def test_finance_approving_cannot_choose_the_approver_or_the_outcome(w):
    forecast = _forecast(w, _x(w).december, w.area_a)
    director = get_user_model().objects.get(username="direktor.somatik")
    data = {
        **FORGED,
        "version": forecast.version,
        "status": "returned",
        "approved_by": director.pk,
        "area": w.area_b.pk,
        "forecast_round": w.september.pk,
        "return_comment": "forged",
    }
    url = reverse("forecasts:forecast_approve", args=[_x(w).december.pk, w.area_a.pk])
    assert _client("finance").post(url, data).status_code == 302
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.APPROVED
    assert forecast.approved_by.username == "ekonom"
    assert (forecast.area_id, forecast.forecast_round_id) == (w.area_a.pk, _x(w).december.pk)
    assert forecast.return_comment == ""


def test_finance_returning_cannot_approve_instead(w):
    forecast = _forecast(w, _x(w).december, w.area_a)
    data = {
        **FORGED,
        "version": forecast.version,
        "comment": "Förklara hyrpersonalen.",
        "status": "approved",
        "approved_by": "1",
    }
    url = reverse("forecasts:forecast_return", args=[_x(w).december.pk, w.area_a.pk])
    assert _client("finance").post(url, data).status_code == 302
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.RETURNED
    assert forecast.approved_by_id is None
    assert forecast.return_comment == "Förklara hyrpersonalen."


def test_a_director_reporting_cannot_sign_as_someone_else_or_touch_planned_effects(w):
    m = w.m_a
    finance = get_user_model().objects.get(username="ekonom")
    planned = sorted(m.planned_effects.values_list("year", "low", "high"))
    data = {
        **FORGED,
        **base._report_form(m),
        "recorded_by": finance.pk,
        "measure": w.m_b.pk,
        "plan": "999999",
        "low": "999",
        "high": "999",
    }
    response = _client("dir_a").post(reverse("measures:measure_report", args=[m.pk]), data)
    assert response.status_code == 302
    effect = RealisedEffect.objects.get(measure=m, year=2026, month=11)
    assert effect.recorded_by.username == "direktor.somatik"
    assert not RealisedEffect.objects.filter(measure=w.m_b, year=2026, month=11).exists()
    m.refresh_from_db()
    assert m.plan_id == w.plan.pk
    assert sorted(m.planned_effects.values_list("year", "low", "high")) == planned


def test_finance_creating_a_measure_cannot_choose_its_id_version_or_plan(w):
    other_plan = type(w.plan).objects.exclude(pk=w.plan.pk).first()
    data = {
        **base._measure_form(w.m_a),
        **{k: v for k, v in FORGED.items() if k != "plan"},
        "code": "M77",
        "status": "proposed",  # created as decided it would need its decision
        "version": "41",
        "plan": other_plan.pk if other_plan else "999999",
    }
    response = _client("finance").post(reverse("measures:measure_create"), data)
    assert response.status_code == 302
    created = Measure.objects.get(code="M77")
    assert created.plan_id == w.plan.pk
    assert created.version == 1
    assert created.pk != 999999


def test_finance_adding_a_meeting_cannot_choose_its_id(w):
    data = {**FORGED, "committee": "hsn", "date": "2027-02-17", "title": "HSN februari"}
    response = _client("finance").post(reverse("meeting_create"), data)
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="HSN februari")
    assert meeting.pk != 999999


def test_publishing_computes_checksum_and_time_itself(w):
    report = w.draft
    data = {
        **FORGED,
        "version": report.version,
        "published_by": get_user_model().objects.get(username="admin").pk,
        "status": "draft",
    }
    response = _client("finance").post(reverse("report_publish", args=[report.pk]), data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == StatusReport.Status.PUBLISHED
    assert report.published_by.username == "ekonom"
    assert report.published_at > timezone.now() - dt.timedelta(hours=1)
    assert len(report.checksum) == 64 and report.checksum != "forged"
    assert report.snapshot


def test_shares_ignore_unknown_and_inactive_areas(w):
    m = w.m_region
    inactive = Area.objects.create(code="NEDLAGD", name="Nedlagt område", is_active=False)
    data = {
        **FORGED,
        **base._shares(w),
        f"share_{inactive.pk}": "40",
        "share_999999": "40",
    }
    response = _client("finance").post(reverse("measures:measure_shares", args=[m.pk]), data)
    assert response.status_code == 302
    assert set(AreaShare.objects.filter(measure=m).values_list("area_id", flat=True)) == {
        w.area_a.pk,
        w.area_b.pk,
    }


# A version from the future is not a way round the conflict check: the save is refused (409)
# and nothing changes.
FUTURE_VERSION = {
    "measure_edit": (
        "finance",
        lambda w: reverse("measures:measure_edit", args=[w.m_a.pk]),
        lambda w: {**base._measure_form(w.m_a), "version": w.m_a.version + 5},
    ),
    "measure_report": (
        "dir_a",
        lambda w: reverse("measures:measure_report", args=[w.m_a.pk]),
        lambda w: {**base._report_form(w.m_a), "version": w.m_a.version + 5},
    ),
    "forecast_edit": (
        "dir_a",
        lambda w: reverse("forecasts:forecast_edit", args=[w.october.pk, w.area_a.pk]),
        lambda w: {
            **_grid_at(w, w.october, w.area_a),
            "version": _forecast(w, w.october, w.area_a).version + 5,
        },
    ),
    "report_edit": (
        "finance",
        lambda w: reverse("report_edit", args=[w.draft.pk]),
        lambda w: {**base._report_draft_form(w, w.draft), "version": w.draft.version + 5},
    ),
    "measure_shares": (
        "finance",
        lambda w: reverse("measures:measure_shares", args=[w.m_region.pk]),
        lambda w: {**base._shares(w), "version": w.m_region.version + 5},
    ),
}


@pytest.mark.parametrize("form", sorted(FUTURE_VERSION))
def test_a_forged_future_version_is_a_conflict(w, form: str):
    role, url, data = FUTURE_VERSION[form]
    client = _client(role)
    before = _fingerprint()
    response = client.post(url(w), data(w))
    assert response.status_code == 409
    assert _fingerprint() == before


# --- what a page shows: another area's rows and drafts never appear in lists and exports -------


@pytest.mark.parametrize(
    ("role", "sees", "never"),
    [
        ("dir_a", ["M03", "M01"], ["M13"]),
        ("dir_b", ["M13", "M01"], ["M03"]),
        ("committee", ["M03", "M13", "M01"], []),
    ],
)
@pytest.mark.parametrize("page", ["list", "csv"])
def test_lists_and_exports_hold_only_what_the_user_may_see(w, role, sees, never, page):
    client = _client(role)
    if page == "list":
        url = reverse("measures:measure_list")
    else:
        url = reverse("measures:measure_export", args=["csv"])
    response = client.get(url, {"plan": w.plan.pk})
    assert response.status_code == 200
    text = b"".join(response).decode("utf-8-sig") if page == "csv" else response.content.decode()
    titles = {code: Measure.objects.get(plan=w.plan, code=code).title for code in sees + never}
    for code in sees:
        assert titles[code] in text, f"{role} should see {code} on the {page}"
    for code in never:
        assert titles[code] not in text, f"{role} sees another area's {code} on the {page}"


@pytest.mark.parametrize(
    ("role", "sees_draft"),
    [("dir_a", False), ("dir_b", False), ("committee", False), ("finance", True), ("admin", True)],
)
def test_draft_reports_are_listed_for_finance_only(w, role, sees_draft):
    response = _client(role).get(reverse("report_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert w.published.title in text
    assert (w.draft.title in text) is sees_draft


# --- redirects after a login stay on the site ----------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("finance", "/admin/"), ("admin", "/admin/"), ("anon", "/accounts/login/")],
)
def test_the_administrations_login_never_redirects_off_site(w, role, expected):
    response = _client(role).get(reverse("admin:login"), {"next": "https://evil.example/x"})
    assert response.status_code == 302
    assert response["Location"].startswith(expected), response["Location"]


def test_the_administrations_login_sends_finance_on_to_a_page_of_the_site(w):
    page = reverse("admin:regionbudget_area_changelist")
    response = _client("finance").get(reverse("admin:login"), {"next": page})
    assert response.status_code == 302
    assert response["Location"] == page


def test_logging_in_never_redirects_off_site(w):
    response = Client().post(
        reverse("login") + "?next=https://evil.example/x",
        {"username": "ekonom", "password": "demo"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
