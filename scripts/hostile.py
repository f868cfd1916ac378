#!/usr/bin/env python3
"""Hostile conditions, measured: slow clients, a locked table, parallel PDFs, lockouts.

    .venv/bin/python scripts/hostile.py [--keep] [--lock-seconds 40]

Creates the database ``h_hostile_check`` on the ``DATABASE_URL`` server (or the embedded
PostgreSQL), migrates it and loads the demo, starts gunicorn as the README runs it
(``gunicorn.conf.py``: 2 workers × 4 threads, the production timeouts) on a loopback port, and
nginx with the project's ``nginx.conf`` in front of it when the ``nginx`` command exists (Debian
package ``nginx-light``). Then, each bounded in time and sending traffic to 127.0.0.1 only:

1. three clients that never finish their request headers, while /healthz is timed;
2. a table the pages read locked (``LOCK TABLE … ACCESS EXCLUSIVE``) for ``--lock-seconds``:
   the measure list's status and time, /healthz, and the recovery once the lock is gone;
3. six PDF requests of one published report at once (the first makes it), while /healthz is
   timed, and the same six again (from the cache);
4. five wrong passwords for one user from one address (behind the proxies), then the same user
   from another address.

Writes the figures to ``docs/hostile-conditions.md`` with the date and the machine, and drops the
database (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from support import ROOT, admin_sql, gunicorn_command, server_url, with_database

DATABASE = "h_hostile_check"
REPORT = ROOT / "docs" / "hostile-conditions.md"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _request(url, *, cookie="", data=None, headers=None, timeout=60):
    """(status, seconds, body) of one request; redirects are not followed."""
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=data, headers={**(headers or {})})
    if cookie:
        request.add_header("Cookie", cookie)
    started = time.monotonic()
    try:
        with opener.open(request, timeout=timeout) as response:
            body, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    except OSError as error:
        return f"error {error.__class__.__name__}", time.monotonic() - started, b""
    return status, time.monotonic() - started, body


def _login(base: str, username: str, password: str, forwarded: str = "") -> tuple[int, str]:
    """Log in through the form; the answer's status and the cookies (302: logged in)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    page = opener.open(urllib.request.Request(base + "/accounts/login/", headers=headers))
    token = page.read().decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    data = f"csrfmiddlewaretoken={token}&username={username}&password={password}&next=/"
    request = urllib.request.Request(
        base + "/accounts/login/",
        data=data.encode(),
        headers={"Referer": base + "/accounts/login/", **headers},
    )
    try:
        status = opener.open(request, timeout=30).status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, "; ".join(f"{c.name}={c.value}" for c in jar)


def _wait_until_up(base: str) -> None:
    for _ in range(300):
        if _request(base + "/healthz", timeout=5)[0] == 200:
            return
        time.sleep(0.2)
    raise SystemExit(f"{base} did not come up")


def _timed_health(base: str, count: int, pause: float) -> list[tuple]:
    results = []
    for _ in range(count):
        status, seconds, _ = _request(base + "/healthz", timeout=60)
        results.append((status, seconds))
        time.sleep(pause)
    return results


def _fmt(results) -> str:
    return ", ".join(f"{status} in {seconds:.2f} s" for status, seconds in results)


