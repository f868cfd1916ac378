"""Staged imports: a file checked once at upload, kept until its preview is confirmed.

Budgets and actuals (``forecasts.services.figures``) and action plans (``measures.services``)
are staged the same way. The upload page reads and checks the file once and stores the result
here: the checked rows as JSON (amounts as decimal strings), every row error, or why the file
could not be read at all. The preview and the confirmation read that result; confirming writes
the rows and discards the upload in one transaction. Uploads expire after
``ImportUpload.LIFETIME`` (a day): the selectors no longer find them, and storing a new upload
removes them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from forecasts.models import ImportUpload, Plan
from regionbudget.core.tabular import RowError

__all__ = ["import_upload_discard", "import_upload_stage"]


@transaction.atomic
def import_upload_stage(
    *,
    kind: str,
    filename: str,
    rows: list,
    errors: Sequence[RowError],
    row_count: int,
    user,
    file_error: str = "",
    content: bytes = b"",
    plan: Plan | None = None,
) -> ImportUpload:
    """Keep a checked import until its preview is confirmed; forget expired uploads.

    ``rows`` are the checked rows, already as JSON (each import module has its ``row_to_json``);
    ``row_count`` is the number of data rows in the file, good or bad. The calling service has
    checked that ``user`` may import this kind of file.
    """
    ImportUpload.objects.filter(created_at__lt=timezone.now() - ImportUpload.LIFETIME).delete()
    upload = ImportUpload(
        token=uuid.uuid4(),
        kind=kind,
        plan=plan,
        filename=filename[:255],
        content=content,
        row_count=row_count,
        rows=rows,
        errors=[error.to_json() for error in errors],
        file_error=file_error,
        created_by=user,
    )
    # The rows are checked already; validating 100 000 of them again as JSON would cost time.
    upload.full_clean(exclude=["content", "rows", "errors"])
    upload.save()
    return upload


def import_upload_discard(*, upload: ImportUpload) -> None:
    """Forget an upload once it has been written or abandoned."""
    upload.delete()
