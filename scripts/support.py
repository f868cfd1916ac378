"""What the scripts share: the PostgreSQL server to work on, databases on it, and gunicorn."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]


def server_url() -> str:
    """``DATABASE_URL``, or the embedded PostgreSQL in ``.pgdata/`` (started if needed)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from regionbudget.core.database import embedded_database_url

    return embedded_database_url(ROOT / ".pgdata")


def with_database(url: str, name: str) -> str:
    """The same server, another database."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def admin_sql(url: str, sql: str) -> None:
    """Run one statement (CREATE/DROP DATABASE) on the server's ``postgres`` database."""
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def gunicorn_command(python: str, port: int, *options: str) -> list[str]:
    """The command that serves the app under gunicorn on a loopback port."""
    return [python, "-m", "gunicorn", "regionbudget.wsgi", "--bind", f"127.0.0.1:{port}", *options]


def bench_env(database_url: str) -> dict:
    """The environment of a benchmark process on ``database_url``: the production settings
    with the benchmark's URLs (``bench_settings``), plain HTTP, the demo allowed."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "DJANGO_READ_DOT_ENV": "false",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or "bench-" + "k" * 50,
        "DJANGO_HTTPS": "false",
        "DJANGO_DEBUG": "false",
        "REGIONBUDGET_DEMO": "true",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "scripts"), str(ROOT)]),
    }
