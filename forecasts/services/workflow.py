"""Forecast rounds and the forecast workflow: draft → submitted → approved | returned.

Who may do what is decided here as well as in the selectors that feed the pages: finance (and
administrators) open and close rounds and approve or return forecasts; an area director writes
the forecasts of their own areas (finance may write one on an area's behalf). Every change to a
forecast goes through ``_advance``, which updates only the version the user saw
(``regionbudget.core.locking``): a save from a stale page raises ``ForecastConflict`` instead of
overwriting someone else's figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from forecasts.calculations import cell_key, comment_required, deviation
from forecasts.models import (
    AccountGroup,
    Budget,
    Forecast,
    ForecastBudget,
    ForecastLine,
    ForecastRound,
)
from forecasts.services import notices
from forecasts.signals import forecast_approved
from regionbudget.core import access
from regionbudget.core.locking import Conflict, WrongState, update_versioned
from regionbudget.core.models import Area, Unit
from regionbudget.core.money import MAX_SEK

__all__ = [
    "ForecastConflict",
    "LineInput",
    "cell_key",
    "forecast_approve",
    "forecast_return",
    "forecast_save",
    "forecast_submit",
    "round_close",
    "round_open",
]

Cell = tuple[int, int]  # (unit id, account group id)


@dataclass(frozen=True)
class LineInput:
    """A director's entry for one unit and account group: full-year amount (SEK), comment."""

    amount: Decimal
    comment: str = ""


class ForecastConflict(Conflict):
    """The forecast changed since the user loaded it; ``current`` is what is stored now."""

    def __init__(self, current: Forecast | None) -> None:
        super().__init__(current, "The forecast was changed by someone else.")


SELF_APPROVAL_MESSAGE = _(
    "You submitted this forecast yourself, so someone else in finance must approve it."
)


def _require_finance(user) -> None:
    access.require_finance(user, _("Only finance staff may do this."))


def _require_area_writer(user, area: Area) -> None:
    access.require(
        access.may_write_area(user, area),
        _("Only the area's director or finance may change its forecast."),
    )


def _entered(user, area: Area) -> dict:
    """Who typed the figures, and whether for the area by someone who does not direct it
    (finance keying in what the area sent): kept on the forecast and in its history."""
    on_behalf = access.is_finance(user) and not access.directs(user, area)
    return {"entered_by": user, "entered_on_behalf": on_behalf}


def _require_open(forecast_round: ForecastRound) -> None:
    if forecast_round.status != ForecastRound.Status.OPEN:
        raise ValidationError(
            _("The forecast round is closed; its forecasts can no longer change.")
        )


@transaction.atomic
def round_open(
    *,
    year: int,
    month: int,
    deadline: dt.date,
    user,
    includes_decided_measures: bool = True,
    comment_threshold: Decimal = Decimal("500000"),
) -> ForecastRound:
    """Open the region's forecast round "after ``month`` ``year``" (finance only); every plan
    covering ``year`` reads it.

    ``comment_threshold`` (SEK): a line whose deviation from budget is larger than this needs
    a comment before the forecast can be submitted.
    """
    _require_finance(user)
    if not isinstance(comment_threshold, Decimal):
        raise TypeError("comment_threshold must be a Decimal (SEK)")
    forecast_round = ForecastRound(
        year=year,
        month=month,
        deadline=deadline,
        includes_decided_measures=includes_decided_measures,
        comment_threshold=comment_threshold,
        opened_by=user,
    )
    forecast_round.full_clean()
    forecast_round.save()
    return forecast_round


@transaction.atomic
def round_close(*, forecast_round: ForecastRound, user) -> ForecastRound:
    """Close an open round (finance only): its forecasts are frozen from then on."""
    _require_finance(user)
    updated = ForecastRound.objects.filter(
        pk=forecast_round.pk, status=ForecastRound.Status.OPEN
    ).update(status=ForecastRound.Status.CLOSED, closed_at=timezone.now())
    if not updated:
        raise ValidationError(_("The forecast round is already closed."))
    forecast_round.refresh_from_db()
    return forecast_round


def _area_cells(area: Area) -> list[Cell]:
    """Every cell of an area's grid: its active units × all account groups."""
    unit_ids = list(Unit.objects.filter(area=area, is_active=True).values_list("pk", flat=True))
    group_ids = list(AccountGroup.objects.values_list("pk", flat=True))
    return [(u, g) for u in unit_ids for g in group_ids]


