"""Reads that feed the gap dashboard, its exports and the status reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from forecasts.models import (
    Budget,
    DeficitTarget,
    Forecast,
    ForecastBudget,
    ForecastLine,
    ForecastRound,
    OutsideBudgetReduction,
    Plan,
)
from measures.models import (
    AreaShare,
    Category,
    ForecastInclusion,
    Measure,
    PlannedEffect,
    RealisedEffect,
)
from regionbudget.balance.calculations import OutlookJoin
from regionbudget.balance.models import BalanceLine, BalanceYear
from regionbudget.balance.selectors import balance_snapshot
from regionbudget.core import access
from regionbudget.core.caching import cached_data
from regionbudget.core.models import Area, Unit
from regionbudget.core.money import ZERO
from regionbudget.core.selectors import area_list
from regionbudget.gap import calculations as calc
from regionbudget.gap.calculations import DEFAULT_WEIGHTS
from regionbudget.gap.models import ConfidenceWeight

# The tables the gap figures are computed from (``_compute_gap_data`` and what it calls): their
# data versions key the cache. Forecasts and their lines count only outside the editing
# statuses (``forecasts.models.EDITING_STATUSES``): a draft save moves neither version.
# Actuals are not read, and their imports leave the cache alone.
GAP_SOURCES: tuple[str, ...] = tuple(
    model._meta.db_table
    for model in (
        Area,
        Unit,
        Plan,
        DeficitTarget,
        OutsideBudgetReduction,
        Budget,
        ForecastRound,
        Forecast,
        ForecastLine,
        ForecastBudget,
        Category,
        Measure,
        PlannedEffect,
        RealisedEffect,
        AreaShare,
        ForecastInclusion,
        ConfidenceWeight,
    )
)
# The balance requirement ledger: its statements, the plan's measures and the outlook.
LEDGER_SOURCES: tuple[str, ...] = (
    *GAP_SOURCES,
    BalanceYear._meta.db_table,
    BalanceLine._meta.db_table,
)


@dataclass
class GapFilters:
    """What the dashboard shows: a plan, a year (bridge, areas, categories), an area, a category."""

    plan: Plan
    year: int
    area: Area | None = None
    category: str | None = None

    def cache_key(self, area_codes: list[str] | None, *, viewer: str) -> str:
        """The whole scope of a page: the filters as chosen (an area chosen or not: its links
        carry it), the areas whose figures it shows, and what the viewer may see."""
        scope = ",".join(area_codes) if area_codes is not None else "region"
        chosen = self.area.pk if self.area is not None else "-"
        return (
            f"{self.plan.pk}:{self.year}:area={chosen}:scope={scope}:viewer={viewer}:"
            f"category={self.category or ''}"
        )


@dataclass
class GapData:
    """Everything the dashboard, its exports and the status reports show, in SEK ``Decimal``."""

    years: list[int]
    area_codes: list[str] | None  # None: the whole region
    by_year: pd.DataFrame  # calculations.gap_by_year
    probability: dict[int, Decimal | None]
    bridge: list  # calculations.BridgeStep for the chosen year
    by_area: pd.DataFrame  # calculations.gap_by_group(by="area_code") for the chosen year
    by_category: pd.DataFrame  # calculations.gap_by_group(by="category")
    measures: pd.DataFrame  # the scope's effects in the chosen year, one row per measure
    weights: dict[str, Decimal]
    area_names: dict[str, str] = field(default_factory=dict)
    area_ids: dict[str, int] = field(default_factory=dict)
    # forecasts.selectors.forecast_deviation_by_area for the chosen year, within the scope
    deviations: pd.DataFrame = field(default_factory=pd.DataFrame)
    # The outlook of every year with an approved forecast (at its latest round), and the
    # chosen year's outlook at each of its rounds (oldest first). None with a category chosen.
    outlooks: dict[int, calc.Outlook] = field(default_factory=dict)
    outlook_rounds: list[calc.Outlook] = field(default_factory=list)
    round_months: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> (year, month)


def gap_scope_area_codes(*, user, area: Area | None) -> list[str] | None:
    """Whose figures: the chosen area, a director's own areas, or None for the whole region."""
    if area is not None:
        return [area.code]
    if access.sees_all_areas(user):
        return None
    return list(area_list(user=user).values_list("code", flat=True))


