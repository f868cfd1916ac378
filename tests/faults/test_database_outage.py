"""With PostgreSQL stopped the app answers a clear 503 within 5 seconds, and recovers by itself.

Runs gunicorn against a PostgreSQL of its own (the embedded server in a temporary folder), stops
that server in the middle, and starts it again: no restart of the application.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pgserver
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, cookie: str = "") -> tuple[int, str, float]:
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, body = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, body = error.code, error.read().decode()
    return status, body, time.monotonic() - started


def _stop(data_dir: Path) -> None:
    pid = int((data_dir / "postmaster.pid").read_text().split()[0])
    os.kill(pid, 2)  # SIGINT: fast shutdown
    for _ in range(100):
        if not (data_dir / "postmaster.pid").exists():
            return
        time.sleep(0.1)
    raise AssertionError("PostgreSQL did not stop")


@pytest.fixture
def app(tmp_path):
    data_dir = tmp_path / "pg"
    server = pgserver.get_server(data_dir, cleanup_mode=None)
    env = {
        **os.environ,
        # the test settings: static files from the finders, no collectstatic needed
        "DJANGO_SETTINGS_MODULE": "regionbudget.settings_test",
        "DJANGO_READ_DOT_ENV": "false",
        "DJANGO_SECRET_KEY": "fault-test-" + "k" * 50,
        "DJANGO_HTTPS": "false",
        "REGIONBUDGET_DEMO": "true",
        "DATABASE_URL": server.get_uri(),
        "DATABASE_CONNECT_TIMEOUT": "2",
    }
    for command in (["migrate", "--noinput"], ["load_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    port = _free_port()
    gunicorn = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "regionbudget.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "30",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "regionbudget.settings_test"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if _get(base + "/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    try:
        yield base, data_dir, server
    finally:
        gunicorn.terminate()
        gunicorn.wait(10)
        if (data_dir / "postmaster.pid").exists():
            _stop(data_dir)


def _session_cookie(base: str) -> str:
    """Log in as ekonom through the form and return the session cookie header."""
    import http.cookiejar

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/").read().decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    data = f"csrfmiddlewaretoken={token}&username=ekonom&password=demo&next=/".encode()
    opener.open(
        urllib.request.Request(
            base + "/accounts/login/", data=data, headers={"Referer": base + "/accounts/login/"}
        )
    )
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def test_a_stopped_database_gives_a_clear_503_and_the_app_recovers(app):
    base, data_dir, server = app
    cookie = _session_cookie(base)
    status, body, _ = _get(base + "/", cookie)
    assert status == 200 and "Översikt" in body

    _stop(data_dir)
    for path, with_cookie in (("/healthz", False), ("/accounts/login/", False), ("/", True)):
        status, body, seconds = _get(base + path, cookie if with_cookie else "")
        assert status == 503, (path, status)
        assert seconds < 5, f"{path} took {seconds:.1f} s"
        if path != "/healthz":
            assert "Tillfälligt otillgänglig" in body
            assert "Traceback" not in body and "OperationalError" not in body

    server.ensure_postgres_running()  # start it again
    status, body, _ = _get(base + "/", cookie)
    assert status == 200 and "Översikt" in body, "recovers without a restart"
    assert _get(base + "/healthz")[0] == 200
