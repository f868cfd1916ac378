"""Reads that feed the gap dashboard, its exports and the status reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from forecasts.models import DeficitTarget, Plan
from regionbudget.core import access
from regionbudget.core.caching import cached_gap_data
from regionbudget.core.models import Area
from regionbudget.core.selectors import area_list
from regionbudget.gap import calculations as calc
from regionbudget.gap.calculations import DEFAULT_WEIGHTS
from regionbudget.gap.models import ConfidenceWeight


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
    return cached_gap_data(key, lambda: _compute_gap_data(user, filters, area_codes))


def gap_view(*, user, filters: GapFilters, name: str, build):
    """``build(gap_data)`` (e.g. a page's rows and figures), cached beside the gap figures under
    ``name``: a page drawn from figures that have not changed is read, not drawn again."""
    area_codes = gap_scope_area_codes(user=user, area=filters.area)
    return cached_gap_data(
        f"{name}:{filters.cache_key(area_codes, viewer=gap_viewer_scope(user=user))}",
        lambda: build(gap_data(user=user, filters=filters)),
    )


def _compute_gap_data(user, filters: GapFilters, area_codes: list[str] | None) -> GapData:
    from forecasts.selectors import forecast_deviation_by_area
    from measures.selectors import measure_area_shares_frame, measure_effects_frame

    plan, year = filters.plan, filters.year
    years = list(plan.years)
    # The whole plan's measures, so that region-wide ones can be split into the scope.
    effects = measure_effects_frame(plan=plan, user=user)
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
    deviations = forecast_deviation_by_area(plan=plan, year=year, user=user)
    if area_codes is not None and not deviations.empty:
        deviations = deviations[deviations["area_code"].isin(area_codes)]
    return GapData(
        years=years,
        area_codes=area_codes,
        by_year=calc.gap_by_year(scoped, required, years=years, weights=weights),
        probability=calc.closing_probability(scoped, required, years=years, weights=weights),
        bridge=calc.gap_bridge(scoped, year=year, required=required[year])
        if year in required
        else [],
        by_area=calc.gap_by_group(
            attributed, by="area_code", year=year, weights=weights, required=area_required
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
    )
