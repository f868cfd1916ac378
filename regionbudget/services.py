"""Every write to the organisation and the roles goes through these functions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regionbudget.models import Area, AreaDirector, Meeting, StatusReport, Unit
from regionbudget.roles import ROLE_PERMISSIONS, Role
from regionbudget.selectors import report_snapshot

__all__ = [
    "area_director_bind",
    "ReportConflict",
    "ReportFrozen",
    "area_upsert",
    "meeting_create",
    "report_create",
    "report_publish",
    "report_update",
    "snapshot_checksum",
    "role_groups_sync",
    "unit_upsert",
    "user_assign_role",
    "user_upsert",
]

User = get_user_model()


@transaction.atomic
def role_groups_sync() -> None:
    """Create the role groups and give each exactly its permissions (run after every migrate)."""
    for role, perm_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        perms = []
        for name in perm_names:
            app_label, codename = name.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:  # a fresh database gets them from the same post_migrate run
                perms.append(perm)
        group.permissions.set(perms)


def area_upsert(*, code: str, name: str, position: int = 0) -> Area:
    """Create the area with ``code`` or bring its name and position up to date."""
    area, _ = Area.objects.update_or_create(
        code=code, defaults={"name": name, "position": position}
    )
    return area


def unit_upsert(*, area: Area, code: str, name: str) -> Unit:
    """Create the unit (cost centre) ``code`` in ``area`` or bring it up to date."""
    unit = Unit.objects.filter(code=code).first() or Unit(code=code)
    unit.area = area
    unit.name = name
    unit.full_clean()
    unit.save()
    return unit


def user_upsert(
    *,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
    is_superuser: bool = False,
) -> User:
    """Create the user or update their name; a password is only set for a new user."""
    user = User.objects.filter(username=username).first()
    created = user is None
    if created:
        user = User(username=username)
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.is_superuser = is_superuser
    user.is_staff = is_superuser
    if created:
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
    user.save()
    return user


@transaction.atomic
def user_assign_role(*, user: User, role: Role) -> None:
    """Give ``user`` the role (an administrator is a superuser, the others are groups)."""
    if role == Role.ADMIN:
        if not (user.is_superuser and user.is_staff):
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        return
    group, created = Group.objects.get_or_create(name=role.value)
    if created:  # normally made by migrate; give a new group its permissions
        role_groups_sync()
    user.groups.add(group)


@transaction.atomic
def area_director_bind(*, user: User, area: Area) -> AreaDirector:
    """Make ``user`` an area director of ``area`` (idempotent)."""
    user_assign_role(user=user, role=Role.AREA_DIRECTOR)
    binding, _ = AreaDirector.objects.get_or_create(user=user, area=area)
    return binding


# --- Meetings and status reports ---------------------------------------------------------------


class ReportFrozen(Exception):
    """A published report cannot change; a correction is a new report."""


class ReportConflict(Exception):
    """The report was saved by someone else since the form was opened."""

    def __init__(self, current: StatusReport) -> None:
        super().__init__("report changed since it was opened")
        self.current = current


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
    """Draft a status report for ``meeting``. A correction names the published report it
    corrects and says what it corrects."""
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
    report.full_clean()
    report.save()
    report.highlighted.set(list(highlighted))
    return report


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
) -> StatusReport:
    """Change a draft. A published report is refused; a stale form gets a conflict."""
    current = StatusReport.objects.select_for_update().get(pk=report.pk)
    if current.status == StatusReport.Status.PUBLISHED:
        raise ReportFrozen
    if current.version != expected_version:
        raise ReportConflict(current)
    current.title, current.summary, current.year = title, summary, year
    if correction_note is not None:
        current.correction_note = correction_note
    current.version += 1
    current.full_clean()
    current.save()
    current.highlighted.set(list(highlighted))
    return current


@transaction.atomic
def report_publish(*, report: StatusReport, expected_version: int, user: User) -> StatusReport:
    """Publish and freeze: store every figure the report shows, with its checksum."""
    current = StatusReport.objects.select_for_update().get(pk=report.pk)
    if current.status == StatusReport.Status.PUBLISHED:
        raise ReportFrozen
    if current.version != expected_version:
        raise ReportConflict(current)
    snapshot = report_snapshot(report=current, user=user)
    snapshot["published_at"] = timezone.now().isoformat(timespec="seconds")
    snapshot["published_by"] = user.get_full_name() or user.get_username()
    current.snapshot = snapshot
    current.checksum = snapshot_checksum(snapshot)
    current.status = StatusReport.Status.PUBLISHED
    current.published_at = timezone.now()
    current.published_by = user
    current.version += 1
    current.save()
    return current


def snapshot_checksum(snapshot: dict) -> str:
    """SHA-256 of the snapshot in a canonical form (sorted keys, no spaces)."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
