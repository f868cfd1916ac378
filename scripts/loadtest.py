#!/usr/bin/env python
"""Load test: simulated users of every role against gunicorn on loopback, with the demo data.

    .venv/bin/python scripts/loadtest.py [--users 150] [--duration 180] [--workers 4]

Starts gunicorn on a free loopback port (production settings, plain HTTP), logs each simulated
user in through the login form as one of the demo users, and lets them browse their role's pages
with a think time of 0.5–2 s for ``--duration`` seconds. Prints p50/p95 per page and writes
docs/load-test.md. Exit status 1 if any request got a server error (5xx) or failed.

Traffic goes to 127.0.0.1 only; the loop is bounded by the duration and stops by itself.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from support import gunicorn_command

ROOT = Path(__file__).resolve().parents[1]

PAGES = {
    "ekonom": [
        ("home", "/"),
        ("gap dashboard", "/gap/"),
        ("gap JSON", "/gap/figures.json"),
        ("measure list", "/measures/"),
        ("forecast rounds", "/forecasts/rounds/"),
        ("report list", "/reports/"),
        ("report", "{report}"),
    ],
    "direktor.somatik": [
        ("home", "/"),
        ("gap dashboard", "/gap/"),
        ("measure list", "/measures/"),
        ("forecast rounds", "/forecasts/rounds/"),
        ("report list", "/reports/"),
    ],
    "direktor.psykiatri": [
        ("home", "/"),
        ("gap dashboard", "/gap/"),
        ("measure list", "/measures/"),
        ("forecast rounds", "/forecasts/rounds/"),
    ],
    "ledamot": [
        ("home", "/"),
        ("report list", "/reports/"),
        ("report", "{report}"),
        ("measure list", "/measures/"),
    ],
    "admin": [("home", "/"), ("gap dashboard", "/gap/"), ("administration", "/admin/")],
}
ROLE_MIX = (
    ["ekonom"] * 3
    + ["direktor.somatik"] * 2
    + ["direktor.psykiatri"] * 2
    + ["ledamot"] * 4
    + ["admin"]
)


class Session:
    """One simulated user's keep-alive connection and cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                break
            except (http.client.HTTPException, OSError):
                # The server closed an idle keep-alive connection: reconnect and send again
                # once, as a browser does. A second failure counts.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.read().decode("utf-8", "replace")

    def login(self, username: str) -> None:
        _, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urlencode(
            {"csrfmiddlewaretoken": token, "username": username, "password": "demo", "next": "/"}
        )
        status, _ = self.request("POST", "/accounts/login/", body)
        if status != 302:
            raise RuntimeError(f"login of {username} failed with {status}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(workers: int) -> tuple[subprocess.Popen, int, dict]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "regionbudget.settings",
        "DJANGO_HTTPS": "false",
        "DJANGO_DEBUG": "false",
        "REGIONBUDGET_DEMO": "true",
        # Many simulated users share 127.0.0.1: no login throttling for this run.
        "LOGIN_FAILURE_LIMIT": "100000",
    }
    env.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    python = sys.executable
    for command in (["migrate", "--noinput"], ["load_demo"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    port = _free_port()
    server = subprocess.Popen(
        gunicorn_command(
            python, port, "--workers", str(workers), "--threads", "4", "--timeout", "60"
        ),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server, port, env
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def _latest_report(port: int) -> str:
    session = Session(port)
    session.login("ekonom")
    _, page = session.request("GET", "/reports/")
    found = re.search(r'href="(/reports/\d+/)"', page)
    return found.group(1) if found else "/reports/"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--duration", type=int, default=180, help="seconds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "load-test.md")
    args = parser.parse_args()

    server, port, _env = _start_server(args.workers)
    timings: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    failures: list[str] = []
    lock = threading.Lock()
    report = _latest_report(port)
    deadline = time.monotonic() + args.duration

    def user(index: int) -> None:
        username = ROLE_MIX[index % len(ROLE_MIX)]
        rng = random.Random(index)
        session = Session(port)
        time.sleep(rng.uniform(0, 10))  # ramp up over ten seconds
        try:
            session.login(username)
        except Exception as error:  # noqa: BLE001 - every failure is counted
            with lock:
                failures.append(f"{username}: {error}")
            return
        while time.monotonic() < deadline:
            name, path = rng.choice(PAGES[username])
            path = path.format(report=report)
            started = time.perf_counter()
            try:
                status, _ = session.request("GET", path)
            except Exception as error:  # noqa: BLE001
                with lock:
                    failures.append(f"{name}: {error}")
                continue
            elapsed = time.perf_counter() - started
            with lock:
                timings[name].append(elapsed)
                statuses[name][status] += 1
            time.sleep(rng.uniform(0.5, 2.0))

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(args.users)]
    started_at = datetime.now(UTC)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(args.duration + 60)
    server.terminate()
    server.wait(10)

    rows = []
    server_errors = 0
    for name in sorted(timings):
        values = sorted(timings[name])
        p50 = statistics.median(values) * 1000
        p95 = values[max(0, int(len(values) * 0.95) - 1)] * 1000
        errors = sum(count for status, count in statuses[name].items() if status >= 500)
        server_errors += errors
        codes = ", ".join(f"{s}×{c}" for s, c in sorted(statuses[name].items()))
        rows.append((name, len(values), p50, p95, errors, codes))
    total = sum(r[1] for r in rows)
    lines = [
        "# Load test",
        "",
        f"Run {started_at:%Y-%m-%d %H:%M} UTC by `scripts/loadtest.py`: {args.users} simulated "
        f"users of every role (finance, two area directors, committee members, an administrator) "
        f"for {args.duration} s against gunicorn ({args.workers} workers × 4 threads) on "
        f"127.0.0.1, with the demo data; think time 0.5–2 s between pages.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}.",
        "",
        f"Requests: {total}; server errors (5xx): {server_errors}; failed requests: "
        f"{len(failures)}.",
        "",
        "| page | requests | p50 ms | p95 ms | 5xx | status codes |",
        "|---|---:|---:|---:|---:|---|",
        *[
            f"| {n} | {c} | {p50:.0f} | {p95:.0f} | {e} | {codes} |"
            for n, c, p50, p95, e, codes in rows
        ],
        "",
    ]
    if failures:
        lines += ["Failures (first 10):", "", *[f"- {f}" for f in failures[:10]], ""]
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 1 if server_errors or failures else 0


if __name__ == "__main__":
    sys.exit(main())