def _check_lines(area: Area, lines: Mapping[Cell, LineInput]) -> None:
    """Lines must belong to the area's units and hold Decimal amounts that fit the database."""
    allowed = set(_area_cells(area))
    errors: dict[str, str] = {}
    for cell, line in lines.items():
        if cell not in allowed:
            raise PermissionDenied(_("The forecast holds a unit outside the area."))
        if not isinstance(line.amount, Decimal):
            raise TypeError("amounts must be Decimal (SEK)")
        if not line.amount.is_finite() or abs(line.amount) >= MAX_SEK:
            errors[cell_key("line", cell)] = _("The number is too large.")
        elif line.amount != line.amount.quantize(Decimal("0.01")):
            errors[cell_key("line", cell)] = _("Use at most two decimals in kronor.")
        if len(line.comment) > 2000:
            errors[cell_key("comment", cell)] = _("Keep the comment under 2 000 characters.")
    if errors:
        raise ValidationError(errors)


def _check_complete(
    forecast_round: ForecastRound, area: Area, lines: Mapping[Cell, LineInput]
) -> None:
    """Before submitting: every cell has an amount, and every large deviation a comment."""
    budgets = {
        (b.unit_id, b.account_group_id): b.amount
        for b in Budget.objects.filter(unit__area=area, year=forecast_round.year)
    }
    errors: dict[str, str] = {}
    for cell in _area_cells(area):
        line = lines.get(cell)
        if line is None:
            errors[cell_key("line", cell)] = _("Enter an amount.")
            continue
        gap = deviation(budgets.get(cell), line.amount)
        if comment_required(gap, forecast_round.comment_threshold) and not line.comment.strip():
            errors[cell_key("comment", cell)] = _(
                "The deviation is larger than the threshold: explain it in a comment."
            )
    if errors:
        raise ValidationError(errors)


def _advance(
    *,
    forecast_round: ForecastRound,
    area: Area,
    expected_version: int,
    user,
    allowed: set[str],
    **changes,
) -> Forecast:
    """Move the forecast on from ``expected_version`` (0: it does not exist yet) with
    ``changes``, if its status is one of ``allowed``; a newer version is a conflict."""
    now = timezone.now()
    if expected_version == 0:
        if Forecast.Status.DRAFT not in allowed:
            raise ValidationError(_("The forecast has not been started."))
        forecast = Forecast(
            forecast_round=forecast_round, area=area, updated_by=user, updated_at=now, **changes
        )
        forecast.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                forecast.save()
        except IntegrityError:  # someone else started it a moment ago
            raise ForecastConflict(
                Forecast.objects.filter(forecast_round=forecast_round, area=area).first()
            ) from None
        return forecast
    rows = Forecast.objects.filter(forecast_round=forecast_round, area=area)
    try:
        update_versioned(
            rows,
            expected_version=expected_version,
            when=Q(status__in=allowed),
            conflict=ForecastConflict,
            updated_by=user,
            updated_at=now,
            **changes,
        )
    except WrongState as refused:
        raise ValidationError(
            _("A forecast that is %(status)s cannot be changed this way.")
            % {"status": refused.current.get_status_display().lower()}
        ) from None
    return rows.first()


def _write_lines(forecast: Forecast, lines: Mapping[Cell, LineInput]) -> None:
    """Insert new lines and update changed ones (bulk): unchanged lines leave no history."""
    existing = {
        (ln.unit_id, ln.account_group_id): ln
        # No ordering: the model's joins units and account groups, which nothing here needs.
        for ln in forecast.lines.order_by()
    }
    new, changed = [], []
    for (unit_id, group_id), line in lines.items():
        stored = existing.get((unit_id, group_id))
        comment = line.comment.strip()
        if stored is None:
            new.append(
                ForecastLine(
                    forecast=forecast,
                    unit_id=unit_id,
                    account_group_id=group_id,
                    amount=line.amount,
                    comment=comment,
                )
            )
        elif stored.amount != line.amount or stored.comment != comment:
            stored.amount, stored.comment = line.amount, comment
            changed.append(stored)
    ForecastLine.objects.bulk_create(new)
    if changed:
        # One statement with the changes as three arrays: bulk_update's CASE WHEN per row and
        # field took about 70 ms of Python for a grid of 200 cells. One statement, as before, so
        # the statement-level history and data-version triggers fire once.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ForecastLine._meta.db_table} AS line "  # noqa: S608 - a table name
                "SET amount = change.amount, comment = change.comment "
                "FROM unnest(%s::bigint[], %s::numeric[], %s::text[]) "
                "AS change (id, amount, comment) WHERE line.id = change.id",
                [
                    [ln.pk for ln in changed],
                    [ln.amount for ln in changed],
                    [ln.comment for ln in changed],
                ],
            )


