"""Load the seed case (Region Västernorrland, plan 2024–2026) as demo data.

Reads the CSV files in ``demo_data/`` (amounts in MSEK) and writes through the services, so the
same rules apply as for any other write. Running it twice changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from forecasts.services import deficit_target_set, plan_upsert
from regionbudget.models import Area
from regionbudget.roles import Role
from regionbudget.services import (
    area_director_bind,
    area_upsert,
    role_groups_sync,
    unit_upsert,
    user_assign_role,
    user_upsert,
)

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DemoUser", "load_demo"]

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
MSEK = Decimal("1000000")
DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role
    areas: tuple[str, ...] = ()


DEMO_USERS = [
    DemoUser("ekonom", "Karin", "Lindqvist", Role.FINANCE),
    DemoUser("direktor.somatik", "Anna", "Berglund", Role.AREA_DIRECTOR, ("LSO-SOM",)),
    DemoUser("direktor.psykiatri", "Johan", "Sjöberg", Role.AREA_DIRECTOR, ("LSO-PSY",)),
    DemoUser("ledamot", "Maria", "Nordin", Role.COMMITTEE),
    DemoUser("admin", "Erik", "Holm", Role.ADMIN),
]


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


PLANNED_REDUCTION_2024 = Decimal("150")  # MSEK, the plan's own reduction (press release)


def _area_targets(plan, areas: dict) -> None:
    """Split each year's target across the areas (synthetic *målnivå*).

    An area's weight is its own forecast deficit in 2024 plus its budget share of the planned
    150 MSEK reduction, as a part of 324; every year uses the same weights. Targets are rounded
    to 0.1 MSEK and the last area takes the rounding, so the areas add up to the plan's target.
    """
    rows = _rows("areas.csv")
    total_budget = sum(Decimal(r["budget_net_2024_msek"]) for r in rows)
    raw = {
        r["area_code"]: -Decimal(r["forecast_deviation_2024_msek"])
        + PLANNED_REDUCTION_2024 * Decimal(r["budget_net_2024_msek"]) / total_budget
        for r in rows
    }
    total_raw = sum(raw.values())
    tenth = Decimal("0.1")
    for target in plan.targets.filter(area__isnull=True):
        remaining = target.amount / MSEK
        codes = list(raw)
        for code in codes:
            if code == codes[-1]:
                amount = remaining
            else:
                amount = (target.amount / MSEK * raw[code] / total_raw).quantize(tenth)
                remaining -= amount
            deficit_target_set(
                plan=plan,
                year=target.year,
                area=areas[code],
                amount=amount * MSEK,
                basis="Syntetisk målnivå: områdets prognosunderskott 2024 och budgetandel",
            )


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Write the seed case and the demo users; return how many of each there are."""
    role_groups_sync()
    areas = {
        row["area_code"]: area_upsert(
            code=row["area_code"], name=row["area_name"], position=(i + 1) * 10
        )
        for i, row in enumerate(_rows("areas.csv"))
    }
    for row in _rows("units.csv"):
        unit_upsert(area=areas[row["area_code"]], code=row["unit_code"], name=row["unit_name"])

    plans = {
        row["plan"]: plan_upsert(
            name=row["plan"],
            organisation=row["organisation"],
            baseline_year=int(row["baseline_year"]),
            start_year=int(row["start_year"]),
            end_year=int(row["end_year"]),
            status=row["status"],
            source=row["source"],
            description=row["description"],
        )
        for row in _rows("plans.csv")
    }
    for row in _rows("targets.csv"):
        deficit_target_set(
            plan=plans[row["plan"]],
            year=int(row["year"]),
            amount=Decimal(row["required_reduction_msek"]) * MSEK,
            basis=row["basis"],
        )

    _area_targets(plans["Ekonomi i balans 2024–2026"], areas)

    for demo in DEMO_USERS:
        user = user_upsert(
            username=demo.username,
            first_name=demo.first_name,
            last_name=demo.last_name,
            email=f"{demo.username}@example.invalid",
            password=DEMO_PASSWORD,
            is_superuser=demo.role == Role.ADMIN,
        )
        user_assign_role(user=user, role=demo.role)
        for code in demo.areas:
            area_director_bind(user=user, area=areas[code])

    return {
        "areas": Area.objects.count(),
        "units": sum(a.units.count() for a in areas.values()),
        "plans": len(plans),
        "users": len(DEMO_USERS),
    }
