"""The permission matrix, round the edges: what ``test_access_matrix.py`` (GET and POST per role)
leaves out.

- every other HTTP method (PUT, PATCH, DELETE, OPTIONS) on every URL pattern, per role: refused,
  and nothing written;
- HEAD answers like GET on every read-only page (a monitor's ``HEAD /healthz`` included);
- a write without its CSRF token is refused (403) and writes nothing, for every write form; with
  the token taken from the form page the same write goes through;
- rights taken away during a session count at once (group removed, area unbound, account
  deactivated, password reset, superuser removed);
- query parameters never widen a director's scope (another area's figures are a 404, filters
  and exports stay inside their areas, cached figures of one scope are never served to another);
- an account with no role, and a director bound to no area, see and write nothing (an empty
  scope is empty, never "the whole region");
- a draft forecast's figures reach its own director and finance only.

It reuses the demo world of ``test_access_matrix.py`` (loaded once per module, rolled back at the
end); users, in the order of every row: anon, dir_a (director of somatik), dir_b (director of
psykiatri), finance, committee, admin, inactive (a deactivated director of somatik).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.urls import reverse

from forecasts.models import Forecast, ForecastRound
from forecasts.services import LineInput
from regionbudget.core.models import AreaDirector
from tests import test_access_matrix as base
from tests.forecasts.helpers import grid_post, lines_like_budget

ROLES = base.ROLES
_row = base._row
_client = base._client
_fingerprint = base._fingerprint

# The module-scoped demo world of the first matrix, and its per-test view of it.
world = base.world
w = base.w


def _one_case_per_pattern() -> list[base.Case]:
    seen: dict[str, base.Case] = {}
    for case in base.MATRIX:
        seen.setdefault(case.pattern, case)
    return list(seen.values())


# --- other HTTP methods -------------------------------------------------------------------------

OTHER_METHODS = ("PUT", "PATCH", "DELETE", "OPTIONS")

# Login first (anonymous and deactivated users go to the login page), then 405 for everyone.
REFUSED = _row(302, 405, 405, 405, 405, 405, 302)

# The exceptions, written out. Every other pattern answers REFUSED to all four methods.
OTHER_METHOD_EXCEPTIONS: dict[str, dict[str, dict]] = {
    # No login needed; GET (and HEAD) only.
    "healthz": dict.fromkeys(OTHER_METHODS, _row(*[405] * 7)),
    # Django's login view: a logged-in user is sent on whatever the method; PUT is handled like
    # an (empty, so invalid) POST and shows the login page again; OPTIONS lists the methods.
    "login": {
        "PUT": _row(200, 302, 302, 302, 302, 302, 200),
        "PATCH": _row(405, 302, 302, 302, 302, 302, 405),
        "DELETE": _row(405, 302, 302, 302, 302, 302, 405),
        "OPTIONS": _row(200, 302, 302, 302, 302, 302, 200),
    },
    # Django's logout view: POST only; OPTIONS lists the methods.
    "logout": {
        "PUT": _row(*[405] * 7),
        "PATCH": _row(*[405] * 7),
        "DELETE": _row(*[405] * 7),
        "OPTIONS": _row(*[200] * 7),
    },
    # Django's set_language: anything but a POST just goes back, choosing nothing.
    "set_language": dict.fromkeys(OTHER_METHODS, _row(*[302] * 7)),
    # The unlock link's pages: no login needed; GET, HEAD and POST only.
    "login_unlock_request": dict.fromkeys(OTHER_METHODS, _row(*[405] * 7)),
    "login_unlock": dict.fromkeys(OTHER_METHODS, _row(*[405] * 7)),
}


def _other_method_cells():
    for case in _one_case_per_pattern():
        statuses = OTHER_METHOD_EXCEPTIONS.get(case.pattern, dict.fromkeys(OTHER_METHODS, REFUSED))
        for role in ROLES:
            expected = {method: statuses[method][role] for method in OTHER_METHODS}
            yield pytest.param(case, role, expected, id=f"{case.name}-{role}")


@pytest.mark.parametrize(("case", "role", "expected"), list(_other_method_cells()))
def test_other_methods_are_refused_and_write_nothing(w, case, role, expected):
    """PUT, PATCH, DELETE and OPTIONS on one URL as one user (one test per URL and user, the
    methods inside, to keep the run short)."""
    client = _client(role)
    url = case.url(w, client)
    data = json.dumps({"status": "approved", "owner_area": w.area_b.pk, "version": 99})
    for method in OTHER_METHODS:
        before = _rows_written()
        response = client.generic(method, url, data, content_type="application/json")
        assert response.status_code == expected[method], (
            f"{method} {url} as {role}: {response.status_code}, expected {expected[method]}"
        )
        if response.status_code == 302 and case.pattern not in ("login", "set_language"):
            assert response["Location"].startswith(reverse("login")), response["Location"]
        assert _rows_written() == before, f"{method} {url} as {role} wrote to the database"


def _rows_written() -> dict[str, int]:
    """Rows inserted, updated or deleted so far in this test's transaction, per table (the
    volatile tables left out). Stricter than the digest of ``_fingerprint`` (an update that
    stores the same values counts too) and much cheaper."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
        )
        return {t: n for t, n in cursor.fetchall() if t not in base.VOLATILE_TABLES and n}


