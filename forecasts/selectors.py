"""Reads of plans and deficit targets that feed pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from forecasts.models import DeficitTarget, Plan
from regionbudget.roles import roles_of

__all__ = ["PlanTargets", "TargetRow", "YearTarget", "plan_list", "plan_targets"]


def plan_list(*, user) -> QuerySet[Plan]:
    """Plans the user may read: every plan for any user with a role, active plans first."""
    if not roles_of(user):
        return Plan.objects.none()
    return Plan.objects.all()


@dataclass(frozen=True)
class YearTarget:
    """The plan-wide required reduction (SEK) of one year; ``amount`` is None without a target."""

    year: int
    amount: Decimal | None
    basis: str = ""


@dataclass(frozen=True)
class TargetRow:
    """One row of the targets table: a scope and its amounts (SEK or None) in the plan's years."""

    label: str
    amounts: list[Decimal | None]


@dataclass(frozen=True)
class PlanTargets:
    years: list[int]
    by_year: list[YearTarget]
    rows: list[TargetRow]


def plan_targets(*, plan: Plan, visible_area_ids: set[int]) -> PlanTargets:
    """Targets of ``plan`` per year: the plan's own, then those of the areas the user sees."""
    years = list(plan.years)
    plan_wide: dict[int, DeficitTarget] = {}
    by_area: dict[str, dict[int, Decimal]] = {}
    for target in (
        DeficitTarget.objects.filter(plan=plan)
        .select_related("area")
        .order_by("area__position", "year")
    ):
        if target.area_id is None:
            plan_wide[target.year] = target
        elif target.area_id in visible_area_ids:
            by_area.setdefault(target.area.name, {})[target.year] = target.amount
    by_year = [
        YearTarget(y, plan_wide[y].amount, plan_wide[y].basis)
        if y in plan_wide
        else YearTarget(y, None)
        for y in years
    ]
    rows = [TargetRow(str(_("Whole plan")), [t.amount for t in by_year])]
    rows += [TargetRow(name, [amounts.get(y) for y in years]) for name, amounts in by_area.items()]
    return PlanTargets(years=years, by_year=by_year, rows=rows)
