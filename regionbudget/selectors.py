"""Reads of the organisation that feed pages, scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.db.models import Count, Prefetch, Q, QuerySet

from forecasts.models import DeficitTarget, Plan
from regionbudget import calculations as calc
from regionbudget.caching import cached_gap_data
from regionbudget.calculations import DEFAULT_WEIGHTS
from regionbudget.models import Area, ConfidenceWeight, Unit
from regionbudget.roles import Role, roles_of

__all__ = [
    "GapData",
    "GapFilters",
    "area_list",
    "area_list_with_units",
    "confidence_weights",
    "gap_data",
    "gap_scope_area_codes",
    "gap_view",
    "report_list",
    "report_snapshot",
]

_SEE_ALL_AREAS = {Role.ADMIN, Role.FINANCE, Role.COMMITTEE}


def area_list(*, user) -> QuerySet[Area]:
    """Active areas the user may see: all for admin, finance and committee; a director's own."""
    roles = roles_of(user)
    areas = Area.objects.filter(is_active=True)
    if roles & _SEE_ALL_AREAS:
        return areas
    if Role.AREA_DIRECTOR in roles:
        return areas.filter(director_bindings__user=user).distinct()
    return areas.none()


def area_list_with_units(*, user) -> QuerySet[Area]:
    """``area_list`` with each area's active units prefetched (as ``active_units``)."""
    return (
        area_list(user=user)
        .annotate(unit_count=Count("units", filter=Q(units__is_active=True)))
        # Meta.ordering is not applied to GROUP BY queries: order explicitly.
        .order_by("position", "name")
        .prefetch_related(
            Prefetch("units", queryset=Unit.objects.filter(is_active=True), to_attr="active_units")
        )
    )


# --- The gap dashboard -------------------------------------------------------------------------


@dataclass
class GapFilters:
    """What the dashboard shows: a plan, a year (bridge, areas, categories), an area, a category."""

    plan: Plan
    year: int
    area: Area | None = None
    category: str | None = None

    def cache_key(self, area_codes: list[str] | None) -> str:
        scope = ",".join(area_codes) if area_codes is not None else "region"
        return f"{self.plan.pk}:{self.year}:{scope}:{self.category or ''}"


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
    if roles_of(user) & _SEE_ALL_AREAS:
        return None
    return list(area_list(user=user).values_list("code", flat=True))


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


def _scope_required(
    plan_wide: dict[int, Decimal],
    by_area: dict[int, dict[str, Decimal]],
    area_codes: list[str] | None,
    years: list[int],
) -> dict[int, Decimal]:
    """The requirement of the scope: the plan's, or the sum of the areas' targets (a year where
    one of the areas has no target has none)."""
    if area_codes is None:
        return plan_wide
    required = {}
    for year in years:
        targets = by_area.get(year, {})
        if area_codes and all(code in targets for code in area_codes):
            required[year] = sum((targets[code] for code in area_codes), Decimal(0))
    return required


def gap_data(*, user, filters: GapFilters) -> GapData:
    """The gap figures of ``filters`` as the user may see them (cached per data version)."""
    area_codes = gap_scope_area_codes(user=user, area=filters.area)
    return cached_gap_data(
        filters.cache_key(area_codes), lambda: _compute_gap_data(user, filters, area_codes)
    )


