"""Export of the measure list as shown: Excel (.xlsx) and CSV for Swedish Excel.

Amounts are written in MSEK (numbers, not text). Text cells that a spreadsheet would take for a
formula (beginning with ``=``, ``+``, ``-`` or ``@``, or a tab or carriage return) are
neutralised with a leading apostrophe, so an exported title can never run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from measures.calculations import Totals
from measures.models import Measure
from regionbudget.core.money import MSEK
from regionbudget.core.tabular import FORMULA_PREFIXES, neutralise

__all__ = ["FORMULA_PREFIXES", "export_table", "neutralise", "to_csv", "to_xlsx"]


def _msek(amount: Decimal) -> Decimal:
    return (Decimal(amount) / MSEK).quantize(Decimal("0.000001")).normalize()


def export_table(
    rows: Iterable[dict], *, totals: Totals, year: int, region_label: str
) -> list[list]:
    """Header, one row per measure, and the totals row; amounts in MSEK as ``Decimal``."""
    header = [
        _("Code"),
        _("Measure"),
        _("Category"),
        _("Area"),
        _("Status"),
        _("Year"),
        _("Planned, low (MSEK)"),
        _("Planned, high (MSEK)"),
        _("Realised (MSEK)"),
    ]
    body = [
        [
            row["code"],
            row["title"],
            row["category"],
            row["area_code"] or region_label,
            str(Measure.Status(row["status"]).label),
            year,
            _msek(row["low"]),
            _msek(row["high"]),
            _msek(row["realised"]),
        ]
        for row in rows
    ]
    footer = [
        _("Total"),
        "",
        "",
        "",
        "",
        year,
        *map(_msek, (totals.low, totals.high, totals.realised)),
    ]
    return [header, *body, footer]


def to_xlsx(table: list[list], *, sheet_title: str) -> bytes:
    """The table as an Excel workbook (one sheet, header row bold and frozen)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    for row in table:
        sheet.append([neutralise(value) for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in ("G", "H", "I"):
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0.0"
    sheet.freeze_panes = "A2"
    widths = {"A": 8, "B": 44, "C": 16, "D": 12, "E": 14, "F": 6, "G": 14, "H": 14, "I": 14}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_value(value) -> str:
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return str(neutralise(value))


def to_csv(table: list[list]) -> bytes:
    """The table as CSV for Swedish Excel: ``;`` between fields, decimal comma, UTF-8 with BOM."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in table:
        writer.writerow([_csv_value(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
