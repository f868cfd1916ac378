"""Reading budget and actuals files from the finance system into checked rows.

``parse_figures`` reads a CSV or Excel file (through ``regionbudget.core.tabular``) and checks every
row against the known units and account groups. It never stops at the first problem: every bad
cell becomes a ``RowError`` (row, column, value, reason), so finance can fix the whole file at
once. It writes nothing; ``forecasts.services.figures_replace`` writes the checked rows.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO, NamedTuple

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from forecasts.models import ImportUpload
from regionbudget.core.formatting import format_number, parse_amount
from regionbudget.core.tabular import RowError, TableFileError, neutralise, read_table

__all__ = [
    "COLUMNS",
    "ParsedFigures",
    "TableFileError",
    "column_label",
    "errors_csv",
    "parse_figures",
    "row_from_json",
    "row_to_json",
    "template_csv",
    "template_rows",
    "template_xlsx",
    "too_big_message",
]

MAX_BYTES = 20_000_000
MAX_ROWS = 200_000
ERRORS_SHOWN = 1000  # on the page; the CSV of errors has them all

# Canonical column -> header texts accepted for it (the first is the one the template uses).
_UNIT = ["Kostnadsställe", "Kst", "Enhet", "Unit", "Cost centre", "Cost center"]
_YEAR = ["År", "Year"]
_MONTH = ["Månad", "Month"]
_GROUP = ["Kontogrupp", "Account group"]
_AMOUNT = ["Belopp", "Belopp (kr)", "Amount", "Amount (SEK)"]
COLUMNS: dict[str, dict[str, list[str]]] = {
    ImportUpload.Kind.BUDGET: {
        "unit": _UNIT,
        "year": _YEAR,
        "account_group": _GROUP,
        "amount": [*_AMOUNT, "Budget"],
    },
    ImportUpload.Kind.ACTUAL: {
        "unit": _UNIT,
        "year": _YEAR,
        "month": _MONTH,
        "account_group": _GROUP,
        "amount": [*_AMOUNT, "Utfall"],
    },
}


def column_label(kind: str, name: str) -> str:
    """The header a column has in the template, e.g. "Kostnadsställe"."""
    return COLUMNS[kind][name][0]


class FigureRow(NamedTuple):
    """One checked figure: unit, year, month (None for a budget), account group, SEK."""

    unit_id: int
    year: int
    month: int | None
    account_group_id: int
    amount: Decimal


def row_to_json(row: FigureRow) -> list:
    """A checked row as plain JSON, kept with a staged upload until it is confirmed: a list in
    the tuple's order (compact for files of 100 000 rows), the amount as a decimal string."""
    return [row.unit_id, row.year, row.month, row.account_group_id, str(row.amount)]


def row_from_json(data: list) -> FigureRow:
    unit_id, year, month, account_group_id, amount = data
    return FigureRow(unit_id, year, month, account_group_id, Decimal(amount))


