"""Reads of the measure register that feed pages, scoped to what the user may see.

Finance, administrators and committee members see every measure. An area director sees the
measures their areas own and the region-wide measures that have a share in one of their areas;
any other measure does not exist for them (404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from pghistory.models import Events

from forecasts.models import Forecast, ImportUpload, Plan
from forecasts.selectors import import_upload_find
from measures.calculations import EFFECT_COLUMNS, year_total
from measures.models import (
    AreaShare,
    Category,
    ConsequenceAnalysisFile,
    ForecastInclusion,
    Indicator,
    IndicatorValue,
    Measure,
    PlannedEffect,
    RealisedEffect,
)
from regionbudget.core import access
from regionbudget.core.caching import cached_data
from regionbudget.core.models import Area, Unit
from regionbudget.core.selectors import area_list

__all__ = [
    "HistoryEntry",
    "area_lookup",
    "can_manage_measures",
    "can_report_on",
    "category_list",
    "category_lookup",
    "category_names",
    "consequence_file_get",
    "consequence_file_info",
    "default_plan",
    "default_year",
    "forecast_inclusions",
    "indicator_get",
    "indicator_units",
    "measure_area_shares_frame",
    "measure_codes",
    "measure_effects_frame",
    "measure_get",
    "measure_history",
    "measure_import_find",
    "measure_indicators",
    "measure_list",
    "measure_realised_grid",
    "measure_realised_list",
    "measure_shares_by_area",
    "measures_to_report",
    "plan_effects_frame",
    "realised_by_month",
    "scope_area_codes",
]


def can_manage_measures(user) -> bool:
    """Finance and administrators keep the register: create, edit, split, import."""
    return access.is_finance(user)


def can_report_on(user, measure: Measure) -> bool:
    """Who may report status and realised effect: finance on any measure, a director on the
    measures their areas own. Region-wide measures are finance's."""
    return access.may_report_on(user, measure.owner_area_id)


def scope_area_codes(*, user, area: Area | None) -> list[str] | None:
    """The areas whose view the figures take: the chosen area, a director's own areas, or None
    for the region (every measure once, in full)."""
    if area is not None:
        return [area.code]
    if access.sees_all_areas(user):
        return None
    return list(area_list(user=user).values_list("code", flat=True))


def measure_list(*, user) -> QuerySet[Measure]:
    """The measures the user may see, with category and owning area joined."""
    measures = Measure.objects.select_related("plan", "category", "owner_area")
    if access.sees_all_areas(user):
        return measures
    if access.is_director(user):
        areas = area_list(user=user)
        visible = Measure.objects.filter(
            Q(owner_area__in=areas) | Q(owner_area__isnull=True, area_shares__area__in=areas)
        ).values("pk")
        return measures.filter(pk__in=visible)
    return measures.none()


def measures_to_report(*, user, today: dt.date) -> tuple[tuple[int, int], list[Measure]]:
    """A director's work for the month: the measures their areas own that are under way
    (decided, in progress, delayed) and have no realised effect recorded for last month yet.
    Returns last month (year, month) and the measures, by code. One query."""
    month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    if not access.is_director(user):
        return month, []
    under_way = [Measure.Status.DECIDED, Measure.Status.IN_PROGRESS, Measure.Status.DELAYED]
    reported = RealisedEffect.objects.filter(year=month[0], month=month[1]).values("measure_id")
    measures = (
        Measure.objects.filter(owner_area__in=area_list(user=user), status__in=under_way)
        .exclude(pk__in=reported)
        .select_related("owner_area")
        .order_by("code")
    )
    return month, list(measures)


def measure_get(*, user, pk: int) -> Measure:
    """The measure ``pk`` if the user may see it; 404 otherwise (also for other areas')."""
    return access.object_or_404(measure_list(user=user), _("No such measure."), pk=pk)


def consequence_file_get(*, measure: Measure):
    """The measure's consequence analysis file with its content, or None (one query). The
    measure is one the user may see (``measure_get``)."""
    return ConsequenceAnalysisFile.objects.filter(measure=measure).first()


def consequence_file_info(*, measure: Measure) -> dict | None:
    """Name, size, type, uploader and time of the measure's consequence analysis file, without
    its content (one query), or None."""
    return (
        ConsequenceAnalysisFile.objects.filter(measure=measure)
        .values("name", "size", "content_type", "uploaded_at", "uploaded_by__username")
        .first()
    )


def category_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True)


def category_lookup() -> dict[str, int]:
    """Active categories by lower-case name (for imports)."""
    return {name.casefold(): pk for pk, name in category_list().values_list("pk", "name")}


