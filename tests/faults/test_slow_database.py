"""A slow database or a locked table: pages answer the application's own 503 page ("try again in
a minute") within the configured timeouts instead of hanging until a worker timeout, /healthz
says "degraded", and everything recovers by itself when the lock is gone.

A second connection holds ``LOCK TABLE … IN ACCESS EXCLUSIVE MODE`` (as a long migration or a
``VACUUM FULL`` would) on the measure register's table. The application's connection gets short
timeouts (1 s lock, 3 s statement) the way production gets its own (``DATABASE_LOCK_TIMEOUT``,
``DATABASE_STATEMENT_TIMEOUT``).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.test import Client

from regionbudget.core.database import timeout_options
from tests.faults.test_database_outage import _session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
LOCK_SECONDS = 1
STATEMENT_SECONDS = 3
# Generous: the lock timeout plus the page's own work on a busy 2-core machine.
ANSWER_WITHIN = LOCK_SECONDS + 6


@contextmanager
def _table_locked(table: str = "measures_measure"):
    """Hold an exclusive lock on ``table`` from a second connection until the block ends."""
    other = connections.create_connection("default")
    other.set_autocommit(False)
    try:
        with other.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        yield
    finally:
        other.rollback()
        other.close()


@pytest.fixture
def short_timeouts():
    """The application's connection, reconnected with short statement and lock timeouts."""
    options = connection.settings_dict.setdefault("OPTIONS", {})
    before = options.get("options")
    connection.close()
    options["options"] = timeout_options(
        statement_seconds=STATEMENT_SECONDS, lock_seconds=LOCK_SECONDS
    )
    yield
    connection.close()
    if before is None:
        options.pop("options", None)
    else:
        options["options"] = before


def _finance() -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username="ekonom"))
    return client


def test_the_configured_timeouts_reach_every_connection(demo_committed, short_timeouts):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        statement = cursor.fetchone()[0]
        cursor.execute("SHOW lock_timeout")
        lock = cursor.fetchone()[0]
    assert (statement, lock) == (f"{STATEMENT_SECONDS}s", f"{LOCK_SECONDS}s")


def test_a_locked_table_gives_the_503_page_and_the_app_recovers(demo_committed, short_timeouts):
    finance = _finance()
    assert finance.get("/measures/").status_code == 200
    assert finance.get("/healthz").status_code == 200

    with _table_locked():
        started = time.monotonic()
        response = finance.get("/measures/")
        seconds = time.monotonic() - started
        body = response.content.decode()
        assert response.status_code == 503
        assert seconds < ANSWER_WITHIN, f"the page took {seconds:.1f} s"
        assert "Tillfälligt otillgänglig" in body and "Försök igen om en minut" in body
        assert response["Retry-After"] == "30"
        assert "Traceback" not in body and "LockNotAvailable" not in body

        english = _finance()
        english.cookies["django_language"] = "en"
        page = english.get("/measures/").content.decode()
        assert "Temporarily unavailable" in page and "try again in a minute" in page

        health = finance.get("/healthz")
        assert health.status_code == 503
        assert json.loads(health.content) == {"status": "degraded", "database": "slow"}
        # pages that do not read the locked table still answer (the home page does: its
        # balance requirement flag counts the plan's measures)
        assert finance.get("/forecasts/rounds/").status_code == 200

    assert finance.get("/measures/").status_code == 200, "recovers by itself"
    assert finance.get("/healthz").status_code == 200


def test_a_save_waiting_on_a_lock_writes_nothing_and_can_be_sent_again(
    demo_committed, short_timeouts
):
    from measures.models import Measure
    from tests.measures.helpers import measure_edit_data

    measure = Measure.objects.get(code="M01")
    finance = _finance()
    data = measure_edit_data(measure, title="Smarta inköp (ny titel)")
    with _table_locked():
        response = finance.post(f"/measures/{measure.pk}/edit/", data)
        assert response.status_code == 503
        assert "Inget sparades" in response.content.decode()
    measure.refresh_from_db()
    assert measure.title != "Smarta inköp (ny titel)"
    response = finance.post(f"/measures/{measure.pk}/edit/", data)
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.title == "Smarta inköp (ny titel)"


