"""Reads that feed the plan, forecast and import pages, scoped to what the user may see.

Role scoping happens here: finance, administrators and committee members see every area, an
area director only the areas bound to them (``regionbudget.core.selectors.area_list``), and a
committee member never sees a forecast before it is approved.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from forecasts.calculations import (
    GridFigures,
    Proposal,
    ProposalMethod,
    cell_key,
    comment_required,
    deviation,
    deviation_by_round,
    forecast_accuracy,
    incomplete_periods,
    optimistic_areas,
    proposal,
    proposal_cells,
    round_total,
    sum_figures,
)
from forecasts.imports import COLUMNS, FigureRow, row_from_json
from forecasts.models import (
    AccountGroup,
    Actual,
    Budget,
    DeficitTarget,
    Forecast,
    ForecastBudget,
    ForecastLine,
    ForecastRound,
    ImportUpload,
    OutsideBudgetReduction,
    Plan,
)
from regionbudget.core import access
from regionbudget.core.formatting import amount_input_text, format_money
from regionbudget.core.models import Area, Unit
from regionbudget.core.selectors import area_list

__all__ = [
    "Accuracy",
    "AreaState",
    "Entry",
    "Grid",
    "ImportPreview",
    "PlanTargets",
    "TargetRow",
    "YearTarget",
    "area_for_user",
    "area_forecast_units",
    "approved_rounds_of_years",
    "area_summary",
    "accuracy_get",
    "forecast_access",
    "forecast_deviation_by_area",
    "forecast_grid",
    "grid_add_proposals",
    "grid_take_proposals",
    "import_lookups",
    "import_preview",
    "import_stage",
    "ImportStage",
    "import_upload_find",
    "import_upload_get",
    "import_upload_stale",
    "line_proposals",
    "outside_budgets",
    "plan_list",
    "plan_overview",
    "plan_target_amounts",
    "plan_target_areas",
    "plan_targets",
    "proposal_text",
    "round_list",
    "round_overview",
    "round_page",
    "actuals_due",
    "open_round_work",
]

NOT_STARTED = "not_started"


def plan_list(*, user) -> QuerySet[Plan]:
    """Plans the user may read: every plan for any user with a role, active plans first."""
    if not access.has_role(user):
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
    outside: list[Decimal | None] = field(default_factory=list)


def outside_budgets(*, plan: Plan) -> dict[int, Decimal]:
    """The reduction outside the area budgets (SEK) per year of ``plan`` that has one."""
    return dict(
        OutsideBudgetReduction.objects.filter(plan=plan)
        .order_by("year")
        .values_list("year", "amount")
    )


def plan_overview(*, user) -> QuerySet[Plan]:
    """The plans of the plan list (finance's page), each with its number of deficit targets and
    the sum of its plan-wide targets (SEK) as ``target_count`` and ``plan_total``."""
    return plan_list(user=user).annotate(
        target_count=Count("targets"),
        plan_total=Sum("targets__amount", filter=Q(targets__area__isnull=True)),
    )


def plan_target_amounts(*, plan: Plan) -> dict[tuple[int, int | None], Decimal]:
    """The stored deficit targets of ``plan``: (year, area id or None for the whole plan) ->
    the required reduction in SEK."""
    return {
        (year, area_id): amount
        for year, area_id, amount in DeficitTarget.objects.filter(plan=plan).values_list(
            "year", "area_id", "amount"
        )
    }


def plan_target_areas(*, plan: Plan) -> list[Area]:
    """The areas of the targets grid: every active area, and an inactive one that still has a
    target in ``plan`` (so it can be seen and removed), in the organisation's order."""
    return list(
        Area.objects.filter(Q(is_active=True) | Q(deficit_targets__plan=plan))
        .distinct()
        .order_by("position", "name")
    )


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
    outside = outside_budgets(plan=plan)
    return PlanTargets(
        years=years, by_year=by_year, rows=rows, outside=[outside.get(y) for y in years]
    )


# --- Forecast rounds -------------------------------------------------------------------------


@dataclass
class AreaState:
    """One area's forecast in a round as a list shows it. ``state`` is a forecast status or
    ``not_started``; figures (SEK) are None where the user may not see them or there are none."""

    area: Area
    forecast: Forecast | None
    state: str
    state_label: str
    late: bool
    budget: Decimal | None = None
    total: Decimal | None = None
    deviation: Decimal | None = None
    # The area's approved forecast of the latest earlier round of the same year, and how far
    # this one moved from it (forecast − previous, SEK; positive: higher costs forecast).
    previous_round: ForecastRound | None = None
    previous_total: Decimal | None = None
    change: Decimal | None = None


def _state_label(state: str) -> str:
    if state == NOT_STARTED:
        return str(_("Not started"))
    return str(Forecast.Status(state).label)


def _is_late(forecast_round: ForecastRound, state: str) -> bool:
    today = timezone.localdate()
    return (
        forecast_round.is_open
        and today > forecast_round.deadline
        and state in (NOT_STARTED, Forecast.Status.DRAFT, Forecast.Status.RETURNED)
    )


def round_list(*, user) -> list[dict]:
    """Every round, open ones first, then newest first, with the states of the user's visible
    areas' forecasts.

    Each item: ``round``, ``counts`` (state -> number of areas) and, for a director, ``mine``
    (their areas' ``AreaState``s, so the list links straight to the grid).
    """
    if not access.has_role(user):
        return []
    # Open rounds first (where there is work to do), then the closed ones, newest first.
    rounds = sorted(ForecastRound.objects.all(), key=lambda r: not r.is_open)
    areas = list(area_list(user=user))
    forecasts = {
        (f.forecast_round_id, f.area_id): f
        for f in Forecast.objects.filter(area__in=areas).only(
            "id", "forecast_round_id", "area_id", "status"
        )
    }
    drafts_visible = access.sees_drafts(user)
    director = access.is_director(user) and not access.is_finance(user)
    items = []
    for forecast_round in rounds:
        counts: dict[str, int] = defaultdict(int)
        mine = []
        for area in areas:
            forecast = forecasts.get((forecast_round.pk, area.pk))
            state = forecast.status if forecast else NOT_STARTED
            if not drafts_visible and state != Forecast.Status.APPROVED:
                continue
            counts[state] += 1
            if director:
                mine.append(
                    AreaState(
                        area,
                        forecast,
                        state,
                        _state_label(state),
                        _is_late(forecast_round, state),
                    )
                )
        items.append(
            {
                "round": forecast_round,
                "approved": counts.get(Forecast.Status.APPROVED, 0),
                "submitted": counts.get(Forecast.Status.SUBMITTED, 0),
                "areas": len(areas),
                "mine": mine,
            }
        )
    return items


def round_get(*, user, pk: int) -> ForecastRound:
    """The round ``pk`` for any user with a role; 404 otherwise."""
    rounds = ForecastRound.objects.all()
    return access.object_or_404(rounds if access.has_role(user) else rounds.none(), pk=pk)


def _area_budgets(year: int, area_ids) -> dict[int, Decimal]:
    return {
        row["unit__area_id"]: row["total"]
        for row in Budget.objects.filter(year=year, unit__area_id__in=area_ids)
        .values("unit__area_id")
        .annotate(total=Sum("amount"))
        .order_by()
    }


def _frozen_budgets(forecast_ids) -> dict[int, Decimal]:
    """The budget (SEK, year total) each approved forecast was compared with when approved."""
    return dict(
        ForecastBudget.objects.filter(forecast_id__in=forecast_ids)
        .values("forecast_id")
        .annotate(total=Sum("amount"))
        .values_list("forecast_id", "total")
        .order_by()
    )


def _forecast_totals(forecast_ids) -> dict[int, Decimal]:
    return dict(
        ForecastLine.objects.filter(forecast_id__in=forecast_ids)
        .values("forecast_id")
        .annotate(total=Sum("amount"))
        .values_list("forecast_id", "total")
        .order_by()
    )


def round_overview(*, forecast_round: ForecastRound, user) -> list[AreaState]:
    """Every visible area's forecast in the round: state, late flag, budget, forecast and
    deviation (SEK, year totals). The committee sees figures of approved forecasts only.
    An approved forecast is compared with the budget it was approved against; the others with
    today's budget."""
    areas = list(area_list(user=user))
    forecasts = {
        f.area_id: f for f in Forecast.objects.filter(forecast_round=forecast_round, area__in=areas)
    }
    drafts_visible = access.sees_drafts(user)
    shown = [
        f.pk for f in forecasts.values() if drafts_visible or f.status == Forecast.Status.APPROVED
    ]
    totals = _forecast_totals(shown)
    budgets = _area_budgets(forecast_round.year, [a.pk for a in areas])
    approved = [f.pk for f in forecasts.values() if f.status == Forecast.Status.APPROVED]
    frozen = _frozen_budgets(approved)
    states = []
    for area in areas:
        forecast = forecasts.get(area.pk)
        state = forecast.status if forecast else NOT_STARTED
        if not drafts_visible and state != Forecast.Status.APPROVED:
            forecast, state = None, NOT_STARTED
        total = totals.get(forecast.pk) if forecast else None
        budget = budgets.get(area.pk)
        if forecast is not None and forecast.status == Forecast.Status.APPROVED:
            budget = frozen.get(forecast.pk)
        states.append(
            AreaState(
                area=area,
                forecast=forecast,
                state=state,
                state_label=_state_label(state),
                late=_is_late(forecast_round, state),
                budget=budget,
                total=total,
                deviation=deviation(budget, total),
            )
        )
    return states


def _previous_approved(forecast_round: ForecastRound, area_ids) -> dict[int, Forecast]:
    """Each area's approved forecast in the latest earlier round of the same year that has one."""
    earlier = (
        Forecast.objects.filter(
            area_id__in=area_ids,
            status=Forecast.Status.APPROVED,
            forecast_round__year=forecast_round.year,
            forecast_round__month__lt=forecast_round.month,
        )
        .select_related("forecast_round")
        .order_by("area_id", "-forecast_round__month")
        .distinct("area_id")
    )
    return {f.area_id: f for f in earlier}


def round_page(*, forecast_round: ForecastRound, user) -> dict:
    """What the round page shows: every visible area's state with its change from the previous
    round, the region's total row, the late areas and whether every area is approved.

    The change of an area is its forecast's total minus its approved forecast's total in the
    latest earlier round of the same year (SEK); the region's row sums what the areas have."""
    states = round_overview(forecast_round=forecast_round, user=user)
    previous = _previous_approved(forecast_round, [s.area.pk for s in states])
    previous_totals = _forecast_totals([f.pk for f in previous.values()])
    for state in states:
        earlier = previous.get(state.area.pk)
        if earlier is not None:
            state.previous_round = earlier.forecast_round
            state.previous_total = previous_totals.get(earlier.pk)
            if state.total is not None and state.previous_total is not None:
                state.change = state.total - state.previous_total
    total = round_total([(s.budget, s.total, s.change) for s in states])
    return {
        "states": states,
        "total": total,
        "late": [s for s in states if s.late],
        "all_approved": bool(states) and all(s.state == Forecast.Status.APPROVED for s in states),
    }


def open_round_work(*, user, areas: list[Area]) -> list[dict]:
    """For the home page: every open round (soonest deadline first) with the state of each of
    ``areas`` (the areas the user sees) as ``AreaState``s, and the counts finance follows.

    Each item: ``round``, ``states``, ``submitted`` (waiting for approval), ``approved``,
    ``late`` and ``to_do`` (not started, drafts and returned ones, late or not). Two queries."""
    open_rounds = ForecastRound.objects.filter(status=ForecastRound.Status.OPEN)
    rounds = list(open_rounds.order_by("deadline"))
    if not rounds or not areas:
        return []
    forecasts = {
        (f.forecast_round_id, f.area_id): f
        for f in Forecast.objects.filter(forecast_round__in=rounds, area__in=areas).only(
            "id", "forecast_round_id", "area_id", "status", "return_comment", "version"
        )
    }
    items = []
    for forecast_round in rounds:
        states = []
        for area in areas:
            forecast = forecasts.get((forecast_round.pk, area.pk))
            state = forecast.status if forecast else NOT_STARTED
            states.append(
                AreaState(
                    area,
                    forecast,
                    state,
                    _state_label(state),
                    _is_late(forecast_round, state),
                )
            )
        items.append(
            {
                "round": forecast_round,
                "states": states,
                "submitted": [s for s in states if s.state == Forecast.Status.SUBMITTED],
                "approved": [s for s in states if s.state == Forecast.Status.APPROVED],
                "late": [s for s in states if s.late],
                "to_do": [
                    s
                    for s in states
                    if s.state in (NOT_STARTED, Forecast.Status.DRAFT, Forecast.Status.RETURNED)
                ],
            }
        )
    return items


def actuals_due(*, today) -> dict:
    """Whether last month's actuals are still to be imported: ``month`` (year, month) last
    month, ``latest`` (year, month) of the latest actuals imported (None when there are none),
    ``due`` True when last month is not in yet. One query."""
    last = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    latest = Actual.objects.order_by("-year", "-month").values_list("year", "month").first()
    return {
        "month": last,
        "month_name": str(MONTHS[last[1]]).lower(),
        "latest": latest,
        "latest_name": str(MONTHS[latest[1]]).lower() if latest else "",
        "due": latest is None or tuple(latest) < last,
    }


def forecast_access(
    *, user, round_pk: int, area_pk: int, action: str = "read"
) -> tuple[ForecastRound, Area, Forecast | None]:
    """The round, area and forecast (None if not started) behind a forecast page.

    ``action``: "read" (anyone who sees the area; the committee only approved forecasts),
    "edit" (the area's director, or finance on its behalf) or "review" (finance). Outside
    the user's areas, or a forecast the committee may not see: 404. A role that may only
    read asks to write: 403.
    """
    forecast_round = round_get(user=user, pk=round_pk)
    area = access.object_or_404(area_list(user=user), pk=area_pk)
    forecast = (
        Forecast.objects.filter(forecast_round=forecast_round, area=area)
        .select_related("submitted_by", "approved_by", "updated_by", "entered_by")
        .first()
    )
    approved = forecast is not None and forecast.status == Forecast.Status.APPROVED
    if not approved and not access.sees_drafts(user) and action in ("read", "review"):
        raise Http404  # the committee does not learn of a forecast before it is approved
    if action == "edit":  # the area's director, or finance on the area's behalf
        access.require(access.may_write_area(user, area))
    if action == "review":
        access.require_finance(user)
    return forecast_round, area, forecast


# --- The grid ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """What the user typed in one cell: the text as typed and, when it parsed, the SEK amount."""

    amount_text: str
    comment: str
    amount: Decimal | None


@dataclass
class GridRow:
    """One row of the grid: a unit and account group with its figures (SEK) and inputs."""

    unit_id: int
    group: AccountGroup
    figures: GridFigures
    amount_text: str
    comment: str
    line_name: str
    comment_name: str
    amount_error: str = ""
    comment_error: str = ""
    comment_needed: bool = False
    comment_carried: bool = False  # the comment is last round's, prefilled
    stored_amount: Decimal | None = None
    stored_comment: str = ""
    differs_from_stored: bool = False
    proposal: Proposal | None = None  # filled by grid_add_proposals
    proposal_text: str = ""  # how the proposal was computed, in the user's language


@dataclass
class GridUnit:
    """A unit's rows and subtotal; ``actual_to``: the last month of the round's year (up to the
    round's month) with actuals of the unit, None when there are none."""

    unit: Unit
    rows: list[GridRow]
    total: GridFigures
    actual_to: int | None = None
    proposal_total: Decimal | None = None  # filled by grid_add_proposals

    @property
    def actual_to_name(self) -> str:
        """The last month with actuals in the user's language as written inside a sentence:
        "oktober", "October"."""
        return str(MONTHS[self.actual_to]) if self.actual_to else ""


@dataclass
class Grid:
    """The forecast grid of one area in one round: units × account groups, with totals."""

    units: list[GridUnit]
    total: GridFigures
    threshold: Decimal
    previous_round: ForecastRound | None
    cell_count: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    has_proposals: bool = False  # filled by grid_add_proposals
    group_ids: list[int] = field(default_factory=list)  # the account groups, in their order
    proposal_total: Decimal | None = None


def _amount_text(amount: Decimal | None) -> str:
    """An amount in SEK as the grid's input shows it: thousands (tkr), Swedish style."""
    return amount_input_text(amount)


def _previous_round(forecast_round: ForecastRound, area: Area) -> ForecastRound | None:
    """The latest earlier round of the same year in which the area's forecast was approved."""
    earlier = Q(
        forecast_round__year=forecast_round.year, forecast_round__month__lt=forecast_round.month
    )
    forecast = (
        Forecast.objects.filter(earlier, area=area, status=Forecast.Status.APPROVED)
        .select_related("forecast_round")
        .order_by("-forecast_round__month")
        .first()
    )
    return forecast.forecast_round if forecast else None


def forecast_grid(
    *,
    forecast_round: ForecastRound,
    area: Area,
    forecast: Forecast | None,
    entries: Mapping[tuple[int, int], Entry] | None = None,
    errors: Mapping[str, str] | None = None,
    show_stored: bool = False,
) -> Grid:
    """The grid of ``area`` in ``forecast_round``: per active unit and account group the year's
    budget, actuals to the round's month (and per unit the last month that has any), the
    previous approved forecast of the year, this round's forecast (the stored line; otherwise
    prefilled from the previous forecast, else the budget) and the deviation (SEK; budget −
    forecast, negative = deficit). A line not stored yet gets the previous forecast's comment
    where its deviation still needs a comment (``comment_required``, the rule the grid's
    script marks while typing).

    ``entries`` overlays what the user typed (after a refused save); with ``show_stored`` each
    row also carries the stored line, so a conflict can show both inputs side by side.
    """
    errors = dict(errors or {})
    units = list(Unit.objects.filter(area=area, is_active=True).order_by("code"))
    groups = list(AccountGroup.objects.all())
    year = forecast_round.year
    # An approved forecast reads against the budget it was approved with.
    budget_rows = (
        ForecastBudget.objects.filter(forecast=forecast)
        if forecast is not None and forecast.status == Forecast.Status.APPROVED
        else Budget.objects.filter(unit__area=area, year=year)
    )
    budgets = {
        (b["unit_id"], b["account_group_id"]): b["amount"]
        for b in budget_rows.values("unit_id", "account_group_id", "amount").order_by()
    }
    actuals: dict[tuple[int, int], Decimal] = {}
    last_month: dict[int, int] = {}  # per unit, the last month with actuals (imports may lag)
    for a in (
        Actual.objects.filter(unit__area=area, year=year, month__lte=forecast_round.month)
        .values("unit_id", "account_group_id")
        .annotate(total=Sum("amount"), last=Max("month"))
        .order_by()
    ):
        actuals[(a["unit_id"], a["account_group_id"])] = a["total"]
        last_month[a["unit_id"]] = max(a["last"], last_month.get(a["unit_id"], 0))
    previous_round = _previous_round(forecast_round, area)
    previous_lines = (
        {
            (ln["unit_id"], ln["account_group_id"]): ln
            for ln in ForecastLine.objects.filter(
                forecast__forecast_round=previous_round, forecast__area=area
            ).values("unit_id", "account_group_id", "amount", "comment")
        }
        if previous_round
        else {}
    )
    previous = {cell: ln["amount"] for cell, ln in previous_lines.items()}
    stored = (
        {(ln.unit_id, ln.account_group_id): ln for ln in forecast.lines.all()} if forecast else {}
    )
    grid_units = []
    for unit in units:
        rows = []
        for group in groups:
            cell = (unit.pk, group.pk)
            line = stored.get(cell)
            entry = (entries or {}).get(cell)
            if entry is not None:
                amount, amount_text, comment = entry.amount, entry.amount_text, entry.comment
            elif line is not None:
                amount, comment = line.amount, line.comment
                amount_text = _amount_text(amount)
            else:
                amount = previous.get(cell, budgets.get(cell))
                amount_text, comment = _amount_text(amount), ""
            carried = False
            if line is None and entry is None and cell in previous_lines:
                # Last round's explanation, where the line still deviates enough to need one:
                # the director keeps or changes it instead of typing it again.
                still = comment_required(
                    deviation(budgets.get(cell, Decimal(0)), amount),
                    forecast_round.comment_threshold,
                )
                comment = previous_lines[cell]["comment"] if still else ""
                carried = bool(comment)
            figures = GridFigures(
                budget=budgets.get(cell, Decimal(0)),
                actual=actuals.get(cell, Decimal(0)),
                previous=previous.get(cell),
                forecast=amount,
                complete=amount is not None,
            )
            row = GridRow(
                unit_id=unit.pk,
                group=group,
                figures=figures,
                amount_text=amount_text,
                comment=comment,
                line_name=cell_key("line", cell),
                comment_name=cell_key("comment", cell),
                amount_error=errors.get(cell_key("line", cell), ""),
                comment_error=errors.get(cell_key("comment", cell), ""),
                comment_needed=comment_required(
                    figures.deviation, forecast_round.comment_threshold
                ),
                comment_carried=carried,
            )
            if show_stored and line is not None:
                row.stored_amount, row.stored_comment = line.amount, line.comment
                row.differs_from_stored = amount != line.amount or comment.strip() != line.comment
            rows.append(row)
        grid_units.append(
            GridUnit(unit, rows, sum_figures([r.figures for r in rows]), last_month.get(unit.pk))
        )
    return Grid(
        units=grid_units,
        total=sum_figures([u.total for u in grid_units]),
        threshold=forecast_round.comment_threshold,
        previous_round=previous_round,
        cell_count=len(units) * len(groups),
        errors=errors,
        group_ids=[group.pk for group in groups],
    )


def grid_cells(*, area: Area) -> list[tuple[int, int]]:
    """The (unit id, account group id) cells of an area's grid, in page order."""
    units = (
        Unit.objects.filter(area=area, is_active=True).order_by("code").values_list("pk", flat=True)
    )
    groups = list(AccountGroup.objects.values_list("pk", flat=True))
    return [(u, g) for u in units for g in groups]


# --- Area page and the gap dashboard ---------------------------------------------------------


def area_for_user(*, user, pk: int) -> Area:
    """An area the user may see; 404 otherwise."""
    return access.object_or_404(area_list(user=user), pk=pk)


def forecast_deviation_by_area(*, years, user) -> pd.DataFrame:
    """Per round of ``years`` and per area the user sees: the latest approved forecast at that
    round, the budget it was approved against, and the deviation (Decimal SEK, budget −
    forecast, negative = deficit). Columns: ``round_id``, ``year``, ``month``, ``area_id``,
    ``area_code``, ``area_name``, ``budget``, ``forecast``, ``forecast_round_id``,
    ``forecast_id``, ``deviation``.

    Rounds belong to the region: every plan covering a year reads the same rounds. An area
    without an approved forecast yet has ``forecast`` and ``deviation`` None (and today's
    budget). Drafts, submitted and returned forecasts never count. Rows in round order, then
    area order. Four queries, whatever the number of years.
    """
    areas = list(area_list(user=user))
    years = list(years)
    rounds = pd.DataFrame.from_records(
        list(
            ForecastRound.objects.filter(year__in=years)
            .values("year", "month")
            .annotate(round_id=F("pk"))
        ),
        columns=["round_id", "year", "month"],
    )
    budget_rows = (
        Budget.objects.filter(year__in=years, unit__area__in=areas)
        .values("year", "unit__area_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    current = {(row["year"], row["unit__area_id"]): row["total"] for row in budget_rows}
    budgets = pd.DataFrame.from_records(
        [
            {"year": y, "area_id": a.pk, "budget": current.get((y, a.pk), Decimal(0))}
            for y in years
            for a in areas
        ],
        columns=["year", "area_id", "budget"],
    )
    approved_rows = Forecast.objects.filter(
        forecast_round__year__in=years,
        status=Forecast.Status.APPROVED,
        area__in=areas,
    )
    forecasts = list(approved_rows.values_list("forecast_round_id", "area_id", "pk"))
    # The sums select the forecasts with a subquery, not a list of their ids: at twenty regions'
    # scale (5,760 forecasts) building and sending the list cost more than the sums. Approval is
    # final, so a forecast approved since the query above is the only difference, and it is
    # left out below.
    totals = _forecast_totals(approved_rows.values("pk"))
    frozen = _frozen_budgets(approved_rows.values("pk"))
    approved = pd.DataFrame(
        {
            "round_id": [round_id for round_id, _a, _pk in forecasts],
            "area_id": [area_id for _r, area_id, _pk in forecasts],
            "forecast_id": [pk for _r, _a, pk in forecasts],
            "forecast": [totals.get(pk, Decimal(0)) for _r, _a, pk in forecasts],
            "budget": [frozen.get(pk, Decimal(0)) for _r, _a, pk in forecasts],
        },
        columns=["round_id", "area_id", "forecast_id", "forecast", "budget"],
    )
    frame = deviation_by_round(rounds, budgets, approved)
    names = {a.pk: (a.code, a.name) for a in areas}
    frame.insert(4, "area_code", [names[i][0] for i in frame["area_id"]])
    frame.insert(5, "area_name", [names[i][1] for i in frame["area_id"]])
    return frame


def approved_rounds_of_years(*, years) -> dict[int, ForecastRound]:
    """The rounds of ``years`` by id (for naming where an outlook comes from)."""
    return {r.pk: r for r in ForecastRound.objects.filter(year__in=list(years))}


def area_summary(*, area: Area, user, year: int | None = None) -> dict:
    """The area page: its latest approved forecast, the deviation per round of that year (latest
    approved forecast at each round) and the latest approved forecast per unit (SEK)."""
    approved = Forecast.objects.filter(area=area, status=Forecast.Status.APPROVED)
    if year is not None:
        approved = approved.filter(forecast_round__year=year)
    latest = (
        approved.select_related("forecast_round")
        .order_by("-forecast_round__year", "-forecast_round__month")
        .first()
    )
    if latest is None:
        return {"latest": None, "deviations": None, "units": []}
    frame = forecast_deviation_by_area(years=[latest.forecast_round.year], user=user)
    frame = frame[frame["area_id"] == area.pk]
    rounds = {r.pk: r for r in ForecastRound.objects.filter(pk__in=set(frame["round_id"]))}
    deviations = [{**row, "round": rounds[row["round_id"]]} for row in frame.to_dict("records")]
    return {
        "latest": latest,
        "deviations": deviations,
        "units": area_forecast_units(area=area, forecast=latest),
    }


def area_forecast_units(*, area: Area, forecast: Forecast) -> list[dict]:
    """Per unit of an approved forecast: the budget it was approved against, the forecast and
    the deviation (SEK, year totals)."""
    budgets = dict(
        ForecastBudget.objects.filter(forecast=forecast)
        .values("unit_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("unit_id", "total")
    )
    totals = dict(
        forecast.lines.values("unit_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("unit_id", "total")
    )
    rows = []
    for unit in Unit.objects.filter(pk__in=set(budgets) | set(totals)).order_by("code"):
        figures = GridFigures(budget=budgets.get(unit.pk, Decimal(0)), forecast=totals.get(unit.pk))
        rows.append({"unit": unit, "figures": figures})
    return rows


# --- Imports ----------------------------------------------------------------------------------


def import_lookups() -> tuple[dict[str, int], dict[str, int]]:
    """Units by code, and account groups by case-folded code and name, for reading a file."""
    units = dict(Unit.objects.values_list("code", "pk"))
    groups: dict[str, int] = {}
    for pk, code, name in AccountGroup.objects.values_list("pk", "code", "name"):
        groups[code.casefold()] = pk
        groups[name.casefold()] = pk
    return units, groups


def import_upload_find(*, user, token, kinds, defer: Sequence[str] = ()) -> ImportUpload | None:
    """The user's own staged upload of one of ``kinds``, if it has not expired; None for a token
    that is unknown, expired, someone else's, or no token at all. The caller checks the role.
    ``defer``: fields not to load until read (a large file's rows and content)."""
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return None
    return (
        ImportUpload.objects.filter(
            token=token,
            created_by=user,
            kind__in=list(kinds),
            created_at__gte=timezone.now() - ImportUpload.LIFETIME,
        )
        .defer(*defer)
        .select_related("plan")
        .first()
    )


def import_upload_get(*, user, token) -> ImportUpload:
    """The user's own pending budget or actuals upload; 404 for anyone else's or an expired or
    forgotten one. Its rows and file are not loaded: the preview and the write read the rows in
    the database (``import_stage``), and only a check again reads the file."""
    access.require_finance(user)
    upload = import_upload_find(user=user, token=token, kinds=COLUMNS, defer=["rows", "content"])
    if upload is None:
        raise Http404
    return upload


_STAGE_COLUMNS = "unit_id, year, month, account_group_id, amount"


@dataclass(frozen=True)
class ImportStage:
    """Checked rows of ``kind`` in the temporary table ``forecasts_import_stage``, and SQL to
    compare them (as ``s``) with the stored figures (as ``t``) of the periods they cover."""

    kind: str
    periods: list[tuple[int, int | None]]  # (year, month), month None for budgets; sorted

    @property
    def table(self) -> str:
        return (Actual if self.kind == ImportUpload.Kind.ACTUAL else Budget)._meta.db_table

    @property
    def period(self) -> list[str]:
        is_actual = self.kind == ImportUpload.Kind.ACTUAL
        return ["unit_id", "year", "month"] if is_actual else ["unit_id", "year"]

    @property
    def key(self) -> list[str]:
        return [*self.period, "account_group_id"]

    @property
    def same_key(self) -> str:
        """A stored row ``t`` has the key of the staged row ``s``."""
        return " AND ".join(f"s.{c} = t.{c}" for c in self.key)

    @property
    def covered(self) -> str:
        """A stored row ``t`` lies in a unit and period of the staged rows: its years (and
        months) first, as constants, so that the planner reads those periods by their index
        instead of every stored row (or trusts an estimate of one row for a new month)."""
        if not self.periods:
            return "false"
        years = ", ".join(str(int(year)) for year in sorted({y for y, _m in self.periods}))
        condition = f"t.year IN ({years})"
        if self.kind == ImportUpload.Kind.ACTUAL:
            months = ", ".join(str(int(m)) for m in sorted({m for _y, m in self.periods}))
            condition += f" AND t.month IN ({months})"
        in_period = " AND ".join(f"s.{c} = t.{c}" for c in self.period)
        return f"{condition} AND EXISTS (SELECT 1 FROM forecasts_import_stage s WHERE {in_period})"  # noqa: S608


def import_stage(
    *, kind: str, upload: ImportUpload | None = None, rows: Sequence[FigureRow] = ()
) -> ImportStage:
    """Put checked rows of ``kind`` (a staged upload's, or ``rows``) in the temporary table
    ``forecasts_import_stage``, indexed and analysed, for the next statements of the caller's
    transaction; the table is dropped at its end.

    An upload's rows go from its stored JSON to the table inside the database: the preview and
    the write never decode 100 000 rows in Python. ``rows`` are copied in (COPY).
    """
    with connection.cursor() as cursor:
        # An earlier import in the same transaction may have left its staging table.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.forecasts_import_stage")
        cursor.execute(
            "CREATE TEMPORARY TABLE forecasts_import_stage "
            "(unit_id bigint, year smallint, month smallint, account_group_id bigint, "
            "amount numeric(16, 2)) ON COMMIT DROP"
        )
        if upload is not None:
            cursor.execute(
                f"INSERT INTO forecasts_import_stage ({_STAGE_COLUMNS}) "  # noqa: S608
                "SELECT (r->>0)::bigint, (r->>1)::smallint, (r->>2)::smallint, "
                "(r->>3)::bigint, (r->>4)::numeric(16, 2) "
                f"FROM {ImportUpload._meta.db_table} u CROSS JOIN jsonb_array_elements(u.rows) r "
                "WHERE u.id = %s",
                [upload.pk],
            )
        else:
            with cursor.copy(f"COPY forecasts_import_stage ({_STAGE_COLUMNS}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        # The key's index keeps the plans that compare the staged rows with the stored ones
        # linear per stored row: the planner estimates the rows of the covered periods as the
        # product of unit, year and month selectivities (about one row), and without the index
        # an anti-join read the whole staging table once per stored row (100 000 replaced rows:
        # 10^10 comparisons, hours).
        cursor.execute(
            "CREATE INDEX ON forecasts_import_stage (unit_id, year, month, account_group_id)"
        )
        # Temporary tables get no automatic statistics: without them the planner picks nested
        # loops over the whole staging table for every stored row.
        cursor.execute("ANALYZE forecasts_import_stage")
        cursor.execute("SELECT DISTINCT year, month FROM forecasts_import_stage ORDER BY 1, 2")
        return ImportStage(kind=kind, periods=cursor.fetchall())


def import_upload_stale(*, upload: ImportUpload) -> bool:
    """Whether a unit or account group that an upload's checked rows name has been removed
    since they were checked (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM (SELECT DISTINCT (r->>0)::bigint AS unit_id, "  # noqa: S608
            "(r->>3)::bigint AS group_id "
            f"FROM {ImportUpload._meta.db_table} u CROSS JOIN jsonb_array_elements(u.rows) r "
            "WHERE u.id = %s) f "
            f"LEFT JOIN {Unit._meta.db_table} unit ON unit.id = f.unit_id "
            f"LEFT JOIN {AccountGroup._meta.db_table} g ON g.id = f.group_id "
            "WHERE unit.id IS NULL OR g.id IS NULL)",
            [upload.pk],
        )
        return cursor.fetchone()[0]


@dataclass
class ImportPreview:
    """What confirming an import would do: rows new, changed, removed and unchanged, the
    periods and units it covers, and the file's first rows with names (for the preview page)."""

    rows: int
    new: int
    changed: int
    removed: int
    unchanged: int
    total: Decimal
    periods: list[str]
    unit_count: int
    sample: list[dict]
    # A budget import: per year of the file, how many rounds have approved forecasts (whose
    # figures stay as approved: they keep the budget they were approved against).
    approved_rounds: list[dict] = field(default_factory=list)
    # An actuals import: months that look incomplete, each {"period", "missing" (unit codes)}.
    incomplete: list[dict] = field(default_factory=list)

    @property
    def replaces(self) -> bool:
        """Whether existing figures would change or go: then the user must confirm it."""
        return bool(self.changed or self.removed)


def _incomplete_months(cursor) -> list[dict]:
    """The months of the staged actuals in which units that had actuals the month before would
    have none (``calculations.incomplete_periods``), with those units' codes: two queries, and
    a third for the codes when a month looks incomplete."""
    incoming: dict[tuple[int, int], set[int]] = defaultdict(set)
    cursor.execute("SELECT DISTINCT year, month, unit_id FROM forecasts_import_stage")
    for year, month, unit_id in cursor.fetchall():
        incoming[(year, month)].add(unit_id)
    wanted = Q()
    for year, month in incoming:
        before = (year - 1, 12) if month == 1 else (year, month - 1)
        wanted |= Q(year=year, month=month) | Q(year=before[0], month=before[1])
    stored: dict[tuple[int, int], set[int]] = defaultdict(set)
    for unit_id, year, month in (
        # No ordering: the model's (by unit code and group) would join two tables and enter the
        # DISTINCT, one row per account group instead of per unit and month.
        Actual.objects.filter(wanted).values_list("unit_id", "year", "month").order_by().distinct()
    ):
        stored[(year, month)].add(unit_id)
    found = incomplete_periods(incoming, stored)
    if not found:
        return []
    codes = dict(
        Unit.objects.filter(pk__in={u for _y, _m, units in found for u in units}).values_list(
            "pk", "code"
        )
    )
    return [
        {
            "period": f"{year}-{month:02d}",
            "missing": sorted(codes[u] for u in units),
        }
        for year, month, units in found
    ]


@transaction.atomic
def import_preview(*, upload: ImportUpload) -> ImportPreview:
    """Compare a checked upload's rows with the stored figures of the units and periods they
    cover, in the database (the rows are staged by ``import_stage``)."""
    is_actual = upload.kind == ImportUpload.Kind.ACTUAL
    stage = import_stage(kind=upload.kind, upload=upload)
    with connection.cursor() as cursor:
        # Each staged row with the stored figure of its key, and each stored figure of the
        # covered periods with the staged row of its key: a full join, which PostgreSQL runs as
        # a hash or merge join whatever it estimates, never one row against every other.
        cursor.execute(
            "SELECT count(s.unit_id), count(s.unit_id) FILTER (WHERE t.unit_id IS NOT NULL), "  # noqa: S608
            "count(*) FILTER (WHERE t.amount <> s.amount), "
            "count(*) FILTER (WHERE s.unit_id IS NULL), "
            "coalesce(sum(s.amount), 0), count(DISTINCT s.unit_id) "
            f"FROM forecasts_import_stage s FULL JOIN (SELECT * FROM {stage.table} t "
            f"WHERE {stage.covered}) t ON {stage.same_key}"
        )
        rows, stored, changed, removed, total, unit_count = cursor.fetchone()
        periods = [f"{y}-{m:02d}" if is_actual else str(y) for y, m in stage.periods]
        years = {y for y, _m in stage.periods}
        # The file's first rows, in its order.
        cursor.execute(
            "SELECT jsonb_path_query_array(rows, '$[0 to 9]')::text "  # noqa: S608
            f"FROM {ImportUpload._meta.db_table} WHERE id = %s",
            [upload.pk],
        )
        (first,) = cursor.fetchone()
        incomplete = _incomplete_months(cursor) if is_actual else []
    first_rows = [row_from_json(row) for row in json.loads(first)]
    unit_names = dict(
        Unit.objects.filter(pk__in={r.unit_id for r in first_rows}).values_list("pk", "code")
    )
    group_names = dict(AccountGroup.objects.values_list("pk", "name"))
    sample = [
        {
            "unit": unit_names.get(r.unit_id, ""),
            "year": r.year,
            "month": r.month,
            "group": group_names.get(r.account_group_id, ""),
            "amount": r.amount,
        }
        for r in first_rows
    ]
    approved_rounds = []
    if not is_actual:
        approved = (
            Forecast.objects.filter(status=Forecast.Status.APPROVED, forecast_round__year__in=years)
            .values("forecast_round__year")
            .annotate(rounds=Count("forecast_round", distinct=True))
            .order_by("forecast_round__year")
        )
        approved_rounds = [
            {"year": row["forecast_round__year"], "rounds": row["rounds"]} for row in approved
        ]
    return ImportPreview(
        incomplete=incomplete,
        approved_rounds=approved_rounds,
        rows=rows,
        new=rows - stored,
        changed=changed,
        removed=removed,
        unchanged=stored - changed,
        total=total,
        periods=periods,
        unit_count=unit_count,
        sample=sample,
    )


# --- The forecast proposal in the grid --------------------------------------------------------


def _months_text(months: int) -> str:
    """ "januari–oktober" (or "januari" alone) in the user's language."""
    first = str(MONTHS[1]).lower()
    return first if months == 1 else f"{first}–{str(MONTHS[months]).lower()}"


def proposal_text(p: Proposal) -> str:
    """How a proposal was computed, in words and figures (tkr), for its tooltip and for a
    screen reader."""
    language = get_language() or "sv"

    def money(value: Decimal) -> str:
        return format_money(value, "tkr", language=language)

    months = _months_text(p.months)
    if p.method == ProposalMethod.SEASONAL:
        return gettext(
            "Seasonal profile: actual %(months)s %(actual)s × last year's full year %(full)s "
            "÷ last year's %(months)s %(same)s."
        ) % {
            "months": months,
            "actual": money(p.actual),
            "full": money(p.last_year_full),
            "same": money(p.last_year_months),
        }
    return gettext(
        "Run rate: actual %(months)s %(actual)s ÷ %(count)s months × 12 "
        "(last year is missing or too small to give a seasonal profile)."
    ) % {"months": months, "actual": money(p.actual), "count": p.months}


def line_proposals(
    *, forecast_round: ForecastRound, area: Area, group_ids: Sequence[int] | None = None
) -> dict[tuple[int, int], Proposal]:
    """Per (unit, account group) of the area's active units: the proposed full-year figure
    (SEK) from this year's actuals up to the round's month (``calculations.proposal``).

    A unit's months are January to its last month with actuals (imports may lag); last year's
    same months and full year are the same unit's and group's, the full year only when the unit
    has actuals in all twelve months of last year. A unit without actuals this year has no
    proposals. Two queries; one when the account groups' ids are given (``group_ids``, as
    the grid has them).
    """
    year = forecast_round.year
    this_year: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    last_month: dict[int, int] = {}
    last_year: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    last_year_months: dict[int, set[int]] = defaultdict(set)
    rows = (
        Actual.objects.filter(
            Q(year=year, month__lte=forecast_round.month) | Q(year=year - 1),
            unit__area=area,
            unit__is_active=True,
        )
        .values_list("unit_id", "account_group_id", "year", "month", "amount")
        .order_by()
    )
    for unit_id, group_id, row_year, month, amount in rows:
        if row_year == year:
            this_year[(unit_id, group_id)] += amount
            last_month[unit_id] = max(month, last_month.get(unit_id, 0))
        else:
            last_year[(unit_id, group_id)][month] = amount
            last_year_months[unit_id].add(month)
    groups = (
        list(group_ids)
        if group_ids is not None
        else list(AccountGroup.objects.values_list("pk", flat=True))
    )
    proposals = {}
    for unit_id, months in last_month.items():
        complete = len(last_year_months[unit_id]) == 12
        known = all(m in last_year_months[unit_id] for m in range(1, months + 1))
        for group_id in groups:
            cell = (unit_id, group_id)
            history = last_year.get(cell, {})
            same = sum((v for m, v in history.items() if m <= months), Decimal(0))
            found = proposal(
                actual=this_year.get(cell, Decimal(0)),
                months=months,
                last_year_months=same if known else None,
                last_year_full=sum(history.values(), Decimal(0)) if complete else None,
            )
            if found is not None:
                proposals[cell] = found
    return proposals


def grid_add_proposals(*, grid: Grid, proposals: Mapping[tuple[int, int], Proposal]) -> Grid:
    """``grid`` with each row's proposal and its explanation, and the units' and the area's
    proposal totals (sums of the proposals there are, None where none)."""
    for block in grid.units:
        for row in block.rows:
            row.proposal = proposals.get((row.unit_id, row.group.pk))
            row.proposal_text = proposal_text(row.proposal) if row.proposal else ""
        amounts = [r.proposal.amount for r in block.rows if r.proposal]
        block.proposal_total = sum(amounts, Decimal(0)) if amounts else None
    totals = [u.proposal_total for u in grid.units if u.proposal_total is not None]
    grid.proposal_total = sum(totals, Decimal(0)) if totals else None
    grid.has_proposals = True
    return grid


def grid_take_proposals(
    *,
    choice: str,
    entries: Mapping[tuple[int, int], Entry],
    proposals: Mapping[tuple[int, int], Proposal],
) -> tuple[dict[tuple[int, int], Entry], list[tuple[int, int]]]:
    """The grid's ``entries`` (as typed) with the proposal in the lines ``choice`` names
    (``calculations.proposal_cells``), each line's comment kept; and the lines changed.
    Nothing is stored: the director adjusts the figures and saves as usual."""
    taken = proposal_cells(choice, list(entries), proposals)
    result = dict(entries)
    for cell in taken:
        amount = proposals[cell].amount
        result[cell] = Entry(_amount_text(amount), entries[cell].comment, amount)
    return result, taken


# --- Forecast accuracy ------------------------------------------------------------------------


@dataclass
class Accuracy:
    """How far the approved forecasts of ``year`` were from the outcome, in the user's areas.

    ``rows``: per area (in area order) and round, the ``calculations.forecast_accuracy`` row
    with ``area_code``, ``area_name``, ``round_label`` and ``round`` added. ``months``: the
    months of actuals known (January to …; the most of any area); ``complete`` when all twelve
    are. ``optimistic``: areas too optimistic in every round of the year, with their names.
    ``profile_year``: for a year not complete, the complete year whose seasonal profile says
    which part of the year the months known hold (None: an even spread).
    ``years``: the years with approved forecasts and actuals, to choose from.
    """

    year: int | None
    years: list[int]
    months: int = 0
    rows: list[dict] = field(default_factory=list)
    optimistic: list[dict] = field(default_factory=list)
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    profile_year: int | None = None  # the seasonal profile of the months known, if any

    @property
    def complete(self) -> bool:
        return self.months == 12

    @property
    def months_text(self) -> str:
        return _months_text(self.months) if self.months else ""


def _accuracy_years(areas) -> list[int]:
    """Years (newest first) with an approved forecast of one of ``areas`` and actuals."""
    approved = set(
        Forecast.objects.filter(status=Forecast.Status.APPROVED, area__in=areas)
        .values_list("forecast_round__year", flat=True)
        .distinct()
    )
    with_actuals = set(Actual.objects.values_list("year", flat=True).distinct().order_by())
    return sorted(approved & with_actuals, reverse=True)


def accuracy_get(*, user, year: int | None = None) -> Accuracy:
    """The forecast accuracy of ``year`` (default: the latest year whose actuals are complete,
    else the latest with any) over the areas the user sees (a director: their own).

    Per round, each area's latest approved forecast at that round (``forecast_deviation_by_area``:
    drafts and submitted forecasts never count) against the area's actuals of the year: the
    whole year when all twelve months are known, else "for the months known": the forecast's
    share of them by the area's seasonal profile in the nearest complete year, else an even
    spread (``calculations.forecast_accuracy``). Amounts in SEK.
    """
    areas = list(area_list(user=user))
    years = _accuracy_years(areas)
    if year not in years:
        year = None
    if not years:
        return Accuracy(year=None, years=years)
    last_months = dict(Actual.objects.values_list("year").annotate(last=Max("month")).order_by())
    if year is None:
        complete = [y for y in years if last_months.get(y) == 12]
        year = complete[0] if complete else years[0]
    deviations = forecast_deviation_by_area(years=[year], user=user)
    outcome_rows = (
        Actual.objects.filter(year=year, unit__area__in=areas)
        .values("unit__area_id")
        .annotate(outcome=Sum("amount"), months=Max("month"))
        .order_by()
    )
    outcomes = pd.DataFrame.from_records(
        [
            {
                "year": year,
                "area_id": row["unit__area_id"],
                "outcome": row["outcome"],
                "months": row["months"],
            }
            for row in outcome_rows
        ],
        columns=["year", "area_id", "outcome", "months"],
    )
    profile_year = None
    if not outcomes.empty and outcomes["months"].min() < 12:
        profile_year = _profile_year(year, last_months)
        outcomes["share"] = _months_shares(profile_year, outcomes, areas)
    frame = forecast_accuracy(deviations, outcomes)
    names = {a.pk: a for a in areas}
    order = {a.pk: index for index, a in enumerate(areas)}
    rounds = {r.pk: r for r in ForecastRound.objects.filter(year=year)}
    frame["area_code"] = [names[i].code for i in frame["area_id"]]
    frame["area_name"] = [names[i].name for i in frame["area_id"]]
    frame["round_label"] = [rounds[i].month_name for i in frame["round_id"]]
    frame["area_order"] = [order[i] for i in frame["area_id"]]
    frame = frame.sort_values(["area_order", "month"], kind="stable").drop(columns="area_order")
    rows = [{**row, "round": rounds[row["round_id"]]} for row in frame.to_dict("records")]
    optimistic = [
        {**row, "area_name": names[row["area_id"]].name, "area_code": names[row["area_id"]].code}
        for row in optimistic_areas(frame)
    ]
    months = int(outcomes["months"].max()) if not outcomes.empty else 0
    return Accuracy(
        year=year,
        years=years,
        months=months,
        rows=rows,
        optimistic=optimistic,
        frame=frame,
        profile_year=profile_year,
    )


def _profile_year(year: int, last_months: Mapping[int, int]) -> int | None:
    """The complete year (actuals in December) nearest to ``year``, the earlier one first."""
    complete = [y for y, last in last_months.items() if last == 12 and y != year]
    return min(complete, key=lambda y: (abs(y - year), y > year)) if complete else None


def _months_shares(profile_year: int | None, outcomes: pd.DataFrame, areas) -> list:
    """Per row of ``outcomes``: the part of ``profile_year``'s actuals of the area that fell in
    January to the row's months (a fraction), or None (an even spread) without a profile year
    or where the area's year there was zero or changed sign."""
    if profile_year is None:
        return [None] * len(outcomes)
    by_month: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for row in (
        Actual.objects.filter(year=profile_year, unit__area__in=areas)
        .values("unit__area_id", "month")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        by_month[row["unit__area_id"]][row["month"]] = row["total"]
    shares = []
    for row in outcomes.to_dict("records"):
        months = by_month.get(row["area_id"], {})
        full = sum(months.values(), Decimal(0))
        part = sum((v for m, v in months.items() if m <= row["months"]), Decimal(0))
        shares.append(part / full if full and part * full > 0 else None)
    return shares
