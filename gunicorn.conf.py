"""gunicorn's settings (read from this folder by ``make run``, the Docker image and the tests).

Threaded workers (``gthread``): a request that waits (for the database, a PDF, a slow client's
body when nothing buffers in front) holds one thread, not a whole worker, so a few slow requests
no longer stall every page. The defaults suit the 2-core machine of the README; each is an
environment variable. Each thread keeps its own database connection (CONN_MAX_AGE), so
PostgreSQL sees up to workers × (threads + 1) connections (10 by default).

The health check has a lane of its own (``regionbudget/gunicorn_worker.py``): gthread with a
one-thread pool for complete ``GET``/``HEAD /healthz`` requests, so a probe does not queue
behind the pages of a saturated worker and a monitor sees a busy application as up. The thread
count stays at 4: the load test saturates the two cores (password hashing at login, page
rendering), and more threads per worker add waiting, not throughput.

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


worker_class = "regionbudget.gunicorn_worker.ProbeLaneThreadWorker"
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
