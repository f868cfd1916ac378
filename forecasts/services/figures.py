"""Writes of budgets and actuals imported from the finance system, and of their staged uploads.

An import replaces the figures of the periods it covers, per unit: for every unit and year
(budget) or unit and month (actuals) in the file, the file's rows become the figures and rows of
that unit and period missing from the file are removed. Unchanged rows are not touched, so
importing the same file twice changes nothing. Old values stay in the trigger-written history.

The rows go to a temporary staging table (``selectors.import_stage``: from a staged upload's
JSON inside the database, or by COPY) and from there in two set-based statements, never a save
per row: 100 000 rows take a few seconds, triggers included.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.translation import gettext as _

from forecasts import imports, selectors
from forecasts.imports import FigureRow
from forecasts.models import AccountGroup, ImportUpload
from forecasts.services.uploads import import_upload_discard, import_upload_stage
from regionbudget.core import access
from regionbudget.core.gc_pause import collector_paused

__all__ = [
    "FigureRow",
    "account_group_upsert",
    "ReplaceNotConfirmed",
    "ReplaceResult",
    "figures_replace",
    "import_upload_recheck",
    "import_upload_store",
    "import_upload_write",
]


@dataclass(frozen=True)
class ReplaceResult:
    """How many rows an import created, changed and removed."""

    created: int
    updated: int
    deleted: int


def _require_finance(user) -> None:
    access.require_finance(user, _("Only finance staff may import budgets and actuals."))


def account_group_upsert(*, code: str, name: str, kind: str, position: int) -> AccountGroup:
    """Create the account group ``code`` or bring its name, kind and position up to date
    (only saved when something changed, so the history shows real changes only)."""
    group = AccountGroup.objects.filter(code=code).first()
    if group is not None and (group.name, group.kind, group.position) == (name, kind, position):
        return group
    group = group or AccountGroup(code=code)
    group.name, group.kind, group.position = name, kind, position
    group.full_clean()
    group.save()
    return group


class ReplaceNotConfirmed(Exception):
    """An import would change or remove stored figures, and replacing them was not confirmed
    (nothing is written)."""


@transaction.atomic
def figures_replace(*, kind: str, rows: Sequence[FigureRow], user) -> ReplaceResult:
    """Make ``rows`` the figures of the units and periods they cover (all or nothing).

    ``kind`` is ``ImportUpload.Kind.BUDGET`` (rows without a month) or ``ACTUAL``.
    """
    _require_finance(user)
    if kind not in imports.COLUMNS:
        raise ValueError(f"unknown kind {kind!r}")
    stage = selectors.import_stage(kind=kind, rows=rows)
    return _replace_staged(stage, replace=True)


def _replace_staged(stage: selectors.ImportStage, *, replace: bool) -> ReplaceResult:
    """Make the staged rows (``selectors.import_stage``) the figures of the units and periods
    they cover; with ``replace`` False, raise ``ReplaceNotConfirmed`` rather than change or
    remove a stored figure. Runs in the caller's transaction."""
    table, key = stage.table, stage.key
    columns = ", ".join([*key, "amount"])
    with connection.cursor() as cursor:
        # Rows of a covered unit and period that the file no longer has.
        cursor.execute(
            f"DELETE FROM {table} t WHERE {stage.covered} AND NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM forecasts_import_stage s WHERE {stage.same_key})"
        )
        deleted = cursor.rowcount
        if deleted and not replace:
            raise ReplaceNotConfirmed
        # Counted in the database: the flags of 100 000 rows are not worth sending.
        cursor.execute(
            f"WITH written AS (INSERT INTO {table} AS t ({columns}) SELECT {columns} "  # noqa: S608
            f"FROM forecasts_import_stage ON CONFLICT ({', '.join(key)}) "
            "DO UPDATE SET amount = EXCLUDED.amount "
            "WHERE t.amount IS DISTINCT FROM EXCLUDED.amount "
            "RETURNING (xmax = 0) AS created) "
            "SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created) "
            "FROM written"
        )
        created, updated = cursor.fetchone()
        if updated and not replace:
            raise ReplaceNotConfirmed
    return ReplaceResult(created=created, updated=updated, deleted=deleted)


def _parse(*, kind: str, filename: str, content: bytes) -> tuple[imports.ParsedFigures, str]:
    """The checked rows of a file, and why it cannot be read at all ("" when it can)."""
    units, groups = selectors.import_lookups()
    try:
        parsed = imports.parse_figures(
            io.BytesIO(content),
            filename=filename,
            kind=kind,
            units=units,
            groups=groups,
            max_bytes=imports.MAX_BYTES,
            max_rows=imports.MAX_ROWS,
        )
    except imports.TableFileError as exc:
        return imports.ParsedFigures(kind=kind), exc.message
    return parsed, ""


def import_upload_store(*, kind: str, filename: str, content: bytes, user) -> ImportUpload:
    """Read and check a budget or actuals file once, and keep the result (and the file) until
    its preview is confirmed; forget uploads older than a day.

    A file that cannot be read at all is kept too, with the reason in ``file_error``: the
    preview tells it.
    """
    _require_finance(user)
    if kind not in imports.COLUMNS:
        raise ValueError(f"unknown kind {kind!r}")
    with collector_paused():  # the rows of a large file are many small objects
        parsed, file_error = _parse(kind=kind, filename=filename, content=content)
        return import_upload_stage(
            kind=kind,
            filename=filename,
            content=content,
            rows=[imports.row_to_json(row) for row in parsed.rows],
            errors=parsed.errors,
            file_error=file_error,
            row_count=parsed.row_count,
            user=user,
        )


def import_upload_recheck(*, upload: ImportUpload, user) -> ImportUpload:
    """Check a staged file again against the units and account groups as they are now (one of
    them was removed since the upload), and keep the new result in the upload."""
    _require_finance(user)
    with collector_paused():
        parsed, file_error = _parse(
            kind=upload.kind, filename=upload.filename, content=bytes(upload.content)
        )
        upload.rows = [imports.row_to_json(row) for row in parsed.rows]
        upload.errors = [error.to_json() for error in parsed.errors]
        upload.file_error, upload.row_count = file_error, parsed.row_count
        upload.save(update_fields=["rows", "errors", "file_error", "row_count"])
    return upload


@transaction.atomic
def import_upload_write(*, upload: ImportUpload, replace: bool, user) -> ReplaceResult:
    """Write a checked upload's rows and forget the upload, in one transaction: either the
    figures are stored and the upload is gone, or (say the connection is lost) neither, and the
    upload can be confirmed again.

    ``replace`` is the user's confirmation that stored figures may change or go; without it an
    upload that would change or remove one raises ``ReplaceNotConfirmed`` and writes nothing.
    The rows go from the upload's stored JSON to the staging table inside the database: 100 000
    rows are never decoded in Python again.
    """
    _require_finance(user)
    stage = selectors.import_stage(kind=upload.kind, upload=upload)
    result = _replace_staged(stage, replace=replace)
    import_upload_discard(upload=upload)
    return result
