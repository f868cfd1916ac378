"""The measure register (the action plan): savings measures, their planned and realised effects,
how region-wide measures are split across areas, and the indicators that follow them up.

Money is SEK (kronor) as ``Decimal``. A planned effect is the annual cost reduction in a year
against the plan's baseline, as a range low–high; a realised effect is the reduction achieved in
one month. Every change is recorded by database triggers (django-pghistory) with who and when.
"""

from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from forecasts.models import Forecast, Plan
from regionbudget.core.models import Area, GapVersionTrigger, Unit
from regionbudget.core.money import MONEY_DIGITS, MONEY_PLACES

__all__ = [
    "AreaShare",
    "Category",
    "ForecastInclusion",
    "Indicator",
    "IndicatorValue",
    "CONSEQUENCE_FILE_MAX_BYTES",
    "CONSEQUENCE_FILE_TYPES",
    "ConsequenceAnalysisFile",
    "Measure",
    "PlannedEffect",
    "RealisedEffect",
]


def _trackers() -> tuple:
    """Record inserts, updates and deletes; fresh instances per model (pghistory needs that)."""
    return (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())


def _money_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs
    )


@pghistory.track(*_trackers())
class Category(models.Model):
    """A category of measures (Inköp, Bemanning, …); finance keeps the list."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        triggers = [GapVersionTrigger()]
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


# The longest description a form or an import accepts (a text column has no limit of its own).
DESCRIPTION_MAX_LENGTH = 5000


@pghistory.track(*_trackers())
class Measure(models.Model):
    """A savings measure (*åtgärd*) of a plan.

    It is owned by one area, or region-wide (``owner_area`` empty): a region-wide measure is kept
    by finance and may be split across areas by ``AreaShare``. ``version`` guards against
    concurrent edits: every write to the measure or its effects raises it by one.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("measure status", "proposed")
        DECIDED = "decided", pgettext_lazy("measure status", "decided")
        IN_PROGRESS = "in_progress", pgettext_lazy("measure status", "in progress")
        DONE = "done", pgettext_lazy("measure status", "done")
        DELAYED = "delayed", pgettext_lazy("measure status", "delayed")
        CANCELLED = "cancelled", pgettext_lazy("measure status", "cancelled")

    class DecisionBody(models.TextChoices):
        LINE_MANAGEMENT = "line_management", _("line management")
        COMMITTEE = "committee", _("the committee (nämnd)")
        ASSEMBLY = "assembly", _("the regional assembly (fullmäktige)")

    class EffectKind(models.TextChoices):
        RECURRING = "recurring", _("recurring")
        ONE_OFF = "one_off", _("one-off")

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="measures", verbose_name=_("plan")
    )
    code = models.CharField(_("code"), max_length=20, help_text=_("E.g. M01; unique in a plan."))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="measures", verbose_name=_("category")
    )
    owner_area = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("owning area"),
        help_text=_("Leave empty for a region-wide measure."),
    )
    responsible = models.CharField(_("responsible person"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    decision_reference = models.CharField(
        _("decision reference"),
        max_length=200,
        blank=True,
        help_text=_("E.g. HSN 2023-12-19 § 12."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    # The decision (required to move a measure to decided: ``measures.calculations``).
    # Database defaults too, so rows written with COPY or raw SQL (the benchmark's generator)
    # need not name these columns.
    decision_body = models.CharField(
        _("deciding body"),
        max_length=20,
        choices=DecisionBody.choices,
        blank=True,
        default="",
        db_default="",
    )
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    consequence_analysis = models.TextField(
        _("consequence analysis"),
        blank=True,
        default="",
        db_default="",
        help_text=_("Effects on patients, staff, access and equality."),
    )
    # How the planned effect runs over the years. With a full-year effect and a start date the
    # planned effect per year is computed (pro rata in the first year); without, the per-year
    # amounts stand as entered.
    effect_kind = models.CharField(
        _("recurring or one-off"),
        max_length=10,
        choices=EffectKind.choices,
        default=EffectKind.RECURRING,
        db_default=EffectKind.RECURRING,
    )
    full_year_low = _money_field(_("full-year effect, low (SEK)"), null=True, blank=True)
    full_year_high = _money_field(_("full-year effect, high (SEK)"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        triggers = [GapVersionTrigger()]
        ordering = ["plan", "code"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="measure_unique_code_per_plan"),
            models.CheckConstraint(
                condition=Q(full_year_high__gte=F("full_year_low")),
                name="measure_full_year_high_not_below_low",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("measures:measure_detail", args=[self.pk])

    @property
    def is_region_wide(self) -> bool:
        return self.owner_area_id is None


@pghistory.track(*_trackers())
class PlannedEffect(models.Model):
    """The planned effect of a measure in one year of its plan: a range low–high in SEK."""

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="planned_effects", verbose_name=_("measure")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    low = _money_field(_("planned effect, low (SEK)"))
    high = _money_field(_("planned effect, high (SEK)"))

    class Meta:
        triggers = [GapVersionTrigger()]
        ordering = ["measure", "year"]
        verbose_name = _("planned effect")
        verbose_name_plural = _("planned effects")
        constraints = [
            models.UniqueConstraint(fields=["measure", "year"], name="plannedeffect_one_per_year"),
            models.CheckConstraint(
                condition=Q(low__gte=Decimal("0")), name="plannedeffect_low_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(high__gte=F("low")), name="plannedeffect_high_not_below_low"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.year}"

    def clean(self) -> None:
        errors = {}
        if self.low is not None and self.low < 0:
            errors["low"] = _("The planned effect cannot be negative.")
        if self.low is not None and self.high is not None and self.high < self.low:
            errors["high"] = _("The high end cannot be below the low end.")
        measure = getattr(self, "measure", None)
        if measure is not None and self.year and self.year not in measure.plan.years:
            errors["year"] = _("The year must lie within the plan, %(start)s–%(end)s.") % {
                "start": measure.plan.start_year,
                "end": measure.plan.end_year,
            }
        if errors:
            raise ValidationError(errors)


@pghistory.track(*_trackers())
class RealisedEffect(models.Model):
    """The realised effect (SEK) of a measure in one month, entered by its owner.

    It may be negative: a correction of an earlier month's figure.
    """

    measure = models.ForeignKey(
        Measure,
        on_delete=models.CASCADE,
        related_name="realised_effects",
        verbose_name=_("measure"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    amount = _money_field(_("realised effect (SEK)"))
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        triggers = [GapVersionTrigger()]
        ordering = ["measure", "year", "month"]
        verbose_name = _("realised effect")
        verbose_name_plural = _("realised effects")
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "year", "month"], name="realisedeffect_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="realisedeffect_month_1_to_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.year}-{self.month:02d}"


@pghistory.track(*_trackers())
class AreaShare(models.Model):
    """The share (percent) of a region-wide measure that falls to one area.

    The shares of a measure sum to exactly 100; the service refuses any other set.
    """

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="area_shares", verbose_name=_("measure")
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="measure_shares", verbose_name=_("area")
    )
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2)

    class Meta:
        triggers = [GapVersionTrigger()]
        ordering = ["measure", "area__position"]
        verbose_name = _("area share")
        verbose_name_plural = _("area shares")
        constraints = [
            models.UniqueConstraint(fields=["measure", "area"], name="areashare_one_per_area"),
            models.CheckConstraint(
                condition=Q(share__gt=Decimal("0"), share__lte=Decimal("100")),
                name="areashare_share_above_0_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.area.code} {self.share} %"


@pghistory.track(*_trackers())
class ForecastInclusion(models.Model):
    """A measure whose effect an approved forecast already counts (recorded at its approval).

    When a round's forecasts include decided measures, approving an area's forecast records the
    measures of the area (or with a share in it) that were then decided, in progress, done or
    delayed, with the status they had. The outlook does not count them again (DESIGN.md); a
    measure decided later is not in that forecast.
    """

    forecast = models.ForeignKey(
        Forecast, on_delete=models.CASCADE, related_name="+", verbose_name=_("forecast")
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="forecast_inclusions"
    )
    status = models.CharField(_("status at approval"), max_length=20)

    class Meta:
        triggers = [GapVersionTrigger()]
        ordering = ["forecast", "measure__code"]
        verbose_name = _("measure in a forecast")
        verbose_name_plural = _("measures in forecasts")
        constraints = [
            models.UniqueConstraint(
                fields=["forecast", "measure"], name="forecastinclusion_once_per_forecast"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.forecast_id}: {self.measure_id}"


@pghistory.track(*_trackers())
class Indicator(models.Model):
    """A figure that follows a measure up, e.g. purchasing cost (mnkr) with a target of −10 %.

    Values are in the indicator's own ``unit`` (mnkr, årsarbetare, vårdtillfällen, %), not SEK.
    """

    class Direction(models.TextChoices):
        DECREASE = "decrease", _("lower is better")
        INCREASE = "increase", _("higher is better")

    measure = models.ForeignKey(
        Measure, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("measure")
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, help_text=_("E.g. mnkr, årsarbetare, %."))
    baseline = models.DecimalField(
        _("baseline"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.DECREASE
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["measure", "position", "name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["measure", "name"], name="indicator_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


@pghistory.track(*_trackers())
class IndicatorValue(models.Model):
    """The actual value of an indicator in one period (year, month), for the whole measure or,
    as in the 2025 budget model, for one unit with its target level (*målnivå*); the actual value
    is then the unit's current state (*nuläge*)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_values",
        verbose_name=_("unit"),
    )
    actual = models.DecimalField(
        _("actual"), max_digits=18, decimal_places=4, help_text=_("Current state (nuläge).")
    )
    target_level = models.DecimalField(
        _("target level"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Target level (målnivå) of a unit."),
    )

    class Meta:
        ordering = ["indicator", "year", "month", "unit__code"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "year", "month"],
                condition=Q(unit__isnull=True),
                name="indicatorvalue_one_per_period",
            ),
            models.UniqueConstraint(
                fields=["indicator", "year", "month", "unit"],
                condition=Q(unit__isnull=False),
                name="indicatorvalue_one_per_unit_and_period",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="indicatorvalue_month_1_to_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.year}-{self.month:02d}"


# A consequence analysis kept as a file: the formats decision material comes in.
CONSEQUENCE_FILE_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
}
CONSEQUENCE_FILE_MAX_BYTES = 10_000_000


@pghistory.track(
    pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), exclude=["data"]
)
class ConsequenceAnalysisFile(models.Model):
    """A measure's consequence analysis as a file (PDF, Word or OpenDocument text), kept in the
    database with the measure: backed up with it and read only by those who see the measure.
    One per measure; a new one replaces it (the history keeps who uploaded what and when)."""

    measure = models.OneToOneField(
        Measure,
        on_delete=models.CASCADE,
        related_name="consequence_file",
        verbose_name=_("measure"),
    )
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    data = models.BinaryField(_("content"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    class Meta:
        verbose_name = _("consequence analysis file")
        verbose_name_plural = _("consequence analysis files")

    def __str__(self) -> str:
        return self.name
