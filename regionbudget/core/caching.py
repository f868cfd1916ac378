"""Caching of computed figures, invalidated by the database itself, source by source.

Statement-level triggers (``regionbudget.core.models.GapVersionTrigger``, declared with
django-pgtrigger in the ``Meta.triggers`` of every model behind cached figures) raise the version
of their table in ``DataVersion`` once per insert, update, delete or truncate statement. A cached
value is keyed by the versions of exactly the sources (tables) it reads, so no write path can
forget to invalidate it — bulk writes, imports and SQL by hand included —, and a write to a table
it does not read leaves it alone.

Why this is correct: a trigger raises a version inside the writing transaction, so the new
version becomes visible at the same moment as the data. A reader reads all the versions of its
sources in one statement (one snapshot) *before* it reads the data: the data it computes from is
therefore never older than the versions in its key. It may be newer (a writer committed in
between): then the key is already outdated, and the next reader, who sees the new version,
computes again. What can never happen is figures from old data under a key that stays current.

Why per-source rows and not one counter: a writer holds the counter row it raised locked until
it commits. With one row for everything, a measure edit waited for a whole import to finish; with
one row per table it waits only for writers of the same table. (A lock-free counter, e.g. a
sequence read by readers, would break the argument above: the version would move before the data
is visible, and a reader could cache old data under the new version.)

The cache is Django's ``default`` cache: PostgreSQL's own cache table unless ``CACHE_URL`` says
otherwise (``regionbudget.settings``), shared by every worker process and host. It outlives a
restart, so every key also holds a digest of the code and translations that compute the values
(``code_version``): after an upgrade, figures are computed by the new code, not read from what
the old one left, while hosts running the same code still share their entries.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection

__all__ = ["cached_data", "code_digest", "code_version", "data_version", "data_versions"]

T = TypeVar("T")
_TIMEOUT = 60 * 60
# What computes the cached values: the apps' Python code and the compiled translations (cached
# pages hold translated sentences).
_CODE_PATTERNS = ("regionbudget/**/*.py", "forecasts/**/*.py", "measures/**/*.py", "locale/**/*.mo")


def code_digest(root: Path, patterns: Iterable[str] = _CODE_PATTERNS) -> str:
    """A digest of the names and contents of the files under ``root`` matching ``patterns``: the
    same on every host with the same code, different after any change to it."""
    digest = hashlib.sha256()
    files = sorted({path for pattern in patterns for path in root.glob(pattern) if path.is_file()})
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


@functools.cache
def code_version() -> str:
    """``code_digest`` of the running application, computed once per process."""
    return code_digest(Path(settings.BASE_DIR))


def data_versions(sources: Iterable[str]) -> dict[str, int]:
    """The current version of each source (a table name), 0 for one never written; one query."""
    names = sorted(set(sources))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, version FROM regionbudget_dataversion WHERE name = ANY(%s)", [names]
        )
        found = dict(cursor.fetchall())
    return {name: found.get(name, 0) for name in names}


def data_version(source: str) -> int:
    """The current version of one source (a table name)."""
    return data_versions([source])[source]


def cached_data(key: str, compute: Callable[[], T], *, sources: Iterable[str]) -> T:
    """``compute()`` cached under ``key`` for the current versions of ``sources``: the tables
    ``compute`` reads, every one of them (a table left out would leave its writes unseen)."""
    versions = data_versions(sources)
    stamp = ",".join(f"{name}={version}" for name, version in versions.items())
    # Keys of the database cache are at most 255 characters; a scope may name many areas.
    full_key = "figures:" + hashlib.sha256(f"{code_version()}|{stamp}|{key}".encode()).hexdigest()
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.set(full_key, value, _TIMEOUT)
    return value
