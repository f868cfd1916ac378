"""Pages of the measure register: list with totals and export, detail, forms, import.

Views are thin: access (``regionbudget.core.access`` and the selectors: 404 outside the user's
measures, 403 for a write the role may not make), selectors, calculations, then an explicit
context. A save that loses its database connection comes back with the input and 503.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_tables2 import RequestConfig

from forecasts.models import ImportUpload, Plan
from forecasts.selectors import plan_list
from measures import calculations, charts, exports, selectors, services
from measures.filters import MeasureFilterSet
from measures.forms import (
    AreaSharesForm,
    IndicatorForm,
    IndicatorValueForm,
    MeasureForm,
    MeasureImportForm,
    MeasureReportForm,
    decimal_text,
    msek_text,
)
from measures.imports import row_from_json
from measures.models import Measure
from measures.tables import MeasureTable
from regionbudget.core import access
from regionbudget.core.models import Area
from regionbudget.core.saving import keep_input
from regionbudget.core.selectors import area_list
from regionbudget.core.tabular import TableFileError


def _region_label() -> str:
    return _("Region-wide")


# Rows per page of the list: a region's 400 measures were 3,200 cells to render on every visit.
# The rows come as a list (the figures are computed for every filtered measure anyway, for the
# totals), so paging costs no query; the exports take every filtered row.
MEASURES_PER_PAGE = 50


def _listed(request: HttpRequest, *, paginate: bool = False):
    """The filtered list as shown: filter set, table (sorted as asked; one page of it with
    ``paginate``), totals of every filtered measure."""
    user = request.user
    filterset = MeasureFilterSet(request.GET, queryset=selectors.measure_list(user=user), user=user)
    rows, totals = [], calculations.Totals(*(calculations.ZERO,) * 3)
    if filterset.plan is not None:
        effects = selectors.measure_effects_frame(
            plan=filterset.plan, user=user, measures=filterset.qs
        )
        shares = selectors.measure_area_shares_frame(plan=filterset.plan)
        area_codes = selectors.scope_area_codes(user=user, area=filterset.chosen_area)
        year_rows = calculations.rows_for_year(
            calculations.scope_to_areas(effects, shares, area_codes=area_codes),
            year=filterset.year,
        )
        rows, totals = year_rows.to_dict("records"), calculations.effect_totals(year_rows)
    table = MeasureTable(rows, totals=totals, region_label=_region_label())
    pages = {"per_page": MEASURES_PER_PAGE, "orphans": 5} if paginate else False
    RequestConfig(request, paginate=pages).configure(table)
    return filterset, table, totals


@login_required
@require_safe
def measure_list(request: HttpRequest) -> HttpResponse:
    """The register: filters, one row per measure with its planned range and realised effect
    in the chosen year (a page at a time), and the totals."""
    filterset, table, totals = _listed(request, paginate=True)
    ctx = {
        "filter": filterset,
        "table": table,
        "totals": totals,
        "query": request.GET.urlencode(),
        "can_manage": selectors.can_manage_measures(request.user),
    }
    return render(request, "measures/measure_list.html", ctx)


@login_required
@require_safe
def measure_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """What the list shows, as Excel or CSV (same filters, same order, with the totals row)."""
    if fmt not in ("xlsx", "csv"):
        raise Http404
    filterset, table, totals = _listed(request)
    if filterset.plan is None:
        raise Http404
    data = exports.export_table(
        [row.record for row in table.rows],
        totals=totals,
        year=filterset.year,
        region_label=_region_label(),
    )
    name = f"atgarder-{filterset.year}"
    if fmt == "xlsx":
        body = exports.to_xlsx(data, sheet_title=_("Measures %(year)s") % {"year": filterset.year})
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, content_type = exports.to_csv(data), "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_safe
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A measure: its facts, planned range against realised per year (table and chart), the
    area split, realised months, indicators and history."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    effects = selectors.measure_effects_frame(
        plan=measure.plan, user=request.user, measures=Measure.objects.filter(pk=measure.pk)
    )
    by_year = effects[["year", "low", "high", "realised"]]
    shares = selectors.measure_area_shares_frame(plan=measure.plan)
    realised, comments = selectors.measure_realised_grid(measure=measure)
    # A region-wide measure's split: a director sees their own areas' shares only.
    visible = selectors.scope_area_codes(user=request.user, area=None)
    split = [
        part
        for part in calculations.split_by_area(by_year, shares[shares["code"] == measure.code])
        if visible is None or part["area_code"] in visible
    ]
    figure = charts.measure_effect_figure(
        by_year,
        planned_label=_("Planned effect (low–high)"),
        realised_label=_("Realised effect"),
        axis_label=_("MSEK"),
    )
    ctx = {
        "measure": measure,
        "by_year": by_year.to_dict("records"),
        "split": split,
        "areas": {a.code: a.name for a in Area.objects.all()},
        "realised": realised,
        "comments": comments,
        "months": [_month_abbr(m) for m in range(1, 13)],
        "indicators": selectors.measure_indicators(measure=measure),
        "consequence_file": selectors.consequence_file_info(measure=measure),
        "history": selectors.measure_history(measure=measure, visible_area_codes=visible),
        "chart": figure.to_plotly_json(),
        "can_manage": selectors.can_manage_measures(request.user),
        "can_report": selectors.can_report_on(request.user, measure),
    }
    return render(request, "measures/measure_detail.html", ctx)


def _month_abbr(month: int) -> str:
    return formats.date_format(dt.date(2000, month, 1), "b").capitalize()


def _conflict_rows(form, current: Measure) -> list[tuple[str, str, str]]:
    """(field, your input, stored value) for every field that differs."""
    stored_form = MeasureForm(instance=current, plan=current.plan)
    rows = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        yours = form.data.get(name, "")
        stored = stored_form[name].value()
        stored = "" if stored is None else stored
        if str(yours).strip() != str(stored).strip():
            if hasattr(field, "queryset"):
                yours = next((str(o) for o in field.queryset if str(o.pk) == yours), yours)
                stored = next((str(o) for o in field.queryset if str(o.pk) == str(stored)), "")
            rows.append((str(field.label), yours, stored))
    return rows


def _save_measure(request, form, *, plan: Plan, measure: Measure | None):
    """Write a valid form through the services; on a conflict or a refused rule, the form."""
    data = {k: v for k, v in form.cleaned_data.items() if k in form.Meta.fields}
    data["consequence_file"] = form.cleaned_data.get("consequence_file")
    try:
        if measure is None:
            return services.measure_create(
                plan=plan, planned=form.cleaned_data["planned"], user=request.user, **data
            )
        return services.measure_update(
            measure=measure,
            expected_version=form.cleaned_data["version"] or 0,
            planned=form.cleaned_data["planned"],
            user=request.user,
            **data,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
    return None


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def measure_create(request: HttpRequest) -> HttpResponse:
    """Finance adds a measure to a plan."""
    access.require_finance(request.user)
    plans = list(plan_list(user=request.user))
    plan = next((p for p in plans if str(p.pk) == request.GET.get("plan")), None)
    plan = plan or selectors.default_plan(plans)
    if plan is None:
        raise Http404
    form = MeasureForm(request.POST or None, request.FILES or None, plan=plan)
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            measure = _save_measure(request, form, plan=plan, measure=None)
            if measure is not None:
                messages.success(request, _("Measure %(code)s added.") % {"code": measure.code})
                return redirect(measure)
    ctx = {"form": form, "plan": plan, "measure": None, "conflict": None}
    return render(request, "measures/measure_form.html", ctx, status=save.status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Finance edits a measure and its planned effects; a concurrent edit shows both versions."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    access.require_finance(request.user)
    form = MeasureForm(
        request.POST or None, request.FILES or None, instance=measure, plan=measure.plan
    )
    conflict = None
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                if _save_measure(request, form, plan=measure.plan, measure=measure) is not None:
                    messages.success(request, _("Measure %(code)s saved.") % {"code": measure.code})
                    return redirect(measure)
            except services.MeasureConflict as exc:
                conflict = _conflict_rows(form, exc.current)
                form.data = form.data.copy()
                form.data["version"] = str(exc.current.version)
    ctx = {"form": form, "plan": measure.plan, "measure": measure, "conflict": conflict}
    return render(
        request, "measures/measure_form.html", ctx, status=409 if conflict else save.status
    )


def _report_initial(measure: Measure) -> dict:
    today = dt.date.today()  # noqa: DTZ011 - the calendar month is enough
    year = selectors.default_year(measure.plan, today)
    month = today.month if year == today.year else 12
    return {"status": measure.status, "year": year, "month": month, "version": measure.version}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def measure_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner reports status and a month's realised effect; a concurrent change is shown."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    access.require(selectors.can_report_on(request.user, measure))
    form = MeasureReportForm(
        request.POST or None,
        request.FILES or None,
        initial=_report_initial(measure),
        plan=measure.plan,
    )
    conflict = None
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                services.measure_report(measure=measure, **form.report_fields(), user=request.user)
                messages.success(request, _("Report on %(code)s saved.") % {"code": measure.code})
                return redirect(measure)
            except services.MeasureConflict as exc:
                conflict = _report_conflict(form, exc.current)
            except ValidationError as exc:
                form.add_error(None, exc)
    ctx = {"form": form, "measure": measure, "conflict": conflict}
    return render(
        request, "measures/measure_report.html", ctx, status=409 if conflict else save.status
    )


@login_required
@require_safe
def measure_consequence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The measure's consequence analysis file, for whoever sees the measure (404 otherwise)."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    stored = selectors.consequence_file_get(measure=measure)
    if stored is None:
        raise Http404(_("This measure has no consequence analysis file."))
    response = HttpResponse(bytes(stored.data), content_type=stored.content_type)
    response["Content-Disposition"] = content_disposition_header(True, stored.name)
    response["Cache-Control"] = "private, no-store"
    return response


def _report_conflict(form: MeasureReportForm, current: Measure) -> dict:
    """What the conflict box shows: your status against the stored one, and the stored figure
    of the month you reported. The form moves on to the stored version."""
    data = form.cleaned_data
    stored = selectors.realised_by_month(measure=current).get((data["year"], data["month"]))
    form.data = form.data.copy()
    form.data["version"] = str(current.version)
    return {
        "your_status": Measure.Status(data["status"]).label,
        "status": current.get_status_display(),
        "amount": msek_text(stored.amount) if stored else "",
        "comment": stored.comment if stored else "",
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def measure_shares(request: HttpRequest, pk: int) -> HttpResponse:
    """Finance splits a region-wide measure across areas (percentages summing to 100)."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    access.require_finance(request.user)
    if not measure.is_region_wide:
        raise Http404(_("Only a region-wide measure is split across areas."))
    form = _shares_form(request, measure)
    conflict = False
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                services.area_shares_set(
                    measure=measure,
                    expected_version=form.cleaned_data["version"],
                    shares=form.shares(),
                    user=request.user,
                )
                text = _("The split of %(code)s is saved.") % {"code": measure.code}
                messages.success(request, text)
                return redirect(measure)
            except services.MeasureConflict as exc:
                conflict = True  # a stale page: nothing is written; 409 like the other forms
                _shares_conflict(form, exc.current)
            except ValidationError as exc:
                form.add_error(None, exc)
    ctx = {"form": form, "measure": measure}
    return render(
        request, "measures/measure_shares.html", ctx, status=409 if conflict else save.status
    )


