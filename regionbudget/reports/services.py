"""Every write to meetings and status reports goes through these functions.

Status reports are finance's (``regionbudget.core.access``); a draft is guarded by its version
(``regionbudget.core.locking``) and a published report is frozen.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from regionbudget.core import access
from regionbudget.core.locking import Conflict, WrongState, update_versioned
from regionbudget.reports.models import Meeting, ReportPdf, StatusReport
from regionbudget.reports.selectors import report_snapshot

__all__ = [
    "ReportConflict",
    "ReportFrozen",
    "meeting_create",
    "report_create",
    "report_pdf_keep",
    "report_publish",
    "report_update",
    "snapshot_checksum",
]

User = get_user_model()


class ReportFrozen(Exception):
    """A published report cannot change; a correction is a new report."""


class ReportConflict(Conflict):
    """The report was saved by someone else since the form was opened."""

    def __init__(self, current: StatusReport) -> None:
        super().__init__(current, "report changed since it was opened")


def _draft_at(report: StatusReport, expected_version: int) -> StatusReport:
    """The stored draft of ``report`` if it is still at ``expected_version``. A published report
    is frozen whatever its version (``ReportFrozen``); another version is a ``ReportConflict``."""
    current = StatusReport.objects.get(pk=report.pk)
    if current.status == StatusReport.Status.PUBLISHED:
        raise ReportFrozen
    if current.version != expected_version:
        raise ReportConflict(current)
    return current


def _draft_save(current: StatusReport, expected_version: int, fields: list[str]) -> None:
    """Store ``fields`` of a draft read at ``expected_version`` with one conditional UPDATE
    (``regionbudget.core.locking``): a write by someone else since it was read is refused in
    the same way as in ``_draft_at``, and nothing is written."""
    current.updated_at = timezone.now()
    try:
        update_versioned(
            StatusReport.objects.filter(pk=current.pk),
            expected_version=expected_version,
            when=Q(status=StatusReport.Status.DRAFT),
            updated_at=current.updated_at,
            **{name: getattr(current, name) for name in fields},
        )
    except (Conflict, WrongState) as refused:
        if refused.current is not None and refused.current.status == StatusReport.Status.PUBLISHED:
            raise ReportFrozen from None
        raise ReportConflict(refused.current) from None
    current.version = expected_version + 1


def meeting_create(*, committee: str, date: dt.date, title: str) -> Meeting:
    """Create a committee meeting."""
    meeting = Meeting(committee=committee, date=date, title=title)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def report_create(
    *,
    meeting: Meeting,
    plan,
    year: int,
    title: str,
    summary: str = "",
    highlighted: Iterable = (),
    corrects: StatusReport | None = None,
    correction_note: str = "",
    user: User,
) -> StatusReport:
    """Draft a status report for ``meeting`` (finance). A correction names the published report
    it corrects and says what it corrects."""
    access.require_finance(user, _("Only finance staff may do this."))
    if corrects is not None and corrects.status != StatusReport.Status.PUBLISHED:
        raise ValidationError(_("Only a published report can be corrected."))
    if corrects is not None and not correction_note.strip():
        raise ValidationError({"correction_note": _("Say what the correction corrects.")})
    report = StatusReport(
        meeting=meeting,
        plan=plan,
        year=year,
        title=title,
        summary=summary,
        corrects=corrects,
        correction_note=correction_note,
        created_by=user,
    )
    highlighted = list(highlighted)
    _refuse_other_plans_measures(plan, highlighted)
    report.full_clean()
    report.save()
    report.highlighted.set(highlighted)
    return report


def _refuse_other_plans_measures(plan, measures: list) -> None:
    """A report highlights only measures of its own plan."""
    others = sorted(m.code for m in measures if m.plan_id != plan.pk)
    if others:
        raise ValidationError(
            {
                "highlighted": _("%(measures)s belong to another plan than the report's.")
                % {"measures": ", ".join(others)}
            }
        )


@transaction.atomic
def report_update(
    *,
    report: StatusReport,
    expected_version: int,
    title: str,
    summary: str,
    year: int,
    highlighted: Iterable = (),
    correction_note: str | None = None,
    user: User,
) -> StatusReport:
    """Change a draft (finance). A published report is refused; a stale form gets a conflict."""
    access.require_finance(user, _("Only finance staff may do this."))
    current = _draft_at(report, expected_version)
    current.title, current.summary, current.year = title, summary, year
    if correction_note is not None:
        current.correction_note = correction_note
    highlighted = list(highlighted)
    _refuse_other_plans_measures(current.plan, highlighted)
    current.full_clean()
    _draft_save(current, expected_version, ["title", "summary", "year", "correction_note"])
    current.highlighted.set(highlighted)
    return current


@transaction.atomic
def report_publish(*, report: StatusReport, expected_version: int, user: User) -> StatusReport:
    """Publish and freeze (finance): store every figure the report shows, with its checksum."""
    access.require_finance(user, _("Only finance staff may do this."))
    current = _draft_at(report, expected_version)
    snapshot = report_snapshot(report=current, user=user)
    snapshot["published_at"] = timezone.now().isoformat(timespec="seconds")
    snapshot["published_by"] = user.get_full_name() or user.get_username()
    current.snapshot = snapshot
    current.checksum = snapshot_checksum(snapshot)
    current.status = StatusReport.Status.PUBLISHED
    current.published_at = timezone.now()
    current.published_by = user
    # Stored only if the draft is still the version the snapshot was taken from.
    _draft_save(
        current,
        expected_version,
        ["snapshot", "checksum", "status", "published_at", "published_by"],
    )
    return current


def snapshot_checksum(snapshot: dict) -> str:
    """SHA-256 of the snapshot in a canonical form (sorted keys, no spaces)."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def report_pdf_keep(*, report: StatusReport, language: str, content: bytes) -> None:
    """Keep the PDF of a published report (made once; a second one made at the same moment by
    another worker is the same document and is dropped)."""
    if report.status != StatusReport.Status.PUBLISHED:
        raise ReportFrozen("only a published report's PDF is kept")
    try:
        with transaction.atomic():
            ReportPdf.objects.get_or_create(
                report=report,
                language=language,
                defaults={"checksum": report.checksum, "content": content},
            )
    except IntegrityError:
        pass
