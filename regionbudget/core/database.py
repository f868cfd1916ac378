"""Where the database comes from: ``DATABASE_URL``, or an embedded PostgreSQL.

PostgreSQL is the only database the application supports. With ``DATABASE_URL`` set, that server
is used. Without it, an embedded PostgreSQL (the ``pgserver`` package) is started in a data folder
of the project and reused by every later process, so that a newcomer installs no server. There is
no fallback to another database engine.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

__all__ = ["database_settings", "embedded_database_url", "is_timeout", "timeout_options"]

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}


def _validate_url(url: str) -> None:
    """Raise ImproperlyConfigured, naming DATABASE_URL, unless the URL is a PostgreSQL URL."""
    example = "postgresql://USER:PASSWORD@HOST:5432/DBNAME"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a non-numeric port
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL is not a valid URL ({exc}). Expected {example}."
        ) from None
    if parts.scheme not in POSTGRES_SCHEMES:
        shown = parts.scheme or "none"
        raise ImproperlyConfigured(
            f"DATABASE_URL must point to PostgreSQL (scheme postgresql://), got scheme "
            f"'{shown}'. Expected {example}, or leave DATABASE_URL unset to use the embedded "
            "PostgreSQL."
        )
    if not parts.path.strip("/"):
        raise ImproperlyConfigured(
            f"DATABASE_URL names no database (the part after the last '/'). Expected {example}."
        )
    if port is not None and not 0 < port < 65536:
        raise ImproperlyConfigured(f"DATABASE_URL has an invalid port {port}.")


def embedded_database_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL in ``data_dir`` and return its URL.

    The server is left running when this process exits (``cleanup_mode=None``) so that the
    next command, the web server and the tests all reuse it; ``make stop-db`` stops it.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImproperlyConfigured(
            "DATABASE_URL is not set and the embedded PostgreSQL (package 'pgserver') is not "
            "installed. Set DATABASE_URL to a PostgreSQL server, or run 'make install'."
        ) from None
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            server = pgserver.get_server(data_dir, cleanup_mode=None)
    except Exception as exc:  # pgserver raises plain exceptions with the server's log
        raise ImproperlyConfigured(
            f"DATABASE_URL is not set and the embedded PostgreSQL in {data_dir} could not be "
            f"started: {str(exc).strip().splitlines()[-1] if str(exc).strip() else exc!r}. "
            "Set DATABASE_URL to a PostgreSQL server, or remove the folder to start afresh."
        ) from None
    return server.get_uri()


def database_settings(env: environ.Env, *, embedded_dir: Path) -> dict:
    """Return Django's ``DATABASES['default']`` for ``DATABASE_URL`` or the embedded server."""
    url = env.str("DATABASE_URL", default="").strip()
    if url:
        _validate_url(url)
    else:
        url = embedded_database_url(embedded_dir)
    config = environ.Env.db_url_config(url)
    config["ENGINE"] = "django.db.backends.postgresql"
    options = config.setdefault("OPTIONS", {})
    if "host" in options:  # a Unix socket folder given as ?host=/path (the embedded server)
        config["HOST"] = options.pop("host")
    # Persistent connections: a new connection per request is an order of magnitude slower.
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    # Drop a connection that died (e.g. the server restarted) instead of failing the request.
    config["CONN_HEALTH_CHECKS"] = True
    # Fail fast when the server is unreachable, so that users get a clear 503 page quickly.
    options.setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3))
    # Fail fast when the server is slow or a table is locked: a statement or a wait for a lock
    # that takes longer is cancelled, and the page is the 503 page ("try again in a minute"),
    # well before gunicorn's worker timeout or the proxy's would cut the request off.
    timeouts = timeout_options(
        statement_seconds=_seconds(env, "DATABASE_STATEMENT_TIMEOUT", 15),
        lock_seconds=_seconds(env, "DATABASE_LOCK_TIMEOUT", 5),
    )
    if timeouts:
        options["options"] = f"{options.get('options', '')} {timeouts}".strip()
    return config


def _seconds(env: environ.Env, name: str, default: float) -> float:
    raw = env.str(name, default="").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, got {raw!r}.") from None


def timeout_options(*, statement_seconds: float, lock_seconds: float) -> str:
    """libpq's ``options`` that set ``statement_timeout`` and ``lock_timeout`` for every session
    (in milliseconds; 0 switches a timeout off). Negative values are configuration errors."""
    parts = []
    for name, variable, seconds in (
        ("statement_timeout", "DATABASE_STATEMENT_TIMEOUT", statement_seconds),
        ("lock_timeout", "DATABASE_LOCK_TIMEOUT", lock_seconds),
    ):
        if not seconds >= 0:  # also NaN
            raise ImproperlyConfigured(f"{variable} must be 0 or more seconds, got {seconds}.")
        parts.append(f"-c {name}={round(seconds * 1000)}")
    return " ".join(parts)


# PostgreSQL's codes for a statement cancelled by statement_timeout, and for lock_timeout.
TIMEOUT_SQLSTATES = {"57014", "55P03"}


def is_timeout(error: BaseException) -> bool:
    """Whether a database error is a statement or lock timeout (the server is slow or a table is
    locked), rather than a lost or refused connection."""
    cause = error.__cause__ if error.__cause__ is not None else error
    return getattr(cause, "sqlstate", None) in TIMEOUT_SQLSTATES
