"""Committee meetings and the status reports published for them."""

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

__all__ = ["Meeting", "ReportPdf", "StatusReport"]


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


# The longest summary the report form accepts (a text column has no limit of its own).
SUMMARY_MAX_LENGTH = 10000


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


class ReportPdf(models.Model):
    """The PDF of a published report in one language, made once and kept: a published report
    never changes (``checksum`` is the report's when the PDF was made)."""

    report = models.ForeignKey(
        StatusReport, on_delete=models.CASCADE, related_name="pdfs", verbose_name=_("report")
    )
    language = models.CharField(_("language"), max_length=10)
    checksum = models.CharField(_("checksum"), max_length=64)
    content = models.BinaryField(_("PDF"))
    created_at = models.DateTimeField(_("made"), auto_now_add=True)

    class Meta:
        verbose_name = _("report PDF")
        verbose_name_plural = _("report PDFs")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "language"], name="reportpdf_one_per_report_and_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report} ({self.language})"
