"""gunicorn's settings (read from this folder by ``make run``, the Docker image and the tests).

Threaded workers (``gthread``): a request that waits (for the database, a PDF, a slow client's
body when nothing buffers in front) holds one thread, not a whole worker, so a few slow requests
no longer stall every page. The defaults suit the 2-core machine of the README; each is an
environment variable. Each thread keeps its own database connection (CONN_MAX_AGE), so
PostgreSQL sees up to workers × threads connections (8 by default).

Timeouts, from the inside out: a database statement is cancelled after
DATABASE_STATEMENT_TIMEOUT (15 s) and a wait for a lock after DATABASE_LOCK_TIMEOUT (5 s), both
answered with the application's own 503 page; gunicorn restarts a worker that stops answering
after GUNICORN_TIMEOUT (30 s); nginx (docker-compose.yml) gives up after 40 s.
"""

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}.") from None
    if value < 1:
        raise SystemExit(f"{name} must be 1 or more, got {value}.")
    return value


worker_class = "gthread"
workers = _int("GUNICORN_WORKERS", 2)
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = 20
# Idle keep-alive connections are closed soon, so they do not hold threads.
keepalive = 5
# Guard against headers that never end.
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"