# --- HEAD answers like GET ------------------------------------------------------------------------

# HEAD gives GET's status (without a body) on every page that answers GET: the pages that only
# read, and the form pages (GET and POST), which monitors and link checkers also ask with HEAD.
# POST-only URLs refuse HEAD like GET. The pages that only read:
READ_ONLY = {
    "home",
    "healthz",
    "login",
    "gap_dashboard",
    "gap_data_json",
    "gap_data_csv",
    "report_list",
    "report_detail",
    "report_pdf",
    "forecasts:plan_list",
    "people_list",
    "forecasts:round_list",
    "forecasts:round_detail",
    "forecasts:forecast_detail",
    "forecasts:forecast_download",
    "forecasts:area_detail",
    "forecasts:forecast_accuracy",
    "forecasts:forecast_accuracy_json",
    "forecasts:forecast_accuracy_csv",
    "forecasts:import_preview",
    "forecasts:import_errors",
    "forecasts:import_template",
    "measures:measure_list",
    "measures:measure_export",
    "measures:measure_detail",
    "measures:measure_consequence_file",
    "measures:measure_import_preview",
    "balance:ledger",
    "balance:ledger_json",
    "balance:ledger_export",
}
HEAD_EXCEPTIONS = {"logout": _row(*[405] * 7), "set_language": _row(*[302] * 7)}


def _head_cells():
    for case in _one_case_per_pattern():
        statuses = HEAD_EXCEPTIONS.get(case.pattern, case.get)
        for role in ROLES:
            yield pytest.param(case, statuses[role], role, id=f"{case.name}-{role}-HEAD")


@pytest.mark.parametrize(("case", "expected", "role"), list(_head_cells()))
def test_head_answers_like_get(w, case, expected, role):
    client = _client(role)
    url = case.url(w, client)
    response = client.head(url)
    assert response.status_code == expected, (
        f"HEAD {url} as {role}: {response.status_code}, expected {expected}"
    )
    assert response.content == b""


def test_read_only_is_every_pattern_that_refuses_post():
    """READ_ONLY is exactly the patterns the first matrix says refuse POST (405), and the login
    page: a new read-only page must be listed here too."""
    refuses_post = {
        case.pattern for case in base.MATRIX if case.post["dir_a"] == case.post["finance"] == 405
    }
    assert refuses_post | {"login"} == READ_ONLY


# --- CSRF ---------------------------------------------------------------------------------------


def _writes() -> list[tuple[base.Case, str]]:
    """Every (case, role) of the first matrix whose POST is a write that goes through; the
    first writer of each case (a director where a director writes, else finance)."""
    cells = []
    for case in base.MATRIX:
        for role in ("dir_a", "finance", "admin"):
            if base._is_allowed_write(case, role):
                cells.append((case, role))
                break
    return cells


WRITES = _writes()


def _csrf_client(role: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username=base.USERNAMES[role]))
    return client


