"""Load the seed case (Region Västernorrland, plan 2024–2026) as demo data.

Reads the CSV files in ``demo_data/`` (amounts in MSEK) and writes through the services, so the
same rules apply as for any other write. Running it twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F

from forecasts.services import deficit_target_set, plan_upsert
from regionbudget.core.models import Area
from regionbudget.core.money import MSEK
from regionbudget.core.roles import Role
from regionbudget.core.services import (
    area_director_bind,
    area_upsert,
    role_groups_sync,
    unit_upsert,
    user_assign_role,
    user_upsert,
)
from regionbudget.reports.models import Meeting, StatusReport
from regionbudget.reports.services import meeting_create, report_create, report_publish

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DemoUser", "load_demo"]

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
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


MEETINGS = [
    # (committee, date, title): the seed's meetings, and two recent ones with reports.
    ("hsu", dt.date(2023, 12, 7), "Handlingsplan för ekonomi i balans"),
    ("hsn", dt.date(2023, 12, 19), "Handlingsplan för ekonomi i balans 2024–2026"),
    ("hsn", dt.date(2024, 2, 27), "Första återrapport om handlingsplanen"),
    ("hsn", dt.date(2026, 9, 29), "Lägesrapport ekonomi i balans"),
    ("hsn", dt.date(2026, 11, 24), "Lägesrapport ekonomi i balans"),
]
# How the action plan stood at the end of August 2026 (the first demo report): two measures had
# another status, and September's and October's realised effects were not yet recorded.
AUGUST_STATUSES = {"M07": "in_progress", "M04": "proposed"}


def _demo_reports(plan, load_measures_demo, load_forecasts_demo) -> None:
    """Meetings, and two published status reports so that "what changed" has something to say.

    The first report is published with the plan as it stood after August 2026, the second with
    today's data; both through the same services as in the application. Only on the first load:
    once the reports exist nothing is written again.
    """
    from measures.models import Measure, RealisedEffect

    meetings = {}
    for committee, date, title in MEETINGS:
        meeting = Meeting.objects.filter(committee=committee, date=date).first()
        meetings[date] = meeting or meeting_create(committee=committee, date=date, title=title)
    if StatusReport.objects.filter(plan=plan).exists():
        return
    ekonom = get_user_model().objects.get(username="ekonom")

    RealisedEffect.objects.filter(measure__plan=plan, year=2026, month__in=[9, 10]).delete()
    for code, status in AUGUST_STATUSES.items():
        Measure.objects.filter(plan=plan, code=code).update(status=status, version=F("version") + 1)
    # The forecast rounds up to August 2026, approved with the measures as they then stood.
    load_forecasts_demo(until=(2026, 8))
    first = report_create(
        meeting=meetings[dt.date(2026, 9, 29)],
        plan=plan,
        year=2026,
        title="Lägesrapport efter augusti 2026",
        summary=(
            "Åtgärderna väntas ge 719–831 mnkr 2026 mot kravet 775 mnkr. Områdenas prognoser "
            "efter augusti ligger 35 mnkr över budget trots de beslutade åtgärderna: enligt "
            "prognoserna saknas 60–84 mnkr. Smarta inköp och produktions- och "
            "kapacitetsplaneringen går enligt plan; hemtagningen av köpt vård har kommit i gång."
        ),
        highlighted=Measure.objects.filter(plan=plan, code__in=["M01", "M03"]),
        user=ekonom,
    )
    report_publish(report=first, expected_version=first.version, user=ekonom)

    load_measures_demo()  # back to today's statuses and realised effects
    load_forecasts_demo()  # and the forecast rounds after August 2026
    second = report_create(
        meeting=meetings[dt.date(2026, 11, 24)],
        plan=plan,
        year=2026,
        title="Lägesrapport efter oktober 2026",
        summary=(
            "Hemtagningen av köpt vård är försenad och närvårdsteamen är nu beslutade och ligger "
            "i prognoserna. Områdenas prognoser efter oktober ligger 20 mnkr över budget: "
            "enligt prognoserna saknas 85–99 mnkr 2026, medan planen ensam visar ett gap mellan "
            "56 mnkr som saknas och 56 mnkr över."
        ),
        highlighted=Measure.objects.filter(plan=plan, code__in=["M01", "M03", "M07"]),
        user=ekonom,
    )
    report_publish(report=second, expected_version=second.version, user=ekonom)


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

    from measures.demo import load_measures_demo  # the measure register's seed action plan

    load_measures_demo()

    from forecasts.demo import load_forecasts_demo  # budgets, actuals and the forecast rounds
    from regionbudget.balance.demo import load_balance_demo  # illustrative balanskrav 2022–2026

    load_balance_demo(user=get_user_model().objects.get(username="ekonom"))

    # Reports and the rounds before them in the order they happened (the first report after
    # August 2026); then anything still missing, so that loading again completes a partial load.
    _demo_reports(plans["Ekonomi i balans 2024–2026"], load_measures_demo, load_forecasts_demo)
    load_forecasts_demo()

    return {
        "areas": Area.objects.count(),
        "units": sum(a.units.count() for a in areas.values()),
        "plans": len(plans),
        "users": len(DEMO_USERS),
    }
