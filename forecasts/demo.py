"""Demo budgets, actuals and forecast rounds of 2024 for the seed case (synthetic, deterministic).

The seed says how far each area's 2024 forecast lies from its budget (``areas.csv``,
``forecast_deviation_2024_msek``, −174 MSEK in all). Here those figures come out of data:

- the 2024 budget of every unit and account group, adding up to each area's net budget;
- actuals January–October 2024, month by month, in line with the forecasts;
- "prognos efter september 2024": closed, every area's forecast approved, deviations as in the
  seed; "prognos efter oktober 2024": open, the same approved forecasts for every area but
  Länssjukvårdsområde somatik, whose October forecast is a draft prefilled from September.

Everything is written through the services. Running it again changes nothing: figures that
already exist are left alone, and a round that exists is not touched again.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from forecasts.imports import FigureRow
from forecasts.models import AccountGroup, Actual, Budget, ForecastRound, ImportUpload, Plan
from forecasts.services import (
    LineInput,
    account_group_upsert,
    figures_replace,
    forecast_approve,
    forecast_save,
    forecast_submit,
    round_close,
    round_open,
)
from regionbudget.core.models import Area, AreaDirector, Unit
from regionbudget.core.money import MSEK, THOUSAND

__all__ = ["DEMO_YEAR", "demo_figures", "load_forecasts_demo"]

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
SEED_DIR = Path(__file__).resolve().parents[1] / "regionbudget" / "demo_data"
DEMO_YEAR = 2024
PLAN_NAME = "Ekonomi i balans 2024–2026"
ACTUAL_MONTHS = range(1, 11)
# Seasonal shape of the monthly actuals (summer holidays cost less), January–October.
SEASON = [
    Decimal(x)
    for x in ("1.00", "0.98", "1.02", "1.00", "1.01", "0.97", "0.85", "0.95", "1.03", "1.02")
]
DIRECTOR_AREA = "LSO-SOM"  # its October forecast is the demo director's draft
THRESHOLD = Decimal("500000")

Cell = tuple[int, int]


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _split(total: Decimal, weights: list[Decimal], quantum: Decimal = THOUSAND) -> list[Decimal]:
    """``total`` split by ``weights`` in whole ``quantum``s; the last part takes the rounding."""
    weight_sum = sum(weights, Decimal(0))
    parts = [
        (total * w / weight_sum / quantum).quantize(Decimal(1), rounding=ROUND_HALF_UP) * quantum
        for w in weights[:-1]
    ]
    return [*parts, total - sum(parts, Decimal(0))]


def demo_figures() -> dict:
    """The demo's budget and September forecast per area, unit and account group (SEK).

    Returns ``{"budget": {cell: SEK}, "forecast": {cell: SEK}, "comment": {cell: text},
    "areas": {code: Area}}`` with cells (unit id, account group id).
    """
    for row in _rows(DATA_DIR / "account_groups.csv"):
        account_group_upsert(
            code=row["code"], name=row["name"], kind=row["kind"], position=int(row["position"])
        )
    groups = {g.code: g for g in AccountGroup.objects.all()}
    profiles: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for row in _rows(DATA_DIR / "budget_profiles.csv"):
        profiles[row["profile"]][row["group_code"]] = Decimal(row["share_percent"])
    drivers: dict[str, list[dict]] = defaultdict(list)
    for row in _rows(DATA_DIR / "forecast_drivers.csv"):
        drivers[row["area_code"]].append(row)
    areas = {a.code: a for a in Area.objects.all()}
    budget: dict[Cell, Decimal] = {}
    forecast: dict[Cell, Decimal] = {}
    comment: dict[Cell, str] = {}
    for seed in _rows(SEED_DIR / "areas.csv"):
        area = areas[seed["area_code"]]
        units = list(Unit.objects.filter(area=area, is_active=True).order_by("code"))
        # Larger units first: weights n+1, n, …, 2.
        unit_weights = [Decimal(len(units) + 1 - i) for i in range(len(units))]
        profile = profiles[drivers[area.code][0]["budget_profile"]]
        codes = [code for code in profile if code in groups]
        cells = [(u.pk, groups[c].pk) for u in units for c in codes]
        weights = [uw * profile[c] for uw in unit_weights for c in codes]
        # Revenue cells have negative weights: split the costs and the revenue separately so
        # that every amount keeps its sign, then let the last cost cell take the rounding.
        net = Decimal(seed["budget_net_2024_msek"]) * MSEK
        revenue_weights = [w for w in weights if w < 0]
        revenue = [
            (net * w / sum(weights, Decimal(0)) / THOUSAND).quantize(Decimal(1)) * THOUSAND
            for w in revenue_weights
        ]
        costs = _split(net - sum(revenue, Decimal(0)), [w for w in weights if w > 0])
        cost_iter, revenue_iter = iter(costs), iter(revenue)
        for cell, weight in zip(cells, weights, strict=True):
            if weight > 0:
                budget[cell] = next(cost_iter)
            elif weight < 0:
                budget[cell] = next(revenue_iter)
            else:
                budget[cell] = Decimal(0)
            forecast[cell] = budget[cell]
        # The deficit: negative deviation = budget − forecast, carried by the driver groups.
        deficit = Decimal(seed["forecast_deviation_2024_msek"]) * MSEK
        driver_cells, driver_weights, driver_comments = [], [], []
        for driver in drivers[area.code]:
            for unit, unit_weight in zip(units, unit_weights, strict=True):
                driver_cells.append((unit.pk, groups[driver["group_code"]].pk))
                driver_weights.append(unit_weight * Decimal(driver["share_percent"]))
                driver_comments.append(driver["comment"])
        for cell, part, text in zip(
            driver_cells, _split(deficit, driver_weights), driver_comments, strict=True
        ):
            forecast[cell] = budget[cell] - part
            if abs(part) > THRESHOLD:
                comment[cell] = text
    return {"budget": budget, "forecast": forecast, "comment": comment, "areas": areas}


def _actual_rows(forecast: dict[Cell, Decimal]) -> list[FigureRow]:
    rows = []
    for (unit_id, group_id), amount in forecast.items():
        monthly = amount / 12
        for month, factor in zip(ACTUAL_MONTHS, SEASON, strict=True):
            value = (monthly * factor).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            rows.append(FigureRow(unit_id, DEMO_YEAR, month, group_id, value))
    return rows


def _lines(figures: dict, area: Area) -> dict[Cell, LineInput]:
    unit_ids = set(Unit.objects.filter(area=area).values_list("pk", flat=True))
    return {
        cell: LineInput(amount=amount, comment=figures["comment"].get(cell, ""))
        for cell, amount in figures["forecast"].items()
        if cell[0] in unit_ids
    }


def _writer(area: Area, finance_user):
    """The area's director if it has one; otherwise the administrator enters the forecast on its
    behalf (not finance, who approves it: nobody approves their own submission)."""
    binding = AreaDirector.objects.filter(area=area).select_related("user").first()
    if binding:
        return binding.user
    return get_user_model().objects.filter(username="admin").first() or finance_user


def _approved_round(plan, month, deadline, figures, finance_user, *, draft_area=None):
    forecast_round = round_open(
        plan=plan,
        year=DEMO_YEAR,
        month=month,
        deadline=deadline,
        user=finance_user,
        includes_decided_measures=True,
        comment_threshold=THRESHOLD,
    )
    for area in figures["areas"].values():
        lines = _lines(figures, area)
        writer = _writer(area, finance_user)
        if area.code == draft_area:
            forecast_save(
                forecast_round=forecast_round,
                area=area,
                lines=lines,
                expected_version=0,
                user=writer,
            )
            continue
        forecast = forecast_submit(
            forecast_round=forecast_round, area=area, lines=lines, expected_version=0, user=writer
        )
        forecast_approve(forecast=forecast, expected_version=forecast.version, user=finance_user)
    return forecast_round


@transaction.atomic
def load_forecasts_demo() -> dict[str, int]:
    """Write the demo's budgets, actuals and forecast rounds unless they are there already."""
    finance_user = get_user_model().objects.get(username="ekonom")
    plan = Plan.objects.get(name=PLAN_NAME)
    figures = demo_figures()
    if not Budget.objects.filter(year=DEMO_YEAR).exists():
        rows = [
            FigureRow(unit_id, DEMO_YEAR, None, group_id, amount)
            for (unit_id, group_id), amount in figures["budget"].items()
        ]
        figures_replace(kind=ImportUpload.Kind.BUDGET, rows=rows, user=finance_user)
    if not Actual.objects.filter(year=DEMO_YEAR).exists():
        figures_replace(
            kind=ImportUpload.Kind.ACTUAL, rows=_actual_rows(figures["forecast"]), user=finance_user
        )
    if not ForecastRound.objects.filter(year=DEMO_YEAR, month=9).exists():
        september = _approved_round(plan, 9, dt.date(2024, 10, 10), figures, finance_user)
        round_close(forecast_round=september, user=finance_user)
    if not ForecastRound.objects.filter(year=DEMO_YEAR, month=10).exists():
        _approved_round(
            plan, 10, dt.date(2024, 11, 11), figures, finance_user, draft_area=DIRECTOR_AREA
        )
    return {
        "budgets": Budget.objects.filter(year=DEMO_YEAR).count(),
        "actuals": Actual.objects.filter(year=DEMO_YEAR).count(),
        "rounds": ForecastRound.objects.filter(year=DEMO_YEAR).count(),
    }
