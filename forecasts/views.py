"""Pages of forecast rounds, the forecast grid, the area page and the imports.

Thin views: access is decided by ``regionbudget.core.access``, through the selectors (404
outside the user's areas, 403 for a role that may only read), writes by the services; state
changes are POST-only and redirect. A save that loses its database connection comes back with
the input and 503 (``keep_input``).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from forecasts import charts, exports, grid_file, imports, selectors, services
from forecasts.calculations import cell_key
from forecasts.forms import (
    ApproveForm,
    ForecastGridForm,
    ForecastUploadForm,
    ImportConfirmForm,
    ImportUploadForm,
    OutsideBudgetsForm,
    ReturnForm,
    RoundForm,
)
from forecasts.models import Forecast, ImportUpload
from regionbudget.core import access
from regionbudget.core.api_tokens import token_readable
from regionbudget.core.saving import keep_input
from regionbudget.core.tabular import RowError, TableFileError


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: on its field where there is one, else on the form."""
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _interrupted(request: HttpRequest, template: str, ctx: dict, save) -> HttpResponse:
    """The page the user sent a button from, again, after a save lost its connection."""
    messages.error(request, save.message)
    return render(request, template, ctx, status=save.status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def outside_budgets_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Finance enters, per year of a plan, the reduction outside the area budgets (mnkr)."""
    access.require_finance(request.user)
    plan = access.object_or_404(selectors.plan_list(user=request.user), pk=pk)
    form = OutsideBudgetsForm(
        request.POST or None,
        plan=plan,
        stored=selectors.outside_budgets(plan=plan),
        language=get_language(),
    )
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                services.outside_budgets_set(plan=plan, amounts=form.amounts(), user=request.user)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The reductions outside the area budgets of %(plan)s are saved.")
                    % {"plan": plan.name},
                )
                return redirect(plan)
    ctx = {"form": form, "plan": plan}
    return render(request, "forecasts/outside_budgets_form.html", ctx, status=save.status)


@login_required
@require_safe
def round_list(request: HttpRequest) -> HttpResponse:
    """Every forecast round with how far it has come; a director sees their areas' states."""
    ctx = {
        "items": selectors.round_list(user=request.user),
        "is_finance": access.is_finance(request.user),
    }
    return render(request, "forecasts/round_list.html", ctx)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    """Finance opens a round: "prognos efter oktober 2024", its deadline and threshold."""
    access.require_finance(request.user)
    form = RoundForm(request.POST or None)
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                forecast_round = services.round_open(user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("%(round)s is open.") % {"round": forecast_round})
                return redirect(forecast_round)
    return render(request, "forecasts/round_form.html", {"form": form}, status=save.status)


@login_required
@require_safe
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Every visible area's forecast in the round: state (late in red) and year figures."""
    forecast_round = selectors.round_get(user=request.user, pk=pk)
    return render(request, "forecasts/round_detail.html", _round_ctx(request, forecast_round))


def _round_ctx(request: HttpRequest, forecast_round) -> dict:
    return {
        "round": forecast_round,
        **selectors.round_page(forecast_round=forecast_round, user=request.user),
        "is_finance": access.is_finance(request.user),
    }


@login_required
@require_POST
def round_remind(request: HttpRequest, pk: int) -> HttpResponse:
    """Finance e-mails the directors of the round's late areas (once a day per area)."""
    access.require_finance(request.user)
    forecast_round = selectors.round_get(user=request.user, pk=pk)
    try:
        result = services.remind_areas(forecast_round=forecast_round, user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect(forecast_round)
    if result.reminded:
        messages.success(
            request,
            ngettext(
                "A reminder was sent to %(count)d late area: %(areas)s.",
                "Reminders were sent to %(count)d late areas: %(areas)s.",
                len(result.reminded),
            )
            % {"count": len(result.reminded), "areas": ", ".join(a.name for a in result.reminded)},
        )
    if result.already:
        messages.info(
            request,
            _("Already reminded today, so not again: %(areas)s.")
            % {"areas": ", ".join(a.name for a in result.already)},
        )
    if not result.reminded and not result.already:
        messages.info(request, _("No late area has a director with an e-mail address to remind."))
    return redirect(forecast_round)


@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_finance(request.user)
    forecast_round = selectors.round_get(user=request.user, pk=pk)
    with keep_input() as save:
        try:
            services.round_close(forecast_round=forecast_round, user=request.user)
            messages.success(request, _("%(round)s is closed.") % {"round": forecast_round})
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
    if save.interrupted:  # the round as stored (still open), not as the lost save left it
        forecast_round = selectors.round_get(user=request.user, pk=pk)
        ctx = _round_ctx(request, forecast_round)
        return _interrupted(request, "forecasts/round_detail.html", ctx, save)
    return redirect(forecast_round)


def _locked_text(forecast_round, forecast) -> str:
    """Why the grid cannot be written: a closed round, or a forecast no longer editable."""
    if not forecast_round.is_open:
        return _("The forecast round is closed; its forecasts can no longer change.")
    return _(
        "The forecast is %(status)s and can no longer be changed unless finance returns it."
    ) % {"status": forecast.get_status_display().lower()}


def _grid_write(request: HttpRequest, form, forecast_round, area):
    """Save (or submit) a valid grid: ``(redirect, None)`` when stored, ``(None, the stored
    forecast)`` on a conflict, ``(None, None)`` when the services refused it (errors on the
    form)."""
    submit = form.cleaned_data["action"] == "submit"
    write = services.forecast_submit if submit else services.forecast_save
    try:
        write(
            forecast_round=forecast_round,
            area=area,
            lines=form.lines(),
            expected_version=form.cleaned_data["version"],
            user=request.user,
        )
    except services.ForecastConflict as exc:
        return None, exc.current
    except ValidationError as exc:
        _add_errors(form, exc)
        return None, None
    if submit:
        messages.success(request, _("The forecast is submitted to finance."))
        return redirect("forecasts:forecast_detail", forecast_round.pk, area.pk), None
    messages.success(request, _("The draft is saved."))
    return redirect("forecasts:forecast_edit", forecast_round.pk, area.pk), None


def _grid_ctx(user, forecast_round, area, forecast, form, grid, conflict=None) -> dict:
    proposals = selectors.line_proposals(
        forecast_round=forecast_round, area=area, group_ids=grid.group_ids
    )
    grid = selectors.grid_add_proposals(grid=grid, proposals=proposals)
    return {
        "round": forecast_round,
        "area": area,
        "forecast": forecast,
        "grid": grid,
        "version": conflict.version if conflict else (forecast.version if forecast else 0),
        "conflict": conflict,
        "form_errors": form.non_field_errors() if form is not None else [],
        # A grid shown again after a refused save holds input that is not stored yet.
        "unsaved": form is not None,
        # finance keying in the area's forecast (a director writes only their own areas')
        "on_behalf": access.is_finance(user) and not access.directs(user, area),
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def forecast_edit(request: HttpRequest, round_pk: int, area_pk: int) -> HttpResponse:
    """The area's grid: save a draft any time, or submit (then it is locked). The area's
    director fills it in, or finance on the area's behalf (recorded on the forecast)."""
    forecast_round, area, forecast = selectors.forecast_access(
        user=request.user, round_pk=round_pk, area_pk=area_pk, action="edit"
    )
    if not forecast_round.is_open or (forecast and not forecast.is_editable):
        if request.method == "POST":  # e.g. a second click on "submit": nothing is written
            messages.error(request, _locked_text(forecast_round, forecast))
        return redirect("forecasts:forecast_detail", round_pk, area_pk)
    if request.method == "GET":
        grid = selectors.forecast_grid(forecast_round=forecast_round, area=area, forecast=forecast)
        ctx = _grid_ctx(request.user, forecast_round, area, forecast, None, grid)
        return render(request, "forecasts/forecast_edit.html", ctx)
    if request.POST.get("action") == "upload":
        return _grid_upload(request, forecast_round, area, forecast)
    if "propose" in request.POST:
        return _grid_propose(request, forecast_round, area, forecast)
    form = ForecastGridForm(request.POST, cells=selectors.grid_cells(area=area))
    saved, conflict = None, None
    with keep_input(form) as save:
        if form.is_valid():
            saved, conflict = _grid_write(request, form, forecast_round, area)
    if saved is not None:
        return saved
    grid = selectors.forecast_grid(
        forecast_round=forecast_round,
        area=area,
        forecast=conflict or forecast,
        entries=form.entries(),
        errors=form.field_errors(),
        show_stored=conflict is not None,
    )
    ctx = _grid_ctx(request.user, forecast_round, area, conflict or forecast, form, grid, conflict)
    return render(
        request, "forecasts/forecast_edit.html", ctx, status=409 if conflict else save.status
    )


def _grid_upload(request: HttpRequest, forecast_round, area, forecast) -> HttpResponse:
    """A filled-in grid file, shown in the grid to check and save: nothing is written here.
    All or nothing: with any error the grid stays as stored and every error is listed."""
    stored = selectors.forecast_grid(forecast_round=forecast_round, area=area, forecast=forecast)
    form = ForecastUploadForm(request.POST, request.FILES)
    entries, errors = {}, []
    if form.is_valid():
        file = form.cleaned_data["file"]
        try:
            entries, errors = grid_file.grid_read(file, filename=file.name, grid=stored)
        except TableFileError as exc:
            errors = [RowError(0, "", "", exc.message)]
    else:
        errors = [RowError(0, "", "", str(e)) for e in form.errors.get("file", [])]
    grid = (
        selectors.forecast_grid(
            forecast_round=forecast_round, area=area, forecast=forecast, entries=entries
        )
        if entries
        else stored
    )
    ctx = {
        **_grid_ctx(request.user, forecast_round, area, forecast, None, grid),
        "upload_errors": errors,
        "uploaded": bool(entries),
        "unsaved": bool(entries),
        "upload_form": form,
    }
    return render(request, "forecasts/forecast_edit.html", ctx, status=400 if errors else 200)


def _grid_propose(request: HttpRequest, forecast_round, area, forecast) -> HttpResponse:
    """The grid as typed, with the proposal taken into the lines the button names (a line, a
    unit or the whole area): nothing is written, the director adjusts and saves as usual."""
    form = ForecastGridForm(request.POST, cells=selectors.grid_cells(area=area))
    form.is_valid()  # reads every cell; what was typed is kept, refused or not
    proposals = selectors.line_proposals(forecast_round=forecast_round, area=area)
    entries, taken = selectors.grid_take_proposals(
        choice=request.POST.get("propose", ""), entries=form.entries(), proposals=proposals
    )
    errors = {
        name: error
        for name, error in form.field_errors().items()
        if name.startswith(("line-", "comment-"))
        and name not in {cell_key("line", cell) for cell in taken}
    }
    grid = selectors.forecast_grid(
        forecast_round=forecast_round, area=area, forecast=forecast, entries=entries, errors=errors
    )
    ctx = {**_grid_ctx(request.user, forecast_round, area, forecast, None, grid), "unsaved": True}
    # the version the page was opened with: a save after this still meets a concurrent one
    ctx["version"] = form.cleaned_data.get("version", ctx["version"])
    ctx["proposal_taken"] = len(taken)
    return render(request, "forecasts/forecast_edit.html", ctx)


@login_required
@require_safe
def forecast_download(request: HttpRequest, round_pk: int, area_pk: int) -> HttpResponse:
    """The grid as an Excel file (.xlsx) to fill in and upload again; figures in tkr."""
    forecast_round, area, forecast = selectors.forecast_access(
        user=request.user, round_pk=round_pk, area_pk=area_pk
    )
    grid = selectors.forecast_grid(forecast_round=forecast_round, area=area, forecast=forecast)
    content = grid_file.grid_workbook(
        grid, title=f"{area.name}: {forecast_round}", language=get_language()
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"prognos-{area.code}-{forecast_round.year}-{forecast_round.month:02d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_safe
def forecast_detail(request: HttpRequest, round_pk: int, area_pk: int) -> HttpResponse:
    """A forecast read-only, with its state; finance approves or returns it here."""
    forecast_round, area, forecast = selectors.forecast_access(
        user=request.user, round_pk=round_pk, area_pk=area_pk
    )
    ctx = _detail_ctx(request, forecast_round, area, forecast)
    return render(request, "forecasts/forecast_detail.html", ctx)


def _detail_ctx(request: HttpRequest, forecast_round, area, forecast, return_form=None) -> dict:
    return {
        "round": forecast_round,
        "area": area,
        "forecast": forecast,
        "grid": selectors.forecast_grid(forecast_round=forecast_round, area=area, forecast=forecast)
        if forecast
        else None,
        "can_review": access.is_finance(request.user)
        and forecast is not None
        and forecast.status == Forecast.Status.SUBMITTED
        and forecast_round.is_open,
        # one person with both roles reviews their own submission: they may return it only
        "submitted_by_reader": forecast is not None and forecast.submitted_by_id == request.user.pk,
        "can_edit": access.may_write_area(request.user, area)
        and forecast_round.is_open
        and (forecast is None or forecast.is_editable),
        "return_form": return_form
        or ReturnForm(initial={"version": forecast.version if forecast else 1}),
    }


def _review(request: HttpRequest, round_pk: int, area_pk: int, approve: bool) -> HttpResponse:
    forecast_round, area, forecast = selectors.forecast_access(
        user=request.user, round_pk=round_pk, area_pk=area_pk, action="review"
    )
    if forecast is None:
        raise Http404
    form = (ApproveForm if approve else ReturnForm)(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(forecast)
    with keep_input() as save:
        _review_write(request, area, forecast, form, approve)
    if save.interrupted:  # nothing changed: the same page again, with the comment typed
        ctx = _detail_ctx(request, forecast_round, area, forecast, None if approve else form)
        return _interrupted(request, "forecasts/forecast_detail.html", ctx, save)
    return redirect(forecast)


def _review_write(request: HttpRequest, area, forecast: Forecast, form, approve: bool) -> None:
    """Approve or return ``forecast`` through the services; the outcome as a message."""
    try:
        if approve:
            services.forecast_approve(
                forecast=forecast, expected_version=form.cleaned_data["version"], user=request.user
            )
            messages.success(request, _("The forecast of %(area)s is approved.") % {"area": area})
        else:
            services.forecast_return(
                forecast=forecast,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data["version"],
                user=request.user,
            )
            messages.success(request, _("The forecast is returned to %(area)s.") % {"area": area})
    except services.ForecastConflict as exc:
        done = Forecast.Status.APPROVED if approve else Forecast.Status.RETURNED
        if exc.current is not None and exc.current.status == done:  # e.g. a second click
            messages.info(
                request,
                _("The forecast is already %(status)s; nothing was changed.")
                % {"status": exc.current.get_status_display().lower()},
            )
        else:
            messages.error(
                request, _("The forecast changed while you were reading it. Check it again.")
            )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))


@login_required
@require_POST
def forecast_approve(request: HttpRequest, round_pk: int, area_pk: int) -> HttpResponse:
    return _review(request, round_pk, area_pk, approve=True)


@login_required
@require_POST
def forecast_return(request: HttpRequest, round_pk: int, area_pk: int) -> HttpResponse:
    return _review(request, round_pk, area_pk, approve=False)


@login_required
@require_safe
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An area's approved forecasts: deviation per round and the latest one per unit, of the
    year asked for (``?year=``) or of the latest year with an approved forecast."""
    area = selectors.area_for_user(user=request.user, pk=pk)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
    ctx = {"area": area, **selectors.area_summary(area=area, user=request.user, year=year)}
    return render(request, "forecasts/area_detail.html", ctx)


# --- Imports ----------------------------------------------------------------------------------
# The file is read and checked once, at upload (services.import_upload_store); the preview, the
# list of errors and the confirmation read the stored result.


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    """Upload a budget or actuals file; it is checked and previewed before anything is written."""
    access.require_finance(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            file = form.cleaned_data["file"]
            if file.size > imports.MAX_BYTES:
                form.add_error("file", imports.too_big_message(file.size, imports.MAX_BYTES))
            else:
                upload = services.import_upload_store(
                    kind=form.cleaned_data["kind"],
                    filename=file.name,
                    content=file.read(),
                    user=request.user,
                )
                return redirect("forecasts:import_preview", upload.token)
    ctx = {"form": form, "max_rows": imports.MAX_ROWS, "save_error": save.message}
    return render(request, "forecasts/import_start.html", ctx, status=save.status)


@login_required
@require_safe
def import_preview(request: HttpRequest, token) -> HttpResponse:
    """What the file holds, every error in it, and what confirming would change."""
    upload = selectors.import_upload_get(user=request.user, token=token)
    ctx = _preview_ctx(upload, ImportConfirmForm())
    if upload.file_error:
        ctx["file_error"] = upload.file_error
        return render(request, "forecasts/import_preview.html", ctx, status=400)
    ctx["errors"] = upload.errors[: imports.ERRORS_SHOWN]
    ctx["error_count"] = len(upload.errors)
    ctx["preview"] = selectors.import_preview(upload=upload) if upload.ok else None
    return render(request, "forecasts/import_preview.html", ctx, status=200 if upload.ok else 400)


@login_required
@require_safe
def import_errors(request: HttpRequest, token) -> HttpResponse:
    """Every error of an upload as a CSV file, for a file with too many to read on the page."""
    upload = selectors.import_upload_get(user=request.user, token=token)
    if upload.file_error:
        raise Http404
    errors = [RowError.from_json(error) for error in upload.errors]
    response = HttpResponse(imports.errors_csv(errors), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="importfel.csv"'
    return response


@login_required
@require_POST
def import_confirm(request: HttpRequest, token) -> HttpResponse:
    """Write the checked file, all or nothing; replacing figures needs the confirmation box."""
    upload = _upload_to_confirm(request, token)
    if upload is None:
        return redirect("forecasts:import_start")
    form = ImportConfirmForm(request.POST)
    if not upload.ok or not form.is_valid():
        return redirect("forecasts:import_preview", upload.token)
    if selectors.import_upload_stale(upload=upload):
        # A unit or account group of the file was removed since the upload: check the file
        # again, and let the preview show the rows that now fail.
        services.import_upload_recheck(upload=upload, user=request.user)
        return redirect("forecasts:import_preview", upload.token)
    try:
        with keep_input(form) as save:
            # Unticked, an import that would change or remove stored figures writes nothing:
            # decided in the write's own transaction, not by a preview read before it.
            result = services.import_upload_write(
                upload=upload, replace=form.cleaned_data["replace"], user=request.user
            )
    except services.ReplaceNotConfirmed:
        messages.error(request, _("Tick the box to confirm that existing figures are replaced."))
        return redirect("forecasts:import_preview", upload.token)
    if save.interrupted:  # nothing was written and the upload is still there: confirm again
        preview = selectors.import_preview(upload=upload)
        ctx = {**_preview_ctx(upload, form), "errors": [], "error_count": 0, "preview": preview}
        return render(request, "forecasts/import_preview.html", ctx, status=save.status)
    messages.success(request, _imported_text(upload, result))
    return redirect("forecasts:import_start")


def _upload_to_confirm(request: HttpRequest, token):
    """The user's staged upload, or None (with a message) when it has expired or was written:
    a second click on "import" is not an error. Someone else's upload stays a 404."""
    try:
        return selectors.import_upload_get(user=request.user, token=token)
    except Http404:
        if ImportUpload.objects.filter(token=token).exclude(created_by=request.user).exists():
            raise
    messages.info(
        request, _("This import has expired or was already saved. Upload the file again.")
    )
    return None


def _imported_text(upload: ImportUpload, result) -> str:
    return _(
        "Imported %(file)s: %(new)s new, %(changed)s changed and %(removed)s removed rows."
    ) % {
        "file": upload.filename,
        "new": result.created,
        "changed": result.updated,
        "removed": result.deleted,
    }


def _preview_ctx(upload: ImportUpload, form: ImportConfirmForm) -> dict:
    return {"upload": upload, "confirm_form": form, "columns": imports.COLUMNS[upload.kind]}


@login_required
@require_safe
def import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """A template file to fill in: the column names and two example rows."""
    access.require_finance(request.user)
    if kind not in imports.COLUMNS or fmt not in ("csv", "xlsx"):
        raise Http404
    name = {"budget": "budgetmall", "actual": "utfallsmall"}[kind]
    if fmt == "csv":
        response = HttpResponse(imports.template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            imports.template_xlsx(kind),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- Forecast accuracy ------------------------------------------------------------------------


def _accuracy(request: HttpRequest):
    """The accuracy of the year asked for (``?year=``), or the default one, in the user's
    areas: finance, administrators and the committee see every area (approved forecasts and
    actuals only), a director their own; a user without a role gets 403."""
    access.require_role(request.user)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and len(year) == 4 else None
    return selectors.accuracy_get(user=request.user, year=year)


@login_required
@require_safe
def forecast_accuracy(request: HttpRequest) -> HttpResponse:
    """How far each round's approved forecast was from the outcome, per area, with a chart of
    the forecasts converging (or not) on it, and the areas too optimistic round after round."""
    accuracy = _accuracy(request)
    language = get_language() or "sv"
    chart = None
    if accuracy.rows:
        figure = charts.accuracy_figure(
            accuracy.frame,
            axis=_("Forecast − outcome, percent of the outcome"),
            outcome=_("Outcome"),
            separators=", " if language.startswith("sv") else ".,",
        )
        chart = json.loads(figure.to_json())
    ctx = {"accuracy": accuracy, "chart": chart}
    return render(request, "forecasts/forecast_accuracy.html", ctx)


@token_readable
@login_required
@require_safe
def forecast_accuracy_json(request: HttpRequest) -> JsonResponse:
    """The accuracy page's figures for BI tools (SEK as strings); readable with an API token
    in the token's scope, like ``/gap/figures.json``."""
    data = exports.accuracy_json(_accuracy(request))
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@token_readable
@login_required
@require_safe
def forecast_accuracy_csv(request: HttpRequest) -> HttpResponse:
    """The accuracy rows as CSV (semicolon, UTF-8 with BOM: opens in Swedish Excel)."""
    accuracy = _accuracy(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="prognostraffsakerhet-{accuracy.year or "tom"}.csv"'
    )
    response.write("\ufeff")
    exports.accuracy_csv(accuracy, response)
    return response