def _start_nginx(app_port: int, workdir: Path) -> tuple[subprocess.Popen | None, int | None]:
    if not shutil.which("nginx"):
        return None, None
    port = _free_port()
    conf = (ROOT / "nginx.conf").read_text()
    conf = conf.replace("server web:8000;", f"server 127.0.0.1:{app_port};")
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    conf = conf.replace("pid /tmp/nginx.pid;", f"pid {workdir}/nginx.pid;")
    conf = conf.replace("access_log /dev/stdout;", "access_log off;")
    conf = conf.replace(
        "http {",
        "http {\n"
        + "".join(
            f"    {kind}_temp_path {workdir}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        ),
        1,
    )
    path = workdir / "nginx.conf"
    path.write_text(conf)
    process = subprocess.Popen(
        ["nginx", "-c", str(path), "-p", str(workdir), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, port


def _slow_clients(host_port: int, count: int = 3) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", host_port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")  # never finished
        sockets.append(s)
    return sockets


def scenario_slow_clients(lines: list[str], app: str, app_port: int, proxy, proxy_port) -> None:
    lines.append("## 1. Three clients that never finish their headers\n")
    targets = [("gunicorn directly", app, app_port)]
    if proxy:
        targets.append(("through nginx", proxy, proxy_port))
    for label, base, port in targets:
        sockets = _slow_clients(port)
        time.sleep(1)
        results = _timed_health(base, 5, 1.0)
        for s in sockets:
            s.close()
        lines.append(f"- {label}: /healthz {_fmt(results)}")
    lines.append("")


def scenario_locked_table(lines: list[str], base: str, url: str, lock_seconds: int) -> None:
    import psycopg

    lines.append(f"## 2. The measure table locked for {lock_seconds} s\n")
    _status, cookie = _login(base, "ekonom", "demo")
    before = _request(base + "/measures/", cookie=cookie)
    lines.append(f"- before: /measures/ {before[0]} in {before[1]:.2f} s")
    with psycopg.connect(url) as conn:
        conn.execute("LOCK TABLE measures_measure IN ACCESS EXCLUSIVE MODE")
        started = time.monotonic()
        pages, health = [], []
        while time.monotonic() - started < lock_seconds - 8:
            pages.append(_request(base + "/measures/", cookie=cookie))
            health.append(_request(base + "/healthz"))
            time.sleep(1)
        texts = {"Försök igen om en minut" in body.decode(errors="replace") for *_, body in pages}
        conn.rollback()
    after = _request(base + "/measures/", cookie=cookie)
    lines.append(
        f"- while locked: /measures/ {len(pages)} times, statuses "
        f"{sorted({p[0] for p in pages}, key=str)}, slowest {max(p[1] for p in pages):.2f} s, "
        f"the application's 503 page ('Försök igen om en minut'): {all(texts)}"
    )
    lines.append(
        f"- while locked: /healthz statuses {sorted({h[0] for h in health}, key=str)}, "
        f"slowest {max(h[1] for h in health):.2f} s, "
        f"body {health[-1][2].decode(errors='replace')}"
    )
    lines.append(f"- lock released: /measures/ {after[0]} in {after[1]:.2f} s (no restart)\n")


def scenario_pdfs(lines: list[str], base: str) -> None:
    lines.append("## 3. Six PDF requests of one report at once\n")
    _status, cookie = _login(base, "ledamot", "demo")
    listing = _request(base + "/reports/", cookie=cookie)[2].decode()
    report = re.search(r'href="/reports/(\d+)/"', listing).group(1)
    for round_name in (
        "first (made once, the rest wait their turn)",
        "again (kept from the first)",
    ):
        results: list = []

        def fetch(into: list = results) -> None:
            into.append(_request(f"{base}/reports/{report}/pdf/", cookie=cookie))

        threads = [threading.Thread(target=fetch) for _ in range(6)]
        for thread in threads:
            thread.start()
        health = _timed_health(base, 3, 0.3)
        for thread in threads:
            thread.join()
        statuses = sorted(str(r[0]) for r in results)
        lines.append(
            f"- {round_name}: statuses {', '.join(statuses)}; slowest "
            f"{max(r[1] for r in results):.2f} s; /healthz meanwhile {_fmt(health)}"
        )
    lines.append("")


def scenario_lockout(lines: list[str], base: str, proxied: bool) -> None:
    lines.append("## 4. Five wrong passwords for one user from one address\n")
    if not proxied:
        lines.append("- skipped: needs nginx in front (PROXY_COUNT=2)\n")
        return
    statuses = [_login(base, "ekonom", "fel", "10.0.0.66")[0] for _ in range(5)]
    same = _login(base, "ekonom", "demo", "10.0.0.66")[0]
    other = _login(base, "ekonom", "demo", "10.0.0.7")[0]
    lines.append(f"- five wrong passwords from 10.0.0.66: {statuses}")
    lines.append(f"- the right password from 10.0.0.66: {same} (429: locked there)")
    lines.append(f"- the right password from 10.0.0.7: {other} (302: logged in)\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--lock-seconds", type=int, default=40)
    args = parser.parse_args()

    url = with_database(server_url(), DATABASE)
    admin_sql(url, f"DROP DATABASE IF EXISTS {DATABASE}")
    admin_sql(url, f"CREATE DATABASE {DATABASE}")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_READ_DOT_ENV": "false",
        "DJANGO_SECRET_KEY": "hostile-check-" + "k" * 40,
        "DJANGO_HTTPS": "false",
        "DJANGO_DEBUG": "false",
        "REGIONBUDGET_DEMO": "true",
        "PROXY_COUNT": "2",
        "DJANGO_SETTINGS_MODULE": "regionbudget.settings",
    }
    setup = {**env, "DATABASE_STATEMENT_TIMEOUT": "0"}
    for command in (["migrate", "--noinput"], ["load_demo"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "-v", "0"], cwd=ROOT, env=setup, check=True
        )
    app_port = _free_port()
    app = f"http://127.0.0.1:{app_port}"
    gunicorn = subprocess.Popen(
        gunicorn_command(sys.executable, app_port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workdir = Path(tempfile.mkdtemp(prefix="hostile-nginx-"))
    nginx = None
    try:
        _wait_until_up(app)
        nginx, proxy_port = _start_nginx(app_port, workdir)
        proxy = f"http://127.0.0.1:{proxy_port}" if nginx else None
        if proxy:
            _wait_until_up(proxy)
        base = proxy or app
        lines = [
            "# Hostile conditions, measured",
            "",
            f"Run of `scripts/hostile.py` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, "
            f"{platform.node()}: {os.cpu_count()} cores, {platform.platform()}, Python "
            f"{platform.python_version()}; gunicorn as `gunicorn.conf.py` sets it (2 workers × 4 "
            f"threads), {'nginx with `nginx.conf` in front, ' if proxy else ''}production "
            "settings (statement timeout 15 s, lock timeout 5 s), the demo data. The machine "
            "was shared with other work while this ran: times are indicative.",
            "",
        ]
        for scenario in (
            lambda: scenario_slow_clients(lines, app, app_port, proxy, proxy_port),
            lambda: scenario_locked_table(lines, base, url, args.lock_seconds),
            lambda: scenario_pdfs(lines, base),
            lambda: scenario_lockout(lines, base, proxied=bool(proxy)),
        ):
            shown = len(lines)
            scenario()
            print("\n".join(lines[shown:]), flush=True)
        REPORT.write_text("\n".join(lines).rstrip() + "\n")
    finally:
        if nginx:
            nginx.send_signal(signal.SIGQUIT)
            nginx.wait(10)
        gunicorn.terminate()
        gunicorn.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)
        if not args.keep:
            admin_sql(url, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