# --- the same under gunicorn, as production runs it (gunicorn.conf.py: threaded workers) --------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, method: str = "GET", cookie: str = "") -> tuple[int, bytes, float, dict]:
    started = time.monotonic()
    request = urllib.request.Request(
        url, method=method, headers={"Cookie": cookie} if cookie else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, body, headers = response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        status, body, headers = error.code, error.read(), dict(error.headers)
    return status, body, time.monotonic() - started, headers


def _database_url() -> str:
    d = connection.settings_dict
    host = d["HOST"] or "127.0.0.1"
    auth = d["USER"] + (f":{d['PASSWORD']}" if d["PASSWORD"] else "")
    if host.startswith("/"):  # the embedded server's socket folder
        return f"postgresql://{auth}@/{d['NAME']}?host={host}"
    return f"postgresql://{auth}@{host}:{d['PORT'] or 5432}/{d['NAME']}"


@pytest.fixture
def gunicorn(demo_committed):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "regionbudget.settings_test",
        "DJANGO_READ_DOT_ENV": "false",
        "DATABASE_URL": _database_url(),
        "DATABASE_LOCK_TIMEOUT": str(LOCK_SECONDS),
        "DATABASE_STATEMENT_TIMEOUT": str(STATEMENT_SECONDS),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "regionbudget.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if _request(base + "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(10)


def test_under_gunicorn_a_locked_table_gives_the_503_page_and_the_app_recovers(gunicorn):
    base = gunicorn
    cookie = _session_cookie(base)
    assert _request(base + "/measures/", cookie=cookie)[0] == 200
    # monitors that check with HEAD see the application as up (no body)
    status, body, _, _ = _request(base + "/healthz", method="HEAD")
    assert (status, body) == (200, b"")

    with _table_locked():
        status, body, seconds, headers = _request(base + "/measures/", cookie=cookie)
        assert status == 503
        assert seconds < ANSWER_WITHIN, f"the page took {seconds:.1f} s"
        assert "Försök igen om en minut" in body.decode()
        assert headers.get("Retry-After") == "30"
        status, body, _, _ = _request(base + "/healthz")
        assert status == 503 and json.loads(body)["status"] == "degraded"
        assert _request(base + "/healthz", method="HEAD")[:2] == (503, b"")

    assert _request(base + "/measures/", cookie=cookie)[0] == 200, "recovers by itself"
    assert _request(base + "/healthz")[0] == 200


def test_a_save_that_waits_too_long_for_a_lock_keeps_the_input_and_says_why(
    demo_committed, short_timeouts
):
    """Reads go on while the planned effects are locked against writes (as during an import):
    the save itself waits, is cancelled after the lock timeout, and the form comes back."""
    from measures.models import Measure
    from tests.measures.helpers import measure_edit_data

    measure = Measure.objects.get(code="M03")
    finance = _finance()
    data = measure_edit_data(measure, title="Ny titel under lås", planned="7")
    other = connections.create_connection("default")
    other.set_autocommit(False)
    try:
        with other.cursor() as cursor:
            cursor.execute('LOCK TABLE "measures_plannedeffect" IN EXCLUSIVE MODE')
        response = finance.post(f"/measures/{measure.pk}/edit/", data)
    finally:
        other.rollback()
        other.close()
    body = response.content.decode()
    assert response.status_code == 503
    assert "Databasen är upptagen och svarade inte i tid. Inget sparades." in body
    assert 'value="Ny titel under lås"' in body
    measure.refresh_from_db()
    assert measure.title != "Ny titel under lås"
    assert finance.post(f"/measures/{measure.pk}/edit/", data).status_code == 302
