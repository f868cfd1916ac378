"""Plans and deficit targets; budgets, actuals, forecast rounds and forecasts.

A plan is a savings programme over years; its deficit targets say how much cost must be cut in
each year, for the whole plan or for one area (annual cost reduction against the baseline year).

Budgets, actuals (*utfall*) and forecasts are **net cost in SEK**: costs positive, revenue
negative, stored as Decimal. The deviation of a forecast is ``budget − forecast``, so a negative
deviation is a deficit (DESIGN.md). Every change to these tables is recorded by database triggers
(django-pghistory), bulk writes and deletions included, with the user who made it.
"""

import datetime as dt
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from regionbudget.core.history import EXECUTE_TAG, statement_history
from regionbudget.core.models import DATA_VERSION_BUMP, Area, GapVersionTrigger, Unit
from regionbudget.core.money import MONEY_DIGITS, MONEY_PLACES

__all__ = [
    "AccountGroup",
    "Actual",
    "Budget",
    "DeficitTarget",
    "Forecast",
    "ForecastLine",
    "ForecastBudget",
    "ForecastRound",
    "ImportUpload",
    "OutsideBudgetReduction",
    "Plan",
    "BASELINE_FIRST_YEAR",
    "MAX_TARGET_SEK",
    "PLAN_FIRST_YEAR",
    "PLAN_LAST_YEAR",
    "PLAN_MAX_YEARS",
    "target_too_large_message",
    "ReminderSent",
]


def _tracked():
    """History of inserts, updates and deletes: a replaced figure stays readable.

    Statement-level triggers write the events of a bulk statement in one go: row-level ones
    made importing 100 000 rows take minutes instead of seconds. Each trigger plans its query
    for the statement that fired it (``regionbudget.core.history``): a plan cached after a small
    write made a large replace on the same connection take hours.
    """
    return statement_history()


