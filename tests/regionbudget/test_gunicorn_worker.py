"""The health check's own lane in gunicorn (``regionbudget/gunicorn_worker.py``, set by
``gunicorn.conf.py``): while every page thread is busy, ``/healthz`` is answered at once instead
of waiting its turn behind the pages.

The page threads are filled with uploads that are sent slowly: each request's headers arrive,
a page thread takes it, and the thread waits for the body (as it would for a large import over
a slow line). The probe must be answered while those requests are still unfinished: an
ordering, not a time limit.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from regionbudget.gunicorn_worker import is_health_probe
from tests.faults.test_slow_database import _database_url, _free_port

ROOT = Path(__file__).resolve().parents[2]
PAGE_THREADS = 2
# Generous, for a busy shared machine: a request that gets no answer in this time waits in a
# queue that will not move until the slow uploads are finished.
NO_ANSWER = 20
CSRF = b"a" * 32


# --- which requests take the probe lane (no server, no database) ------------------------------


@pytest.mark.parametrize(
    "head",
    [
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /healthz?from=monitor HTTP/1.0\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        # a kept-alive connection with the next request already behind it
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /measures/ HTTP/1.1\r\n",
    ],
)
def test_a_complete_probe_takes_the_probe_lane(head):
    assert is_health_probe(head)


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"GET /heal",  # the request line has only partly arrived
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n",  # headers not finished: the client may stall
        b"GET /healthz HTTP/1.1\r\nContent-Length: 5\r\n\r\n",  # a body to wait for
        b"GET /healthz HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n",
        b"POST /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /healthzz HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /healthz/../measures/ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /measures/ HTTP/1.1\r\nHost: x\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS handshake
    ],
)
def test_anything_else_goes_to_the_page_threads(head):
    assert not is_health_probe(head)


# --- under gunicorn, as gunicorn.conf.py runs it -------------------------------------------------


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=NO_ANSWER)
    return sock


def _read_response(sock: socket.socket, head_only: bool = False) -> tuple[int, dict, bytes]:
    """One HTTP/1.1 response from ``sock`` (status, headers, body), read to its Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"closed after {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
    }
    length = 0 if head_only else int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers, body


def _probe(sock: socket.socket, method: str = "GET") -> tuple[int, dict, bytes]:
    sock.sendall(f"{method} /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    return _read_response(sock, head_only=method == "HEAD")


def _start_slow_upload(port: int) -> socket.socket:
    """A login form sent with a 1 MB body announced and only its first bytes sent: a page
    thread takes the request and waits for the rest (the CSRF token comes in a header, so the
    form's body is read by the login view itself)."""
    sock = _connect(port)
    sock.sendall(
        b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Cookie: csrftoken=" + CSRF + b"\r\nX-CSRFToken: " + CSRF + b"\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 1000000\r\n\r\nusername=x&"
    )
    return sock


def _finish_slow_upload(sock: socket.socket) -> int:
    sock.sendall(b"a" * (1000000 - len(b"username=x&")))
    return _read_response(sock)[0]


def _has_no_answer_yet(sock: socket.socket) -> bool:
    sock.setblocking(False)
    try:
        sock.recv(1, socket.MSG_PEEK)  # an answer, or the connection closed
        return False
    except BlockingIOError:
        return True
    finally:
        sock.setblocking(True)


@pytest.fixture
def gunicorn_server(transactional_db):
    """gunicorn with the project's gunicorn.conf.py, one worker with two page threads."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "regionbudget.settings_test",
        "DJANGO_READ_DOT_ENV": "false",
        "DATABASE_URL": _database_url(),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": str(PAGE_THREADS),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "regionbudget.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            with _connect(port) as sock:
                if _probe(sock)[0] == 200:
                    break
        except OSError:
            time.sleep(0.2)
    try:
        yield port
    finally:
        process.terminate()
        process.wait(25)


def test_healthz_is_answered_while_every_page_thread_is_busy(gunicorn_server):
    port = gunicorn_server
    uploads = [_start_slow_upload(port) for _ in range(PAGE_THREADS)]
    # A page asked now waits behind the uploads (every page thread is taken).
    page = _connect(port)
    page.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    probe = _connect(port)
    try:
        time.sleep(0.5)  # let the uploads reach their threads before the probe comes
        status, headers, body = _probe(probe)
        assert status == 200
        assert json.loads(body) == {"status": "ok", "database": "ok"}
        # keep-alive: the same connection asks again, and with HEAD (no body)
        assert headers.get("connection", "").lower() != "close"
        assert _probe(probe)[0] == 200
        status, headers, body = _probe(probe, method="HEAD")
        assert (status, body) == (200, b"")
        # ... all while the uploads and the page behind them are still unanswered
        assert all(_has_no_answer_yet(sock) for sock in [*uploads, page])

        # The uploads finish, the page behind them is answered, and a page asked on the
        # probe's kept-alive connection goes to the page threads like any other.
        # (the login form answers an incomplete form with itself)
        assert [_finish_slow_upload(sock) for sock in uploads] == [200] * PAGE_THREADS
        assert _read_response(page)[0] == 200
        probe.sendall(b"GET /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        status, _, body = _read_response(probe)
        assert status == 200 and b'name="username"' in body
        assert _probe(probe)[0] == 200
    finally:
        for sock in [*uploads, page, probe]:
            sock.close()


def test_a_probe_that_stalls_halfway_does_not_block_the_next_probe(gunicorn_server):
    port = gunicorn_server
    # The request line of a probe, then nothing: it waits in a page thread, not the probe's.
    stalled = [_connect(port) for _ in range(3)]
    for sock in stalled:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    try:
        time.sleep(0.5)
        with _connect(port) as probe:
            assert _probe(probe)[0] == 200
    finally:
        for sock in stalled:
            sock.close()
