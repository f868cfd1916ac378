"""The balance requirement: finance's entry, change and removal of a year's statement.

The ledger page and its exports join the statements to the plan and to the gap's outlook, so
they are drawn a layer up (``regionbudget.gap.views``). Access (``regionbudget.core.access``):
finance and administrators enter, change and remove statements (403 for the others).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from regionbudget.balance.forms import BalanceYearDeleteForm, BalanceYearForm
from regionbudget.balance.models import BalanceYear
from regionbudget.balance.selectors import balance_year_find
from regionbudget.balance.services import (
    BalanceConflict,
    balance_year_delete,
    balance_year_save,
)
from regionbudget.core import access
from regionbudget.core.saving import keep_input


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


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def year_delete(request: HttpRequest, year: int) -> HttpResponse:
    """Finance removes the statement of ``year`` (entered by mistake, or for the wrong year),
    after a confirmation; the history keeps what it said."""
    access.require_finance(request.user)
    statement = balance_year_find(year=year)
    if statement is None:
        raise Http404(_("No statement for this year."))
    form = BalanceYearDeleteForm(request.POST or None, statement=statement)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                balance_year_delete(
                    year=year, expected_version=form.cleaned_data["version"], user=request.user
                )
            except BalanceConflict:
                form.add_error(
                    None,
                    _(
                        "Someone else changed this statement after you opened this page. "
                        "Nothing was removed: look at it again before you remove it."
                    ),
                )
                status = 409
            else:
                messages.success(
                    request, _("The statement of %(year)s was removed.") % {"year": year}
                )
                return redirect("balance:ledger")
        else:
            status = 400
    ctx = {"form": form, "statement": statement}
    return render(request, "regionbudget/balance_year_delete.html", ctx, status=status)