def _person_field(verbose_name) -> models.ForeignKey:
    """Who did a step of the workflow (kept when the user is deactivated, never deleted)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


# The statuses in which an area still edits its forecast. The cached figures read forecasts (and
# their lines) only once submitted: a director's draft saves leave them alone.
EDITING_STATUSES = "('draft', 'returned')"


def _version_trigger(name: str, operation, *, tables: list[str], lines: bool):
    """A statement trigger raising the table's data version when the statement touched a
    forecast outside the editing statuses, before or after it (``tables``: the transition
    tables it has, ``old_rows`` and/or ``new_rows``).

    The queries over the transition tables run through ``EXECUTE``, planned for each statement's
    rows, like the history triggers (``regionbudget.core.history``): a static query would keep
    the plan of the first, small statement for the rest of the connection."""
    q = EXECUTE_TAG
    if lines:
        # Fixed names only (the transition tables and the statuses above): no input.
        ids = " UNION ".join(f"SELECT forecast_id FROM {t}" for t in tables)  # noqa: S608
        lock = (
            f"EXECUTE {q}SELECT 1 FROM forecasts_forecast WHERE id IN ({ids}) "  # noqa: S608
            f"ORDER BY id FOR SHARE{q}; "
        )
        touched = (
            f"EXISTS (SELECT 1 FROM forecasts_forecast WHERE id IN ({ids}) "  # noqa: S608
            f"AND status NOT IN {EDITING_STATUSES})"
        )
    else:  # the forecasts' own rows, as they were and as they are
        where = f"WHERE status NOT IN {EDITING_STATUSES}"
        lock = ""
        touched = " OR ".join(f"EXISTS (SELECT 1 FROM {t} {where})" for t in tables)  # noqa: S608
    bump = (
        f"EXECUTE {q}INSERT INTO regionbudget_dataversion (name, version, changed_at) "
        f"SELECT $1, nextval('regionbudget_dataversion_seq'), now() WHERE {touched} "
        f"ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, changed_at = now()"
        f"{q} USING TG_TABLE_NAME::text; "
    )
    return pgtrigger.Trigger(
        name=name,
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=operation,
        referencing=pgtrigger.Referencing(
            old="old_rows" if "old_rows" in tables else None,
            new="new_rows" if "new_rows" in tables else None,
        ),
        func=f"{lock}{bump}RETURN NULL;",
    )


def _submitted_version_triggers(*, lines: bool) -> list[pgtrigger.Trigger]:
    """The data version of ``forecasts_forecast`` or ``forecasts_forecastline``, raised only
    by writes that touch a forecast outside the editing statuses (submitted, approved), before
    or after the statement. A truncate always raises it. A forecast deleted with its lines
    raises the forecasts' version (its lines' check no longer finds it).

    On the lines, the forecasts are first locked ``FOR SHARE`` until the transaction ends: a
    concurrent submit or approval of the same forecast (an UPDATE of its row) then either
    happened before the check, which sees it and raises the version, or waits until these lines
    are committed, and raises the forecasts' version itself. Either way no cached figure can
    keep lines older than its key."""
    prefix = "line" if lines else "forecast"
    triggers = [
        _version_trigger(f"{prefix}_version_{label}", op, tables=tables, lines=lines)
        for label, op, tables in (
            ("insert", pgtrigger.Insert, ["new_rows"]),
            ("update", pgtrigger.Update, ["old_rows", "new_rows"]),
            ("delete", pgtrigger.Delete, ["old_rows"]),
        )
    ]
    triggers.append(
        pgtrigger.Trigger(
            name=f"{prefix}_version_truncate",
            level=pgtrigger.Statement,
            when=pgtrigger.After,
            operation=pgtrigger.Truncate,
            func=DATA_VERSION_BUMP + " RETURN NULL;",
        )
    )
    return triggers


# A plan's years lie in 2000–2100 and it runs at most ten years: a last year typed as 20230
# once made the home page 7.7 MB (one column per year). The baseline year may come earlier.
PLAN_FIRST_YEAR, PLAN_LAST_YEAR = 2000, 2100
PLAN_MAX_YEARS = 10
BASELINE_FIRST_YEAR = 1990
# The largest plausible required reduction of one year (SEK): 100 000 mnkr, more than a Swedish
# region's whole budget. A larger figure was typed in kronor where mnkr was asked for.
MAX_TARGET_SEK = Decimal("100000000000")


@_tracked()
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
        triggers = [GapVersionTrigger()]
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
            models.CheckConstraint(
                condition=Q(start_year__gte=PLAN_FIRST_YEAR)
                & Q(end_year__lte=PLAN_LAST_YEAR)
                & Q(baseline_year__gte=BASELINE_FIRST_YEAR),
                name="plan_years_2000_to_2100",
            ),
            models.CheckConstraint(
                condition=Q(end_year__lt=models.F("start_year") + PLAN_MAX_YEARS),
                name="plan_at_most_ten_years",
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
        errors = {}
        bounds = {"first": PLAN_FIRST_YEAR, "last": PLAN_LAST_YEAR}
        for name in ("start_year", "end_year"):
            year = getattr(self, name)
            if year is not None and not PLAN_FIRST_YEAR <= year <= PLAN_LAST_YEAR:
                errors[name] = _("Enter a year from %(first)s to %(last)s.") % bounds
        if self.baseline_year is not None and self.baseline_year < BASELINE_FIRST_YEAR:
            errors["baseline_year"] = _("Enter a year from %(first)s to %(last)s.") % {
                "first": BASELINE_FIRST_YEAR,
                "last": PLAN_LAST_YEAR,
            }
        if errors:
            raise ValidationError(errors)
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year cannot come before the first.")})
        if self.start_year and self.end_year and self.end_year >= self.start_year + PLAN_MAX_YEARS:
            raise ValidationError(
                {
                    "end_year": _("A plan runs at most %(years)s years, here %(first)s–%(last)s.")
                    % {
                        "years": PLAN_MAX_YEARS,
                        "first": self.start_year,
                        "last": self.start_year + PLAN_MAX_YEARS - 1,
                    }
                }
            )
        if self.baseline_year and self.start_year and self.baseline_year >= self.start_year:
            raise ValidationError(
                {"baseline_year": _("The baseline year must come before the first year.")}
            )


@_tracked()
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
        triggers = [GapVersionTrigger()]
        ordering = ["plan", "year", "area__position"]
        verbose_name = _("deficit target")
        verbose_name_plural = _("deficit targets")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year"],
                condition=Q(area__isnull=True),
                name="deficittarget_one_plan_target_per_year",
                violation_error_message=_(
                    "The plan already has a target for the whole plan in this year."
                ),
            ),
            models.UniqueConstraint(
                fields=["plan", "year", "area"],
                condition=Q(area__isnull=False),
                name="deficittarget_one_area_target_per_year",
                violation_error_message=_(
                    "The plan already has a target for this area in this year."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=Decimal("0")), name="deficittarget_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(amount__lte=MAX_TARGET_SEK), name="deficittarget_amount_plausible"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=PLAN_FIRST_YEAR) & Q(year__lte=PLAN_LAST_YEAR),
                name="deficittarget_year_2000_to_2100",
            ),
        ]

    def __str__(self) -> str:
        scope = self.area.name if self.area_id else self.plan.name
        return f"{scope} {self.year}"

    def clean(self) -> None:
        if self.amount is not None and self.amount > MAX_TARGET_SEK:
            raise ValidationError({"amount": target_too_large_message()})
        plan = getattr(self, "plan", None)
        if plan is not None and self.year and self.year not in plan.years:
            raise ValidationError(
                {
                    "year": _("The year must lie within the plan, %(start)s–%(end)s.")
                    % {"start": plan.start_year, "end": plan.end_year}
                }
            )


def target_too_large_message() -> str:
    return _(
        "A required reduction above 100 000 mnkr (100 000 000 000 kronor) is not plausible. "
        "Check the amount and its unit."
    )


@_tracked()
class OutsideBudgetReduction(models.Model):
    """The part of a plan's required reduction in one year that is not built into the areas'
    budgets (an undistributed savings requirement, SEK). The outlook adds it to the areas'
    forecast deviation: required now = outside the budgets − deviation (DESIGN.md).
    A year without a row has none (0)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="outside_budgets", verbose_name=_("plan")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(
        _("reduction outside the area budgets (SEK)"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
    )
    basis = models.CharField(_("basis"), max_length=300, blank=True)

    class Meta:
        triggers = [GapVersionTrigger()]
        ordering = ["plan", "year"]
        verbose_name = _("reduction outside the area budgets")
        verbose_name_plural = _("reductions outside the area budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year"],
                name="outsidebudget_one_per_plan_year",
                violation_error_message=_("This year already has an amount."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=Decimal("0")), name="outsidebudget_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.year}"


def _money(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs
    )


def _month_in_range(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(month__gte=1) & Q(month__lte=12), name=f"{name}_month_1_to_12"
    )


def _year_in_range(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(year__gte=2000) & Q(year__lte=2100), name=f"{name}_year_2000_to_2100"
    )


@_tracked()
class AccountGroup(models.Model):
    """A group of accounts (*kontogrupp*) in the finance system, e.g. Personal or Läkemedel.

    Budgets, actuals and forecasts are kept per unit and account group. ``kind`` tells costs
    from revenue; both are stored as net cost (revenue negative).
    """

    class Kind(models.TextChoices):
        COST = "cost", _("Cost")
        REVENUE = "revenue", _("Revenue")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COST)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("account group")
        verbose_name_plural = _("account groups")

    def __str__(self) -> str:
        return self.name


