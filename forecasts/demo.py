"""Demo budgets, actuals and forecast rounds of 2024 for the seed case (synthetic, deterministic).

The seed says how far each area's 2024 forecast lies from its budget (``areas.csv``,
``forecast_deviation_2024_msek``, −174 MSEK in all). Here those figures come out of data:

- the 2024 budget of every unit and account group, adding up to each area's net budget;
- actuals January–October 2024, month by month, in line with the forecasts;
- "prognos efter september 2024": closed, every area's forecast approved, deviations as in the
  seed; "prognos efter oktober 2024": open, the same approved forecasts for every area but
  Länssjukvårdsområde somatik, whose October forecast is a draft prefilled from September.
  Both rounds' forecasts are made against the budgets of before the action plan: they do not
  include the measures' effect, so the outlook of 2024 agrees with the plan (132–149 short);
- the 2024 reduction outside the area budgets: 150 MSEK.

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
    outside_budgets_set,
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
# Seasonal shape of the monthly actuals (summer holidays cost less, December more): twelve
# factors that add up to 12.
SEASON_YEAR = [
    Decimal(x)
    for x in (
        "1.00",
        "0.98",
        "1.02",
        "1.00",
        "1.01",
        "0.97",
        "0.85",
        "0.95",
        "1.03",
        "1.02",
        "1.07",
        "1.10",
    )
]
DIRECTOR_AREA = "LSO-SOM"  # its October forecast is the demo director's draft
THRESHOLD = Decimal("500000")
OUTSIDE_BUDGETS_2024 = 150 * MSEK
# After 2024 (illustrative): budgets grow, the areas' budgets are drawn up with the action plan,
# so their forecasts count the measures already decided; three rounds a year, after April,
# August and October, with the region's deviation in MSEK; actuals through the last month known.
LATER_YEARS = {
    2025: {
        "growth": Decimal("1.03"),
        "outside_budgets": 150,
        "rounds": [(4, -110), (8, -80), (10, -60)],
        "actual_months": 12,
    },
    2026: {
        "growth": Decimal("1.06"),
        "outside_budgets": 150,
        "rounds": [(4, -60), (8, -35), (10, -20)],
        "actual_months": 10,
    },
}

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


def demo_figures(growth: Decimal = Decimal(1), deficits: dict[str, Decimal] | None = None) -> dict:
    """The demo's budget and a forecast per area, unit and account group (SEK).

    The budget is the seed's 2024 net budget of each area times ``growth``; the forecast lies
    ``deficits`` (area code -> SEK, budget − forecast, negative a deficit) from it, by default
    the seed's 2024 deviations (the September forecast).

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
        net = (Decimal(seed["budget_net_2024_msek"]) * growth * MSEK).quantize(THOUSAND)
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
        deficit = (
            deficits[area.code]
            if deficits is not None
            else Decimal(seed["forecast_deviation_2024_msek"]) * MSEK
        )
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


def _actual_rows(
    forecast: dict[Cell, Decimal], year: int = DEMO_YEAR, months: range = ACTUAL_MONTHS
) -> list[FigureRow]:
    rows = []
    for (unit_id, group_id), amount in forecast.items():
        monthly = amount / 12
        for month in months:
            value = (monthly * SEASON_YEAR[month - 1]).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            rows.append(FigureRow(unit_id, year, month, group_id, value))
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


def _approved_round(
    month, deadline, figures, finance_user, *, draft_area=None, year=DEMO_YEAR, includes=False
):
    forecast_round = round_open(
        year=year,
        month=month,
        deadline=deadline,
        user=finance_user,
        # The 2024 forecasts are made against budgets drawn up before the action plan: the
        # measures' effect is not in them (DESIGN.md, worked case A). Later years' are not.
        includes_decided_measures=includes,
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


def _area_deficits(total_msek: int) -> dict[str, Decimal]:
    """A round's deviation for the region (MSEK) split across the areas like the seed's 2024
    deviations (SEK per area code; negative a deficit)."""
    seeds = _rows(SEED_DIR / "areas.csv")
    weights = [Decimal(row["forecast_deviation_2024_msek"]) for row in seeds]
    parts = _split(Decimal(total_msek) * MSEK, weights)
    return {row["area_code"]: part for row, part in zip(seeds, parts, strict=True)}


def _later_year(plan: Plan, year: int, finance_user, until: tuple[int, int] | None) -> None:
    """Budget, the rounds (approved and closed) and the actuals of a year after 2024; with
    ``until`` (year, month), no round after that month, and no actuals for a year cut short."""
    story = LATER_YEARS[year]
    rounds = story["rounds"]
    if not plan.outside_budgets.filter(year=year).exists():
        outside_budgets_set(
            plan=plan, amounts={year: story["outside_budgets"] * MSEK}, user=finance_user
        )
    if not Budget.objects.filter(year=year).exists():
        figures = demo_figures(story["growth"])
        rows = [
            FigureRow(unit_id, year, None, group_id, amount)
            for (unit_id, group_id), amount in figures["budget"].items()
        ]
        figures_replace(kind=ImportUpload.Kind.BUDGET, rows=rows, user=finance_user)
    last = None
    for month, total in rounds:
        if until is not None and (year, month) > until:
            return
        last = demo_figures(story["growth"], _area_deficits(total))
        if ForecastRound.objects.filter(year=year, month=month).exists():
            continue
        deadline = dt.date(year + month // 12, month % 12 + 1, 10)
        forecast_round = _approved_round(
            month, deadline, last, finance_user, year=year, includes=True
        )
        round_close(forecast_round=forecast_round, user=finance_user)
    if last is not None and not Actual.objects.filter(year=year).exists():
        rows = _actual_rows(last["forecast"], year, range(1, story["actual_months"] + 1))
        figures_replace(kind=ImportUpload.Kind.ACTUAL, rows=rows, user=finance_user)


@transaction.atomic
def load_forecasts_demo(until: tuple[int, int] | None = None) -> dict[str, int]:
    """Write the demo's budgets, actuals and forecast rounds unless they are there already;
    ``until`` (year, month) leaves out the later rounds of 2025–2026 (loaded by a later call)."""
    finance_user = get_user_model().objects.get(username="ekonom")
    plan = Plan.objects.get(name=PLAN_NAME)
    if not plan.outside_budgets.exists():
        # The seed: 150 MSEK of 2024's 324 is a reduction already decided for the year, not in
        # the areas' budgets (DESIGN.md).
        outside_budgets_set(plan=plan, amounts={DEMO_YEAR: OUTSIDE_BUDGETS_2024}, user=finance_user)
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
        september = _approved_round(9, dt.date(2024, 10, 10), figures, finance_user)
        round_close(forecast_round=september, user=finance_user)
    if not ForecastRound.objects.filter(year=DEMO_YEAR, month=10).exists():
        _approved_round(10, dt.date(2024, 11, 11), figures, finance_user, draft_area=DIRECTOR_AREA)
    for year in LATER_YEARS:
        _later_year(plan, year, finance_user, until)
    return {
        "budgets": Budget.objects.filter(year=DEMO_YEAR).count(),
        "actuals": Actual.objects.filter(year=DEMO_YEAR).count(),
        "rounds": ForecastRound.objects.filter(year=DEMO_YEAR).count(),
    }