def _shares_form(request: HttpRequest, measure: Measure) -> AreaSharesForm:
    """The split form over the active areas, filled with the stored shares (percent)."""
    stored = selectors.measure_shares_by_area(measure=measure)
    initial = {f"share_{a}": decimal_text(s) for a, s in stored.items()}
    return AreaSharesForm(
        request.POST or None,
        initial={**initial, "version": measure.version},
        areas=list(area_list(user=request.user)),  # finance's: every active area
    )


def _shares_conflict(form: AreaSharesForm, current: Measure) -> None:
    form.add_error(None, _("Someone changed this measure meanwhile. Check and save again."))
    form.data = form.data.copy()
    form.data["version"] = str(current.version)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def measure_import(request: HttpRequest) -> HttpResponse:
    """Finance uploads an action plan; every row is checked once, then shown for confirmation."""
    access.require_finance(request.user)
    form = MeasureImportForm(request.POST or None, request.FILES or None)
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            file = form.cleaned_data["file"]
            try:
                upload = services.measure_import_stage(
                    plan=form.cleaned_data["plan"], file=file, filename=file.name, user=request.user
                )
            except TableFileError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("measures:measure_import_preview", token=str(upload.token))
    return render(request, "measures/measure_import.html", {"form": form}, status=save.status)


