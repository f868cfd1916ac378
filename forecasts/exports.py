"""The forecast accuracy as data for BI tools and spreadsheets: JSON and CSV.

Amounts are SEK with two decimals as strings (never floats); texts that would start a formula
in a spreadsheet are neutralised (``regionbudget.core.tabular.neutralise``).
"""

from __future__ import annotations

import csv
from decimal import Decimal

from regionbudget.core.tabular import neutralise

__all__ = ["ACCURACY_FIELDS", "accuracy_csv", "accuracy_json"]

ACCURACY_FIELDS = [
    "year",
    "round",
    "area_code",
    "area_name",
    "forecast",
    "months_known",
    "compared",
    "outcome",
    "error",
    "error_percent",
    "too_optimistic",
]


def _plain(value: Decimal | None, places: int = 2) -> str | None:
    if value is None:
        return None
    return f"{Decimal(value):.{places}f}"


def _records(accuracy) -> list[dict]:
    return [
        {
            "year": row["year"],
            "round": f"{row['year']}-{row['month']:02d}",
            "area_code": row["area_code"],
            "area_name": row["area_name"],
            "forecast": _plain(row["forecast"]),
            "months_known": row["months"],
            "compared": _plain(row["compared"]),
            "outcome": _plain(row["outcome"]),
            "error": _plain(row["error"]),
            "error_percent": _plain(row["error_percent"], 1),
            "too_optimistic": bool(row["optimistic"]),
        }
        for row in accuracy.rows
    ]


def accuracy_json(accuracy) -> dict:
    """``selectors.Accuracy`` as JSON: per round and area the forecast, what it is compared
    with (the forecast, or its share of the months known), the outcome and the error
    (outcome − compared; positive = too optimistic), and the areas optimistic every round."""
    return {
        "year": accuracy.year,
        "years": accuracy.years,
        "months_known": accuracy.months,
        "complete": accuracy.complete,
        "profile_year": accuracy.profile_year,
        "unit": "SEK",
        "rows": _records(accuracy),
        "optimistic_every_round": [
            {
                "area_code": row["area_code"],
                "area_name": row["area_name"],
                "rounds": row["rounds"],
                "error": _plain(row["error"]),
            }
            for row in accuracy.optimistic
        ],
    }


def _cell(key: str, value) -> str | int:
    """A CSV cell: names neutralised (a name may start with "="), numbers as they are (a
    negative amount's minus is no formula), booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if key in ("area_code", "area_name"):
        return neutralise(value)
    return value


def accuracy_csv(accuracy, out) -> None:
    """The rows of ``accuracy_json`` as CSV (``;``, decimal point, SEK) written to ``out``."""
    writer = csv.writer(out, delimiter=";")
    writer.writerow(ACCURACY_FIELDS)
    for record in _records(accuracy):
        writer.writerow([_cell(key, record[key]) for key in ACCURACY_FIELDS])
