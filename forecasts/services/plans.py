"""Writes of plans and deficit targets."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from forecasts.models import DeficitTarget, Plan
from regionbudget.core.models import Area

__all__ = ["deficit_target_set", "plan_upsert"]


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