def test_the_write_forms_are_all_here():
    """The CSRF cases are derived from the first matrix (a new write form there is covered
    here too); this pins that the derivation still finds every write form."""
    assert {case.pattern for case, _role in WRITES} == {
        "set_language",  # keeps the user's language (for their e-mail)
        "report_create",
        "meeting_create",
        "report_edit",
        "report_publish",
        "forecasts:outside_budgets_edit",
        "forecasts:plan_create",
        "forecasts:plan_edit",
        "forecasts:plan_targets_edit",
        "forecasts:round_create",
        "forecasts:round_close",
        "forecasts:round_remind",
        "forecasts:forecast_edit",
        "forecasts:forecast_approve",
        "forecasts:forecast_return",
        "forecasts:import_start",
        "forecasts:import_confirm",
        "measures:measure_create",
        "measures:measure_import",
        "measures:measure_import_confirm",
        "measures:measure_edit",
        "measures:measure_report",
        "measures:measure_shares",
        "measures:indicator_create",
        "measures:indicator_edit",
        "measures:indicator_value_add",
        "api_tokens",
        "api_token_revoke",
        "person_create",
        "person_edit",
        "person_areas",
        "balance:year_create",
        "balance:year_edit",
        "balance:year_delete",
    }


@pytest.mark.parametrize(
    ("case", "role"), [pytest.param(c, r, id=f"{c.name}-{r}-POST") for c, r in WRITES]
)
def test_a_write_without_its_csrf_token_is_refused(w, case, role):
    client = _csrf_client(role)
    url = case.url(w, client)
    data = case.data(w) if case.data else {}
    with base.database_unchanged(f"POST {url} as {role} without a CSRF token wrote"):
        response = client.post(url, data)
    assert response.status_code == 403


def _with_token(client: Client, form_url: str, data: dict) -> dict:
    """The CSRF token as the browser sends it: from the cookie the form page set."""
    assert client.get(form_url).status_code == 200
    return {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}


CSRF_CONTROLS = {
    "measure_edit-own": ("finance", "measures:measure_edit", lambda w: [w.m_a.pk]),
    "measure_report-own": ("dir_a", "measures:measure_report", lambda w: [w.m_a.pk]),
    "forecast_edit-a": (
        "dir_a",
        "forecasts:forecast_edit",
        lambda w: [w.october.pk, w.area_a.pk],
    ),
}


@pytest.mark.parametrize("name", sorted(CSRF_CONTROLS))
def test_the_same_write_with_its_token_goes_through(w, name):
    """The control: the refusal above is the missing token, not a bad payload."""
    role, url_name, args = CSRF_CONTROLS[name]
    case = next(c for c in base.MATRIX if c.name == name)
    client = _csrf_client(role)
    url = reverse(url_name, args=args(w))
    before = _fingerprint()
    response = client.post(url, _with_token(client, url, case.data(w)))
    assert response.status_code == 302, response.content.decode()[:500]
    assert _fingerprint() != before


def test_logout_without_a_token_keeps_the_user_logged_in(w):
    client = _csrf_client("dir_a")
    assert client.post(reverse("logout")).status_code == 403
    assert client.get(reverse("home")).status_code == 200


def test_login_without_a_token_is_refused(w):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "ekonom", "password": "demo"})
    assert response.status_code == 403
    assert client.get(reverse("home")).status_code == 302


# --- rights taken away during a session ---------------------------------------------------------


def _round_payload(w) -> dict:
    return {
        "plan": w.plan.pk,
        "year": 2024,
        "month": 11,
        "deadline": "2024-12-10",
        "comment_threshold": "500",
    }


def test_finance_removed_from_the_group_loses_the_rights_at_once(w):
    client = _client("finance")
    assert client.get(reverse("forecasts:round_create")).status_code == 200
    ekonom = get_user_model().objects.get(username="ekonom")
    ekonom.groups.remove(Group.objects.get(name="finance"))
    before = _fingerprint()
    assert client.post(reverse("forecasts:round_create"), _round_payload(w)).status_code == 403
    assert _fingerprint() == before
    assert not ForecastRound.objects.filter(year=2024, month=11).exists()
    assert client.get(reverse("measures:measure_create")).status_code == 403
    assert client.get(reverse("admin:index")).status_code != 200


