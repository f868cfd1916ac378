#!/usr/bin/env python
"""Load test with Locust: users of every role, slow clients and a heavy upload at once.

    .venv/bin/pip install -e '.[load]'          # Locust, once
    .venv/bin/python scripts/loadtest.py [--users 150] [--duration 180]

What it does, against gunicorn as the README runs it (``gunicorn regionbudget.wsgi`` with
``gunicorn.conf.py``: threaded workers, production settings, plain HTTP on 127.0.0.1), once
directly (``make run``) and once through nginx with the project's ``nginx.conf`` in front
(``docker-compose.yml``; needs ``nginx`` installed, ``--through`` picks one), on a database of
its own (``loadtest``) on the server of ``DATABASE_URL`` (else the embedded one) with the demo
data:

- ``--users`` Locust users of every role (``scripts/locustfile.py``) for ``--duration`` seconds;
- three slow clients that send a request's headers one byte every few seconds and never finish;
- one finance user who uploads a 15 MB actuals file through the import page and opens its
  preview, again and again until the end;
- a probe that asks ``/healthz`` twice a second throughout.

Writes p50/p95 per page, server errors, the upload's times and ``/healthz``'s slowest answer to
``docs/load-test.md`` with the date, the machine and its load. Exit status 1 on any server error
(5xx), a failed request, a failed upload, or ``/healthz`` slower than 1 s or not ok.
Traffic goes to 127.0.0.1 only; everything stops by itself after the duration.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import http.cookiejar
import io
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from support import admin_sql, server_url, with_database

ROOT = Path(__file__).resolve().parents[1]
UPLOAD_BYTES = 15_000_000
HEALTH_LIMIT_S = 1.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(database_url: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "regionbudget.settings",
        "DJANGO_HTTPS": "false",
        "DJANGO_DEBUG": "false",
        "REGIONBUDGET_DEMO": "true",
        # Every simulated user comes from 127.0.0.1: no login throttling for this run.
        "LOGIN_FAILURE_LIMIT": "100000",
    }
    env.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    return env


def _start_server(env: dict) -> tuple[subprocess.Popen, int]:
    python = sys.executable
    prepare = {**env, "DATABASE_STATEMENT_TIMEOUT": "0"}
    for command in (["migrate", "--noinput"], ["load_demo"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [python, "manage.py", *command], cwd=ROOT, env=prepare, check=True, capture_output=True
        )
    port = _free_port()
    # As the README runs it: gunicorn.conf.py is read from the project folder.
    server = subprocess.Popen(
        [python, "-m", "gunicorn", "regionbudget.wsgi", "--bind", f"127.0.0.1:{port}"],
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
                return server, port
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


# --- the probe, the slow clients and the upload -----------------------------------------------


def _probe_health(port: int, stop: threading.Event, results: list) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", "/healthz")
            status = connection.getresponse().status
        except OSError as error:
            status = f"{type(error).__name__}"
        results.append((time.perf_counter() - started, status))
        stop.wait(0.5)


def _slow_client(port: int, stop: threading.Event, log: list) -> None:
    """Sends the headers of a request one byte every 3 s and never finishes them."""
    header = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 10_000
    sent = 0
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        while not stop.is_set() and sent < len(header):
            sock.sendall(header[sent : sent + 1])
            sent += 1
            stop.wait(3)
        sock.close()
        log.append(f"sent {sent} bytes over the run, connection kept")
    except OSError as error:
        log.append(f"closed by the server after {sent} bytes ({type(error).__name__})")


def _actuals_file(size: int) -> bytes:
    """An actuals file of about ``size`` bytes in the import's own format: the demo's units and
    account groups, every month of the years from 2000 on, and a comment column that makes each
    row as long as a ledger export's."""
    with open(ROOT / "regionbudget" / "demo_data" / "units.csv", encoding="utf-8") as handle:
        units = [row["unit_code"] for row in csv.DictReader(handle)]
    groups_csv = ROOT / "forecasts" / "demo_data" / "account_groups.csv"
    with open(groups_csv, encoding="utf-8") as handle:
        groups = [row["code"] for row in csv.DictReader(handle)]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Kostnadsställe", "År", "Månad", "Kontogrupp", "Belopp", "Kommentar"])
    row = 0
    while out.tell() < size:
        month, rest = row % 12 + 1, row // 12
        group, rest = groups[rest % len(groups)], rest // len(groups)
        unit, year = units[rest % len(units)], 2000 + rest // len(units)
        writer.writerow(
            [
                unit,
                year,
                month,
                group,
                f"{(row * 7919) % 1_000_000},00",
                f"Utfall från huvudboken, verifikation {row}, periodiserat enligt plan",
            ]
        )
        row += 1
    return out.getvalue().encode("utf-8")