def gap_viewer_scope(*, user) -> str:
    """What the user may see, for cache keys: the whole region, or their own areas' codes."""
    if access.sees_all_areas(user):
        return "region"
    return ",".join(sorted(area_list(user=user).values_list("code", flat=True))) or "none"


def confidence_weights() -> dict[str, Decimal]:
    """Finance's weights by status, over the defaults."""
    weights = dict(DEFAULT_WEIGHTS)
    weights.update(dict(ConfidenceWeight.objects.values_list("status", "weight")))
    return weights


def _targets(plan: Plan) -> tuple[dict[int, Decimal], dict[int, dict[str, Decimal]]]:
    plan_wide: dict[int, Decimal] = {}
    by_area: dict[int, dict[str, Decimal]] = {}
    for year, code, amount in DeficitTarget.objects.filter(plan=plan).values_list(
        "year", "area__code", "amount"
    ):
        if code is None:
            plan_wide[year] = amount
        else:
            by_area.setdefault(year, {})[code] = amount
    return plan_wide, by_area


def gap_data(*, user, filters: GapFilters) -> GapData:
    """The gap figures of ``filters`` as the user may see them (cached per data version)."""
    area_codes = gap_scope_area_codes(user=user, area=filters.area)
    key = filters.cache_key(area_codes, viewer=gap_viewer_scope(user=user))
    return cached_data(
        f"gap:{key}",
        lambda: _compute_gap_data(user, filters, area_codes),
        sources=GAP_SOURCES,
    )


def gap_view(*, user, filters: GapFilters, name: str, build):
    """``build(gap_data)`` (e.g. a page's rows and figures), cached beside the gap figures under
    ``name``: a page drawn from figures that have not changed is read, not drawn again. The
    dashboard's page shows the balance requirement ledger too, so the ledger's statements are
    among the sources (they change a few times a year)."""
    area_codes = gap_scope_area_codes(user=user, area=filters.area)
    return cached_data(
        f"{name}:{filters.cache_key(area_codes, viewer=gap_viewer_scope(user=user))}",
        lambda: build(gap_data(user=user, filters=filters)),
        sources=LEDGER_SOURCES,
    )


def _outlooks(
    deviations: pd.DataFrame,
    *,
    plan: Plan,
    years: list[int],
    effects: pd.DataFrame,
    outside: dict[int, Decimal],
) -> dict[int, list[calc.Outlook]]:
    """Per year, the outlook at each round in which at least one forecast was approved, oldest
    first (areas not approved in a round count with their latest earlier approved forecast).

    ``deviations``: ``forecast_deviation_by_area`` within the scope; ``effects`` the scope's
    effects attributed to areas; ``outside`` the reduction outside the budgets per year.
    """
    from measures.selectors import forecast_inclusions

    if deviations.empty:
        return {}
    # Every approved forecast of the years: those outside the frame's areas are never looked up.
    inclusions = forecast_inclusions(plan=plan, years=years)
    # Each round's outlook reads only its year's effects: split them by year once, not per round.
    # (A comprehension: dict() of a groupby would call its ``keys`` attribute, a column name.)
    by_year = (
        {y: part for y, part in effects.groupby("year", sort=False)}  # noqa: C416
        if not effects.empty
        else {}
    )
    # The rows of each round, in the frame's order (one pass over the columns: a pandas groupby
    # took as long again as the outlooks themselves).
    rounds: dict[tuple[int, int, int], list[tuple]] = {}
    for year, month, round_id, *row in zip(
        deviations["year"],
        deviations["month"],
        deviations["round_id"],
        deviations["area_code"],
        deviations["deviation"],
        deviations["forecast_round_id"],
        deviations["forecast_id"],
        strict=True,
    ):
        rounds.setdefault((int(year), int(month), int(round_id)), []).append(row)
    result: dict[int, list[calc.Outlook]] = {}
    for (year, _month, round_id), rows in sorted(rounds.items()):
        # A round in which nothing has been approved yet adds nothing new: its outlook would
        # be the previous round's under a later name.
        if year not in years or not any(source == round_id for _c, _v, source, _f in rows):
            continue
        areas, included = [], set()
        for code, value, source, forecast_id in rows:
            # None, or NaN in a column pandas made float (NaN is the one value unequal to itself)
            has = forecast_id is not None and forecast_id == forecast_id
            areas.append(
                calc.OutlookArea(code, value if has else None, int(source) if has else None)
            )
            if has:
                included |= {(m, code) for m in inclusions.get(int(forecast_id), ())}
        result.setdefault(year, []).append(
            calc.outlook(
                year=year,
                round_id=round_id,
                areas=areas,
                outside_budgets=outside.get(year, ZERO),
                effects=by_year.get(year, effects.iloc[0:0]),
                included=included,
            )
        )
    return result


