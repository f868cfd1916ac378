"""Every HTML page, for every role that may see it, passes an axe scan in Chromium.

One browser context per role logs in once and visits all of that role's pages in turn; every
violation on every page is collected and reported together. ``PAGES`` names each URL pattern;
a URL pattern that is neither in ``PAGES`` nor in ``NOT_HTML`` (with the reason) fails
``test_every_url_pattern_is_scanned``, so a new page cannot be added without a scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.db.models import F
from django.template import loader
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from forecasts.models import Forecast, ForecastRound
from forecasts.services import forecast_return
from measures.models import Measure
from regionbudget.core.models import Area
from regionbudget.reports.models import Meeting, StatusReport
from regionbudget.reports.services import report_create
from tests.browser.conftest import screenshot

FINANCE, DIRECTOR, COMMITTEE, ADMIN, ANONYMOUS = (
    "ekonom",
    "direktor.somatik",
    "ledamot",
    "admin",
    None,
)
SIGNED_IN = (FINANCE, DIRECTOR, COMMITTEE, ADMIN)
WRITERS = (FINANCE, ADMIN)

# URL patterns that never render an HTML page, and why.
NOT_HTML = {
    "healthz": "JSON",
    "gap_data_json": "JSON",
    "gap_data_csv": "CSV download",
    "report_publish": "POST only",
    "report_pdf": "PDF download (its 503 page is scanned as report_no_pdf)",
    "logout": "POST only",
    "set_language": "POST only",
    "forecasts:round_close": "POST only",
    "forecasts:round_remind": "POST only",
    "forecasts:forecast_approve": "POST only",
    "forecasts:forecast_return": "POST only",
    "forecasts:import_confirm": "POST only",
    "forecasts:import_errors": "CSV download",
    "forecasts:import_template": "CSV/Excel download",
    "forecasts:forecast_download": "Excel download",
    "measures:measure_export": "CSV/Excel download",
    "measures:measure_import_confirm": "POST only",
    "api_token_revoke": "POST only",
    "balance:ledger_json": "JSON",
    "measures:measure_consequence_file": "file download (PDF, Word, OpenDocument)",
    "balance:ledger_export": "Excel download",
    "forecasts:forecast_accuracy_json": "JSON",
    "forecasts:forecast_accuracy_csv": "CSV download",
}

BUDGET_OK = "\ufeffkostnadsställe;år;kontogrupp;belopp\r\n1101;2024;Personal;152 000 000\r\n"
BUDGET_BAD = (
    "kostnadsställe;år;kontogrupp;belopp\r\n"
    "9999;2024;Personal;152 000 000\r\n"
    "1101;20x4;Okänd grupp;mycket\r\n"
)
MEASURES_HEADER = "kod;åtgärd;kategori;område;status;2024 låg;2024 hög;2025 låg;2025 hög\n"
MEASURES_OK = MEASURES_HEADER + "M30;Ny från Excel;Inköp;;beslutad;1;2;3,5;4\n"
MEASURES_BAD = MEASURES_HEADER + (
    "M31;Låg över hög;Inköp;LSO-SOM;pågår;5;2;;\nM32;Okänd;Trolleri;XX;kanske;1;x;;\n"
)


@dataclass(frozen=True)
class Visit:
    """One page as one role sees it: how to reach it and the status it answers with."""

    name: str  # the URL pattern's name, or a label for pages without one
    label: str
    roles: tuple[str | None, ...]
    open: Callable  # (page, world) -> the HTTP status of the page now shown
    status: int = 200


def _go(path: Callable[[SimpleNamespace], str]) -> Callable:
    def open_(page, world) -> int:
        return page.goto(path(world)).status

    return open_


def _upload(start: str, fields: Callable, content: str, filename: str) -> Callable:
    """Upload ``content`` with the import form at ``start``; the preview is then shown."""

    def open_(page, world) -> int:
        page.goto(start)
        fields(page)
        page.locator("input[type=file]").set_input_files(
            {"name": filename, "mimeType": "text/csv", "buffer": content.encode("utf-8")}
        )
        with page.expect_navigation() as navigation:
            page.locator("main form[enctype] button[type=submit]").press("Enter")
        response = navigation.value
        # A redirect to the preview: the status is that of the page finally shown.
        return response.status if response else 0

    return open_


def _with_errors(path: Callable[[SimpleNamespace], str], junk: str = "") -> Callable:
    """Open the form, empty every field the user types in (or type ``junk`` into its text
    fields) and send it: the errors show."""

    def open_(page, world) -> int:
        page.goto(path(world))
        form = page.locator("main form[method=post]").last
        typed = "input[type=text], input:not([type]), textarea"
        if not junk:
            typed += ", input[type=number], input[type=date]"
        for field in form.locator(typed).all():
            field.fill(junk)
        with page.expect_navigation() as navigation:
            form.locator("button[type=submit]").first.press("Enter")
        status = navigation.value.status
        shown = page.locator("main .invalid-feedback, main .alert-danger, main [aria-invalid=true]")
        return status if shown.count() else -status  # no error shown: not the state wanted

    return open_


def _budget_kind(page) -> None:
    page.get_by_label("Budget", exact=True).check()


def _measure_plan(page) -> None:
    page.locator("#id_plan").select_option(label="Ekonomi i balans 2024–2026")


def _then(change: Callable[[SimpleNamespace], None], path: Callable) -> Callable:
    """Change the data first (e.g. the forecast's state), then open the page."""

    def open_(page, world) -> int:
        change(world)
        return page.goto(path(world)).status

    return open_


def _grid_sent(action: str, *, junk: str = "", stale: bool = False) -> Callable:
    """Open the area's grid, type ``junk`` into its first cell and press Save or Submit; with
    ``stale``, someone else saved the forecast in between, so the page shows the conflict."""

    def open_(page, world) -> int:
        page.goto(f"/forecasts/rounds/{world.open_round.pk}/areas/{world.somatik.pk}/edit/")
        if junk:
            page.locator("input.grid-amount").first.fill(junk)
        if stale:
            Forecast.objects.filter(pk=world.forecast.pk).update(
                version=F("version") + 1, updated_by=world.finance_user
            )
        with page.expect_navigation() as navigation:
            page.locator(f"button[name=action][value={action}]").press("Enter")
        shown = page.locator("#grid-errors" if junk else "#conflict")
        return navigation.value.status if shown.count() else -navigation.value.status

    return open_


def _proposal_taken(page, world) -> int:
    """Open the area's grid and take the proposal into every line (nothing is saved)."""
    page.goto(f"/forecasts/rounds/{world.open_round.pk}/areas/{world.somatik.pk}/edit/")
    with page.expect_navigation() as navigation:
        page.locator("button[name=propose][value=area]").press("Enter")
    shown = page.locator("#proposal-taken")
    return navigation.value.status if shown.count() else -navigation.value.status


def _submit_forecast(world) -> None:
    Forecast.objects.filter(pk=world.forecast.pk).update(
        status=Forecast.Status.SUBMITTED, version=F("version") + 1
    )


def _return_forecast(world) -> None:
    forecast = Forecast.objects.get(pk=world.forecast.pk)
    if forecast.status == Forecast.Status.DRAFT:
        _submit_forecast(world)
        forecast.refresh_from_db()
    forecast_return(
        forecast=forecast,
        comment="Läkemedel: räkna med avtalspriset",
        expected_version=forecast.version,
        user=world.finance_user,
    )


def _lock_out(page, world) -> int:
    """Five wrong passwords for one user name; the sixth try shows the locked-out page."""
    response = None
    for _ in range(6):
        page.goto("/accounts/login/")
        page.get_by_label("Användarnamn").fill("okand.person")
        page.get_by_label("Lösenord").fill("fel")
        with page.expect_navigation() as navigation:
            page.get_by_label("Lösenord").press("Enter")
        response = navigation.value
    return response.status


def _unlock_link(world) -> str:
    """A real unlock link for the committee member, locked out from another address."""
    from axes.models import AccessAttempt
    from django.contrib.auth import get_user_model

    from regionbudget.core.security import unlock_token_make

    AccessAttempt.objects.get_or_create(
        username=COMMITTEE,
        ip_address="10.9.9.9",
        user_agent="axe",
        defaults={
            "http_accept": "*/*",
            "path_info": "/accounts/login/",
            "get_data": "",
            "post_data": "",
            "failures_since_start": 5,
        },
    )
    return (
        f"/accounts/unlock/{unlock_token_make(get_user_model().objects.get(username=COMMITTEE))}/"
    )


def _api_token_created(page, world) -> int:
    """Create a token for two areas on finance's page: the answer shows its secret once."""
    page.goto("/api-tokens/")
    page.get_by_label("Namn").fill("Power BI ekonomistaben")
    page.get_by_label("Bara valda områden").check()
    page.get_by_label(world.somatik.name).check()
    with page.expect_navigation() as navigation:
        page.get_by_label("Namn").press("Enter")
    shown = page.locator("#new-token")
    return navigation.value.status if shown.count() else -navigation.value.status


def _plain_error_page(template: str, status: int, context: dict | None = None) -> Callable:
    """The pages shown when the app itself fails (400, 500, 503) cannot be provoked through the
    live server; the browser is given the real template's output at a URL of the live server,
    so that its styles load as they would."""

    def open_(page, world) -> int:
        with translation.override("sv"):
            body = loader.get_template(template).render(context or {})
        url = f"/__error-page__/{status}"
        page.route(
            f"**{url}",
            lambda route: route.fulfill(status=status, body=body, content_type="text/html"),
        )
        try:
            return page.goto(url).status
        finally:
            page.unroute(f"**{url}")

    return open_


def _report_no_pdf(page, world) -> int:
    """The page shown when the PDF cannot be made (Pango missing): rendered as the view does."""
    from django.test import RequestFactory

    request = RequestFactory().get(f"/reports/{world.published.pk}/pdf/")
    request.user = world.finance_user
    from django.shortcuts import render

    with translation.override("sv"):
        body = render(
            request, "regionbudget/report_no_pdf.html", {"report": world.published}
        ).content.decode()
    url = "/__error-page__/no-pdf"
    page.route(
        f"**{url}", lambda route: route.fulfill(status=503, body=body, content_type="text/html")
    )
    try:
        return page.goto(url).status
    finally:
        page.unroute(f"**{url}")


def _rendered(template: str, status: int, context: Callable) -> Callable:
    """A page a view renders only under load (the login slow-down, a busy PDF), rendered as the
    view does and given to the browser at a URL of the live server."""

    def open_(page, world) -> int:
        from django.shortcuts import render
        from django.test import RequestFactory

        request = RequestFactory().get("/")
        request.user = world.finance_user
        with translation.override("sv"):
            body = render(request, template, context(world)).content.decode()
        url = f"/__rendered__/{status}"
        page.route(
            f"**{url}",
            lambda route: route.fulfill(status=status, body=body, content_type="text/html"),
        )
        try:
            return page.goto(url).status
        finally:
            page.unroute(f"**{url}")

    return open_


ALL = SIGNED_IN
PAGES: list[Visit] = [
    Visit("home", "home", ALL, _go(lambda w: "/")),
    Visit("login", "login", (ANONYMOUS,), _go(lambda w: "/accounts/login/")),
    Visit("gap_dashboard", "gap dashboard", (FINANCE, DIRECTOR, ADMIN), _go(lambda w: "/gap/")),
    Visit(
        "gap_dashboard",
        "gap dashboard filtered by year, area and category",
        (FINANCE, DIRECTOR, ADMIN),
        _go(lambda w: f"/gap/?year=2025&area={w.somatik.pk}&category=Ink%C3%B6p"),
    ),
    Visit("report_list", "report list", ALL, _go(lambda w: "/reports/")),
    Visit("balance:ledger", "balance requirement ledger", ALL, _go(lambda w: "/balance/")),
    Visit(
        "balance:year_create",
        "new balance statement",
        WRITERS,
        _go(lambda w: "/balance/years/new/"),
    ),
    Visit(
        "balance:year_create",
        "new balance statement with errors",
        (FINANCE,),
        _with_errors(lambda w: "/balance/years/new/", junk="x"),
    ),
    Visit(
        "balance:year_edit",
        "balance statement edit",
        WRITERS,
        _go(lambda w: "/balance/years/2023/edit/"),
    ),
    Visit(
        "balance:year_delete",
        "balance statement removal",
        WRITERS,
        _go(lambda w: "/balance/years/2023/delete/"),
    ),
    Visit("report_create", "new report", WRITERS, _go(lambda w: "/reports/new/")),
    Visit("meeting_create", "new meeting", WRITERS, _go(lambda w: "/reports/meetings/new/")),
    Visit(
        "report_detail",
        "published report",
        ALL,
        _go(lambda w: f"/reports/{w.published.pk}/"),
    ),
    Visit(
        "report_detail", "draft report preview", WRITERS, _go(lambda w: f"/reports/{w.draft.pk}/")
    ),
    Visit(
        "report_edit", "draft report edit", WRITERS, _go(lambda w: f"/reports/{w.draft.pk}/edit/")
    ),
    Visit(
        "report_edit",
        "published report edit (frozen)",
        WRITERS,
        _go(lambda w: f"/reports/{w.published.pk}/edit/"),
        status=409,
    ),
    Visit("report_no_pdf", "report without PDF support", (FINANCE,), _report_no_pdf, status=503),
    Visit(
        "meeting_create",
        "new meeting with errors",
        (FINANCE,),
        _with_errors(lambda w: "/reports/meetings/new/"),
    ),
    Visit(
        "report_create",
        "new report with errors",
        (FINANCE,),
        _with_errors(lambda w: "/reports/new/"),
    ),
    Visit(
        "forecasts:outside_budgets_edit",
        "reduction outside the area budgets",
        WRITERS,
        _go(lambda w: f"/forecasts/plans/{w.published.plan_id}/outside-budgets/"),
    ),
    Visit(
        "forecasts:outside_budgets_edit",
        "reduction outside the area budgets with errors",
        (FINANCE,),
        _with_errors(lambda w: f"/forecasts/plans/{w.published.plan_id}/outside-budgets/", "x"),
    ),
    Visit("forecasts:plan_list", "plan list", WRITERS, _go(lambda w: "/forecasts/plans/")),
    Visit("forecasts:plan_create", "new plan", WRITERS, _go(lambda w: "/forecasts/plans/new/")),
    Visit(
        "forecasts:plan_create",
        "new plan with errors",
        (FINANCE,),
        _with_errors(lambda w: "/forecasts/plans/new/"),
    ),
    Visit(
        "forecasts:plan_edit",
        "change a plan",
        WRITERS,
        _go(lambda w: f"/forecasts/plans/{w.published.plan_id}/edit/"),
    ),
    Visit(
        "forecasts:plan_targets_edit",
        "deficit targets",
        WRITERS,
        _go(lambda w: f"/forecasts/plans/{w.published.plan_id}/targets/"),
    ),
    Visit(
        "forecasts:plan_targets_edit",
        "deficit targets with errors",
        (FINANCE,),
        _with_errors(lambda w: f"/forecasts/plans/{w.published.plan_id}/targets/", "x"),
    ),
    Visit("forecasts:round_list", "round list", ALL, _go(lambda w: "/forecasts/rounds/")),
    Visit(
        "forecasts:round_create",
        "new round with errors",
        (FINANCE,),
        _with_errors(lambda w: "/forecasts/rounds/new/"),
    ),
    Visit("forecasts:round_create", "new round", WRITERS, _go(lambda w: "/forecasts/rounds/new/")),
    Visit(
        "forecasts:round_detail",
        "open round",
        ALL,
        _go(lambda w: f"/forecasts/rounds/{w.open_round.pk}/"),
    ),
    Visit(
        "forecasts:round_detail",
        "closed round",
        ALL,
        _go(lambda w: f"/forecasts/rounds/{w.closed_round.pk}/"),
    ),
    Visit(
        "forecasts:forecast_detail",
        "approved forecast of a closed round",
        ALL,
        _go(lambda w: f"/forecasts/rounds/{w.closed_round.pk}/areas/{w.somatik.pk}/"),
    ),
    Visit(
        "forecasts:forecast_detail",
        "drafted forecast, read-only",
        (FINANCE, DIRECTOR, ADMIN),
        _go(lambda w: f"/forecasts/rounds/{w.open_round.pk}/areas/{w.somatik.pk}/"),
    ),
    Visit(
        "forecasts:forecast_edit",
        "drafted forecast grid",
        (DIRECTOR,),
        _go(lambda w: f"/forecasts/rounds/{w.open_round.pk}/areas/{w.somatik.pk}/edit/"),
    ),
    Visit(
        "forecasts:forecast_edit",
        "grid submitted with a cell that is no amount",
        (DIRECTOR,),
        _grid_sent("submit", junk="tusen"),
    ),
    Visit(
        "forecasts:forecast_edit",
        "grid saved after someone else saved",
        (DIRECTOR,),
        _grid_sent("save", stale=True),
        status=409,
    ),
    Visit(
        "forecasts:forecast_detail",
        "submitted forecast (finance reviews it)",
        (FINANCE, DIRECTOR, ADMIN),
        _then(
            _submit_forecast,
            lambda w: f"/forecasts/rounds/{w.open_round.pk}/areas/{w.somatik.pk}/",
        ),
    ),
    Visit(
        "forecasts:forecast_edit",
        "returned forecast grid",
        (DIRECTOR,),
        _then(
            _return_forecast,
            lambda w: f"/forecasts/rounds/{w.open_round.pk}/areas/{w.somatik.pk}/edit/",
        ),
    ),
    Visit(
        "forecasts:area_detail",
        "area page",
        ALL,
        _go(lambda w: f"/forecasts/areas/{w.somatik.pk}/"),
    ),
    Visit(
        "forecasts:forecast_edit",
        "grid with the proposal taken in every line",
        (DIRECTOR,),
        _proposal_taken,
    ),
    Visit(
        "forecasts:forecast_accuracy",
        "forecast accuracy of a complete year",
        ALL,
        _go(lambda w: "/forecasts/accuracy/"),
    ),
    Visit(
        "forecasts:forecast_accuracy",
        "forecast accuracy for the months known",
        (FINANCE,),
        _go(lambda w: "/forecasts/accuracy/?year=2024"),
    ),
    Visit("forecasts:import_start", "import start", WRITERS, _go(lambda w: "/forecasts/import/")),
    Visit(
        "forecasts:import_preview",
        "import preview of a valid budget file",
        WRITERS,
        _upload("/forecasts/import/", _budget_kind, BUDGET_OK, "budget.csv"),
    ),
    Visit(
        "forecasts:import_preview",
        "import preview of a budget file with errors",
        (FINANCE,),
        _upload("/forecasts/import/", _budget_kind, BUDGET_BAD, "budget-fel.csv"),
        status=400,
    ),
    Visit("measures:measure_list", "measure list", ALL, _go(lambda w: "/measures/")),
    Visit(
        "measures:measure_list",
        "measure list filtered and sorted",
        ALL,
        _go(lambda w: "/measures/?year=2025&status=in_progress&sort=-code"),
    ),
    Visit(
        "measures:measure_detail",
        "measure of the area",
        ALL,
        _go(lambda w: f"/measures/{w.m03.pk}/"),
    ),
    Visit(
        "measures:measure_detail",
        "region-wide measure",
        ALL,
        _go(lambda w: f"/measures/{w.m01.pk}/"),
    ),
    Visit("measures:measure_create", "new measure", WRITERS, _go(lambda w: "/measures/new/")),
    Visit(
        "measures:measure_edit",
        "edit measure",
        WRITERS,
        _go(lambda w: f"/measures/{w.m03.pk}/edit/"),
    ),
    Visit(
        "measures:measure_report",
        "report on a measure",
        (FINANCE, DIRECTOR, ADMIN),
        _go(lambda w: f"/measures/{w.m03.pk}/report/"),
    ),
    Visit(
        "measures:measure_shares",
        "shares of a region-wide measure",
        WRITERS,
        _go(lambda w: f"/measures/{w.m01.pk}/shares/"),
    ),
    Visit(
        "measures:measure_shares",
        "shares with errors",
        (FINANCE,),
        _with_errors(lambda w: f"/measures/{w.m01.pk}/shares/", "x"),
    ),
    Visit(
        "measures:measure_edit",
        "edit measure with errors",
        (FINANCE,),
        _with_errors(lambda w: f"/measures/{w.m03.pk}/edit/"),
    ),
    Visit(
        "measures:measure_report",
        "report on a measure with errors",
        (DIRECTOR,),
        _with_errors(lambda w: f"/measures/{w.m03.pk}/report/", "x"),
    ),
    Visit("measures:measure_import", "measure import", WRITERS, _go(lambda w: "/measures/import/")),
    Visit(
        "measures:measure_import_preview",
        "measure import preview of a valid file",
        WRITERS,
        _upload("/measures/import/", _measure_plan, MEASURES_OK, "plan.csv"),
    ),
    Visit(
        "measures:measure_import_preview",
        "measure import preview of a file with errors",
        (FINANCE,),
        _upload("/measures/import/", _measure_plan, MEASURES_BAD, "plan-fel.csv"),
    ),
    Visit("403", "403 page", (DIRECTOR, COMMITTEE), _go(lambda w: "/reports/new/"), status=403),
    Visit(
        "404",
        "404 page",
        (*SIGNED_IN, ANONYMOUS),
        _go(lambda w: "/finns-inte/"),
        status=404,
    ),
    Visit("admin:index", "administration", WRITERS, _go(lambda w: "/admin/")),
    Visit(
        "measures:indicator_create",
        "new indicator",
        (FINANCE, DIRECTOR),
        _go(lambda w: f"/measures/{w.m03.pk}/indicators/new/"),
    ),
    Visit(
        "measures:indicator_create",
        "new indicator with errors",
        (DIRECTOR,),
        _with_errors(lambda w: f"/measures/{w.m03.pk}/indicators/new/"),
    ),
    Visit(
        "measures:indicator_edit",
        "change an indicator",
        (FINANCE, DIRECTOR),
        _go(lambda w: f"/measures/{w.m03.pk}/indicators/{w.m03.indicators.first().pk}/edit/"),
    ),
    Visit(
        "measures:indicator_value_add",
        "an indicator's value",
        (FINANCE, DIRECTOR),
        _go(lambda w: f"/measures/{w.m03.pk}/indicators/{w.m03.indicators.first().pk}/values/"),
    ),
    Visit("people_list", "people and roles", WRITERS, _go(lambda w: "/people/")),
    Visit("person_create", "add a person", (ADMIN,), _go(lambda w: "/people/new/")),
    Visit(
        "person_create",
        "add a person with errors",
        (ADMIN,),
        _with_errors(lambda w: "/people/new/"),
    ),
    Visit("person_edit", "change a person", (ADMIN,), _go(lambda w: f"/people/{w.director_id}/")),
    Visit(
        "person_areas",
        "a director's areas",
        WRITERS,
        _go(lambda w: f"/people/{w.director_id}/areas/"),
    ),
    Visit("api_tokens", "API tokens", WRITERS, _go(lambda w: "/api-tokens/")),
    Visit("api_tokens", "API token created", (FINANCE,), _api_token_created, status=201),
    Visit(
        "api_tokens",
        "new API token with errors",
        (FINANCE,),
        _with_errors(lambda w: "/api-tokens/"),
    ),
    Visit("locked_out", "locked-out page", (ANONYMOUS,), _lock_out, status=429),
    Visit(
        "login_unlock_request",
        "unlock link request",
        (ANONYMOUS,),
        _go(lambda w: "/accounts/unlock/"),
    ),
    Visit(
        "login_unlock_request",
        "unlock link request with errors",
        (ANONYMOUS,),
        _with_errors(lambda w: "/accounts/unlock/"),
    ),
    Visit("login_unlock", "unlock link confirm", (ANONYMOUS,), _go(_unlock_link)),
    Visit(
        "login_unlock",
        "unlock link refused",
        (ANONYMOUS,),
        _go(lambda w: "/accounts/unlock/forged:link/"),
        status=400,
    ),
    Visit(
        "slow_down",
        "login slowed down for an address",
        (ANONYMOUS,),
        _rendered("registration/slow_down.html", 429, lambda w: {"wait": 4}),
        status=429,
    ),
    Visit(
        "report_pdf_busy",
        "PDF being made, try again",
        (FINANCE,),
        _rendered(
            "regionbudget/report_pdf_busy.html",
            429,
            lambda w: {"report": w.published, "message": "Flera pdf:er görs just nu."},
        ),
        status=429,
    ),
    Visit("400", "400 page", (ANONYMOUS,), _plain_error_page("400.html", 400), status=400),
    Visit(
        "500",
        "500 page",
        (ANONYMOUS,),
        _plain_error_page("500.html", 500, {"incident": "0123456789ab"}),
        status=500,
    ),
    Visit("503", "503 page", (ANONYMOUS,), _plain_error_page("503.html", 503), status=503),
]
# Pages without a URL pattern of their own (error pages, the lockout) are scanned too.
OTHER_PAGES = {
    "report_no_pdf",
    "report_pdf_busy",
    "403",
    "404",
    "locked_out",
    "slow_down",
    "400",
    "500",
    "503",
}


def _url_names(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_url_pattern_is_scanned():
    """A page added without an entry here (or a reason why it is no HTML page) fails."""
    names = {n for n in _url_names() if not n.startswith("admin:") or n == "admin:index"}
    scanned = {visit.name for visit in PAGES}
    missing = names - scanned - set(NOT_HTML)
    assert not missing, f"URL patterns with no axe scan: {sorted(missing)}"
    stale = (set(NOT_HTML) | scanned) - OTHER_PAGES - names
    assert not stale, f"entries for URL patterns that no longer exist: {sorted(stale)}"


@pytest.fixture
def world(demo_committed):
    """The seed case plus a draft status report."""
    from django.contrib.auth import get_user_model

    finance_user = get_user_model().objects.get(username=FINANCE)
    published = StatusReport.objects.filter(status=StatusReport.Status.PUBLISHED).first()
    draft = report_create(
        meeting=Meeting.objects.order_by("-date").first(),
        plan=published.plan,
        year=2026,
        title="Lägesrapport inför decembermötet",
        summary="Utkast.",
        user=finance_user,
    )
    rounds = list(ForecastRound.objects.order_by("-year", "-month"))
    open_round = next(r for r in rounds if r.is_open)
    closed_round = next(r for r in rounds if not r.is_open)
    somatik = Area.objects.get(code="LSO-SOM")
    return SimpleNamespace(
        finance_user=finance_user,
        published=published,
        draft=draft,
        open_round=open_round,
        closed_round=closed_round,
        somatik=somatik,
        forecast=Forecast.objects.get(forecast_round=open_round, area=somatik),
        m01=Measure.objects.get(plan=published.plan, code="M01"),
        m03=Measure.objects.get(plan=published.plan, code="M03"),
        director_id=get_user_model().objects.get(username=DIRECTOR).pk,
    )


def _context(browser, live_server, language: str = "sv"):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    if language != "sv":
        host = live_server.url.split("//", 1)[1].split(":")[0]
        context.add_cookies(
            [{"name": "django_language", "value": language, "domain": host, "path": "/"}]
        )
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill("demo")
    with page.expect_navigation():
        page.locator("#id_password").press("Enter")
    assert page.url.endswith("/"), f"{username} could not log in"


def _scan_all(page, axe, visits: list[Visit], world, who: str) -> list[str]:
    """Open and scan each page; return the problems found, every one of them."""
    problems = []
    for visit in visits:
        status = visit.open(page, world)
        if status != visit.status:
            problems.append(f"{visit.label} as {who}: HTTP {status}, expected {visit.status}")
            continue
        if not page.locator("h1").count():
            problems.append(f"{visit.label} as {who}: no h1 heading")
        results = axe.run(page)
        if results.violations_count:
            problems.append(f"{visit.label} as {who}:\n{results.generate_report()}")
    return problems


ROLE_LABELS = {FINANCE: "finance", DIRECTOR: "director", COMMITTEE: "committee", ADMIN: "admin"}


@pytest.mark.parametrize("username", [*SIGNED_IN, ANONYMOUS], ids=[*ROLE_LABELS.values(), "anon"])
def test_every_page_of_the_role_passes_axe(browser, live_server, axe, world, username):
    visits = [v for v in PAGES if username in v.roles]
    assert len(visits) >= 5
    context, page = _context(browser, live_server)
    try:
        if username:
            _log_in(page, username)
        problems = _scan_all(page, axe, visits, world, username or "anonymous")
    finally:
        context.close()
    assert not problems, "\n\n".join(problems)


ENGLISH = {
    "home",
    "gap_dashboard",
    "forecasts:round_detail",
    "forecasts:forecast_detail",
    "measures:measure_list",
    "measures:measure_create",
    "report_detail",
    "404",
}


@pytest.mark.parametrize("username", [FINANCE, DIRECTOR], ids=["finance", "director"])
def test_pages_in_english_pass_axe(browser, live_server, axe, world, username):
    visits = [v for v in PAGES if v.name in ENGLISH and username in v.roles][:8]
    context, page = _context(browser, live_server, language="en")
    try:
        _log_in(page, username)
        assert page.locator("html").get_attribute("lang") == "en"
        problems = _scan_all(page, axe, visits, world, f"{username} in English")
        if username == FINANCE:
            page.goto(f"/forecasts/rounds/{world.open_round.pk}/")
            screenshot(page, "a11y-round-detail-en")
    finally:
        context.close()
    assert not problems, "\n\n".join(problems)


def test_key_pages_render_for_the_eye(browser, live_server, world):
    """Screenshots of key pages for a person to look at (test-artifacts/); the pages load."""
    context, page = _context(browser, live_server)
    try:
        _log_in(page, FINANCE)
        for name, path in [
            ("a11y-gap-dashboard", f"/gap/?year=2025&area={world.somatik.pk}"),
            ("a11y-measure-list", "/measures/"),
            ("a11y-report-draft", f"/reports/{world.draft.pk}/"),
        ]:
            assert page.goto(path).status == 200
            screenshot(page, name)
        assert _upload("/forecasts/import/", _budget_kind, BUDGET_BAD, "x.csv")(page, world) == 400
        assert page.locator("main table").count() >= 1, "the error table is shown"
        screenshot(page, "a11y-import-errors")
    finally:
        context.close()
