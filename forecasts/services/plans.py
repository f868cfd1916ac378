"""Writes of plans and deficit targets."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forecasts.models import DeficitTarget, OutsideBudgetReduction, Plan
from regionbudget.core import access
from regionbudget.core.models import Area
from regionbudget.core.money import MAX_SEK

__all__ = ["deficit_target_set", "outside_budgets_set", "plan_upsert"]


@transaction.atomic
def plan_upsert(
    *,
    name: str,
    organisation: str,
    baseline_year: int,
    start_year: int,
    end_year: int,
    status: str = Plan.Status.ACTIVE,
    source: str = "",
    description: str = "",
) -> Plan:
    """Create the plan called ``name`` or bring it up to date."""
    plan = Plan.objects.filter(name=name).first() or Plan(name=name)
    plan.organisation = organisation
    plan.baseline_year, plan.start_year, plan.end_year = baseline_year, start_year, end_year
    plan.status, plan.source, plan.description = status, source, description
    plan.full_clean()
    plan.save()
    return plan


@transaction.atomic
def deficit_target_set(
    *, plan: Plan, year: int, amount: Decimal, area: Area | None = None, basis: str = ""
) -> DeficitTarget:
    """Set the required reduction (SEK) of ``plan`` in ``year``, for the plan or one area."""
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal (SEK)")
    area_id = area.pk if area is not None else None
    target = (
        DeficitTarget.objects.select_for_update()
        .filter(plan=plan, year=year, area_id=area_id)
        .order_by("pk")
        .first()
    )
    if target is None:
        target = DeficitTarget(plan=plan, year=year, area=area)
    target.amount, target.basis = amount, basis
    target.full_clean()
    target.save()
    return target


@transaction.atomic
def outside_budgets_set(*, plan: Plan, amounts: dict[int, Decimal | None], user) -> None:
    """Set, per year of ``plan``, the reduction outside the area budgets (SEK; finance only).

    ``amounts`` maps years to SEK; None removes the year's amount (the outlook then counts 0).
    Every year is checked before anything is written: a negative amount, one too large or a
    year outside the plan refuses the whole set with a message per year.
    """
    access.require_finance(user, _("Only finance staff may do this."))
    errors = {}
    for year, amount in amounts.items():
        if year not in plan.years:
            errors[f"amount_{year}"] = _(
                "The year must lie within the plan, %(start)s–%(end)s."
            ) % {
                "start": plan.start_year,
                "end": plan.end_year,
            }
        elif amount is None:
            continue
        elif not isinstance(amount, Decimal):
            raise TypeError("amounts must be Decimal (SEK)")
        elif not amount.is_finite() or abs(amount) >= MAX_SEK:
            errors[f"amount_{year}"] = _("The number is too large.")
        elif amount < 0:
            errors[f"amount_{year}"] = _(
                "Enter the reduction as a positive amount (or 0 for none)."
            )
    if errors:
        raise ValidationError(errors)
    stored = {
        row.year: row
        for row in OutsideBudgetReduction.objects.select_for_update().filter(plan=plan)
    }
    for year, amount in sorted(amounts.items()):
        row = stored.get(year)
        if amount is None:
            if row is not None:
                row.delete()
        elif row is None:
            OutsideBudgetReduction.objects.create(plan=plan, year=year, amount=amount)
        elif row.amount != amount:
            row.amount = amount
            row.save(update_fields=["amount"])
