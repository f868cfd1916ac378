"""Demo data of the measure register: the seed action plan of *Ekonomi i balans 2024–2026*.

``measures.csv`` is read through the same validation as an uploaded action plan and written by
the same import service. In the seed, M01 *Smarta inköp* is region-wide, split across the areas
by their share of purchasing (``area_shares.csv``). Realised effects (``realised.csv``, MSEK per
month) and indicators are synthetic. Running it twice changes nothing.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from forecasts.models import Plan
from measures.imports import import_columns, validate_rows
from measures.models import Category, Indicator, Measure
from measures.services import (
    area_shares_set,
    category_upsert,
    indicator_upsert,
    indicator_value_set,
    measure_import,
    realised_effects_set,
)
from regionbudget.core.models import Area, Unit
from regionbudget.core.money import MSEK
from regionbudget.core.tabular import read_table

__all__ = ["CATEGORIES", "PLAN_NAME", "load_measures_demo"]

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
PLAN_NAME = "Ekonomi i balans 2024–2026"
CATEGORIES = [
    "Inköp",
    "Bemanning",
    "Produktivitet",
    "Vårdstruktur",
    "Styrning",
    "Administration",
    "Köpt vård",
    "Läkemedel",
    "Digitalisering",
    "Lokaler",
    "Intäkter",
]
# Who reports the realised effects of the demo: the director of the owning area, else finance.
_REPORTERS = {"LSO-SOM": "direktor.somatik", "LSO-PSY": "direktor.psykiatri"}


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _decimal(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


@transaction.atomic
def load_measures_demo() -> dict[str, int]:
    """Load categories, the seed measures, M01's area split, realised effects and indicators.

    Written as the demo's finance user (``ekonom``), as finance keeps the register; the realised
    effects as their reporters. The demo users exist already (``regionbudget.demo``)."""
    users = {u.username: u for u in get_user_model().objects.filter(is_active=True)}
    finance = users["ekonom"]
    for position, name in enumerate(CATEGORIES, start=1):
        category_upsert(name=name, position=position * 10, user=finance)
    plan = Plan.objects.get(name=PLAN_NAME)
    areas = {a.code: a for a in Area.objects.all()}
    shares = _rows("area_shares.csv")
    region_wide = {row["code"] for row in shares}

    # The seed names HSN-GEM as M01's owner; here it is region-wide and split by shares.
    data = (DATA_DIR / "measures.csv").read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(data))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames)
    writer.writeheader()
    for row in reader:
        writer.writerow(
            {**row, "owner_area": "" if row["code"] in region_wide else row["owner_area"]}
        )
    columns = import_columns(plan.years)
    table = read_table(
        io.BytesIO(out.getvalue().encode("utf-8")),
        filename="measures.csv",
        columns=columns,
        required={"code", "title", "category", "owner_area", "status"},
    )
    rows, errors = validate_rows(
        table,
        years=plan.years,
        categories={c.name.casefold(): c.pk for c in Category.objects.all()},
        areas={code.casefold(): a.pk for code, a in areas.items()},
        columns=columns,
    )
    if errors:
        raise ValueError(f"measures.csv does not validate: {errors[:3]}")
    measure_import(plan=plan, rows=rows, user=finance)
    measures = {m.code: m for m in Measure.objects.filter(plan=plan).select_related("plan")}

    for code in region_wide:
        wanted = {
            areas[row["area_code"]]: Decimal(row["share_percent"])
            for row in shares
            if row["code"] == code
        }
        stored = {s.area: s.share for s in measures[code].area_shares.select_related("area")}
        if stored != wanted:
            area_shares_set(
                measure=measures[code],
                expected_version=measures[code].version,
                shares=wanted,
                user=finance,
            )

    by_measure: dict[str, list[tuple[int, int, Decimal, str]]] = {}
    for row in _rows("realised.csv"):
        by_measure.setdefault(row["code"], []).append(
            (
                int(row["year"]),
                int(row["month"]),
                (Decimal(row["amount_msek"]) * MSEK).quantize(Decimal("0.01")),
                row["comment"],
            )
        )
    realised = 0
    for code, entries in by_measure.items():
        measure = measures[code]
        stored = {(r.year, r.month): (r.amount, r.comment) for r in measure.realised_effects.all()}
        missing = [e for e in entries if stored.get((e[0], e[1])) != (e[2], e[3])]
        area_code = measure.owner_area.code if measure.owner_area_id else ""
        if missing:
            measure.refresh_from_db(fields=["version"])
            realised_effects_set(
                measure=measure,
                expected_version=measure.version,
                entries=missing,
                user=users.get(_REPORTERS.get(area_code, "ekonom")),
            )
        realised += len(entries)

    indicators: dict[tuple[str, str], Indicator] = {}
    for position, row in enumerate(_rows("indicators.csv"), start=1):
        indicators[(row["code"], row["name"])] = indicator_upsert(
            measure=measures[row["code"]],
            name=row["name"],
            unit=row["unit"],
            baseline=_decimal(row["baseline"]),
            target=_decimal(row["target"]),
            direction=row["direction"],
            position=position,
            user=finance,
        )
    units = {u.code: u for u in Unit.objects.all()}
    for row in _rows("indicator_values.csv"):
        indicator_value_set(
            indicator=indicators[(row["code"], row["indicator"])],
            year=int(row["year"]),
            month=int(row["month"]),
            actual=Decimal(row["actual"]),
            unit=units[row["unit_code"]] if row["unit_code"] else None,
            target_level=_decimal(row["target_level"]),
            user=finance,
        )
    return {"measures": len(measures), "realised": realised, "indicators": len(indicators)}