def _expired() -> str:
    return _("This import has expired or was already saved. Upload the file again.")


@login_required
@require_safe
def measure_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """What the import would do: counts, the first rows, and every error."""
    access.require_finance(request.user)
    upload = selectors.measure_import_find(user=request.user, token=token)
    if upload is None:
        raise Http404(_expired())
    return render(request, "measures/measure_import_preview.html", _import_preview_ctx(upload))


def _import_preview_ctx(upload: ImportUpload) -> dict:
    plan = upload.plan
    rows = [row_from_json(r) for r in upload.rows]
    existing = selectors.measure_codes(plan=plan)
    categories = selectors.category_names()
    areas = dict(Area.objects.values_list("pk", "code"))
    preview = [
        {
            "code": row.code,
            "title": row.title,
            "category": categories.get(row.category_id, ""),
            "area": areas.get(row.owner_area_id) or _region_label(),
            "status": Measure.Status(row.status).label,
            "planned": [row.planned.get(year) for year in plan.years],
        }
        for row in rows[:20]
    ]
    return {
        "plan": plan,
        "token": str(upload.token),
        "upload": upload,
        "rows": preview,
        "years": list(plan.years),
        "new_count": sum(r.code not in existing for r in rows),
        "update_count": sum(r.code in existing for r in rows),
        "errors": upload.errors,
    }


