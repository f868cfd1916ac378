"""The gap dashboard and its exports (JSON and CSV for BI tools), and the balance requirement
ledger with its exports: the ledger joins the statements to the plan and to the gap's outlook.

Access (``regionbudget.core.access``): everyone with a role reads the ledger, its exports and
the statements (the balanskravsresultat is the region's, published in its annual report; the
plan's range and the current year's outlook it is joined with are the region's totals, as in
the published status reports); finance enters them (``regionbudget.balance.views``).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from forecasts.models import Plan
from forecasts.selectors import plan_list
from measures.selectors import category_list, default_plan, default_year
from regionbudget.balance.exports import ledger_xlsx
from regionbudget.balance.pages import ledger_page
from regionbudget.core import access
from regionbudget.core.api_tokens import token_readable
from regionbudget.core.selectors import area_list
from regionbudget.gap.dashboard import gap_csv, gap_export, gap_page
from regionbudget.gap.forms import GapFilterForm
from regionbudget.gap.selectors import GapFilters, gap_data, gap_view, ledger_snapshot


def _gap_filters(request: HttpRequest) -> tuple[GapFilters, GapFilterForm]:
    """Read the dashboard's filters. An area outside the user's scope is a 404."""
    access.require(access.sees_drafts(request.user))
    plans = list(plan_list(user=request.user))
    chosen = request.GET.get("plan", "")
    plan = next((p for p in plans if str(p.pk) == chosen), None) or default_plan(plans)
    if plan is None:
        raise Http404
    areas = list(area_list(user=request.user))
    area_id = request.GET.get("area", "")
    area = next((a for a in areas if str(a.pk) == area_id), None)
    if area_id and area is None:  # another area's figures, or no such area
        raise Http404
    # The year box always shows the year whose figures the page draws: without a year of the
    # plan in the query (none yet, or one of another plan) that is the default year, bound
    # into the form too, so that choosing an area next keeps it.
    data = {**request.GET.dict(), "plan": plan.pk}
    if data.get("year", "") not in {str(y) for y in plan.years}:
        data["year"] = default_year(plan)
    form = GapFilterForm(
        data,
        plans=plans,
        areas=areas,
        categories=list(category_list().values_list("name", flat=True)),
        plan=plan,
    )
    form.is_valid()
    year = form.cleaned_data.get("year") or default_year(plan)
    category = form.cleaned_data.get("category") or None
    return GapFilters(plan=plan, year=year, area=area, category=category), form


@login_required
@require_safe
def gap_dashboard(request: HttpRequest) -> HttpResponse:
    """The gap per year, the bridge, coverage per area and category, and the measures."""
    filters, form = _gap_filters(request)
    language = get_language()

    def draw(data) -> str:
        page = gap_page(data, year=filters.year, language=language)
        ctx = {"filters": filters, "page": page, "weights": data.weights}
        # Deficits that miss their balance requirement deadline (the region's ledger).
        ctx["balance"] = ledger_page(ledger_snapshot(plan=filters.plan), language=language)
        return render_to_string("regionbudget/partials/gap_body.html", ctx)

    # The figures' part of the page is the same for everyone with the same scope and filters
    # until the data changes: it is drawn once and read from the cache after that.
    body = gap_view(user=request.user, filters=filters, name=f"page-{language}", build=draw)
    ctx = {"form": form, "filters": filters, "body": body, "query": request.GET.urlencode()}
    return render(request, "regionbudget/gap_dashboard.html", ctx)


@token_readable
@login_required
@require_safe
def gap_data_json(request: HttpRequest) -> JsonResponse:
    """The dashboard's figures for BI tools: SEK as strings with two decimals. Readable with an
    API token (``Authorization: Bearer``) in the token's scope."""
    filters, _form = _gap_filters(request)
    data = gap_data(user=request.user, filters=filters)
    return JsonResponse(gap_export(data, filters), json_dumps_params={"ensure_ascii": False})


@token_readable
@login_required
@require_safe
def gap_data_csv(request: HttpRequest) -> HttpResponse:
    """The per-year figures as CSV (semicolon, UTF-8 with BOM: opens in Swedish Excel).
    Readable with an API token, like ``gap_data_json``."""
    filters, _form = _gap_filters(request)
    data = gap_data(user=request.user, filters=filters)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="gap-{filters.plan.pk}.csv"'
    response.write("\ufeff")
    gap_csv(data, filters, response)
    return response


def _ledger_plan(request: HttpRequest) -> tuple[Plan | None, list[Plan]]:
    """The plan whose measures join the ledger: ``?plan=``, else the active one."""
    access.require_role(request.user)
    plans = list(plan_list(user=request.user))
    chosen = request.GET.get("plan", "")
    plan = next((p for p in plans if str(p.pk) == chosen), None) or default_plan(plans)
    return plan, plans


@login_required
@require_safe
def balance_ledger(request: HttpRequest) -> HttpResponse:
    """The statements, the ledger per year and the deficits, with the plan's measures and the
    current year by the forecasts."""
    plan, plans = _ledger_plan(request)
    ctx = {
        "balance": ledger_page(ledger_snapshot(plan=plan), language=get_language()),
        "plan": plan,
        "plans": plans,
        "can_write": access.is_finance(request.user),
    }
    return render(request, "regionbudget/balance_ledger.html", ctx)


@login_required
@require_safe
def balance_ledger_json(request: HttpRequest) -> JsonResponse:
    """The ledger for BI tools: SEK as decimal strings (``balance.selectors.balance_snapshot``)."""
    plan, _plans = _ledger_plan(request)
    return JsonResponse(ledger_snapshot(plan=plan), json_dumps_params={"ensure_ascii": False})


@login_required
@require_safe
def balance_ledger_export(request: HttpRequest) -> HttpResponse:
    """The ledger as an Excel workbook (amounts in mnkr)."""
    plan, _plans = _ledger_plan(request)
    response = HttpResponse(
        ledger_xlsx(ledger_snapshot(plan=plan)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="balanskrav.xlsx"'
    return response
