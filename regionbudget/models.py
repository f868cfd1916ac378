"""The organisation: areas, their units, and which users direct which areas."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

__all__ = [
    "Area",
    "AreaDirector",
    "ConfidenceWeight",
    "DataVersion",
    "Meeting",
    "StatusReport",
    "Unit",
]


class Area(models.Model):
    """An area (*område*) of the health-care organisation, e.g. Länssjukvårdsområde somatik.

    Areas own units, forecasts and measures; an area director works only with their own areas.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in lists and reports.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A unit (*verksamhet/enhet*) of an area: one cost centre in the finance system."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="units", verbose_name=_("area")
    )
    code = models.CharField(
        _("cost centre"), max_length=20, unique=True, help_text=_("The finance system's code.")
    )
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["area__position", "code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="unit_unique_name_per_area"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class AreaDirector(models.Model):
    """Binds a user as area director (*områdesdirektör*) of one area; a user may direct several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="area_bindings",
        verbose_name=_("user"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="director_bindings", verbose_name=_("area")
    )

    class Meta:
        ordering = ["area__position", "user__username"]
        verbose_name = _("area director")
        verbose_name_plural = _("area directors")
        constraints = [
            models.UniqueConstraint(fields=["user", "area"], name="areadirector_unique_user_area"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.area}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ConfidenceWeight(models.Model):
    """How much of a measure's planned effect the expectation counts, by the measure's status.

    Finance sets them; the defaults follow HM Treasury's practice of counting pipeline savings
    at 40–70 % by stage (``regionbudget.calculations.DEFAULT_WEIGHTS``).
    """

    status = models.CharField(_("measure status"), max_length=20, unique=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=3,
        help_text=_("Between 0 and 1, e.g. 0.6 counts 60 per cent of the planned effect."),
    )

    class Meta:
        ordering = ["-weight", "status"]
        verbose_name = _("confidence weight")
        verbose_name_plural = _("confidence weights")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weight__gte=0) & models.Q(weight__lte=1),
                name="confidenceweight_between_0_and_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status}: {self.weight}"


class DataVersion(models.Model):
    """A counter that database triggers raise on every write to data behind the gap figures.

    Cached gap figures are keyed by it, so any write — a form, an import, a bulk update, even
    SQL by hand — invalidates them (see ``regionbudget.caching`` and migration 0007).
    """

    name = models.CharField(max_length=40, unique=True)
    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Meeting(models.Model):
    """A committee meeting that a status report is made for."""

    class Committee(models.TextChoices):
        COMMITTEE = "hsu", _("Health and medical care committee (utskott)")
        BOARD = "hsn", _("Health and medical care board (nämnd)")

    committee = models.CharField(_("committee"), max_length=10, choices=Committee.choices)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["-date", "committee"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return f"{self.get_committee_display()} {self.date:%Y-%m-%d}: {self.title}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class StatusReport(models.Model):
    """A status report for a meeting: drafted by finance, then published and frozen.

    Publishing stores every figure the report shows in ``snapshot`` with its SHA-256
    ``checksum``; the page is drawn from the snapshot alone, so later edits to forecasts or
    measures never change it. A database trigger refuses any change to a published report; a
    correction is a new report that names the one it corrects.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="reports", verbose_name=_("meeting")
    )
    plan = models.ForeignKey(
        "forecasts.Plan", on_delete=models.PROTECT, related_name="reports", verbose_name=_("plan")
    )
    year = models.PositiveSmallIntegerField(_("year in focus"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    highlighted = models.ManyToManyField(
        "measures.Measure", blank=True, related_name="+", verbose_name=_("measures to highlight")
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
    )
    correction_note = models.TextField(_("what is corrected"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    published_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(null=True, blank=True)
    checksum = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-meeting__date", "-published_at", "-pk"]
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (
                    models.Q(snapshot__isnull=False)
                    & ~models.Q(checksum="")
                    & models.Q(published_at__isnull=False)
                ),
                name="statusreport_published_has_snapshot",
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="published_report_is_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="published"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("report_detail", args=[self.pk])
