"""Region-wide pages: home, health check and error pages."""

from __future__ import annotations

import logging
import sys
import uuid

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from forecasts.selectors import actuals_due, open_round_work, plan_list, plan_targets
from measures.selectors import measures_to_report
from regionbudget.balance.pages import ledger_page
from regionbudget.core import access
from regionbudget.core.database import is_timeout
from regionbudget.core.oidc import password_login_allowed
from regionbudget.core.roles import Role, role_of
from regionbudget.core.security import log_access_denied
from regionbudget.core.selectors import area_list_with_units
from regionbudget.gap.selectors import ledger_snapshot
from regionbudget.reports.selectors import latest_published_report, next_meeting

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    """Django's login, refusing early with the 503 page when the database is down, so that
    nobody types a password into a form that cannot be checked."""

    redirect_authenticated_user = True

    def dispatch(self, request, *args, **kwargs):
        # A round trip, not just a connection: a thread's persistent connection stays open in
        # Python after the server has gone, and only a query finds out.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        # The region's identity provider (regionbudget.core.oidc), and whether the password form
        # is offered (with password logins off, only on asking: for a break-glass administrator).
        ctx = super().get_context_data(**kwargs)
        ctx["oidc_enabled"] = settings.OIDC_ENABLED
        ctx["password_form"] = (
            password_login_allowed()
            or "local" in self.request.GET
            or (self.request.method == "POST")
        )
        return ctx


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The user's start page: what they have to do now (a work queue per role), the plan and
    its targets, and the areas the user works with."""
    role = role_of(request.user)
    plans = list(plan_list(user=request.user))
    chosen = request.GET.get("plan", "")
    plan = next((p for p in plans if str(p.pk) == chosen), None)
    if plan is None:
        plan = next((p for p in plans if p.status == p.Status.ACTIVE), plans[0] if plans else None)
    areas = list(area_list_with_units(user=request.user))
    visible = {area.pk for area in areas}
    ctx = {
        **_work_queue(request.user, role, areas),
        "role": role,
        "plan": plan,
        "other_plans": [p for p in plans if p != plan],
        "targets": plan_targets(plan=plan, visible_area_ids=visible) if plan else None,
        "areas": areas,
        "can_manage": access.is_finance(request.user),
        "is_admin": access.is_admin(request.user),
        # Deficits that miss their balance requirement deadline, flagged for every role.
        "balance": ledger_page(ledger_snapshot(plan=plan), language=get_language()),
    }
    return render(request, "regionbudget/home.html", ctx)


def _work_queue(user, role, areas: list) -> dict:
    """What the user has to do or to read now, by role: a director's forecasts due, returned or
    awaiting approval and their measures to report on; finance's open rounds, forecasts to
    approve, imports due and the next meeting; a committee member's latest report and next
    meeting. A bounded number of queries per role (none per area)."""
    today = timezone.localdate()
    if role == Role.COMMITTEE:
        meeting, meeting_reports = next_meeting(user=user, today=today)
        return {
            "latest_report": latest_published_report(user=user),
            "next_meeting": meeting,
            "meeting_reports": meeting_reports,
        }
    work = open_round_work(user=user, areas=areas)
    if role == Role.AREA_DIRECTOR:
        month, to_report = measures_to_report(user=user, today=today)
        return {
            "rounds_work": work,
            "to_report": to_report,
            "report_month_name": str(MONTHS[month[1]]).lower(),
            "report_year": month[0],
        }
    if role in (Role.FINANCE, Role.ADMIN):
        meeting, meeting_reports = next_meeting(user=user, today=today)
        return {
            "rounds_work": work,
            "actuals": actuals_due(today=today),
            "next_meeting": meeting,
            "meeting_reports": meeting_reports,
        }
    return {}


# How long /healthz waits for the database before it calls it slow (milliseconds).
HEALTH_PROBE_TIMEOUT_MS = 1000


def _application_tables() -> list[str]:
    """Every table of the application's models, quoted for SQL."""
    from django.apps import apps

    names = {
        model._meta.db_table
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }
    return [connection.ops.quote_name(name) for name in sorted(names)]


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Reports whether the database answers, and answers in time; no login needed.

    - 200 ``ok``: a query answers, and no table is locked against readers.
    - 503 ``degraded``: the database answers, but slowly, or a table the pages read is locked
      (``LOCK TABLE``, a long ``ALTER TABLE``): pages would wait and end in the 503 page.
    - 503 ``error``: the database cannot be reached.

    The lock probe takes a reader's lock on every table with ``NOWAIT`` inside a transaction it
    rolls back: it waits for nothing and changes nothing."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {HEALTH_PROBE_TIMEOUT_MS}")
            cursor.execute("SELECT 1")
            cursor.fetchone()
            try:
                with transaction.atomic():
                    cursor.execute(
                        f"LOCK TABLE {', '.join(_application_tables())} IN ACCESS SHARE MODE NOWAIT"
                    )
            except OperationalError as exc:  # a lock not available, or the probe timed out
                logger.warning("healthz: database degraded: %s", exc.__class__.__name__)
                return JsonResponse({"status": "degraded", "database": "slow"}, status=503)
    except DatabaseError as exc:
        if is_timeout(exc):
            logger.warning("healthz: database slow: %s", exc.__class__.__name__)
            return JsonResponse({"status": "degraded", "database": "slow"}, status=503)
        logger.warning("healthz: database unreachable: %s", exc.__class__.__name__)
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def _render_plain(template_name: str, status: int, context: dict | None = None) -> HttpResponse:
    """Render an error page without context processors: they may need the broken database."""
    body = loader.get_template(template_name).render(context or {})
    return HttpResponse(body, status=status)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.user.is_authenticated:  # an outsider probing another area's pages
        log_access_denied(request, 404)
    return render(request, "404.html", {"path": request.path}, status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    log_access_denied(request, 403)
    return render(request, "403.html", status=403)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render_plain("400.html", 400)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 page with an incident id to quote; a database outage gets a 503 page instead."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        logger.error("database unavailable: %s", error.__class__.__name__)
        response = _render_plain("503.html", 503)
        response["Retry-After"] = "30"
        return response
    incident = uuid.uuid4().hex[:12]
    logger.error("incident %s on %s", incident, request.path, exc_info=error is not None)
    return _render_plain("500.html", 500, {"incident": incident})