def _deviations(*, years: list[int], user) -> pd.DataFrame:
    """``forecast_deviation_by_area`` of ``years`` as ``user`` sees it. The whole region's is
    cached (keyed by the years): the dashboard's figures and the ledger's outlook of a year both
    read it, and a year's rows do not depend on the other years asked for."""
    from forecasts.selectors import forecast_deviation_by_area

    if not access.sees_all_areas(user):
        return forecast_deviation_by_area(years=years, user=user)
    return cached_data(
        "deviations:" + ",".join(str(y) for y in sorted(years)),
        lambda: forecast_deviation_by_area(years=sorted(years), user=access.RegionReader()),
        sources=GAP_SOURCES,
    )


def _region_outlooks(
    plan: Plan, *, effects: pd.DataFrame | None = None, shares: pd.DataFrame | None = None
) -> dict[int, list[calc.Outlook]]:
    """``_outlooks`` of the whole region for every year of ``plan``, as everyone who sees all
    areas reads them. Cached: the dashboard's figures and the ledger's outlook both read it.
    ``effects`` and ``shares``: the plan's ``measure_effects_frame`` (every measure) and
    ``measure_area_shares_frame`` when the caller has them already."""
    from forecasts.selectors import outside_budgets
    from measures.selectors import measure_area_shares_frame, plan_effects_frame

    def compute() -> dict[int, list[calc.Outlook]]:
        reader = access.RegionReader()
        years = list(plan.years)
        frame = plan_effects_frame(plan=plan) if effects is None else effects
        split = measure_area_shares_frame(plan=plan) if shares is None else shares
        return _outlooks(
            _deviations(years=years, user=reader),
            plan=plan,
            years=years,
            effects=calc.attribute_to_areas(frame, split),
            outside=outside_budgets(plan=plan),
        )

    return cached_data(f"outlooks:{plan.pk}", compute, sources=GAP_SOURCES)


