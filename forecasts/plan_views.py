"""Finance's pages of plans and their deficit targets, in mnkr: the list of plans, a plan's
form, and its targets as one grid of years × areas.

In a module of their own beside ``views.py`` (the forecast rounds' pages), which is long
already. Thin views: access is decided by ``regionbudget.core.access``, writes by the services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from forecasts import selectors, services
from forecasts.forms import PlanForm, PlanTargetsForm
from regionbudget.core import access
from regionbudget.core.saving import keep_input

__all__ = ["plan_create", "plan_edit", "plan_list", "plan_targets_edit"]


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal on the form: on its field where there is one, else on the form."""
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    """Every plan with its years, status and targets; finance and administrators."""
    access.require_finance(request.user)
    ctx = {"plans": list(selectors.plan_overview(user=request.user))}
    return render(request, "forecasts/plan_list.html", ctx)


def _plan_form(request: HttpRequest, plan) -> HttpResponse:
    form = PlanForm(request.POST or None, plan=plan)
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                saved = services.plan_save(plan=plan, user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("The plan %(plan)s is saved.") % {"plan": saved.name})
                if plan is None:  # a new plan: on to its targets
                    return redirect("forecasts:plan_targets_edit", pk=saved.pk)
                return redirect("forecasts:plan_list")
    ctx = {"form": form, "plan": plan}
    return render(request, "forecasts/plan_form.html", ctx, status=save.status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    """Finance adds a plan: name, organisation, baseline year, years and status."""
    access.require_finance(request.user)
    return _plan_form(request, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Finance changes a plan (its years may not shrink past its targets)."""
    access.require_finance(request.user)
    plan = access.object_or_404(selectors.plan_list(user=request.user), pk=pk)
    return _plan_form(request, plan)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_targets_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Finance enters a plan's deficit targets per year, for the whole plan and per area, in
    mnkr, in one form: all are checked before any is saved."""
    access.require_finance(request.user)
    plan = access.object_or_404(selectors.plan_list(user=request.user), pk=pk)
    language = get_language()
    form = PlanTargetsForm(
        request.POST or None,
        plan=plan,
        areas=selectors.plan_target_areas(plan=plan),
        stored=selectors.plan_target_amounts(plan=plan),
        language=language,
    )
    with keep_input(form) as save:
        if request.method == "POST" and form.is_valid():
            try:
                services.plan_targets_set(
                    plan=plan, amounts=form.amounts(), user=request.user, language=language
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(
                    request, _("The targets of %(plan)s are saved.") % {"plan": plan.name}
                )
                return redirect(plan)
    ctx = {
        "form": form,
        "plan": plan,
        "outside_url": reverse("forecasts:outside_budgets_edit", args=[plan.pk]),
    }
    return render(request, "forecasts/plan_targets_form.html", ctx, status=save.status)
