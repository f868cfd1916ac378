"""Caching of the gap figures, invalidated by the database itself.

Statement-level triggers (``regionbudget.core.models.GapVersionTrigger``, declared with
django-pgtrigger in the ``Meta.triggers`` of every model behind the gap figures) raise the
``gap`` counter in ``DataVersion`` once per insert, update, delete or truncate statement on those
tables. Pages key their cache by that counter, so no write path can forget to invalidate — bulk
writes and imports included.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection

__all__ = ["GAP", "cached_gap_data", "gap_version"]

GAP = "gap"
_TIMEOUT = 60 * 60


def gap_version() -> int:
    """The current counter (one small query)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM regionbudget_dataversion WHERE name = %s", [GAP])
        row = cursor.fetchone()
    return row[0] if row else 0


def cached_gap_data(key: str, compute):
    """``compute()`` cached under ``key`` for the current data version."""
    full_key = f"gap:{gap_version()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, _TIMEOUT)
    return value
