"""Synthetic data at benchmark scale, written straight into PostgreSQL with COPY.

On top of the demo (users, plans, account groups, categories, weights), ``generate`` replaces
the organisation's figures with ``regions`` regions' worth: per region 8 areas and
``units_per_region`` units, a budget per unit, year and account group, actuals per month, a
forecast round per month of each year with an approved forecast per area (the last round's
forecasts are drafts), forecast lines per unit and account group, and ``measures_per_region``
measures with planned ranges and a realised effect per month. History triggers are switched off
while it writes (``session_replication_role = replica``): generated rows need no history.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Scale", "SCALES", "generate"]


@dataclass(frozen=True)
class Scale:
    regions: int
    units_per_region: int
    years: tuple[int, ...] = (2024, 2025, 2026)
    rounds_per_year: int = 12
    measures_per_region: int = 20


# S20: twenty regions' worth, about two million forecast lines (20 × 280 units × 10 account
# groups × 36 rounds); S5: five regions' worth (about half a million); S1: one region of 8 areas
# and about 100 units.
SCALES = {
    "S1": Scale(regions=1, units_per_region=100),
    "S5": Scale(regions=5, units_per_region=280),
    "S20": Scale(regions=20, units_per_region=280),
}

AREAS_PER_REGION = 8
STATUSES = ["proposed", "decided", "in_progress", "in_progress", "done", "delayed"]


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608 - fixed names
    return cursor.fetchone()[0]


def _sync_sequence(cursor, table: str) -> None:
    """Move the id sequence past the rows written with explicit ids, never back: a sequence is
    not rolled back with a transaction, so moving it back could hand out ids in use later."""
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - fixed names
        f"GREATEST((SELECT coalesce(max(id), 1) FROM {table}), "
        f"nextval(pg_get_serial_sequence('{table}', 'id'))))"
    )


def generate(scale: Scale, *, seed: int = 20) -> dict[str, int]:
    """Write the data for ``scale``; returns the number of rows per table."""
    from django.db import connection

    from forecasts.models import AccountGroup, Plan
    from measures.models import Category

    rng = random.Random(seed)
    plan = Plan.objects.get(name="Ekonomi i balans 2024–2026")
    groups = list(AccountGroup.objects.order_by("position").values_list("pk", "kind"))
    categories = list(Category.objects.values_list("pk", flat=True))
    counts: dict[str, int] = {}
    pg = connection.cursor().cursor  # psycopg's own cursor, for COPY
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        for table in (
            "measures_forecastinclusion",
            "forecasts_forecastbudget",
            "forecasts_forecastline",
            "forecasts_forecast",
            "forecasts_forecastround",
            "forecasts_actual",
            "forecasts_budget",
            "measures_realisedeffect",
            "measures_plannedeffect",
            "measures_areashare",
        ):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        # Areas: the demo's 8 are region 1's; each further region gets 8 more.
        cursor.execute("SELECT id FROM regionbudget_area ORDER BY position, id")
        areas = [pk for (pk,) in cursor.fetchall()][:AREAS_PER_REGION]
        area_id = _next_id(cursor, "regionbudget_area")
        new_areas = []
        for region in range(2, scale.regions + 1):
            for n in range(AREAS_PER_REGION):
                new_areas.append(
                    (
                        area_id,
                        f"R{region:02d}-{n}",
                        f"Region {region} område {n}",
                        100 + area_id,
                        True,
                    )
                )
                areas.append(area_id)
                area_id += 1
        counts["areas"] = len(areas)
        _copy(pg, "regionbudget_area", ["id", "code", "name", "position", "is_active"], new_areas)
        # Units: the first area of each region is a large one (about 200 grid cells).
        cursor.execute("UPDATE regionbudget_unit SET is_active = false")
        unit_id = _next_id(cursor, "regionbudget_unit")
        units: list[tuple[int, int]] = []  # (unit id, area id)
        for region in range(scale.regions):
            region_areas = areas[region * AREAS_PER_REGION : (region + 1) * AREAS_PER_REGION]
            big = 20
            rest = max(scale.units_per_region - big, len(region_areas) - 1)
            for i in range(big + rest):
                area = region_areas[0] if i < big else region_areas[1 + i % (len(region_areas) - 1)]
                units.append((unit_id, area))
                unit_id += 1
        counts["units"] = _copy(
            pg,
            "regionbudget_unit",
            ["id", "area_id", "code", "name", "is_active"],
            ((u, a, f"B{u}", f"Enhet {u}", True) for u, a in units),
        )
        # Budgets and actuals.
        budget = {
            (u, g): Decimal(rng.randrange(200_000, 20_000_000, 1000))
            * (-1 if kind == "revenue" else 1)
            for u, _a in units
            for g, kind in groups
        }
        counts["budgets"] = _copy(
            pg,
            "forecasts_budget",
            ["unit_id", "year", "account_group_id", "amount"],
            ((u, y, g, amount) for (u, g), amount in budget.items() for y in scale.years),
        )
        counts["actuals"] = _copy(
            pg,
            "forecasts_actual",
            ["unit_id", "year", "month", "account_group_id", "amount"],
            (
                (u, y, m, g, (amount / 12).quantize(Decimal("1")))
                for (u, g), amount in budget.items()
                for y in scale.years
                for m in range(1, 13)
            ),
        )
        # Rounds, forecasts and their lines.
        cursor.execute("SELECT id FROM auth_user WHERE username = 'ekonom'")
        ekonom = cursor.fetchone()[0]
        round_id = _next_id(cursor, "forecasts_forecastround")
        forecast_id = _next_id(cursor, "forecasts_forecast")
        rounds, forecasts = [], []
        by_area: dict[int, list[int]] = {}
        for u, a in units:
            by_area.setdefault(a, []).append(u)
        last = (scale.years[-1], scale.rounds_per_year)
        for y in scale.years:
            for m in range(1, scale.rounds_per_year + 1):
                is_last = (y, m) == last
                rounds.append(
                    (
                        round_id,
                        y,
                        m,
                        f"{y}-{m:02d}-10",
                        "open" if is_last else "closed",
                        True,
                        Decimal(500_000),
                        ekonom,
                        f"{y}-{m:02d}-01T08:00:00Z",
                    )
                )
                for a in areas:
                    status = "draft" if is_last else "approved"
                    approved = None if is_last else f"{y}-{m:02d}-12T08:00:00Z"
                    forecasts.append(
                        (forecast_id, round_id, a, status, 1, "", approved and ekonom, approved)
                    )
                    forecast_id += 1
                round_id += 1
        counts["rounds"] = _copy(
            pg,
            "forecasts_forecastround",
            [
                "id",
                "year",
                "month",
                "deadline",
                "status",
                "includes_decided_measures",
                "comment_threshold",
                "opened_by_id",
                "opened_at",
            ],
            rounds,
        )
        counts["forecasts"] = _copy(
            pg,
            "forecasts_forecast",
            [
                "id",
                "forecast_round_id",
                "area_id",
                "status",
                "version",
                "return_comment",
                "approved_by_id",
                "approved_at",
            ],
            forecasts,
        )
        drift = {a: Decimal(rng.randrange(100, 108)) / 100 for a in areas}

        def lines():
            for fid, _round, a, *_rest in forecasts:
                for u in by_area[a]:
                    for g, _kind in groups:
                        yield (fid, u, g, (budget[u, g] * drift[a]).quantize(Decimal("1")), "")

        counts["forecast lines"] = _copy(
            pg,
            "forecasts_forecastline",
            ["forecast_id", "unit_id", "account_group_id", "amount", "comment"],
            lines(),
        )

        def approved_budgets():  # the budget each approved forecast was approved against
            for fid, _round, a, status, *_rest in forecasts:
                if status == "approved":
                    for u in by_area[a]:
                        for g, _kind in groups:
                            yield (fid, u, g, budget[u, g])

        counts["budgets at approval"] = _copy(
            pg,
            "forecasts_forecastbudget",
            ["forecast_id", "unit_id", "account_group_id", "amount"],
            approved_budgets(),
        )
        # Measures: measures_per_region in each region (region 1 has the demo's already).
        cursor.execute("SELECT id FROM measures_measure WHERE plan_id = %s", [plan.pk])
        measures = [pk for (pk,) in cursor.fetchall()]
        measure_id = _next_id(cursor, "measures_measure")
        new_measures = []
        seeded = len(measures)  # region 1 starts with the demo's measures
        for region in range(1, scale.regions + 1):
            for n in range(seeded if region == 1 else 0, scale.measures_per_region):
                area = areas[(region - 1) * AREAS_PER_REGION + n % AREAS_PER_REGION]
                new_measures.append(
                    (
                        measure_id,
                        plan.pk,
                        f"R{region:02d}-M{n:02d}",
                        f"Åtgärd {n} i region {region}",
                        "",
                        rng.choice(categories),
                        area,
                        "",
                        rng.choice(STATUSES),
                        "",
                        1,
                    )
                )
                measures.append(measure_id)
                measure_id += 1
        _copy(
            pg,
            "measures_measure",
            [
                "id",
                "plan_id",
                "code",
                "title",
                "description",
                "category_id",
                "owner_area_id",
                "responsible",
                "status",
                "decision_reference",
                "version",
            ],
            new_measures,
        )
        counts["measures"] = len(measures)
        planned = []
        for pk in measures:
            for i, y in enumerate(scale.years):
                low = Decimal(rng.randrange(1, 20) * (i + 1)) * 1_000_000
                planned.append((pk, y, low, low + Decimal(rng.randrange(0, 5)) * 1_000_000))
        counts["planned effects"] = _copy(
            pg, "measures_plannedeffect", ["measure_id", "year", "low", "high"], planned
        )
        counts["realised effects"] = _copy(
            pg,
            "measures_realisedeffect",
            ["measure_id", "year", "month", "amount", "comment", "recorded_at"],
            (
                (
                    pk,
                    y,
                    m,
                    Decimal(rng.randrange(0, 2_000_000, 1000)),
                    "",
                    f"{y}-{m:02d}-28T12:00:00Z",
                )
                for pk in measures
                for y in scale.years
                for m in range(1, 13)
            ),
        )
        tables = (
            "regionbudget_area",
            "regionbudget_unit",
            "forecasts_forecastround",
            "forecasts_forecast",
            "forecasts_forecastline",
            "forecasts_forecastbudget",
            "forecasts_budget",
            "forecasts_actual",
            "measures_measure",
            "measures_plannedeffect",
            "measures_realisedeffect",
        )
        for table in tables:
            _sync_sequence(cursor, table)
        cursor.execute("SET session_replication_role = DEFAULT")
        # What the triggers would have done for the cached figures: a new data version of every
        # table written (regionbudget.core.caching).
        cursor.execute(
            "INSERT INTO regionbudget_dataversion (name, version, changed_at) "
            "SELECT t, nextval('regionbudget_dataversion_seq'), now() FROM unnest(%s::text[]) t "
            "ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, changed_at = now()",
            [list(tables)],
        )
        cursor.execute("ANALYZE")
    return counts