def _opener():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def _csrf(opener, url: str) -> str:
    page = opener.open(url, timeout=60).read().decode("utf-8", "replace")
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def _multipart(fields: dict, file_field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    head = "".join(parts) + (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'
    )
    body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _uploader(port: int, stop: threading.Event, results: list, content: bytes) -> None:
    base = f"http://127.0.0.1:{port}"
    opener, _jar = _opener()
    token = _csrf(opener, f"{base}/accounts/login/")
    login = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "ekonom", "password": "demo", "next": "/"}
    ).encode()
    opener.open(urllib.request.Request(f"{base}/accounts/login/", data=login), timeout=60)
    stop.wait(10)
    while not stop.is_set():
        try:
            token = _csrf(opener, f"{base}/forecasts/import/")
            body, content_type = _multipart(
                {"csrfmiddlewaretoken": token, "kind": "actual"}, "file", "utfall.csv", content
            )
            request = urllib.request.Request(
                f"{base}/forecasts/import/",
                data=body,
                headers={"Content-Type": content_type, "Referer": f"{base}/forecasts/import/"},
            )
            started = time.perf_counter()
            response = opener.open(request, timeout=300)  # follows the redirect to the preview
            response.read()
            results.append(
                {
                    "status": response.status,
                    "seconds": time.perf_counter() - started,
                    "url": response.url.replace(base, ""),
                }
            )
        except Exception as error:  # noqa: BLE001 - every failure is reported
            results.append({"status": getattr(error, "code", type(error).__name__), "seconds": 0})
        stop.wait(20)


# --- the report -------------------------------------------------------------------------------


def _locust_rows(prefix: Path, statuses: dict) -> list[dict]:
    rows = []
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["Name"] == "Aggregated":
                continue
            codes = statuses.get(row["Name"], {})
            rows.append(
                {
                    "name": row["Name"],
                    "method": row["Type"],
                    "count": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "p50": float(row["50%"] or 0),
                    "p95": float(row["95%"] or 0),
                    "max": float(row["Max Response Time"] or 0),
                    "errors": sum(c for s, c in codes.items() if int(s) >= 500),
                    "codes": ", ".join(f"{s}×{c}" for s, c in sorted(codes.items())),
                }
            )
    return sorted(rows, key=lambda r: (r["name"], r["method"]))