def category_names() -> dict[int, str]:
    return dict(Category.objects.values_list("pk", "name"))


def area_lookup() -> dict[str, int]:
    """Active areas by lower-case code and name (for imports)."""
    lookup = {}
    for pk, code, name in Area.objects.filter(is_active=True).values_list("pk", "code", "name"):
        lookup[name.casefold()] = pk
        lookup[code.casefold()] = pk
    return lookup


def measure_import_find(*, user, token) -> ImportUpload | None:
    """The user's own staged action plan (with its plan), if it has not expired; None for a
    token that is unknown, expired or someone else's. The caller checks the role."""
    return import_upload_find(user=user, token=token, kinds=[ImportUpload.Kind.ACTION_PLAN])


def measure_codes(*, plan: Plan) -> set[str]:
    """The codes already used in ``plan``."""
    return set(Measure.objects.filter(plan=plan).values_list("code", flat=True))


def default_plan(plans: list[Plan]) -> Plan | None:
    """The first active plan, else the first plan."""
    return next((p for p in plans if p.status == Plan.Status.ACTIVE), plans[0] if plans else None)


def default_year(plan: Plan, today: dt.date | None = None) -> int:
    """This year if it lies within the plan, else the plan's nearest end."""
    year = (today or dt.date.today()).year  # noqa: DTZ011 - the calendar year is enough
    return min(max(year, plan.start_year), plan.end_year)