def _compute_gap_data(user, filters: GapFilters, area_codes: list[str] | None) -> GapData:
    from forecasts.selectors import outside_budgets
    from measures.selectors import (
        measure_area_shares_frame,
        measure_effects_frame,
        plan_effects_frame,
    )

    plan, year = filters.plan, filters.year
    years = list(plan.years)
    # The whole plan's measures, so that region-wide ones can be split into the scope (a
    # reader who sees all areas sees every measure: the plan's cached frame).
    effects = (
        plan_effects_frame(plan=plan)
        if access.sees_all_areas(user)
        else measure_effects_frame(plan=plan, user=user)
    )
    shares = measure_area_shares_frame(plan=plan)
    categories = [filters.category] if filters.category else None
    scoped = calc.scope_effects(effects, shares, area_codes=area_codes, categories=categories)
    weights = confidence_weights()
    plan_wide, by_area = _targets(plan)
    # The requirement is not divided by category: with a category chosen, no gap is computed.
    required = (
        {} if filters.category else calc.scope_required(plan_wide, by_area, area_codes, years)
    )

    attributed = calc.attribute_to_areas(
        calc.scope_effects(effects, shares, categories=categories), shares
    )
    if area_codes is not None:
        attributed = attributed[attributed["area_code"].isin(area_codes)]
    area_required = {} if filters.category else by_area.get(year, {})
    if area_codes is not None:
        area_required = {c: a for c, a in area_required.items() if c in area_codes}
    visible_areas = list(area_list(user=user).values_list("pk", "code", "name"))

    this_year = scoped[scoped["year"] == year] if not scoped.empty else scoped
    all_deviations = _deviations(years=years, user=user)
    if area_codes is not None and not all_deviations.empty:
        all_deviations = all_deviations[all_deviations["area_code"].isin(area_codes)]
    deviations = (
        all_deviations[all_deviations["year"] == year]
        if not all_deviations.empty
        else all_deviations
    )
    # The outlook: the reduction outside the area budgets is the region's, not an area's; the
    # requirement is not divided by category, so with a category chosen there is none.
    outlooks: dict[int, list[calc.Outlook]] = {}
    if not filters.category and area_codes is None and access.sees_all_areas(user):
        # The whole region, as every reader who sees all areas reads it (the effects above are
        # every measure's: such a user sees them all).
        outlooks = _region_outlooks(plan, effects=effects, shares=shares)
    elif not filters.category:
        outlook_effects = calc.attribute_to_areas(effects, shares)
        if area_codes is not None:
            outlook_effects = outlook_effects[outlook_effects["area_code"].isin(area_codes)]
        outlooks = _outlooks(
            all_deviations,
            plan=plan,
            years=years,
            effects=outlook_effects,
            outside=outside_budgets(plan=plan) if area_codes is None else {},
        )
    return GapData(
        years=years,
        area_codes=area_codes,
        by_year=calc.gap_by_year(scoped, required, years=years, weights=weights),
        probability=calc.closing_probability(scoped, required, years=years, weights=weights),
        bridge=calc.gap_bridge(scoped, year=year, required=required[year])
        if year in required
        else [],
        # Region-wide measures not split across the areas are a group of their own (None).
        by_area=calc.gap_by_group(
            attributed,
            by="area_code",
            year=year,
            weights=weights,
            required=area_required,
            unassigned=True,
        ),
        # Each category's effect as a share of the whole requirement of the year.
        by_category=calc.gap_by_group(
            scoped,
            by="category",
            year=year,
            weights=weights,
            required=dict.fromkeys(set(this_year["category"]), required[year])
            if year in required and not this_year.empty
            else None,
        ),
        measures=this_year.sort_values("code").reset_index(drop=True),
        weights=weights,
        area_names={code: name for _pk, code, name in visible_areas},
        area_ids={code: pk for pk, code, _name in visible_areas},
        deviations=deviations.reset_index(drop=True),
        outlooks={y: rounds[-1] for y, rounds in outlooks.items()},
        outlook_rounds=outlooks.get(year, []),
        round_months={
            int(r): (int(y), int(m))
            for r, y, m in zip(
                all_deviations.get("round_id", []),
                all_deviations.get("year", []),
                all_deviations.get("month", []),
                strict=True,
            )
        },
    )


def ledger_outlook(*, plan: Plan, year: int) -> OutlookJoin | None:
    """The region's outlook of ``year`` as the balance requirement ledger joins it: the plan's
    requirement of the year and what the latest approved forecasts leave uncovered. None when
    the year has no requirement or no approved forecast yet.

    The ledger is the region's whatever the reader's role, so the outlook is the region's too
    (``access.RegionReader``): its totals, never an area's figures. Only the outlook is read
    (``_region_outlooks``, the dashboard's), not the rest of the gap figures.
    """
    if year not in plan.years:
        return None
    required = _targets(plan)[0].get(year)
    if required is None:
        return None
    # The region's outlooks of the plan's years, as the dashboard reads them (one cached value
    # for both), then the year's.
    rounds = _region_outlooks(plan).get(year)
    if not rounds:
        return None
    found = rounds[-1]
    month = ForecastRound.objects.values_list("month", flat=True).get(pk=found.round_id)
    return OutlookJoin(
        year=year,
        round_year=year,
        round_month=month,
        required=required,
        uncovered_low=found.uncovered_low,
        uncovered_high=found.uncovered_high,
    )


def ledger_snapshot(*, plan: Plan | None, year: int | None = None) -> dict:
    """The balance requirement ledger (``balance.selectors.balance_snapshot``) joined to the
    plan's measures and, for ``year`` (default: the plan's current year), to the forecasts.
    Cached beside the gap figures, keyed by their sources and the ledger's statements."""
    from measures.selectors import default_year

    if plan is None:
        return balance_snapshot(plan=None)
    year = default_year(plan) if year is None else year
    return cached_data(
        f"ledger:{plan.pk}:{year}",
        lambda: balance_snapshot(plan=plan, outlook=ledger_outlook(plan=plan, year=year)),
        sources=LEDGER_SOURCES,
    )
