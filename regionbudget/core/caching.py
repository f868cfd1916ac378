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

Because a key names the versions its value was computed from, an entry never goes stale: it is
only superseded by a key with newer versions. So each worker also keeps the pages' bodies it read
last in its own memory (``_Recent``), and reads them from the shared cache only when a newer
version or another scope asks for one it has not got: fetching and decoding a dashboard body of
a twenty-region plan (several hundred KB) from the cache table took 7 ms of each request. Only
text is kept this way (immutable: requests can share it); other values are decoded per request
from the shared cache, so that no request changes another's copy.

A value goes to the shared cache pickled and compressed (zlib at its fastest level): the figures
of a twenty-region plan are data frames of Decimals and repeated names, 5–18 times smaller
compressed, and writing them uncompressed (pickled, base64-encoded and sent as SQL text of up to
1 MB per entry) took 90 ms of a dashboard drawn with an empty cache; compressing costs 1–2 ms.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection

__all__ = [
    "cached_data",
    "clear_cache",
    "code_digest",
    "code_version",
    "data_version",
    "data_versions",
]

T = TypeVar("T")
_TIMEOUT = 60 * 60
# What computes the cached values: the apps' Python code, the compiled translations (cached
# pages hold translated sentences) and the templates that render cached page parts.
_CODE_PATTERNS = (
    "regionbudget/**/*.py",
    "forecasts/**/*.py",
    "measures/**/*.py",
    "locale/**/*.mo",
    "templates/**/*.html",
)


class _Recent:
    """The most recently used text values of a worker, by full key: at most ``entries`` of them
    and ``chars`` characters in all (a few MB). Shared by the worker's threads."""

    def __init__(self, *, entries: int = 64, chars: int = 8_000_000):
        self.entries, self.chars = entries, chars
        self._values: OrderedDict[str, str] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: str, value: str) -> None:
        if len(value) > self.chars:
            return
        with self._lock:
            if key in self._values:
                return
            self._values[key] = value
            self._size += len(value)
            while len(self._values) > self.entries or self._size > self.chars:
                _key, old = self._values.popitem(last=False)
                self._size -= len(old)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._size = 0


_recent = _Recent()


def clear_cache() -> None:
    """Empty the shared cache and this worker's recent values: every figure is computed again.
    (Entries never go stale in use; this is for tests and benchmarks, whose rolled-back
    transactions hand out the same versions again.)"""
    cache.clear()
    _recent.clear()


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


def _pack(value) -> bytes:
    return zlib.compress(pickle.dumps(value, pickle.HIGHEST_PROTOCOL), 1)


def _unpack(packed: bytes):
    # Only this module writes these keys, from values it computed (as Django's caches do, the
    # cache's own contents are trusted to unpickle).
    return pickle.loads(zlib.decompress(packed))  # noqa: S301


def cached_data(key: str, compute: Callable[[], T], *, sources: Iterable[str]) -> T:
    """``compute()`` cached under ``key`` for the current versions of ``sources``: the tables
    ``compute`` reads, every one of them (a table left out would leave its writes unseen)."""
    versions = data_versions(sources)
    stamp = ",".join(f"{name}={version}" for name, version in versions.items())
    # Keys of the database cache are at most 255 characters; a scope may name many areas.
    full_key = "figures:" + hashlib.sha256(f"{code_version()}|{stamp}|{key}".encode()).hexdigest()
    value = _recent.get(full_key)
    if value is not None:
        return value
    packed = cache.get(full_key)
    if packed is None:
        value = compute()
        cache.set(full_key, _pack(value), _TIMEOUT)
    else:
        value = _unpack(packed)
    if isinstance(value, str):
        _recent.put(full_key, value)
    return value