def _start_nginx(app_port: int, workdir: Path) -> tuple[subprocess.Popen, int]:
    """nginx with the project's ``nginx.conf`` (as docker-compose.yml runs it) in front of
    gunicorn on ``app_port``."""
    port = _free_port()
    # Run as root, nginx's workers run as nobody: they must reach the temporary files (a
    # request body larger than its buffer is written there).
    workdir.chmod(0o755)
    conf = (ROOT / "nginx.conf").read_text()
    conf = conf.replace("server web:8000;", f"server 127.0.0.1:{app_port};")
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    conf = conf.replace("pid /tmp/nginx.pid;", f"pid {workdir}/nginx.pid;")
    conf = conf.replace("access_log /dev/stdout;", "access_log off;")
    temp = "".join(
        f"    {kind}_temp_path {workdir}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = conf.replace("http {", "http {\n" + temp, 1)
    (workdir / "nginx.conf").write_text(conf)
    process = subprocess.Popen(
        ["nginx", "-c", str(workdir / "nginx.conf"), "-p", str(workdir), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("nginx did not start")


def _run(port: int, args, work: Path, content: bytes) -> dict:
    """One run of ``args.duration`` seconds against ``port``: Locust, the slow clients, the
    upload and the probe. Returns what the report needs."""
    stop = threading.Event()
    health: list = []
    slow_log: list = []
    uploads: list = []
    threads = [
        threading.Thread(target=_probe_health, args=(port, stop, health), daemon=True),
        *[
            threading.Thread(target=_slow_client, args=(port, stop, slow_log), daemon=True)
            for _ in range(3)
        ],
        threading.Thread(target=_uploader, args=(port, stop, uploads, content), daemon=True),
    ]
    prefix = work / f"locust-{port}"
    status_file = work / f"statuses-{port}.json"
    load_before = os.getloadavg()
    started_at = datetime.now(UTC)
    for thread in threads:
        thread.start()
    locust = subprocess.run(
        [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(ROOT / "scripts" / "locustfile.py"),
            "--host",
            f"http://127.0.0.1:{port}",
            "--headless",
            "-u",
            str(args.users),
            "-r",
            str(args.spawn_rate),
            "-t",
            f"{args.duration}s",
            "--csv",
            str(prefix),
            "--only-summary",
            "--exit-code-on-error",
            "0",
        ],
        cwd=ROOT,
        env={**os.environ, "LOADTEST_STATUS_FILE": str(status_file)},
        capture_output=True,
        text=True,
        check=False,
    )
    load_after = os.getloadavg()
    stop.set()
    for thread in threads:
        thread.join(310)
    if locust.returncode != 0:
        print(locust.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"locust ended with {locust.returncode}")
    rows = _locust_rows(prefix, json.loads(status_file.read_text(encoding="utf-8")))
    times = sorted(t for t, _s in health)
    return {
        "started_at": started_at,
        "load": (load_before[0], load_after[0]),
        "rows": rows,
        "health_times": times,
        "health_bad": [s for _t, s in health if s != 200],
        "health_max": max(times, default=0),
        "health_p95": times[max(0, int(len(times) * 0.95) - 1)] if times else 0,
        "uploads": uploads,
        "slow_log": slow_log,
    }


def _passed(run: dict) -> bool:
    rows = run["rows"]
    uploads = run["uploads"]
    return (
        not sum(r["errors"] for r in rows)
        and not sum(r["failures"] for r in rows)
        and bool(uploads)
        and all(u["status"] == 200 for u in uploads)
        and not run["health_bad"]
        and run["health_max"] < HEALTH_LIMIT_S
    )


def _section(title: str, run: dict) -> list[str]:
    rows = run["rows"]
    upload_ok = [u for u in run["uploads"] if u["status"] == 200]
    upload_bad = [u for u in run["uploads"] if u["status"] != 200]
    return [
        f"## {title}",
        "",
        f"Started {run['started_at']:%Y-%m-%d %H:%M} UTC; load average before "
        f"{run['load'][0]:.1f}, after {run['load'][1]:.1f}.",
        "",
        f"**{'Passed' if _passed(run) else 'FAILED'}.** Requests: "
        f"{sum(r['count'] for r in rows)}; server errors (5xx): "
        f"{sum(r['errors'] for r in rows)}; failed requests: "
        f"{sum(r['failures'] for r in rows)}; `/healthz`: {len(run['health_times'])} probes, "
        f"p95 {run['health_p95'] * 1000:.0f} ms, slowest {run['health_max'] * 1000:.0f} ms, "
        f"not ok: {len(run['health_bad'])}.",
        "",
        "| page | method | requests | p50 ms | p95 ms | max ms | 5xx | status codes |",
        "|---|---|---:|---:|---:|---:|---:|---|",
        *[
            f"| {r['name']} | {r['method']} | {r['count']} | {r['p50']:.0f} | {r['p95']:.0f} | "
            f"{r['max']:.0f} | {r['errors']} | {r['codes']} |"
            for r in rows
        ],
        "",
        f"The {UPLOAD_BYTES / 1e6:.0f} MB upload (sent, read, staged, and the preview page it "
        f"leads to): {len(upload_ok)} of {len(run['uploads'])} answered 200"
        + (
            f", in {min(u['seconds'] for u in upload_ok):.1f}–"
            f"{max(u['seconds'] for u in upload_ok):.1f} s"
            if upload_ok
            else ""
        )
        + (f"; not ok: {[u['status'] for u in upload_bad]}" if upload_bad else "")
        + ".",
        "",
        "Slow clients: " + "; ".join(run["slow_log"]) + ".",
        "",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=150)
    parser.add_argument("--duration", type=int, default=180, help="seconds")
    # 150 people signing in over 50 s (each sign-in hashes a password: a morning's arrival, not
    # a synthetic burst of 150 in ten seconds).
    parser.add_argument("--spawn-rate", type=int, default=3, help="users started per second")
    parser.add_argument(
        "--through",
        choices=["both", "gunicorn", "nginx"],
        default="both",
        help="gunicorn directly (make run), nginx in front (docker-compose.yml), or both",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "load-test.md")
    args = parser.parse_args()
    ways = ["gunicorn", "nginx"] if args.through == "both" else [args.through]
    if "nginx" in ways and not shutil.which("nginx"):
        raise SystemExit("nginx is not installed (apt-get install -y nginx-light)")

    url = server_url()
    admin_sql(url, "DROP DATABASE IF EXISTS loadtest WITH (FORCE)")
    admin_sql(url, "CREATE DATABASE loadtest")
    env = _environment(with_database(url, "loadtest"))
    server, app_port = _start_server(env)
    content = _actuals_file(UPLOAD_BYTES)
    runs: dict[str, dict] = {}
    try:
        with tempfile.TemporaryDirectory() as work:
            work = Path(work)
            for way in ways:
                if way == "nginx":
                    proxy, port = _start_nginx(app_port, work)
                    try:
                        runs[way] = _run(port, args, work, content)
                    finally:
                        proxy.terminate()
                        proxy.wait(10)
                else:
                    runs[way] = _run(app_port, args, work, content)
    finally:
        server.terminate()
        # Longer than gunicorn's graceful_timeout (20 s, gunicorn.conf.py), after which it ends
        # the workers itself: waiting exactly as long lost the run's figures to a race.
        server.wait(40)
        admin_sql(url, "DROP DATABASE IF EXISTS loadtest WITH (FORCE)")

    titles = {
        "gunicorn": "gunicorn directly, as `make run` serves it",
        "nginx": "nginx in front of gunicorn, as `docker-compose.yml` serves it",
    }
    lines = [
        "# Load test",
        "",
        "By `scripts/loadtest.py` (Locust, `scripts/locustfile.py`): "
        f"{args.users} users of every role (finance, two area directors, committee members, an "
        f"administrator; think time 0.5–2 s) for {args.duration} s each run, started "
        f"{args.spawn_rate} a second, against gunicorn with `gunicorn.conf.py` (threaded workers, "
        f"{os.environ.get('GUNICORN_WORKERS', '2')} workers × "
        f"{os.environ.get('GUNICORN_THREADS', '4')} threads; production settings, plain HTTP) on "
        "127.0.0.1 with the demo data. At the same time: three slow clients that send a "
        "request's headers one byte every 3 s and never finish, one finance user uploading a "
        f"{UPLOAD_BYTES / 1e6:.0f} MB actuals file through the import page again and again, and "
        "a probe of `/healthz` twice a second. Passed means: no server error, no failed "
        "request, every upload answered, and `/healthz` ok and under 1 s throughout.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; the load generator, gunicorn, nginx and PostgreSQL share "
        "the cores (the load average says how busy the machine was besides).",
        "",
    ]
    for way in ways:
        lines += _section(titles[way], runs[way])
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if all(_passed(run) for run in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
