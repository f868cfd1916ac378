"""The forecast grid as an Excel file: downloaded to fill in, uploaded back into the same round.

The file has the grid's rows in the grid's order (units × account groups), the figures in
thousands of kronor as numbers, and text neutralised so that no cell becomes a formula
(``regionbudget.core.tabular.neutralise``). Reading it back is all or nothing: every row of the
grid must be there once, every amount must be one the grid accepts, and each problem is listed
with its row; only a file without any gives the grid's entries. Nothing here writes to the
database: the entries go into the grid, and the director saves them.
"""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal
from typing import BinaryIO

from django.utils.translation import gettext as _

from forecasts.forms import parse_tkr
from forecasts.selectors import Entry, Grid
from regionbudget.core.formatting import amount_input_text
from regionbudget.core.money import MAX_TKR_PLACES, THOUSAND
from regionbudget.core.tabular import (
    FORMULA_PREFIXES,
    RowError,
    neutralise,
    read_table,
)

__all__ = ["COLUMNS", "grid_read", "grid_workbook"]

# Canonical column -> the header texts accepted for it (the file's own, in either language).
COLUMNS: dict[str, list[str]] = {
    "unit": ["Enhet", "Unit"],
    "unit_name": ["Enhetens namn", "Unit name"],
    "group": ["Kontogrupp", "Account group"],
    "group_name": ["Kontogruppens namn", "Account group name"],
    "budget": ["Budget (tkr)", "Budget (kSEK)"],
    "actual": ["Utfall hittills (tkr)", "Actual to date (kSEK)"],
    "previous": ["Föregående prognos (tkr)", "Previous forecast (kSEK)"],
    "forecast": ["Helårsprognos (tkr)", "Full-year forecast (kSEK)"],
    "comment": ["Kommentar", "Comment"],
}
REQUIRED = {"unit", "group", "forecast", "comment"}
MAX_COMMENT = 2000


def _headers(language: str) -> list[str]:
    """The header row: the Swedish texts, or the English ones."""
    index = 0 if language.startswith("sv") else 1
    return [aliases[index] for aliases in COLUMNS.values()]


def _tkr(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else amount / THOUSAND


def grid_workbook(grid: Grid, *, title: str, language: str = "sv") -> bytes:
    """The grid as an .xlsx: one row per unit and account group, figures in tkr as numbers."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("Forecast")[:31]
    sheet.append(_headers(language))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for block in grid.units:
        for row in block.rows:
            sheet.append(
                [
                    neutralise(block.unit.code),
                    neutralise(block.unit.name),
                    neutralise(row.group.code),
                    neutralise(row.group.name),
                    _tkr(row.figures.budget),
                    _tkr(row.figures.actual),
                    _tkr(row.figures.previous),
                    _tkr(row.figures.forecast),
                    neutralise(row.comment),
                ]
            )
    for column in "EFGH":
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0.#####"
    sheet.freeze_panes = "E2"
    for column, width in zip("ABCDEFGHI", (8, 30, 10, 22, 14, 14, 14, 16, 50), strict=True):
        sheet.column_dimensions[column].width = width
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _comment(text: str) -> str:
    """A comment as typed in the file; the apostrophe that neutralised a formula comes off."""
    text = text.strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _excel_number(text: str, file_format: str) -> str:
    """A number cell of an .xlsx as the grid reads it. Excel keeps numbers as binary floats, so
    a figure it computed (``=A2*1,02``) can come out as ``83 316,78000000001``; such a number
    is rounded to the grid's five decimals of a tkr (one öre). Anything else (a Swedish
    "1 234,5" typed as text, letters) is left as it is, for the grid's own reading."""
    if file_format != "xlsx":
        return text
    try:
        number = Decimal(text)
    except ArithmeticError:
        return text
    if not number.is_finite() or -number.as_tuple().exponent <= MAX_TKR_PLACES:
        return text
    return format(number.quantize(Decimal(1).scaleb(-MAX_TKR_PLACES), rounding=ROUND_HALF_UP), "f")


def grid_read(
    file: BinaryIO, *, filename: str, grid: Grid
) -> tuple[dict[tuple[int, int], Entry], list[RowError]]:
    """The entries of an uploaded grid file for ``grid``'s cells, or every problem in it.

    Returns ``(entries, [])`` when the whole file is good, ``({}, errors)`` otherwise (row 1 is
    the header; row 0 stands for the file as a whole, e.g. a grid row it lacks). A file that
    cannot be read at all raises ``TableFileError``.
    """
    table = read_table(file, filename=filename, columns=COLUMNS, required=REQUIRED)
    units = {block.unit.code: block.unit.pk for block in grid.units}
    groups = {row.group.code: row.group.pk for block in grid.units[:1] for row in block.rows}
    names = {
        (block.unit.pk, row.group.pk): f"{block.unit.code} {row.group.name}"
        for block in grid.units
        for row in block.rows
    }
    errors = list(table.errors)
    entries: dict[tuple[int, int], Entry] = {}
    seen: set[tuple[int, int]] = set()
    unit_label, group_label = COLUMNS["unit"][0], COLUMNS["group"][0]
    for row in table.rows:
        unit_code, group_code = row.values.get("unit", ""), row.values.get("group", "")
        if unit_code not in units:
            errors.append(
                RowError(row.number, unit_label, unit_code, _("Not a unit of this area's grid."))
            )
            continue
        if group_code not in groups:
            errors.append(RowError(row.number, group_label, group_code, _("Not an account group.")))
            continue
        cell = (units[unit_code], groups[group_code])
        if cell in seen:
            errors.append(
                RowError(
                    row.number,
                    unit_label,
                    f"{unit_code} {group_code}",
                    _("This unit and account group are in the file twice."),
                )
            )
            continue
        seen.add(cell)
        text = _excel_number(row.values.get("forecast", ""), table.file_format)
        try:
            amount = parse_tkr(text) if text.strip() else None
        except ValueError as exc:
            errors.append(RowError(row.number, COLUMNS["forecast"][0], text, str(exc)))
            continue
        if amount is None:
            errors.append(RowError(row.number, COLUMNS["forecast"][0], "", _("Enter an amount.")))
            continue
        comment = _comment(row.values.get("comment", ""))
        if len(comment) > MAX_COMMENT:
            errors.append(
                RowError(
                    row.number,
                    COLUMNS["comment"][0],
                    comment[:40] + "…",
                    _("A comment holds at most %(count)s characters.") % {"count": MAX_COMMENT},
                )
            )
            continue
        entries[cell] = Entry(amount_input_text(amount), comment, amount)
    for cell, name in names.items():
        if cell not in seen:
            errors.append(RowError(0, unit_label, name, _("The file has no row for this line.")))
    if errors:
        return {}, errors
    return entries, []