@_tracked()
class Budget(models.Model):
    """The budget of one unit and account group for a whole year (net cost, SEK)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    account_group = models.ForeignKey(
        AccountGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("account group")
    )
    amount = _money(_("budget (SEK)"))

    class Meta:
        triggers = [GapVersionTrigger()]
        ordering = ["year", "unit__code", "account_group__position"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "account_group"], name="budget_unique_unit_year_group"
            ),
            _year_in_range("budget"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year} {self.account_group_id}: {self.amount}"


@_tracked()
class Actual(models.Model):
    """The actual outcome (*utfall*) of one unit and account group in one month (net cost, SEK)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="actuals", verbose_name=_("unit")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    account_group = models.ForeignKey(
        AccountGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("account group")
    )
    amount = _money(_("actual (SEK)"))

    class Meta:
        # No data version: no cached figure reads actuals, so an import of them keeps the cache.
        ordering = ["year", "month", "unit__code", "account_group__position"]
        verbose_name = _("actual")
        verbose_name_plural = _("actuals")
        # By period: the latest month imported (finance's home page) and the months around an
        # import's (its preview) read it, which the unique key (unit first) cannot serve.
        indexes = [models.Index(fields=["year", "month"], name="actual_year_month")]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "month", "account_group"],
                name="actual_unique_unit_month_group",
            ),
            _year_in_range("actual"),
            _month_in_range("actual"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}-{self.month:02d} {self.account_group_id}: {self.amount}"


