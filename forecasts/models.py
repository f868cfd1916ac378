"""Plans and their deficit targets.

A plan is a savings programme over years; its deficit targets say how much cost must be cut in
each year, for the whole plan or for one area. Amounts are SEK (kronor), stored as Decimal, and
mean the annual cost reduction in that year against the plan's baseline year.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regionbudget.models import Area

__all__ = ["DeficitTarget", "Plan"]

MONEY_DIGITS = 16  # up to 99 999 999 999 999,99 SEK: room for twenty regions
MONEY_PLACES = 2


class Plan(models.Model):
    """A savings programme over years, e.g. *Ekonomi i balans 2024–2026*.

    A region runs several plans over time; a plan is data, never code.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200, unique=True)
    organisation = models.CharField(
        _("organisation"), max_length=200, help_text=_("The part of the region the plan covers.")
    )
    description = models.TextField(_("description"), blank=True)
    baseline_year = models.PositiveSmallIntegerField(
        _("baseline year"), help_text=_("Reductions are measured against this year's costs.")
    )
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Decision or document behind it.")
    )

    class Meta:
        ordering = ["status", "-start_year", "name"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="plan_years_in_order"
            ),
            models.CheckConstraint(
                condition=Q(baseline_year__lt=models.F("start_year")),
                name="plan_baseline_before_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("home") + f"?plan={self.pk}"

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year cannot come before the first.")})
        if self.baseline_year and self.start_year and self.baseline_year >= self.start_year:
            raise ValidationError(
                {"baseline_year": _("The baseline year must come before the first year.")}
            )


class DeficitTarget(models.Model):
    """The required cost reduction (SEK, annual, against the baseline year) in one year of a plan.

    Without an area it is the target of the whole plan; with one, that area's share (*målnivå*).
    """

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("plan")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deficit_targets",
        verbose_name=_("area"),
        help_text=_("Leave empty for the target of the whole plan."),
    )
    amount = models.DecimalField(
        _("required reduction (SEK)"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        help_text=_("In kronor, e.g. 324000000 for 324 MSEK."),
    )
    basis = models.CharField(_("basis"), max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "year", "area__position"]
        verbose_name = _("deficit target")
        verbose_name_plural = _("deficit targets")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year"],
                condition=Q(area__isnull=True),
                name="deficittarget_one_plan_target_per_year",
            ),
            models.UniqueConstraint(
                fields=["plan", "year", "area"],
                condition=Q(area__isnull=False),
                name="deficittarget_one_area_target_per_year",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=Decimal("0")), name="deficittarget_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        scope = self.area.name if self.area_id else self.plan.name
        return f"{scope} {self.year}"

    def clean(self) -> None:
        plan = getattr(self, "plan", None)
        if plan is not None and self.year and self.year not in plan.years:
            raise ValidationError(
                {
                    "year": _("The year must lie within the plan, %(start)s–%(end)s.")
                    % {"start": plan.start_year, "end": plan.end_year}
                }
            )
