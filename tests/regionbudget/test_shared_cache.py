"""The cache is shared: what one process computed, another reads, and a write seen by the data
versions makes both compute again. Each process here is a real one (its own Python, its own
connection), run with the production settings' default cache: PostgreSQL's cache table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]

# Run in a separate process: computes under ``key`` (or reads what another process computed),
# optionally writes to the measures table in between, and prints what it got and the backend.
SCRIPT = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.db import connection
from regionbudget.core.caching import cached_data

key, name, write = sys.argv[1], sys.argv[2], sys.argv[3] == "write"
got = [cached_data(key, lambda: name, sources=["measures_measure"])]
if write:
    with connection.cursor() as cursor:  # a statement on the table: its version moves
        cursor.execute("UPDATE measures_measure SET title = title WHERE false")
    got.append(cached_data(key, lambda: name, sources=["measures_measure"]))
print(json.dumps({"got": got, "backend": settings.CACHES["default"]["BACKEND"]}))
"""


def _run(key: str, name: str, *, write: bool = False) -> dict:
    s = connection.settings_dict
    host, port = s["HOST"] or "127.0.0.1", s["PORT"] or 5432
    if host.startswith("/"):  # the embedded PostgreSQL: a socket folder, as its own URL has it
        url = f"postgres://{s['USER']}@/{s['NAME']}?host={quote(host)}&port={port}"
    else:
        url = f"postgres://{s['USER']}@{host}:{port}/{s['NAME']}"
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "regionbudget.settings",
        "DATABASE_URL": url,
        "DJANGO_SECRET_KEY": "shared-cache-test-" + "x" * 40,
        "DJANGO_HTTPS": "false",
        "DJANGO_READ_DOT_ENV": "false",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, key, name, "write" if write else "read"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_processes_share_one_cache_entry_until_the_data_changes():
    key = f"shared-test:{uuid.uuid4()}"
    first = _run(key, "first")
    assert first == {
        "got": ["first"],
        "backend": "django.core.cache.backends.db.DatabaseCache",
    }
    # Another process reads what the first computed, then writes: it computes its own.
    second = _run(key, "second", write=True)
    assert second["got"] == ["first", "second"]
    # The entries live in PostgreSQL's cache table (not in either process).
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM regionbudget_cache WHERE expires > now()")
        assert cursor.fetchone()[0] >= 2
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'regionbudget_cache'")
        assert cursor.fetchone()[0] == "u", "the cache table is UNLOGGED"