def test_a_director_unbound_from_the_area_loses_it_at_once(w):
    client = _client("dir_a")
    detail = reverse("measures:measure_detail", args=[w.m_a.pk])
    assert client.get(detail).status_code == 200
    AreaDirector.objects.filter(user__username="direktor.somatik", area=w.area_a).delete()
    assert client.get(detail).status_code == 404
    grid = reverse("forecasts:forecast_edit", args=[w.october.pk, w.area_a.pk])
    assert client.get(grid).status_code == 404
    assert client.get(reverse("gap_dashboard"), {"area": w.area_a.pk}).status_code == 404
    before = _fingerprint()
    response = client.post(
        reverse("measures:measure_report", args=[w.m_a.pk]), base._report_form(w.m_a)
    )
    assert response.status_code == 404
    assert client.post(grid, base._grid(w, w.area_a)).status_code == 404
    assert _fingerprint() == before


def test_a_director_deactivated_during_the_session_is_logged_out(w):
    client = _client("dir_a")
    assert client.get(reverse("home")).status_code == 200
    get_user_model().objects.filter(username="direktor.somatik").update(is_active=False)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    before = _fingerprint()
    response = client.post(
        reverse("measures:measure_report", args=[w.m_a.pk]), base._report_form(w.m_a)
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert _fingerprint() == before


def test_a_password_reset_ends_the_other_sessions(w):
    client = _client("dir_a")
    assert client.get(reverse("home")).status_code == 200
    director = get_user_model().objects.get(username="direktor.somatik")
    director.set_password("ett-nytt-langt-losenord-42")
    director.save()
    response = client.get(reverse("measures:measure_detail", args=[w.m_a.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_administrator_no_longer_superuser_loses_the_user_administration(w):
    client = _client("admin")
    users = reverse("admin:auth_user_add")
    assert client.get(users).status_code == 200
    get_user_model().objects.filter(username="admin").update(is_superuser=False)
    assert client.get(users).status_code in (302, 403)
    assert client.get(reverse("forecasts:round_create")).status_code == 403


# --- query parameters never widen a director's scope --------------------------------------------

GAP_PAGES = ("gap_dashboard", "gap_data_json", "gap_data_csv")


@pytest.mark.parametrize("page", GAP_PAGES)
@pytest.mark.parametrize(
    ("area", "expected"),
    [("own", 200), ("other", 404), ("missing", 404), ("not_a_number", 404)],
)
def test_a_directors_gap_filter_is_their_own_area_or_404(w, page, area, expected):
    value = {
        "own": w.area_a.pk,
        "other": w.area_b.pk,
        "missing": 999999,
        "not_a_number": "1 OR 1=1",
    }[area]
    response = _client("dir_a").get(reverse(page), {"area": value})
    assert response.status_code == expected


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (("finance", "dir_a", "dir_b"), ("*", "LSO-SOM", "LSO-PSY")),
        (("dir_b", "dir_a", "finance"), ("LSO-PSY", "LSO-SOM", "*")),
    ],
    ids=["finance_first", "directors_first"],
)
def test_cached_gap_figures_never_cross_scopes(w, order, expected):
    """The figures are cached per scope: whoever asks first, each sees only their own areas."""
    for role, areas in zip(order, expected, strict=True):
        body = _client(role).get(reverse("gap_data_json")).json()
        by_area = {row["area"] for row in body["by_area"]}
        if areas == "*":
            assert {"LSO-SOM", "LSO-PSY"} <= by_area
        else:
            assert body["areas_in_scope"] == [areas]
            assert by_area == {areas}


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("measures:measure_list"),
        lambda w: reverse("measures:measure_export", args=["csv"]),
    ],
    ids=["measure_list", "measure_export"],
)
def test_a_directors_area_filter_cannot_reach_another_area(w, url):
    """Another area in the filter is no valid choice: the director still sees their own."""
    response = _client("dir_a").get(url(w), {"area": w.area_b.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert w.m_a.code in body
    assert w.m_b.code not in body
    assert w.area_b.code not in body


def test_a_directors_round_page_shows_only_their_area(w):
    response = _client("dir_a").get(reverse("forecasts:round_detail", args=[w.october.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert w.area_a.name in body
    assert w.area_b.name not in body


# --- users with a login but no role, or a director bound to no area -----------------------------

# Per case of the first matrix: GET and POST for ``norole`` (an account with no role yet) and
# ``unbound`` (in the area director group, bound to no area). Neither sees any area's figures.
NO_SCOPE: dict[str, tuple[int, int, int, int]] = {
    #                                 norole     unbound
    #                                 GET  POST  GET  POST
    "home": (200, 405, 200, 405),
    "healthz": (200, 405, 200, 405),
    "login": (302, 302, 302, 302),
    "logout": (405, 302, 405, 302),
    "set_language": (302, 302, 302, 302),
    "login_unlock_request": (200, 302, 200, 302),
    "login_unlock-forged": (400, 400, 400, 400),
    "gap_dashboard": (403, 405, 200, 405),
    "gap_data_json": (403, 405, 200, 405),
    "gap_data_csv": (403, 405, 200, 405),
    "report_list": (403, 405, 200, 405),
    "report_create": (403, 403, 403, 403),
    "meeting_create": (403, 403, 403, 403),
    "report_detail-published": (404, 405, 200, 405),
    "report_detail-draft": (404, 405, 404, 405),
    "report_edit-draft": (403, 403, 403, 403),
    "report_edit-published": (403, 403, 403, 403),
    "report_publish-draft": (405, 403, 405, 403),
    "report_pdf-published": (404, 405, 200, 405),
    "report_pdf-draft": (404, 405, 404, 405),
    "round_list": (200, 405, 200, 405),
    "outside_budgets_edit": (403, 403, 403, 403),
    "plan_list": (403, 405, 403, 405),
    "plan_create": (403, 403, 403, 403),
    "plan_edit": (403, 403, 403, 403),
    "plan_targets_edit": (403, 403, 403, 403),
    "round_create": (403, 403, 403, 403),
    "round_detail": (404, 405, 200, 405),
    "round_close": (405, 403, 405, 403),
    "round_remind": (405, 403, 405, 403),
    "forecast_detail-own-draft": (404, 405, 404, 405),
    "forecast_download-own-draft": (404, 405, 404, 405),
    "forecast_detail-other-approved": (404, 405, 404, 405),
    "forecast_edit-a": (404, 404, 404, 404),
    "forecast_approve-b-approved": (405, 404, 405, 404),
    "forecast_return-b-approved": (405, 404, 405, 404),
    "area_detail-a": (404, 405, 404, 405),
    "forecast_accuracy": (403, 405, 200, 405),
    "forecast_accuracy_json": (403, 405, 200, 405),
    "forecast_accuracy_csv": (403, 405, 200, 405),
    "import_start": (403, 403, 403, 403),
    "import_preview": (403, 405, 403, 405),
    "import_confirm": (405, 403, 405, 403),
    "import_errors": (403, 405, 403, 405),
    "import_template": (403, 405, 403, 405),
    "measure_list": (200, 405, 200, 405),
    "measure_export": (404, 405, 200, 405),
    "measure_create": (403, 403, 403, 403),
    "measure_import": (403, 403, 403, 403),
    "measure_import_preview": (403, 405, 403, 405),
    "measure_import_confirm": (405, 403, 405, 403),
    "measure_detail-own": (404, 405, 404, 405),
    "measure_detail-other": (404, 405, 404, 405),
    "measure_detail-region": (404, 405, 404, 405),
    "measure_consequence_file-own": (404, 405, 404, 405),
    "measure_consequence_file-region": (404, 405, 404, 405),
    "measure_edit-own": (404, 404, 404, 404),
    "measure_report-own": (404, 404, 404, 404),
    "measure_report-region": (404, 404, 404, 404),
    "indicator_create-own": (404, 404, 404, 404),
    "indicator_edit-own": (404, 404, 404, 404),
    "indicator_value_add-own": (404, 404, 404, 404),
    "measure_shares-region": (404, 404, 404, 404),
    "api_tokens": (403, 403, 403, 403),
    "people_list": (403, 405, 403, 405),
    "person_create": (403, 403, 403, 403),
    "person_edit": (403, 403, 403, 403),
    "person_areas": (403, 403, 403, 403),
    "api_token_revoke": (405, 403, 405, 403),
    # The balance requirement: anyone with a role reads; only finance enters statements.
    "balance-ledger": (403, 405, 200, 405),
    "balance-ledger_json": (403, 405, 200, 405),
    "balance-ledger_export": (403, 405, 200, 405),
    "balance-year_create": (403, 403, 403, 403),
    "balance-year_edit": (403, 403, 403, 403),
    "balance-year_edit-missing": (403, 403, 403, 403),
    "balance-year_delete": (403, 403, 403, 403),
}


def _scopeless_user(kind: str):
    user = get_user_model().objects.create_user(f"{kind}.utan.omrade", password=None)
    if kind == "unbound":
        user.groups.add(Group.objects.get(name="area_director"))
    return user


def test_every_case_has_a_no_scope_row():
    assert set(NO_SCOPE) == {case.name for case in base.MATRIX}


def _no_scope_cells():
    for case in base.MATRIX:
        statuses = NO_SCOPE[case.name]
        for i, (kind, method) in enumerate(
            [("norole", "GET"), ("norole", "POST"), ("unbound", "GET"), ("unbound", "POST")]
        ):
            yield pytest.param(case, kind, method, statuses[i], id=f"{case.name}-{kind}-{method}")


@pytest.mark.parametrize(("case", "kind", "method", "expected"), list(_no_scope_cells()))
def test_no_role_or_no_area_sees_and_writes_nothing(w, case, kind, method, expected):
    client = Client()
    client.force_login(_scopeless_user(kind))
    url = case.url(w, client)
    if method == "GET":
        response = client.get(url)
    elif case.name in ("login", "logout", "set_language"):
        response = client.post(url, case.data(w) if case.data else {})
    else:
        data = case.data(w) if case.data else {}
        with base.database_unchanged(f"POST {url} as {kind} changed the database"):
            response = client.post(url, data)
    assert response.status_code == expected, (
        f"{method} {url} as {kind}: {response.status_code}, expected {expected}"
    )


def test_a_director_bound_to_no_area_gets_empty_figures_not_the_regions(w):
    """An empty scope is empty: no area, no measure, no planned effect (not 'no filter')."""
    client = Client()
    client.force_login(_scopeless_user("unbound"))
    figures = client.get(reverse("gap_data_json")).json()
    assert figures["areas_in_scope"] == []
    assert figures["by_area"] == [] and figures["by_category"] == []
    assert {row["planned_high"] for row in figures["by_year"]} == {"0.00"}
    assert {row["realised"] for row in figures["by_year"]} == {"0.00"}
    export = client.get(reverse("measures:measure_export", args=["csv"])).content.decode()
    lines = export.lstrip("\ufeff").strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("Summa;"), lines


# --- draft figures stay with their area and finance ---------------------------------------------


def _text(response) -> str:
    """The page as text, with the thin and non-breaking spaces of Swedish numbers made plain."""
    return response.content.decode().replace("\u00a0", " ").replace("\u202f", " ")


def test_a_draft_forecast_is_seen_by_its_area_and_finance_only(w):
    """Director A saves a draft whose full-year total (3 901,2 mnkr) appears nowhere else; the
    round page shows it to finance and to director A, never to the committee or director B."""
    lines = lines_like_budget(w.area_a)
    cell = next(iter(lines))
    lines[cell] = LineInput(lines[cell].amount + Decimal("1234567"), "Fler patienter.")
    forecast = Forecast.objects.get(forecast_round=w.october, area=w.area_a)
    url = reverse("forecasts:forecast_edit", args=[w.october.pk, w.area_a.pk])
    response = _client("dir_a").post(url, grid_post(lines, version=forecast.version))
    assert response.status_code == 302
    forecast.refresh_from_db()
    assert forecast.status == Forecast.Status.DRAFT

    round_page = reverse("forecasts:round_detail", args=[w.october.pk])
    area_page = reverse("forecasts:area_detail", args=[w.area_a.pk])
    assert "3 901,2" in _text(_client("finance").get(round_page))
    assert "3 901,2" in _text(_client("dir_a").get(round_page))
    for role in ("committee", "dir_b"):
        assert "3 901,2" not in _text(_client(role).get(round_page)), role
    assert "3 901,2" not in _text(_client("committee").get(area_page))