def gap_view(*, user, filters: GapFilters, name: str, build):
    """``build(gap_data)`` (e.g. a page's rows and figures), cached beside the gap figures under
    ``name``: a page drawn from figures that have not changed is read, not drawn again."""
    area_codes = gap_scope_area_codes(user=user, area=filters.area)
    return cached_gap_data(
        f"{name}:{filters.cache_key(area_codes)}",
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
    required = {} if filters.category else _scope_required(plan_wide, by_area, area_codes, years)

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


# --- Status reports ----------------------------------------------------------------------------


def _text(value) -> str | None:
    """A Decimal as an exact string for a snapshot; None stays None."""
    return None if value is None else str(value)


def _months_elapsed(year: int, meeting_date) -> int:
    """Whole months of ``year`` that had passed at the meeting."""
    if meeting_date.year > year:
        return 12
    if meeting_date.year < year:
        return 0
    return meeting_date.month - 1


def report_snapshot(*, report, user) -> dict:
    """Everything a status report shows, as plain JSON data (amounts as decimal strings, SEK).

    Read at publishing and stored with the report; the page is drawn from it alone. ``user`` is
    the publisher (finance): the figures are the region's.
    """
    from regionbudget.models import StatusReport

    plan, year, meeting = report.plan, report.year, report.meeting
    data = gap_data(user=user, filters=GapFilters(plan=plan, year=year))
    months = _months_elapsed(year, meeting.date)
    highlighted = set(report.highlighted.values_list("code", flat=True))
    measures = []
    for row in data.measures.to_dict("records"):
        measures.append(
            {
                "code": row["code"],
                "title": row["title"],
                "category": row["category"],
                "area": data.area_names.get(row["area_code"]) if row["area_code"] else None,
                "area_code": row["area_code"],
                "status": row["status"],
                "low": _text(row["low"]),
                "high": _text(row["high"]),
                "realised": _text(row["realised"]),
                "light": calc.traffic_light(
                    status=row["status"],
                    planned_low=row["low"],
                    realised=row["realised"],
                    months_elapsed=months,
                ),
                "highlighted": row["code"] in highlighted,
            }
        )
    lights_by_area: dict[str, dict[str, int]] = {}
    for measure in measures:
        if measure["area_code"]:
            counts = lights_by_area.setdefault(measure["area_code"], {})
            counts[measure["light"]] = counts.get(measure["light"], 0) + 1
    previous = (
        StatusReport.objects.filter(
            plan=plan, status=StatusReport.Status.PUBLISHED, meeting__date__lte=meeting.date
        )
        .exclude(pk=report.pk)
        .order_by("-meeting__date", "-published_at")
        .first()
    )
    snapshot = {
        "schema": 1,
        "title": report.title,
        "summary": report.summary,
        "plan": plan.name,
        "organisation": plan.organisation,
        "year": year,
        "meeting": {
            "committee": meeting.committee,
            "date": meeting.date.isoformat(),
            "title": meeting.title,
        },
        "months_elapsed": months,
        "corrects": {"id": report.corrects_id, "title": report.corrects.title}
        if report.corrects_id
        else None,
        "correction_note": report.correction_note,
        "by_year": [
            {
                "year": row["year"],
                **{
                    name: _text(row[name])
                    for name in (
                        "required",
                        "planned_low",
                        "planned_high",
                        "realised",
                        "expected",
                        "uncovered_low",
                        "uncovered_high",
                    )
                },
                "probability": _text(data.probability.get(row["year"])),
            }
            for row in data.by_year.to_dict("records")
        ],
        "bridge": [
            {
                "label": step.label,
                "kind": step.kind,
                "amount": _text(step.amount),
                "running": _text(step.running),
            }
            for step in data.bridge
        ],
        "areas": [
            {
                "code": row["area_code"],
                "name": data.area_names.get(row["area_code"], row["area_code"]),
                "required": _text(row["required"]),
                "planned_low": _text(row["planned_low"]),
                "planned_high": _text(row["planned_high"]),
                "realised": _text(row["realised"]),
                "coverage_low": _text(row["coverage_low"]),
                "coverage_high": _text(row["coverage_high"]),
                "lights": lights_by_area.get(row["area_code"], {}),
            }
            for row in data.by_area.to_dict("records")
            if row["area_code"]
        ],
        "measures": measures,
        "previous": {
            "id": previous.pk,
            "title": previous.title,
            "date": previous.meeting.date.isoformat(),
        }
        if previous
        else None,
    }
    snapshot["changes"] = calc.report_changes(previous.snapshot if previous else None, snapshot)
    return snapshot


def report_list(*, user):
    """Reports the user may read: committee members see published ones only, newest first."""
    from regionbudget.models import StatusReport

    roles = roles_of(user)
    reports = StatusReport.objects.select_related("meeting", "plan").order_by(
        "-meeting__date", "-published_at", "-pk"
    )
    if roles & {Role.ADMIN, Role.FINANCE}:
        return reports
    if roles & {Role.COMMITTEE, Role.AREA_DIRECTOR}:
        return reports.filter(status=StatusReport.Status.PUBLISHED)
    return reports.none()
