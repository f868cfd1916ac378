"""Every write to the balance requirement statements goes through these functions.

Finance (and administrators) enter a year's statement; everyone else only reads the ledger
(``regionbudget.core.access``). A statement is written whole: the year, whether it is actual or
a forecast, and its lines, replacing the lines stored before. A statement carries a version: a
save from a page that read an older version changes nothing (``BalanceConflict``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regionbudget.balance.figures import LINE_KINDS, REALISATION_GAINS, RESULT
from regionbudget.balance.models import FIRST_YEAR, LAST_YEAR, BalanceLine, BalanceYear
from regionbudget.core import access
from regionbudget.core.locking import Conflict, update_versioned
from regionbudget.core.money import MAX_SEK

__all__ = ["BalanceConflict", "LineInput", "balance_year_delete", "balance_year_save"]


class BalanceConflict(Conflict):
    """The statement was changed (or added) by someone else since the page was read."""


@dataclass(frozen=True)
class LineInput:
    """A line as typed: its kind, its label, its signed amount in SEK."""

    kind: str
    label: str
    amount: Decimal


def _check(year: int, kind: str, lines: list[LineInput]) -> None:
    """Every rule of a statement, before anything is written; ``ValidationError`` says which."""
    errors = []
    if not FIRST_YEAR <= year <= LAST_YEAR:
        errors.append(
            _("The year must lie between %(first)s and %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    if kind not in BalanceYear.Kind.values:
        errors.append(_("Choose whether the year is actual or a forecast."))
    results = [line for line in lines if line.kind == RESULT]
    if len(results) != 1:
        errors.append(_("A statement has exactly one line with the year's result."))
    for line in lines:
        if line.kind not in LINE_KINDS:
            errors.append(_("Unknown kind of line: %(kind)s.") % {"kind": line.kind})
        if not line.label.strip():
            errors.append(_("Every line needs a label."))
        if not line.amount.is_finite() or abs(line.amount) >= MAX_SEK:
            errors.append(_("The number is too large."))
        elif line.kind == REALISATION_GAINS and line.amount > 0:
            errors.append(
                _("Realisation gains are deducted: enter them with a minus sign (e.g. −5).")
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def balance_year_save(
    *,
    year: int,
    kind: str,
    note: str = "",
    lines: list[LineInput],
    expected_version: int | None,
    user,
) -> BalanceYear:
    """Store the statement of ``year`` (finance only): create it, or replace it when
    ``expected_version`` is the version stored. ``expected_version`` None means a new statement:
    if the year exists already, that is a conflict, never a silent overwrite."""
    access.require_finance(user)
    _check(year, kind, lines)
    stored = BalanceYear.objects.filter(year=year)
    if expected_version is None:
        if stored.exists():
            raise BalanceConflict(stored.first())
        statement = BalanceYear(year=year, kind=kind, note=note, updated_by=user)
        statement.full_clean()
        statement.save()
    else:
        update_versioned(
            stored,
            expected_version=expected_version,
            conflict=BalanceConflict,
            kind=kind,
            note=note,
            updated_by=user,
            updated_at=timezone.now(),
        )
        statement = stored.get()
        statement.lines.all().delete()
    BalanceLine.objects.bulk_create(
        BalanceLine(
            balance_year=statement,
            position=position,
            kind=line.kind,
            label=line.label.strip(),
            amount=line.amount,
        )
        for position, line in enumerate(lines, start=1)
    )
    return statement


@transaction.atomic
def balance_year_delete(*, year: int, expected_version: int, user) -> None:
    """Remove the statement of ``year`` with its lines (finance only), when ``expected_version``
    is the version stored: a statement changed since the page was read is not removed
    (``BalanceConflict``). The history keeps the removed rows."""
    access.require_finance(user)
    statement = BalanceYear.objects.select_for_update().filter(year=year).first()
    if statement is None or statement.version != expected_version:
        raise BalanceConflict(statement)
    statement.delete()
