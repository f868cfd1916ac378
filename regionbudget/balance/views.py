"""The balance requirement: the ledger page, its exports (JSON, Excel) and finance's entry of a
year's statement.

Access (``regionbudget.core.access``): everyone with a role reads the ledger, its exports and
the statements (the balanskravsresultat is the region's, published in its annual report; the
plan's range it is joined with is the whole plan's, as in the published status reports);
finance and administrators enter and change statements (403 for the others).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from forecasts.models import Plan
from forecasts.selectors import plan_list
from measures.selectors import default_plan
from regionbudget.balance.exports import ledger_xlsx
from regionbudget.balance.forms import BalanceYearForm
from regionbudget.balance.models import BalanceYear
from regionbudget.balance.pages import ledger_page
from regionbudget.balance.selectors import balance_snapshot, balance_year_find
from regionbudget.balance.services import BalanceConflict, balance_year_save
from regionbudget.core import access
from regionbudget.core.saving import keep_input


def _plan(request: HttpRequest) -> tuple[Plan | None, list[Plan]]:
    """The plan whose measures join the ledger: ``?plan=``, else the active one."""
    access.require_role(request.user)
    plans = list(plan_list(user=request.user))
    chosen = request.GET.get("plan", "")
    plan = next((p for p in plans if str(p.pk) == chosen), None) or default_plan(plans)
    return plan, plans


@login_required
@require_safe
def ledger(request: HttpRequest) -> HttpResponse:
    """The statements, the ledger per year and the deficits, with the plan's measures."""
    plan, plans = _plan(request)
    snapshot = balance_snapshot(plan=plan)
    ctx = {
        "balance": ledger_page(snapshot, language=get_language()),
        "plan": plan,
        "plans": plans,
        "can_write": access.is_finance(request.user),
    }
    return render(request, "regionbudget/balance_ledger.html", ctx)


@login_required
@require_safe
def ledger_json(request: HttpRequest) -> JsonResponse:
    """The ledger for BI tools: SEK as decimal strings (``selectors.balance_snapshot``)."""
    plan, _plans = _plan(request)
    return JsonResponse(balance_snapshot(plan=plan), json_dumps_params={"ensure_ascii": False})


@login_required
@require_safe
def ledger_export(request: HttpRequest) -> HttpResponse:
    """The ledger as an Excel workbook (amounts in mnkr)."""
    plan, _plans = _plan(request)
    response = HttpResponse(
        ledger_xlsx(balance_snapshot(plan=plan)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="balanskrav.xlsx"'
    return response


def _save(request: HttpRequest, statement: BalanceYear | None) -> HttpResponse:
    """Show the form; on a valid POST store the statement and go back to the ledger."""
    access.require_finance(request.user)
    form = BalanceYearForm(request.POST or None, statement=statement)
    conflict = None
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                stored = balance_year_save(**form.save_fields(), user=request.user)
            except BalanceConflict as error:
                conflict = error.current
                form.add_error(None, _conflict_message(statement, conflict))
            else:
                messages.success(
                    request, _("The statement of %(year)s was saved.") % {"year": stored.year}
                )
                return redirect("balance:ledger")
    ctx = {"form": form, "statement": statement, "conflict": conflict}
    status = 409 if conflict is not None else save.status
    return render(request, "regionbudget/balance_year_form.html", ctx, status=status)


def _conflict_message(statement: BalanceYear | None, current: BalanceYear | None) -> str:
    if statement is None and current is not None:
        return _(
            "There is a statement for %(year)s already. Nothing was saved: open it from the "
            "ledger to change it."
        ) % {"year": current.year}
    return _(
        "Someone else changed this statement while you were editing it. Nothing of yours was "
        "saved; your input is kept below. Open the statement again to see what is stored now."
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def year_create(request: HttpRequest) -> HttpResponse:
    """Finance enters the statement of a new year."""
    return _save(request, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def year_edit(request: HttpRequest, year: int) -> HttpResponse:
    """Finance changes the statement of ``year``."""
    access.require_finance(request.user)
    statement = balance_year_find(year=year)
    if statement is None:
        raise Http404(_("No statement for this year."))
    return _save(request, statement)
