"""Committee status reports: drafted and published by finance, read by everyone else."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forecasts.selectors import plan_list
from measures.models import Measure
from regionbudget.core import access
from regionbudget.core.locking import advisory_slot
from regionbudget.core.saving import keep_input
from regionbudget.reports.forms import MeetingForm, StatusReportForm
from regionbudget.reports.models import StatusReport
from regionbudget.reports.pages import report_page
from regionbudget.reports.selectors import report_list as select_reports
from regionbudget.reports.selectors import report_pdf_stored, report_snapshot
from regionbudget.reports.services import (
    ReportConflict,
    ReportFrozen,
    report_pdf_keep,
    report_update,
)
from regionbudget.reports.services import meeting_create as create_meeting
from regionbudget.reports.services import report_create as create_report
from regionbudget.reports.services import report_publish as publish_report


def _get_report(request: HttpRequest, pk: int) -> StatusReport:
    """A report the user may read; drafts are 404 to anyone but finance and admins."""
    return access.object_or_404(select_reports(user=request.user), pk=pk)


# The button of a new report's form that shows it again with the chosen plan's measures.
SHOW_PLAN_MEASURES = "show_plan_measures"
# The fields a new report's form keeps when it is shown again for another plan.
_KEPT_ON_PLAN_CHANGE = (
    "meeting",
    "plan",
    "year",
    "title",
    "summary",
    "corrects",
    "correction_note",
)


def _chosen_plan(plans, chosen: str):
    """The plan ``chosen`` names (an id from the form or ``?plan=``), if the user may read it."""
    return plans.filter(pk=int(chosen)).first() if chosen.isascii() and chosen.isdigit() else None


def _report_form(request: HttpRequest, *, instance=None, data=None, shown=None) -> StatusReportForm:
    """The report form; a new report offers the measures of the plan chosen in it, else of the
    active plan. The plan is chosen by ``?plan=`` on a GET, by the posted form, or by ``shown``:
    the posted input of a form sent to show another plan's measures (kept, not saved)."""
    plans = plan_list(user=request.user)
    source = data or shown or request.GET
    if instance:
        plan = instance.plan
    else:
        plan = _chosen_plan(plans, source.get("plan", "")[:12])
        plan = plan or plans.filter(status="active").first()
    initial = {}
    if instance is None and data is None:
        initial = {name: source[name] for name in _KEPT_ON_PLAN_CHANGE if name in source}
        initial["plan"] = plan.pk if plan else None
    return StatusReportForm(
        data,
        initial=initial,
        instance=instance,
        plans=plans,
        measures=Measure.objects.filter(plan=plan).order_by("code")
        if plan
        else Measure.objects.none(),
        published=StatusReport.objects.filter(status=StatusReport.Status.PUBLISHED),
    )