@transaction.atomic
def forecast_save(
    *,
    forecast_round: ForecastRound,
    area: Area,
    lines: Mapping[Cell, LineInput],
    expected_version: int,
    user,
) -> Forecast:
    """Save the area's forecast as a draft (a returned one stays returned until resubmitted).

    ``lines`` maps (unit id, account group id) to the full-year amount in SEK and a comment.
    ``expected_version`` is the version the user's page showed (0 when not started).
    """
    _require_open(forecast_round)
    _require_area_writer(user, area)
    _check_lines(area, lines)
    forecast = _advance(
        forecast_round=forecast_round,
        area=area,
        expected_version=expected_version,
        user=user,
        allowed={Forecast.Status.DRAFT, Forecast.Status.RETURNED},
        **_entered(user, area),
    )
    _write_lines(forecast, lines)
    return forecast


@transaction.atomic
def forecast_submit(
    *,
    forecast_round: ForecastRound,
    area: Area,
    lines: Mapping[Cell, LineInput],
    expected_version: int,
    user,
) -> Forecast:
    """Save and submit the forecast: it is then locked until finance approves or returns it.

    Every cell needs an amount, and every deviation above the round's threshold a comment.
    """
    _require_open(forecast_round)
    _require_area_writer(user, area)
    _check_lines(area, lines)
    _check_complete(forecast_round, area, lines)
    forecast = _advance(
        forecast_round=forecast_round,
        area=area,
        expected_version=expected_version,
        user=user,
        allowed={Forecast.Status.DRAFT, Forecast.Status.RETURNED},
        status=Forecast.Status.SUBMITTED,
        submitted_by=user,
        submitted_at=timezone.now(),
        **_entered(user, area),
    )
    _write_lines(forecast, lines)
    notices.notify_submitted(forecast=forecast, user=user)
    if forecast.entered_on_behalf:
        notices.notify_submitted_on_behalf(forecast=forecast, user=user)
    return forecast


@transaction.atomic
def forecast_approve(*, forecast: Forecast, expected_version: int, user) -> Forecast:
    """Approve a submitted forecast (finance only, and never the person who submitted it, who
    may hold both roles); it becomes the area's latest approved one.

    The approved forecast is a record: the year's budget of the area's units is kept with it
    (``ForecastBudget``), so that a later budget import never changes its deviation, and the
    measure register records which measures it already counts (``forecast_approved``).
    """
    _require_finance(user)
    # A submission raises the version, so the submitter at the version being approved is the
    # one that counts (the versioned update below refuses any other version).
    if Forecast.objects.filter(
        pk=forecast.pk, version=expected_version, submitted_by=user
    ).exists():
        raise ValidationError(SELF_APPROVAL_MESSAGE)
    approved = _decide(
        forecast,
        expected_version=expected_version,
        user=user,
        status=Forecast.Status.APPROVED,
        approved_by=user,
        approved_at=timezone.now(),
    )
    ForecastBudget.objects.bulk_create(
        ForecastBudget(forecast=approved, unit_id=unit_id, account_group_id=group_id, amount=amount)
        for unit_id, group_id, amount in Budget.objects.filter(
            unit__area_id=approved.area_id, year=approved.forecast_round.year
        ).values_list("unit_id", "account_group_id", "amount")
    )
    forecast_approved.send(sender=Forecast, forecast=approved, user=user)
    notices.notify_approved(forecast=approved)
    return approved


@transaction.atomic
def forecast_return(*, forecast: Forecast, comment: str, expected_version: int, user) -> Forecast:
    """Return a submitted forecast to the area with a comment saying what to fix (finance)."""
    _require_finance(user)
    _require_open(forecast.forecast_round)
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say what the area should fix.")})
    returned = _decide(
        forecast,
        expected_version=expected_version,
        user=user,
        status=Forecast.Status.RETURNED,
        return_comment=comment[:2000],
    )
    notices.notify_returned(forecast=returned)
    return returned


def _decide(forecast: Forecast, *, expected_version: int, user, **changes) -> Forecast:
    """Finance's decision on a submitted forecast in an open round: approve or return it."""
    _require_open(forecast.forecast_round)
    return _advance(
        forecast_round=forecast.forecast_round,
        area=forecast.area,
        expected_version=expected_version,
        user=user,
        allowed={Forecast.Status.SUBMITTED},
        **changes,
    )