@dataclass
class ParsedFigures:
    """The checked rows of a file, and every error found in it (empty when it can be written);
    ``row_count`` is the number of data rows in the file, good or bad."""

    kind: str
    rows: list[FigureRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_format: str = "csv"
    row_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


_CENT = Decimal("0.01")


def _integer(text: str, low: int, high: int) -> int | None:
    # No year or month is longer ("2024.0"); a long cell is not kept in the cache below.
    return None if len(text) > 32 else _short_integer(text, low, high)


@functools.lru_cache(maxsize=1024)  # a file repeats the same few years and months
def _short_integer(text: str, low: int, high: int) -> int | None:
    text = text.strip()
    if text.endswith(".0"):  # Excel stores whole numbers as floats
        text = text[:-2]
    if not text.isdigit() or len(text) > 4:
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_figures(
    file: BinaryIO,
    *,
    filename: str,
    kind: str,
    units: Mapping[str, int],
    groups: Mapping[str, int],
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> ParsedFigures:
    """Read and check a budget (``kind`` "budget") or actuals ("actual") file.

    ``units`` maps a unit's code to its id; ``groups`` maps an account group's code and its name,
    both case-folded, to its id. Amounts in the file are net cost in SEK (revenue negative).
    Raises ``TableFileError`` for a file that cannot be read at all (size and row limits are
    checked before the rows are parsed).
    """
    columns = COLUMNS[kind]
    table = read_table(
        file,
        filename=filename,
        columns=columns,
        required=set(columns),
        max_bytes=max_bytes,
        max_rows=max_rows,
    )
    result = ParsedFigures(kind=kind, file_format=table.file_format, row_count=len(table.rows))
    errors = result.errors
    errors.extend(table.errors)
    bad_rows = {e.row for e in table.errors}
    seen: dict[tuple, int] = {}
    has_month = "month" in columns

    def err(row: int, name: str, value: str, message: str) -> None:
        errors.append(RowError(row, column_label(kind, name), value, message))

    for table_row in table.rows:
        number, values = table_row.number, table_row.values
        before = len(errors)
        unit_text = values["unit"].strip()
        if unit_text.endswith(".0"):
            unit_text = unit_text[:-2]
        unit_id = units.get(unit_text)
        if not unit_text:
            err(number, "unit", "", _("The cost centre is missing."))
        elif unit_id is None:
            err(number, "unit", unit_text, _("Unknown cost centre."))
        year = _integer(values["year"], 2000, 2100)
        if year is None:
            err(number, "year", values["year"], _("Not a year between 2000 and 2100."))
        month = None
        if has_month:
            month = _integer(values["month"], 1, 12)
            if month is None:
                err(number, "month", values["month"], _("Not a month (1–12)."))
        group_text = values["account_group"].strip()
        group_id = groups.get(group_text.casefold())
        if not group_text:
            err(number, "account_group", "", _("The account group is missing."))
        elif group_id is None:
            err(number, "account_group", group_text, _("Unknown account group."))
        amount: Decimal | None = None
        try:
            amount = parse_amount(values["amount"])
        except ValueError as exc:
            err(number, "amount", values["amount"], str(exc))
        else:
            if amount != amount.quantize(_CENT):
                err(number, "amount", values["amount"], _("Use at most two decimals in kronor."))
                amount = None
        if len(errors) > before or number in bad_rows:
            continue
        key = (unit_id, year, month, group_id)
        if key in seen:
            err(
                number,
                "account_group",
                group_text,
                _("Duplicate row: the same cost centre, period and account group as row %(row)s.")
                % {"row": seen[key]},
            )
            continue
        seen[key] = number
        result.rows.append(FigureRow(unit_id, year, month, group_id, amount))
    errors.sort(key=lambda e: e.row)
    return result


def too_big_message(size: int, max_bytes: int = MAX_BYTES) -> str:
    """The message for a file over the size limit, told before anything is read."""
    return _("The file is %(size)s MB; at most %(limit)s MB can be imported.") % {
        "size": format_number(Decimal(size) / 1_000_000, places=1, language=get_language() or "sv"),
        "limit": format_number(
            Decimal(max_bytes) / 1_000_000, places=0, language=get_language() or "sv"
        ),
    }


def errors_csv(errors: list[RowError]) -> bytes:
    """Every error of a file as CSV (UTF-8 with BOM, ``;``): row, column, value, reason.

    The values come from the uploaded file: one starting a formula (``=``, ``+``, ``-``, ``@``)
    is neutralised as in every export, so the error list never runs it in Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Reason")])
    for error in errors:
        writer.writerow([error.row, error.column, neutralise(error.value), error.message])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_rows(kind: str) -> list[list[str]]:
    """The header and two example rows of the import template."""
    header = [names[0] for names in COLUMNS[kind].values()]
    if kind == ImportUpload.Kind.BUDGET:
        examples = [
            ["1101", "2024", "Personal", "152 000 000"],
            ["1101", "2024", "Intäkter", "-8 500 000"],
        ]
    else:
        examples = [
            ["1101", "2024", "1", "Personal", "12 750 000,50"],
            ["1101", "2024", "1", "Intäkter", "-690 000"],
        ]
    return [header, *examples]


def template_csv(kind: str) -> bytes:
    """The template as CSV: UTF-8 with a byte-order mark and ``;`` as Excel in Sweden expects."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(template_rows(kind))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _typed(text: str) -> int | float | str:
    """An example cell as Excel would hold it: numbers as numbers."""
    try:
        number = parse_amount(text)
    except ValueError:
        return text
    return int(number) if number == number.to_integral_value() else float(number)


def template_xlsx(kind: str) -> bytes:
    """The template as an Excel workbook with the column names in bold."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Budget") if kind == ImportUpload.Kind.BUDGET else _("Actuals")
    for number, row in enumerate(template_rows(kind)):
        sheet.append(row if number == 0 else [_typed(cell) for cell in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 18
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