@login_required
@require_safe
def report_list(request: HttpRequest) -> HttpResponse:
    """Published reports, newest first; finance also sees drafts and can start a new one."""
    access.require_role(request.user)
    ctx = {
        "reports": select_reports(user=request.user),
        "can_write": access.is_finance(request.user),
    }
    return render(request, "regionbudget/report_list.html", ctx)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    access.require_finance(request.user)
    form = MeetingForm(request.POST or None)
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            create_meeting(**form.cleaned_data)
            messages.success(request, _("The meeting was added."))
            return redirect("report_create")
    ctx = {"form": form, "save_error": save.message}
    return render(request, "regionbudget/meeting_form.html", ctx, status=save.status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    access.require_finance(request.user)
    if request.method == "POST" and SHOW_PLAN_MEASURES in request.POST:
        # "Show the plan's measures": the form again, for the chosen plan, nothing saved
        form = _report_form(request, shown=request.POST)
    else:
        form = _report_form(request, data=request.POST or None)
    with keep_input(form) as save:
        if request.method == "POST" and form.is_bound and form.is_valid():
            try:
                report = create_report(**form.report_fields(), user=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The draft was saved. Preview it, then publish."))
                return redirect(report)
    ctx = {"form": form, "report": None, "show_plan_measures": SHOW_PLAN_MEASURES}
    return render(request, "regionbudget/report_form.html", ctx, status=save.status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_finance(request.user)
    report = _get_report(request, pk)
    if report.status == StatusReport.Status.PUBLISHED:
        return _frozen(request, report)
    form = _report_form(request, instance=report, data=request.POST or None)
    conflict = None
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                report = report_update(report=report, **form.update_fields(), user=request.user)
            except ReportFrozen:
                return _frozen(request, report)
            except ReportConflict as error:
                conflict = error.current
            else:
                messages.success(request, _("The draft was saved."))
                return redirect(report)
    ctx = {"form": form, "report": report, "conflict": conflict}
    status = 409 if conflict else save.status
    return render(request, "regionbudget/report_form.html", ctx, status=status)


def _frozen(request: HttpRequest, report: StatusReport) -> HttpResponse:
    """An attempt to change a published report: refused, with the way forward."""
    return render(request, "regionbudget/report_frozen.html", {"report": report}, status=409)


@login_required
@require_safe
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A published report from its snapshot; a draft as a live preview (finance only)."""
    report = _get_report(request, pk)
    return render(request, "regionbudget/report_detail.html", _detail_ctx(request, report))


def _detail_ctx(request: HttpRequest, report: StatusReport) -> dict:
    snapshot = (
        report.snapshot if report.snapshot else report_snapshot(report=report, user=request.user)
    )
    return {
        "report": report,
        "can_write": access.is_finance(request.user),
        **report_page(snapshot, language=get_language()),
    }


@login_required
@require_POST
def report_publish(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_finance(request.user)
    report = _get_report(request, pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        with keep_input() as save:
            report = publish_report(report=report, expected_version=version, user=request.user)
    except ReportFrozen:
        return _frozen(request, report)
    except ReportConflict:
        messages.error(
            request,
            _("The draft was changed by someone else. Check the preview and publish again."),
        )
        return redirect(report)
    if save.interrupted:  # nothing was published: the preview again, to publish again
        messages.error(request, save.message)
        ctx = _detail_ctx(request, report)
        return render(request, "regionbudget/report_detail.html", ctx, status=save.status)
    messages.success(request, _("The report is published and frozen."))
    return redirect(report)


# Advisory lock namespaces of the PDF renders: one per user at a time, and a few at once in all.
PDF_USER_LOCKS = 7301
PDF_SLOT_LOCKS = 7302


def _pdf_busy(request: HttpRequest, report: StatusReport, message: str) -> HttpResponse:
    ctx = {"report": report, "message": message}
    response = render(request, "regionbudget/report_pdf_busy.html", ctx, status=429)
    response["Retry-After"] = "10"
    return response


@login_required
@require_safe
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same document as the page, as PDF for the meeting papers (published reports only).

    A published report never changes, so its PDF is made once per language and kept in the
    database (``ReportPdf``), for every worker. Making one takes seconds of a worker: each user
    makes one at a time, and at most ``settings.PDF_RENDERS_AT_ONCE`` are made at once; a
    request beyond that gets a page asking to try again in a few seconds (429) instead of
    queueing workers."""
    from django.conf import settings

    report = _get_report(request, pk)
    if report.status != StatusReport.Status.PUBLISHED:
        raise Http404
    language = get_language()
    pdf = report_pdf_stored(report=report, language=language)
    if pdf is None:
        try:
            import weasyprint
        except OSError:  # the Pango library is missing on this machine
            return render(
                request, "regionbudget/report_no_pdf.html", {"report": report}, status=503
            )
        with advisory_slot(PDF_USER_LOCKS, [request.user.pk]) as own:
            if own is None:
                return _pdf_busy(request, report, _("Your previous PDF is still being made."))
            slots = list(range(settings.PDF_RENDERS_AT_ONCE))
            with advisory_slot(PDF_SLOT_LOCKS, slots) as slot:
                if slot is None:
                    return _pdf_busy(request, report, _("Several PDFs are being made right now."))
                # made by someone else while this one waited
                pdf = report_pdf_stored(report=report, language=language)
                if pdf is None:
                    pdf = _render_pdf(request, report, weasyprint)
                    report_pdf_keep(report=report, language=language, content=pdf)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="statusrapport-{report.meeting.date:%Y-%m-%d}-{report.pk}.pdf"'
    )
    return response


def _render_pdf(request: HttpRequest, report: StatusReport, weasyprint) -> bytes:
    html = render_to_string(
        "regionbudget/report_print.html",
        {"report": report, **report_page(report.snapshot, language=get_language())},
        request=request,
    )
    stylesheets = [weasyprint.CSS(filename=finders.find("css/report.css"))]
    # PDF/UA-1: a tagged PDF (headings, tables with their headers and captions, the charts'
    # titles as alternative text) with the report's title and language, as public bodies' PDFs
    # must be accessible.
    return weasyprint.HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(
        stylesheets=stylesheets, pdf_variant="pdf/ua-1"
    )