def measure_effects_frame(
    *, plan: Plan, user, measures: QuerySet[Measure] | None = None
) -> pd.DataFrame:
    """One row per visible measure of ``plan`` × year of the plan, in full (not split by area).

    Columns: ``measure_id``, ``code``, ``title``, ``category`` (name), ``area_code`` (None for a
    region-wide measure), ``status``, ``year``, ``low``, ``high`` (planned range, annual, SEK;
    0 where no effect is planned) and ``realised`` (sum of the year's realised months, SEK).
    ``measures`` narrows the rows further (a filtered list); three queries.
    """
    base = measure_list(user=user) if measures is None else measures
    base = base.filter(plan=plan)
    heads = list(
        base.order_by("code").values(
            "pk", "code", "title", "category__name", "owner_area__code", "status"
        )
    )
    ids = [h["pk"] for h in heads]
    planned = {
        (p["measure_id"], p["year"]): (p["low"], p["high"])
        for p in PlannedEffect.objects.filter(measure_id__in=ids).values(
            "measure_id", "year", "low", "high"
        )
    }
    realised = {
        (r["measure_id"], r["year"]): r["total"]
        for r in RealisedEffect.objects.filter(measure_id__in=ids)
        .values("measure_id", "year")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    zero = Decimal("0.00")
    records = []
    for head in heads:
        for year in plan.years:
            low, high = planned.get((head["pk"], year), (zero, zero))
            records.append(
                {
                    "measure_id": head["pk"],
                    "code": head["code"],
                    "title": head["title"],
                    "category": head["category__name"],
                    "area_code": head["owner_area__code"],
                    "status": head["status"],
                    "year": year,
                    "low": low,
                    "high": high,
                    "realised": realised.get((head["pk"], year), zero),
                }
            )
    return _object_frame(records, EFFECT_COLUMNS, ints={"measure_id", "year"})


# The tables ``measure_effects_frame`` reads.
EFFECT_SOURCES: tuple[str, ...] = tuple(
    model._meta.db_table for model in (Plan, Measure, Category, Area, PlannedEffect, RealisedEffect)
)


def plan_effects_frame(*, plan: Plan) -> pd.DataFrame:
    """``measure_effects_frame`` of every measure of ``plan`` (what a reader who sees all areas
    gets), cached per data version: the gap figures, the region's outlooks and the balance
    ledger's plan totals read the same frame, and compute it once."""
    return cached_data(
        f"effects:{plan.pk}",
        lambda: measure_effects_frame(plan=plan, user=None, measures=Measure.objects.all()),
        sources=EFFECT_SOURCES,
    )


def _object_frame(records: list[dict], columns: list[str], ints: set[str]) -> pd.DataFrame:
    """A frame whose text and Decimal columns stay Python objects (None stays None, not NaN;
    Decimals stay Decimal), and whose integer columns are integers."""
    return pd.DataFrame(
        {
            column: pd.Series(
                [record[column] for record in records],
                dtype="int64" if column in ints else object,
            )
            for column in columns
        }
    )


def measure_area_shares_frame(*, plan: Plan) -> pd.DataFrame:
    """How the region-wide measures of ``plan`` are split: ``code``, ``area_code``, ``share``
    (Decimal percent, summing to 100 per measure)."""
    rows = AreaShare.objects.filter(measure__plan=plan).order_by("measure__code", "area__position")
    records = [
        {"code": code, "area_code": area_code, "share": share}
        for code, area_code, share in rows.values_list("measure__code", "area__code", "share")
    ]
    return _object_frame(records, ["code", "area_code", "share"], ints=set())


def forecast_inclusions(*, plan: Plan, years) -> dict[int, set[str]]:
    """The codes of ``plan``'s measures each approved forecast of ``years`` already counts
    (recorded at its approval), by forecast id; a forecast that counts none is absent.

    Selected by a join, not by a list of forecast ids: at twenty regions' scale a list of the
    5,600 approved forecasts cost a fifth of a second to send and parse, and the join a
    millisecond."""
    included: dict[int, set[str]] = {}
    for forecast_id, code in ForecastInclusion.objects.filter(
        measure__plan=plan,
        forecast__status=Forecast.Status.APPROVED,
        forecast__forecast_round__year__in=list(years),
    ).values_list("forecast_id", "measure__code"):
        included.setdefault(forecast_id, set()).add(code)
    return included


def measure_realised_list(*, measure: Measure) -> QuerySet[RealisedEffect]:
    """The measure's realised effects per month, latest first, with who recorded them."""
    return measure.realised_effects.select_related("recorded_by").order_by("-year", "-month")


@dataclass(frozen=True)
class RealisedYear:
    """One year of realised effects: the twelve months (SEK or None) and their sum."""

    year: int
    months: list[Decimal | None]
    total: Decimal


def measure_realised_grid(*, measure: Measure) -> tuple[list[RealisedYear], list[RealisedEffect]]:
    """Realised effects as a year × month grid (latest year first), and the months that carry a
    comment (latest first). One query."""
    effects = list(measure_realised_list(measure=measure))
    by_year: dict[int, list[Decimal | None]] = {}
    for effect in effects:
        by_year.setdefault(effect.year, [None] * 12)[effect.month - 1] = effect.amount
    grid = [
        RealisedYear(year, months, year_total(months))
        for year, months in sorted(by_year.items(), reverse=True)
    ]
    return grid, [e for e in effects if e.comment]


@dataclass
class IndicatorView:
    indicator: Indicator
    values: list[IndicatorValue] = field(default_factory=list)
    has_units: bool = False


def measure_indicators(*, measure: Measure) -> list[IndicatorView]:
    """The measure's indicators with their values (period, unit), in two queries."""
    indicators = {i.pk: IndicatorView(i) for i in measure.indicators.all()}
    for value in (
        IndicatorValue.objects.filter(indicator__measure=measure)
        .select_related("unit")
        .order_by("indicator", "year", "month", "unit__code")
    ):
        view = indicators[value.indicator_id]
        view.values.append(value)
        view.has_units = view.has_units or value.unit_id is not None
    return list(indicators.values())


@dataclass(frozen=True)
class Change:
    label: str
    old: Any
    new: Any
    is_money: bool = False


@dataclass(frozen=True)
class HistoryEntry:
    """One recorded change: when, by whom, to what, and which fields moved."""

    when: dt.datetime
    who: str
    what: str
    action: str
    changes: list[Change]


_HIDDEN_FIELDS = {
    "id",
    "version",
    "measure",
    "recorded_at",
    "recorded_by",
    "plan",
    # A consequence analysis file: its name and size say what was uploaded.
    "content_type",
    "sha256",
    "uploaded_at",
    "uploaded_by",
}
_MONEY_FIELDS = {"low", "high", "amount"}
_MONEY_LABELS = {
    "low": _("planned, low"),
    "high": _("planned, high"),
    "amount": _("realised effect"),
}
# What a creation or removal shows (the rest is in the record itself).
_INSERT_FIELDS: dict[type, tuple[str, ...]] = {
    PlannedEffect: ("low", "high"),
    RealisedEffect: ("amount", "comment"),
    AreaShare: ("area", "share"),
    Indicator: ("name", "unit"),
    ConsequenceAnalysisFile: ("name", "size"),
}
_ACTIONS = {"insert": _("created"), "update": _("changed"), "delete": _("removed")}


def _describe(model, data: dict) -> str:
    name = str(model._meta.verbose_name).capitalize()
    if "year" in data and "month" in data:
        return f"{name} {data['year']}-{int(data['month']):02d}"
    if "year" in data:
        return f"{name} {data['year']}"
    if "area" in data and model is AreaShare:
        return name
    return name


def measure_history(
    *, measure: Measure, limit: int = 50, visible_area_codes: list[str] | None = None
) -> list[HistoryEntry]:
    """The latest changes to the measure and its effects, shares and indicators, with who made
    them (from the database triggers' history). Three queries. With ``visible_area_codes`` (a
    director's areas), other areas' shares are left out."""
    events = list(Events.objects.references(measure).order_by("-pgh_created_at", "-pgh_id")[:limit])
    user_ids = {(e.pgh_context or {}).get("user") for e in events} - {None}
    names = {
        u.pk: u.get_full_name() or u.username
        for u in get_user_model().objects.filter(pk__in=user_ids)
    }
    area_ids = {e.pgh_data.get("area") for e in events if e.pgh_data.get("area")}
    category_ids = {e.pgh_data.get("category") for e in events} | {
        v for e in events for v in (e.pgh_diff or {}).get("category", [])
    }
    areas = {a.pk: a.code for a in Area.objects.filter(pk__in=area_ids | _owner_ids(events))}
    categories = dict(
        Category.objects.filter(pk__in=category_ids - {None}).values_list("pk", "name")
    )
    lookups = {"area": areas, "owner_area": areas, "category": categories}
    entries = []
    for event in events:
        model = _tracked_model(event.pgh_model)
        data = event.pgh_data or {}
        diff = event.pgh_diff or {}
        if (
            model is AreaShare
            and visible_area_codes is not None
            and areas.get(data.get("area")) not in visible_area_codes
        ):
            continue
        if event.pgh_label == "update":
            pairs = {k: v for k, v in diff.items() if k not in _HIDDEN_FIELDS}
            if not pairs:
                continue
        else:
            shown = _INSERT_FIELDS.get(model, ())
            pairs = {
                k: (None, data.get(k)) if event.pgh_label == "insert" else (data.get(k), None)
                for k in shown
            }
        changes = [
            Change(
                label=str(_MONEY_LABELS.get(name) or _field_label(model, name)),
                old=_display(model, lookups, name, old),
                new=_display(model, lookups, name, new),
                is_money=name in _MONEY_FIELDS,
            )
            for name, (old, new) in pairs.items()
            if old not in (None, "") or new not in (None, "")
        ]
        entries.append(
            HistoryEntry(
                when=event.pgh_created_at,
                who=names.get((event.pgh_context or {}).get("user"), str(_("the system"))),
                what=_describe(model, data),
                action=str(_ACTIONS.get(event.pgh_label, event.pgh_label)),
                changes=changes,
            )
        )
    return entries


def _owner_ids(events) -> set[int]:
    ids = {e.pgh_data.get("owner_area") for e in events}
    ids |= {v for e in events for v in (e.pgh_diff or {}).get("owner_area", [])}
    return ids - {None}


_EVENT_MODELS: dict[str, type] = {
    "measures.MeasureEvent": Measure,
    "measures.PlannedEffectEvent": PlannedEffect,
    "measures.RealisedEffectEvent": RealisedEffect,
    "measures.AreaShareEvent": AreaShare,
    "measures.IndicatorEvent": Indicator,
    "measures.ConsequenceAnalysisFileEvent": ConsequenceAnalysisFile,
}


def _tracked_model(event_model: str):
    return _EVENT_MODELS.get(event_model, Measure)


def _field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field removed since the event was recorded
        return name


def _display(model, lookups: dict[str, dict], name: str, value):
    """A recorded value as the page shows it: a related row by its code or name, a choice
    (status, deciding body, effect kind, direction …) by its label in the user's language, money
    as Decimal."""
    if value is None:
        return None
    if name in lookups:
        return lookups[name].get(value, value)
    if name in _MONEY_FIELDS:
        return Decimal(str(value))
    try:
        choices = dict(model._meta.get_field(name).flatchoices)
    except Exception:  # a field removed since the event was recorded
        return value
    return choices.get(value, value) if choices else value


def measure_shares_by_area(*, measure: Measure) -> dict[int, Decimal]:
    """The measure's area shares by area id (percent)."""
    return dict(measure.area_shares.values_list("area_id", "share"))


def realised_by_month(*, measure: Measure) -> dict[tuple[int, int], RealisedEffect]:
    return {(r.year, r.month): r for r in measure.realised_effects.all()}


def indicator_get(*, measure: Measure, pk: int) -> Indicator:
    """The indicator ``pk`` of ``measure`` (404 for another measure's)."""
    return access.object_or_404(measure.indicators.all(), pk=pk)


def indicator_units(*, measure: Measure) -> QuerySet[Unit]:
    """The units an indicator value may be given for: the owning area's active units, or every
    active unit for a region-wide measure."""
    units = Unit.objects.filter(is_active=True).order_by("code")
    return units.filter(area_id=measure.owner_area_id) if measure.owner_area_id else units
