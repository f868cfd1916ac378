"""The ledger as an Excel workbook: the statements and the ledger, amounts in mnkr as numbers.

Text cells that a spreadsheet would take for a formula (a label beginning with ``=``, ``+``,
``-`` or ``@``) get a leading apostrophe (``regionbudget.core.tabular.neutralise``, the same
helper as the measure register's export), so nothing typed in a label can run as a formula.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.translation import gettext as _

from regionbudget.balance.figures import LINE_NAMES, SCENARIO_NAMES, SCENARIOS, STATUS_NAMES
from regionbudget.core.money import MSEK
from regionbudget.core.tabular import neutralise

__all__ = ["ledger_tables", "ledger_xlsx"]


def _msek(amount: str | None) -> Decimal | None:
    if amount is None:
        return None
    return (Decimal(amount) / MSEK).quantize(Decimal("0.000001")).normalize()


def ledger_tables(snapshot: dict) -> dict[str, list[list]]:
    """Sheet title -> rows (header first): the statements' lines, the ledger per year, and the
    deficits read three ways. Amounts in mnkr as ``Decimal``."""
    statements = [
        [_("Year"), _("Actual or forecast"), _("Kind of line"), _("Label"), _("Amount (mnkr)")]
    ]
    for s in snapshot["statements"]:
        kind = _("forecast") if s["kind"] == "forecast" else _("actual")
        for line in s["lines"]:
            statements.append(
                [
                    s["year"],
                    kind,
                    str(LINE_NAMES.get(line["kind"], line["kind"])),
                    line["label"],
                    _msek(line["amount"]),
                ]
            )
        statements.append(
            [s["year"], kind, "", _("Balance requirement result"), _msek(s["balance_result"])]
        )
    ledgers = snapshot["ledgers"]
    years = [
        [
            _("Year"),
            _("Actual or forecast"),
            _("Balance requirement result (mnkr)"),
            _("Measures, low end (mnkr)"),
            _("Measures, high end (mnkr)"),
            *[
                _("Owed at year end, %(reading)s (mnkr)") % {"reading": SCENARIO_NAMES[s]}
                for s in SCENARIOS
            ],
        ]
    ]
    by_year = {s: {y["year"]: y for y in ledgers[s]["years"]} for s in SCENARIOS}
    for y in ledgers["entered"]["years"]:
        years.append(
            [
                y["year"],
                _("forecast") if y["forecast"] else _("actual"),
                _msek(y["balance_result"]),
                _msek(by_year["low"][y["year"]]["improvement"]),
                _msek(by_year["high"][y["year"]]["improvement"]),
                *[_msek(by_year[s][y["year"]]["owed"]) for s in SCENARIOS],
            ]
        )
    deficits = [
        [
            _("Reading"),
            _("Deficit year"),
            _("Deficit (mnkr)"),
            _("Restore by"),
            _("Restored (mnkr)"),
            _("Remaining (mnkr)"),
            _("Status"),
        ]
    ]
    for scenario in SCENARIOS:
        for d in ledgers[scenario]["deficits"]:
            deficits.append(
                [
                    str(SCENARIO_NAMES[scenario]),
                    d["year"],
                    _msek(d["amount"]),
                    d["deadline"],
                    _msek(d["restored"]),
                    _msek(d["remaining"]),
                    str(STATUS_NAMES.get(d["status"], d["status"])),
                ]
            )
    return {
        _("Statements"): statements,
        _("Ledger"): years,
        _("Deficits"): deficits,
    }


def ledger_xlsx(snapshot: dict) -> bytes:
    """The ledger's tables as an Excel workbook, one sheet each, header row bold and frozen."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, rows in ledger_tables(snapshot).items():
        sheet = book.create_sheet(title[:31])
        for row in rows:
            sheet.append([neutralise(value) for value in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in sheet.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.0"
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(cell.value or "")) for cell in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 8), 60)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
