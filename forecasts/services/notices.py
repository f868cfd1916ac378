"""E-mail about the forecast workflow: notices when a forecast is submitted, returned or
approved, and reminders of a round's deadline to the areas that have not submitted.

Every message is rendered in its recipient's language with a link to the page, and sent after
the transaction commits (``regionbudget.core.mail``): a mail server that is down is logged and
never undoes the action. Reminders are recorded (``ReminderSent``), one per round, area, day and
kind, so that neither the daily command nor a second click reminds an area twice in a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from forecasts.models import Forecast, ForecastRound, ReminderSent
from regionbudget.core import access
from regionbudget.core.mail import Notice, notice_messages, send_after_commit
from regionbudget.core.models import Area
from regionbudget.core.selectors import directors_of, finance_staff

__all__ = [
    "REMINDER_DAYS_BEFORE",
    "RemindResult",
    "notify_approved",
    "notify_returned",
    "notify_submitted",
    "notify_submitted_on_behalf",
    "remind_areas",
    "reminders_due",
    "reminders_send_due",
    "unsubmitted_areas",
]

# The daily command reminds an area that has not submitted this many days before the deadline,
# and on the day itself.
REMINDER_DAYS_BEFORE = (3, 0)

# A forecast in one of these states still has to be submitted.
_OUTSTANDING = (Forecast.Status.DRAFT, Forecast.Status.RETURNED)


def _forecast_notice(template: str, forecast: Forecast, **extra) -> Notice:
    return Notice(
        template=template,
        context={"forecast": forecast, "area": forecast.area, "round": forecast.forecast_round}
        | extra,
        path=forecast.get_absolute_url(),
    )


def notify_submitted(*, forecast: Forecast, user) -> None:
    """Tell finance (everyone in it but the submitter) that ``forecast`` waits for approval."""
    recipients = [u for u in finance_staff() if u.pk != getattr(user, "pk", None)]
    send_after_commit(
        notice_messages(
            users=recipients,
            notice=_forecast_notice("forecast_submitted", forecast, submitter=user),
        )
    )


def notify_submitted_on_behalf(*, forecast: Forecast, user) -> None:
    """Tell the area's directors that finance submitted their area's forecast for them (keyed
    in from what the area sent): they can check the figures before finance approves them."""
    send_after_commit(
        notice_messages(
            users=[u for u in directors_of(area=forecast.area) if u.pk != user.pk],
            notice=_forecast_notice("forecast_submitted_on_behalf", forecast, submitter=user),
        )
    )


def notify_returned(*, forecast: Forecast) -> None:
    """Tell the area's directors that finance returned their forecast, with finance's comment."""
    send_after_commit(
        notice_messages(
            users=directors_of(area=forecast.area),
            notice=_forecast_notice("forecast_returned", forecast, comment=forecast.return_comment),
        )
    )


def notify_approved(*, forecast: Forecast) -> None:
    """Tell the area's directors that finance approved their forecast."""
    send_after_commit(
        notice_messages(
            users=directors_of(area=forecast.area),
            notice=_forecast_notice("forecast_approved", forecast),
        )
    )


def unsubmitted_areas(*, forecast_round: ForecastRound) -> list[Area]:
    """Active areas whose forecast in the round is not submitted (not started, a draft or
    returned), in the areas' order."""
    done = Forecast.objects.filter(forecast_round=forecast_round).exclude(status__in=_OUTSTANDING)
    return list(Area.objects.filter(is_active=True).exclude(pk__in=done.values("area_id")))


@dataclass(frozen=True)
class RemindResult:
    """Areas reminded now, and areas left out because they were reminded already that day."""

    reminded: list[Area]
    already: list[Area]


def _remind(
    *, forecast_round: ForecastRound, areas: list[Area], kind: str, today: dt.date, user
) -> RemindResult:
    reminded, already = [], []
    late = kind == ReminderSent.Kind.LATE
    for area in areas:
        directors = directors_of(area=area)
        messages = notice_messages(
            users=directors,
            notice=Notice(
                template="reminder",
                context={
                    "area": area,
                    "round": forecast_round,
                    "late": late,
                    "days_left": (forecast_round.deadline - today).days,
                },
                path=reverse("forecasts:forecast_edit", args=[forecast_round.pk, area.pk]),
            ),
        )
        if not messages:  # nobody to tell: nothing recorded, so a director added later is told
            continue
        try:
            with transaction.atomic():
                ReminderSent.objects.create(
                    forecast_round=forecast_round,
                    area=area,
                    sent_on=today,
                    kind=kind,
                    recipients=", ".join(sorted(m.to[0] for m in messages)),
                    sent_by=user,
                )
        except IntegrityError:  # reminded already today
            already.append(area)
            continue
        send_after_commit(messages)
        reminded.append(area)
    return RemindResult(reminded, already)


@transaction.atomic
def remind_areas(*, forecast_round: ForecastRound, user, today: dt.date | None = None):
    """Finance reminds the late areas of an open round (not submitted by the deadline): an
    e-mail to each one's directors, once a day. Returns a ``RemindResult``."""
    access.require_finance(user, _("Only finance staff may do this."))
    today = today or timezone.localdate()
    if not forecast_round.is_open:
        raise ValidationError(_("The forecast round is closed; nobody needs a reminder."))
    late = (
        unsubmitted_areas(forecast_round=forecast_round) if today > forecast_round.deadline else []
    )
    return _remind(
        forecast_round=forecast_round,
        areas=late,
        kind=ReminderSent.Kind.LATE,
        today=today,
        user=user,
    )


def reminders_due(*, today: dt.date) -> list[ForecastRound]:
    """Open rounds whose deadline is ``REMINDER_DAYS_BEFORE`` days from ``today``."""
    days = [today + dt.timedelta(days=n) for n in REMINDER_DAYS_BEFORE]
    return list(ForecastRound.objects.filter(status=ForecastRound.Status.OPEN, deadline__in=days))


@transaction.atomic
def reminders_send_due(*, today: dt.date | None = None) -> dict[ForecastRound, RemindResult]:
    """The daily run (``manage.py send_reminders``): remind the directors of every area that
    has not submitted in a round due in 3 days or today; never twice the same day."""
    today = today or timezone.localdate()
    return {
        forecast_round: _remind(
            forecast_round=forecast_round,
            areas=unsubmitted_areas(forecast_round=forecast_round),
            kind=ReminderSent.Kind.BEFORE_DEADLINE,
            today=today,
            user=None,
        )
        for forecast_round in reminders_due(today=today)
    }
