"""Writes of plans and deficit targets."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forecasts.models import (
    MAX_TARGET_SEK,
    DeficitTarget,
    OutsideBudgetReduction,
    Plan,
    target_too_large_message,
)
from regionbudget.core import access
from regionbudget.core.formatting import format_money_brief
from regionbudget.core.models import Area
from regionbudget.core.money import MAX_SEK

__all__ = [
    "deficit_target_set",
    "outside_budgets_set",
    "plan_save",
    "plan_targets_set",
    "plan_upsert",
    "target_field",
]

# The fields of a plan that the plan form edits.
PLAN_FIELDS = (
    "name",
    "organisation",
    "description",
    "baseline_year",
    "start_year",
    "end_year",
    "status",
    "source",
)


def target_field(year: int, area_id: int | None) -> str:
    """The name of the targets form's field (and of a refusal's key) for one year and area
    (None: the whole plan)."""
    return f"target_{year}_{area_id if area_id is not None else 'plan'}"


@transaction.atomic
def plan_save(*, plan: Plan | None, user, **values) -> Plan:
    """Create a plan (``plan`` None) or change one (finance only), from ``PLAN_FIELDS``.

    The years are checked by the model (2000–2100, at most ten years, first ≤ last). A plan's
    years may not shrink past its deficit targets or reductions outside the budgets: those
    years are named in the refusal and nothing is saved."""
    access.require_finance(user, _("Only finance staff may do this."))
    unknown = set(values) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    plan = Plan() if plan is None else Plan.objects.select_for_update().get(pk=plan.pk)
    for name, value in values.items():
        setattr(plan, name, value)
    plan.full_clean()
    if plan.pk is not None:
        years = plan.years
        stranded = sorted(
            {y for y in plan.targets.values_list("year", flat=True) if y not in years}
            | {y for y in plan.outside_budgets.values_list("year", flat=True) if y not in years}
        )
        if stranded:
            raise ValidationError(
                {
                    "start_year": _(
                        "The plan has targets or reductions in %(years)s, outside "
                        "%(first)s–%(last)s. Remove them first on the plan's targets page."
                    )
                    % {
                        "years": ", ".join(str(y) for y in stranded),
                        "first": plan.start_year,
                        "last": plan.end_year,
                    }
                }
            )
    plan.save()
    return plan


@transaction.atomic
def plan_targets_set(
    *, plan: Plan, amounts: dict[tuple[int, int | None], Decimal | None], user, language: str
) -> None:
    """Set the deficit targets of ``plan`` (finance only): ``amounts`` maps (year, area id or
    None for the whole plan) to the required reduction in SEK, None to remove it.

    Every amount is checked before anything is written: a year outside the plan, an unknown or
    inactive area, a negative or implausible amount, or areas whose targets in a year add up to
    more than the whole plan's target of that year (they would overlap) refuse the whole set,
    with a message per field."""
    access.require_finance(user, _("Only finance staff may do this."))
    areas = set(Area.objects.values_list("pk", flat=True))
    errors: dict[str, str] = {}
    for (year, area_id), amount in amounts.items():
        key = target_field(year, area_id)
        if year not in plan.years:
            errors[key] = _("The year must lie within the plan, %(start)s–%(end)s.") % {
                "start": plan.start_year,
                "end": plan.end_year,
            }
        elif area_id is not None and area_id not in areas:
            errors[key] = _("Unknown area.")
        elif amount is None:
            continue
        elif not isinstance(amount, Decimal):
            raise TypeError("amounts must be Decimal (SEK)")
        elif not amount.is_finite() or amount > MAX_TARGET_SEK:
            errors[key] = target_too_large_message()
        elif amount < 0:
            errors[key] = _("Enter the reduction as a positive amount (or leave it empty).")
    stored = {
        (t.year, t.area_id): t
        for t in DeficitTarget.objects.select_for_update().filter(plan=plan).order_by("pk")
    }
    wanted = {key: t.amount for key, t in stored.items()}
    wanted.update(amounts)
    for year in plan.years:
        whole = wanted.get((year, None))
        shares = [a for (y, area), a in wanted.items() if y == year and area is not None and a]
        if whole is not None and not errors and sum(shares, Decimal(0)) > whole:
            errors[target_field(year, None)] = _(
                "The areas' targets for %(year)s add up to %(areas)s, more than the whole "
                "plan's %(whole)s: an area's target is its share of the plan's."
            ) % {
                "year": year,
                "areas": format_money_brief(sum(shares, Decimal(0)), language=language),
                "whole": format_money_brief(whole, language=language),
            }
    if errors:
        raise ValidationError(errors)
    for (year, area_id), amount in sorted(
        amounts.items(), key=lambda item: (item[0][0], item[0][1] or 0)
    ):
        target = stored.get((year, area_id))
        if amount is None:
            if target is not None:
                target.delete()
        elif target is None:
            created = DeficitTarget(plan=plan, year=year, area_id=area_id, amount=amount)
            created.full_clean()
            created.save()
        elif target.amount != amount:
            target.amount = amount
            target.full_clean()
            target.save(update_fields=["amount"])


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