@_tracked()
class ForecastRound(models.Model):
    """A forecast round (*prognostillfälle*), e.g. "prognos efter oktober 2024".

    Finance opens it with a deadline; every area then enters its full-year forecast of the
    round's year. A closed round is a version that stays readable and is never overwritten.
    Rounds belong to the organisation, not to a plan: every plan covering the year reads them.
    ``includes_decided_measures`` states whether the forecasts already count the effect of
    measures that have been decided, so that the gap's outlook never counts a saving twice.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(
        _("month"), help_text=_("The forecast is made after this month's actuals.")
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    includes_decided_measures = models.BooleanField(
        _("forecasts include decided measures"),
        default=True,
        help_text=_(
            "Ticked: the forecasts already count the effect of measures that have been decided, "
            "so the gap dashboard does not count those savings again."
        ),
    )
    comment_threshold = _money(
        _("comment threshold (SEK)"),
        default=Decimal("500000"),
        help_text=_("A deviation larger than this, up or down, needs a comment."),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        triggers = [GapVersionTrigger()]
        ordering = ["-year", "-month"]
        verbose_name = _("forecast round")
        verbose_name_plural = _("forecast rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["year", "month"],
                name="forecastround_unique_month",
                violation_error_message=_("There is already a forecast round for this month."),
            ),
            _year_in_range("forecastround"),
            _month_in_range("forecastround"),
            models.CheckConstraint(
                condition=Q(comment_threshold__gte=0),
                name="forecastround_threshold_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("Forecast after %(month)s %(year)s") % {"month": self.month_name, "year": self.year}
        )

    def get_absolute_url(self) -> str:
        return reverse("forecasts:round_detail", args=[self.pk])

    @property
    def month_name(self) -> str:
        """The round's month in the user's language as written inside a sentence: "oktober" in
        Swedish, "October" in English (Django's Swedish month names are lower case already)."""
        return str(MONTHS[self.month])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


@_tracked()
class Forecast(models.Model):
    """One area's full-year forecast in one round, with a workflow:
    draft → submitted → approved, or submitted → returned → submitted again.

    ``version`` grows with every change; a save from a page showing an older version is a
    conflict, never a silent overwrite.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned")

    forecast_round = models.ForeignKey(
        ForecastRound,
        on_delete=models.PROTECT,
        related_name="forecasts",
        verbose_name=_("forecast round"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="forecasts", verbose_name=_("area")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    return_comment = models.TextField(_("reason for return"), blank=True)
    updated_by = _person_field(_("last changed by"))
    updated_at = models.DateTimeField(_("last changed at"), null=True, blank=True)
    submitted_by = _person_field(_("submitted by"))
    # Who typed the figures last, and whether that was done for the area by someone who is not
    # its director (finance keying in what an area sent by e-mail).
    entered_by = _person_field(_("entered by"))
    entered_on_behalf = models.BooleanField(
        _("entered on the area's behalf"), default=False, db_default=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = _person_field(_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        # Draft saves raise the version (a new version number, who typed): no cached figure
        # reads a forecast in the editing statuses, so only the others' changes count.
        triggers = _submitted_version_triggers(lines=False)
        ordering = ["forecast_round", "area__position"]
        verbose_name = _("forecast")
        verbose_name_plural = _("forecasts")
        constraints = [
            models.UniqueConstraint(
                fields=["forecast_round", "area"], name="forecast_one_per_area_and_round"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="forecast_version_positive"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="forecast_approved_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_comment=""),
                name="forecast_returned_has_comment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} – {self.forecast_round}"

    def get_absolute_url(self) -> str:
        return reverse("forecasts:forecast_detail", args=[self.forecast_round_id, self.area_id])

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


@_tracked()
class ForecastLine(models.Model):
    """The full-year forecast (net cost, SEK) of one unit and account group, with a comment."""

    forecast = models.ForeignKey(
        Forecast, on_delete=models.CASCADE, related_name="lines", verbose_name=_("forecast")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    account_group = models.ForeignKey(AccountGroup, on_delete=models.PROTECT, related_name="+")
    amount = _money(_("full-year forecast (SEK)"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)

    class Meta:
        triggers = _submitted_version_triggers(lines=True)
        ordering = ["forecast", "unit__code", "account_group__position"]
        verbose_name = _("forecast line")
        verbose_name_plural = _("forecast lines")
        constraints = [
            models.UniqueConstraint(
                fields=["forecast", "unit", "account_group"],
                name="forecastline_unique_unit_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.account_group_id}: {self.amount}"


@_tracked()
class ForecastBudget(models.Model):
    """The budget an approved forecast was compared with, kept with it (SEK, net cost).

    Approving a forecast copies the year's budget of the area's units here, so that its
    deviation reads the same after any later budget import: an approved forecast is a record.
    """

    forecast = models.ForeignKey(
        Forecast, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("forecast")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    account_group = models.ForeignKey(AccountGroup, on_delete=models.PROTECT, related_name="+")
    amount = _money(_("budget at approval (SEK)"))

    class Meta:
        triggers = [GapVersionTrigger()]
        ordering = ["forecast", "unit__code", "account_group__position"]
        verbose_name = _("budget at approval")
        verbose_name_plural = _("budgets at approval")
        constraints = [
            models.UniqueConstraint(
                fields=["forecast", "unit", "account_group"],
                name="forecastbudget_unique_unit_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.account_group_id}: {self.amount}"


class ImportUpload(models.Model):
    """An uploaded import waiting for its preview to be confirmed: a budget or actuals file, or
    an action plan (for ``plan``; the measures app stages its imports here too).

    The file is read and checked once, at upload: ``rows`` holds the checked rows as JSON
    (amounts as decimal strings, never floats), ``errors`` every row error (row, column, value,
    reason) and ``file_error`` why the file as a whole could not be read. The preview and the
    confirmation read this result instead of the file. A budget or actuals file is kept in
    ``content`` too, so that confirming can check it again should a unit or account group it
    names have been removed meanwhile. Uploads older than ``LIFETIME`` count as expired.
    """

    LIFETIME = dt.timedelta(days=1)

    class Kind(models.TextChoices):
        BUDGET = "budget", _("Budget")
        ACTUAL = "actual", _("Actuals")
        ACTION_PLAN = "actionplan", _("Action plan")

    token = models.UUIDField(_("token"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    plan = models.ForeignKey(
        Plan,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plan"),
        help_text=_("The plan an action plan is imported into."),
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("content"), blank=True)
    row_count = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows = models.JSONField(_("checked rows"), default=list, blank=True)
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    file_error = models.TextField(_("file error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import upload")
        verbose_name_plural = _("import uploads")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="actionplan", plan__isnull=False)
                | (~Q(kind="actionplan") & Q(plan__isnull=True)),
                name="importupload_plan_only_for_action_plans",
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def ok(self) -> bool:
        """Whether the checked file can be written: it was read and no row has an error."""
        return not self.file_error and not self.errors


class ReminderSent(models.Model):
    """A reminder about a round's deadline sent to an area's directors, one per round, area,
    day and kind: the daily command (``send_reminders``) and finance's button on the round page
    never remind the same area twice on the same day."""

    class Kind(models.TextChoices):
        BEFORE_DEADLINE = "before", _("Before the deadline")
        LATE = "late", _("Late, sent by finance")

    forecast_round = models.ForeignKey(
        ForecastRound,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("forecast round"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="+", verbose_name=_("area")
    )
    sent_on = models.DateField(_("sent on"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    recipients = models.TextField(_("recipients"), blank=True)
    sent_by = _person_field(_("sent by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "area__position"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["forecast_round", "area", "sent_on", "kind"],
                name="remindersent_once_per_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} – {self.forecast_round} – {self.sent_on}"
