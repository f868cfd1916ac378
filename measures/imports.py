"""Reading an action plan from Excel or CSV: every row checked, every error listed.

The file has one row per measure, the columns of ``measures.csv``: code, title, category,
owning area (empty for a region-wide measure), status, and per year of the plan the planned
effect's low and high end in MSEK (``y2024_low``, ``y2024_high`` or ``2024 låg``, ``2024 hög``).
Description, responsible person, decision reference and start date are optional columns.

Nothing here writes: ``validate_rows`` turns a ``regionbudget.core.tabular.Table`` into validated
``MeasureImportRow``s and a list of ``RowError``s; ``measures.services.measure_import`` writes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from measures.models import DESCRIPTION_MAX_LENGTH, Measure
from regionbudget.core.formatting import parse_amount
from regionbudget.core.money import MAX_SEK, MSEK
from regionbudget.core.tabular import RowError, Table
from regionbudget.core.validators import DIRECTION_CONTROL_MESSAGE, has_direction_controls

__all__ = [
    "REQUIRED_COLUMNS",
    "import_columns",
    "row_from_json",
    "row_to_json",
    "validate_rows",
]

REQUIRED_COLUMNS = {"code", "title", "category", "owner_area", "status"}
REGION_WIDE_WORDS = {"", "region", "regiongemensam", "regiongemensamt", "region-wide", "-", "–"}

Planned = dict[int, tuple[Decimal, Decimal]]  # year → (low, high), SEK


@dataclass(frozen=True)
class MeasureImportRow:
    """One validated row of an action-plan import (amounts SEK)."""

    code: str
    title: str
    category_id: int
    owner_area_id: int | None
    status: str
    description: str = ""
    responsible: str = ""
    decision_reference: str = ""
    start_date: dt.date | None = None
    planned: Planned = field(default_factory=dict)


def import_columns(years: Iterable[int]) -> dict[str, list[str]]:
    """Canonical column -> accepted headers (the first is the one shown in messages)."""
    columns = {
        "code": ["kod", "åtgärdskod", "code"],
        "title": ["åtgärd", "titel", "title"],
        "category": ["kategori", "category"],
        "owner_area": ["område", "ägande område", "owner_area", "area"],
        "status": ["status"],
        "description": ["beskrivning", "description"],
        "responsible": ["ansvarig", "responsible"],
        "decision_reference": ["beslut", "beslutsreferens", "decision_reference"],
        "start_date": ["startdatum", "start", "start_date"],
    }
    for year in years:
        columns[f"y{year}_low"] = [f"{year} låg", f"y{year}_low", f"{year} low"]
        columns[f"y{year}_high"] = [f"{year} hög", f"y{year}_high", f"{year} high"]
    return columns


def _status_lookup() -> dict[str, str]:
    lookup = {}
    for value, label in Measure.Status.choices:
        lookup[value.casefold()] = value
        lookup[str(label).casefold()] = value
        lookup[value.replace("_", " ").casefold()] = value
    # The Swedish words, whatever the language of the request.
    swedish = ["föreslagen", "beslutad", "pågår", "genomförd", "försenad", "avbruten"]
    lookup.update(dict(zip(swedish, Measure.Status.values, strict=True)))
    return lookup


def _amount(text: str) -> Decimal:
    """MSEK typed the Swedish way -> SEK; ValueError with a message for the user."""
    value = (parse_amount(text) * MSEK).quantize(Decimal("0.01"))
    if abs(value) >= MAX_SEK:
        raise ValueError(_("The number is too large."))
    return value


def validate_rows(
    table: Table,
    *,
    years: Iterable[int],
    categories: dict[str, int],
    areas: dict[str, int],
    columns: dict[str, list[str]],
) -> tuple[list[MeasureImportRow], list[RowError]]:
    """Check every row; return the good rows and every error (row, column, value, reason).

    ``categories`` maps lower-case category names to ids, ``areas`` lower-case area codes and
    names to ids. Planned effects are read in MSEK and returned in SEK.
    """
    years = list(years)
    statuses = _status_lookup()
    errors: list[RowError] = list(table.errors)
    rows: list[MeasureImportRow] = []
    seen: dict[str, int] = {}

    for table_row in table.rows:
        values = table_row.values
        row_errors: list[RowError] = []

        def fail(column: str, message: str, *, row=table_row, bucket=row_errors) -> None:
            label = columns[column][0] if columns.get(column) else column
            bucket.append(RowError(row.number, label, row.values.get(column, ""), message))

        code = values.get("code", "").strip()
        if not code:
            fail("code", _("A code is required."))
        elif len(code) > 20:
            fail("code", _("At most 20 characters."))
        elif code.casefold() in seen:
            fail(
                "code",
                _("The code is also on row %(row)s.") % {"row": seen[code.casefold()]},
            )
        else:
            seen[code.casefold()] = table_row.number
        title = values.get("title", "").strip()
        if not title:
            fail("title", _("A title is required."))
        elif len(title) > 200:
            fail("title", _("At most 200 characters."))
        for column in ("title", "description", "responsible", "decision_reference"):
            if has_direction_controls(values.get(column, "")):
                fail(column, str(DIRECTION_CONTROL_MESSAGE))
        if len(values.get("description", "").strip()) > DESCRIPTION_MAX_LENGTH:
            fail(
                "description",
                _("At most %(count)s characters.") % {"count": DESCRIPTION_MAX_LENGTH},
            )
        category_id = categories.get(values.get("category", "").strip().casefold())
        if category_id is None:
            fail("category", _("Unknown category; add it to the list of categories first."))
        area_text = values.get("owner_area", "").strip().casefold()
        owner_area_id = None
        if area_text not in REGION_WIDE_WORDS:
            owner_area_id = areas.get(area_text)
            if owner_area_id is None:
                fail(
                    "owner_area",
                    _("Unknown area; use an area code, or leave it empty for region-wide."),
                )
        status = statuses.get(values.get("status", "").strip().casefold())
        if status is None:
            fail("status", _("Unknown status; use e.g. föreslagen, beslutad, pågår."))
        start_date = None
        if values.get("start_date", "").strip():
            try:
                start_date = dt.date.fromisoformat(values["start_date"].strip()[:10])
            except ValueError:
                fail("start_date", _("Write the date as YYYY-MM-DD."))

        planned = {}
        for year in years:
            low_text = values.get(f"y{year}_low", "").strip()
            high_text = values.get(f"y{year}_high", "").strip()
            if not low_text and not high_text:
                continue
            if not low_text or not high_text:
                missing = f"y{year}_low" if not low_text else f"y{year}_high"
                fail(missing, _("Give both the low and the high end, or neither."))
                continue
            amounts = {}
            for column, text in ((f"y{year}_low", low_text), (f"y{year}_high", high_text)):
                try:
                    amounts[column] = _amount(text)
                except ValueError as exc:
                    fail(column, str(exc))
            if len(amounts) < 2:
                continue
            low, high = amounts[f"y{year}_low"], amounts[f"y{year}_high"]
            if low < 0:
                fail(f"y{year}_low", _("The planned effect cannot be negative."))
            elif high < low:
                fail(f"y{year}_high", _("The high end cannot be below the low end."))
            else:
                planned[year] = (low, high)

        if row_errors:
            errors.extend(row_errors)
            continue
        rows.append(
            MeasureImportRow(
                code=code,
                title=title,
                category_id=category_id,
                owner_area_id=owner_area_id,
                status=status,
                description=values.get("description", "").strip(),
                responsible=values.get("responsible", "").strip()[:200],
                decision_reference=values.get("decision_reference", "").strip()[:200],
                start_date=start_date,
                planned=planned,
            )
        )
    errors.sort(key=lambda e: e.row)
    return rows, errors


def row_to_json(row: MeasureImportRow) -> dict:
    """A validated row as plain JSON, kept with the staged upload until it is confirmed
    (``forecasts.services.import_upload_stage``); amounts as decimal strings."""
    return {
        "code": row.code,
        "title": row.title,
        "category_id": row.category_id,
        "owner_area_id": row.owner_area_id,
        "status": row.status,
        "description": row.description,
        "responsible": row.responsible,
        "decision_reference": row.decision_reference,
        "start_date": row.start_date.isoformat() if row.start_date else None,
        "planned": {str(y): [str(lo), str(hi)] for y, (lo, hi) in row.planned.items()},
    }


def row_from_json(data: dict) -> MeasureImportRow:
    return MeasureImportRow(
        code=data["code"],
        title=data["title"],
        category_id=data["category_id"],
        owner_area_id=data["owner_area_id"],
        status=data["status"],
        description=data["description"],
        responsible=data["responsible"],
        decision_reference=data["decision_reference"],
        start_date=dt.date.fromisoformat(data["start_date"]) if data["start_date"] else None,
        planned={int(y): (Decimal(lo), Decimal(hi)) for y, (lo, hi) in data["planned"].items()},
    )
