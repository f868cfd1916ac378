"""The balance requirement statements (*balanskravsutredning*) that finance enters per year.

Money is SEK as ``Decimal``. Each line keeps the sign it has in the statement, so the year's
balanskravsresultat is the sum of its lines (``regionbudget.balance.calculations``). Every change
is recorded by database triggers (django-pghistory) with who and when.
"""

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from regionbudget.balance.figures import (
    EXCLUDED,
    LINE_NAMES,
    REALISATION_GAINS,
    RESERVE,
    RESULT,
    SECURITIES,
)
from regionbudget.core.models import GapVersionTrigger
from regionbudget.core.money import MONEY_DIGITS, MONEY_PLACES

__all__ = ["FIRST_YEAR", "LAST_YEAR", "BalanceLine", "BalanceYear"]

# The years a statement may be entered for.
FIRST_YEAR = 2000
LAST_YEAR = 2099


def _trackers() -> tuple:
    return (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


@pghistory.track(*_trackers())
class BalanceYear(models.Model):
    """The balance requirement statement of one year: actual (from the annual report) or a
    forecast. ``version`` guards against concurrent edits: every save raises it by one."""

    class Kind(models.TextChoices):
        ACTUAL = "actual", _("actual (annual report)")
        FORECAST = "forecast", _("forecast")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    kind = models.CharField(_("actual or forecast"), max_length=10, choices=Kind.choices)
    note = models.TextField(
        _("source or note"), blank=True, help_text=_("E.g. Årsredovisning 2023, p. 12.")
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["year"]
        # The gap dashboard's cached part shows the ledger's flags: a write invalidates it.
        triggers = [GapVersionTrigger()]
        verbose_name = _("balance requirement statement")
        verbose_name_plural = _("balance requirement statements")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_YEAR, year__lte=LAST_YEAR),
                name="balanceyear_year_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} ({self.get_kind_display()})"


@pghistory.track(*_trackers())
class BalanceLine(models.Model):
    """One line of a statement: its kind, the label it has in the annual report, and its signed
    amount in SEK (realisation gains are deducted, so they are zero or negative)."""

    class Kind(models.TextChoices):
        RESULT = RESULT, LINE_NAMES[RESULT]
        REALISATION_GAINS = REALISATION_GAINS, LINE_NAMES[REALISATION_GAINS]
        EXCLUDED = EXCLUDED, LINE_NAMES[EXCLUDED]
        SECURITIES = SECURITIES, LINE_NAMES[SECURITIES]
        RESERVE = RESERVE, LINE_NAMES[RESERVE]

    balance_year = models.ForeignKey(
        BalanceYear, on_delete=models.CASCADE, related_name="lines", verbose_name=_("statement")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("label"), max_length=200)
    amount = models.DecimalField(
        _("amount (SEK)"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES
    )

    class Meta:
        ordering = ["balance_year", "position"]
        triggers = [GapVersionTrigger()]
        verbose_name = _("balance requirement line")
        verbose_name_plural = _("balance requirement lines")
        constraints = [
            models.UniqueConstraint(
                fields=["balance_year", "position"], name="balanceline_one_per_position"
            ),
            models.UniqueConstraint(
                fields=["balance_year"],
                condition=Q(kind=RESULT),
                name="balanceline_one_result_per_year",
            ),
            models.CheckConstraint(
                condition=~Q(kind=REALISATION_GAINS) | Q(amount__lte=0),
                name="balanceline_realisation_gains_deducted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.balance_year.year} {self.label}"