@login_required
@require_POST
def measure_import_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Write the checked file, all or nothing; a file with errors writes nothing."""
    access.require_finance(request.user)
    upload = selectors.measure_import_find(user=request.user, token=token)
    if upload is None:
        # A second click on "save", or an import gone stale: nothing to write, and say so.
        messages.info(request, _expired())
        return redirect("measures:measure_import")
    if not upload.ok:
        return redirect("measures:measure_import_preview", token=token)
    plan = upload.plan
    with keep_input() as save:
        result = services.measure_import_write(upload=upload, user=request.user)
    if save.interrupted:  # nothing was written; the checked file is still staged: save again
        ctx = {**_import_preview_ctx(upload), "save_error": save.message}
        return render(request, "measures/measure_import_preview.html", ctx, status=save.status)
    messages.success(
        request,
        _("Import saved: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
        % result.__dict__,
    )
    return redirect(reverse("measures:measure_list") + f"?plan={plan.pk}")


# --- Indicators: finance and the owner of the measure enter them on the measure's page --------


def _indicator_errors(form, error: ValidationError) -> None:
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    """A new indicator of a measure: name, unit, baseline, target, direction."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    access.require(selectors.can_report_on(request.user, measure))
    form = IndicatorForm(request.POST or None)
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                indicator = services.indicator_add(
                    measure=measure, **form.cleaned_data, user=request.user
                )
            except ValidationError as exc:
                _indicator_errors(form, exc)
            else:
                messages.success(
                    request, _("The indicator %(name)s is added.") % {"name": indicator.name}
                )
                return redirect(
                    reverse("measures:measure_detail", args=[measure.pk]) + "#indicators-heading"
                )
    ctx = {"form": form, "measure": measure, "indicator": None}
    return render(request, "measures/indicator_form.html", ctx, status=save.status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def indicator_edit(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """Change an indicator: name, unit, baseline, target, direction."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    access.require(selectors.can_report_on(request.user, measure))
    indicator = selectors.indicator_get(measure=measure, pk=indicator_pk)
    form = IndicatorForm(request.POST or None, indicator=indicator)
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                services.indicator_change(
                    indicator=indicator, **form.cleaned_data, user=request.user
                )
            except ValidationError as exc:
                _indicator_errors(form, exc)
            else:
                messages.success(
                    request, _("The indicator %(name)s is saved.") % {"name": indicator.name}
                )
                return redirect(
                    reverse("measures:measure_detail", args=[measure.pk]) + "#indicators-heading"
                )
    ctx = {"form": form, "measure": measure, "indicator": indicator, "editing": True}
    return render(request, "measures/indicator_form.html", ctx, status=save.status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def indicator_value_add(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """An indicator's actual value in a month (for the measure or one unit); a month already
    entered is replaced."""
    measure = selectors.measure_get(user=request.user, pk=pk)
    access.require(selectors.can_report_on(request.user, measure))
    indicator = selectors.indicator_get(measure=measure, pk=indicator_pk)
    today = timezone.localdate()
    form = IndicatorValueForm(
        request.POST or None,
        plan=measure.plan,
        units=selectors.indicator_units(measure=measure),
        initial={"year": today.year, "month": today.month},
    )
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                services.indicator_value_set(
                    indicator=indicator, **form.cleaned_data, user=request.user
                )
            except ValidationError as exc:
                _indicator_errors(form, exc)
            else:
                messages.success(
                    request, _("The value of %(name)s is saved.") % {"name": indicator.name}
                )
                return redirect(
                    reverse("measures:measure_detail", args=[measure.pk]) + "#indicators-heading"
                )
    ctx = {"form": form, "measure": measure, "indicator": indicator}
    return render(request, "measures/indicator_form.html", ctx, status=save.status)
