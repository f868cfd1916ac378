"""Optimistic locking: a write names the version the user saw, and never overwrites a newer one.

Every guarded row (a forecast, a measure, a status report) has a ``version`` that grows by one
with each change. ``update_versioned`` writes in one conditional statement,
``UPDATE … SET version = version + 1, … WHERE … AND version = <the version the user saw>``, so
two people saving at the same moment cannot both win: PostgreSQL lets the second UPDATE wait
for the first, and then it finds the row at another version and updates nothing. That save
raises ``Conflict`` carrying the row as it is stored now, for the page to show both versions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

from django.db import connection
from django.db.models import F, Model, Q, QuerySet

__all__ = ["Conflict", "WrongState", "advisory_slot", "update_versioned"]

M = TypeVar("M", bound=Model)


class Conflict(Exception):
    """Someone else changed the row since the user read it; nothing was written. ``current`` is
    the row as stored now (None when it is gone)."""

    def __init__(self, current: Model | None, message: str | None = None) -> None:
        super().__init__(message or "The row was changed by someone else.")
        self.current = current


class WrongState(Exception):
    """The row is still at the version the user saw, but not in a state that allows the change
    (the ``when`` of ``update_versioned``); nothing was written. ``current`` is the stored row."""

    def __init__(self, current: Model) -> None:
        super().__init__("The row is not in a state that allows this change.")
        self.current = current


def update_versioned(
    rows: QuerySet[M],
    *,
    expected_version: int,
    when: Q | None = None,
    conflict: type[Conflict] = Conflict,
    **changes,
) -> None:
    """Write ``changes`` to the row ``rows`` selects and raise its version by one, if it is still
    at ``expected_version`` (and matches ``when``, e.g. a status that allows the change).

    Otherwise nothing is written, and the row is read again (``rows`` may ``select_related``
    what the conflict page shows): at another version, or gone, it is ``conflict(current)``
    (``Conflict`` or a subclass of it); at the expected version but not matching ``when``, it is
    ``WrongState(current)``. Fields that ``save()`` would set (``auto_now``) are not set by an
    UPDATE: pass them in ``changes``.
    """
    guarded = rows.filter(version=expected_version)
    if when is not None:
        guarded = guarded.filter(when)
    if guarded.update(version=F("version") + 1, **changes):
        return
    current = rows.first()
    if current is None or current.version != expected_version:
        raise conflict(current)
    raise WrongState(current)


@contextmanager
def advisory_slot(namespace: int, keys: list[int]) -> Iterator[int | None]:
    """Take the first free of PostgreSQL's advisory locks ``(namespace, key)`` for ``keys``
    without waiting, and hold it for the block; yields the key taken, or None when all are held.

    A limit on work done at once that holds across every worker process: the locks live in the
    database, and a worker that dies releases them with its connection."""
    taken = None
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, key])
            if cursor.fetchone()[0]:
                taken = key
                break
    try:
        yield taken
    finally:
        if taken is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, taken])
