"""The benchmark's measurements over HTTP, against gunicorn as users run it.

- ``Server``: gunicorn on a loopback port with the project's ``gunicorn.conf.py`` (gthread);
- ``warm_up``: requests until every worker has answered the page at least five times and its
  last three answers are each within 3× (+5 ms) of its fastest: the worker computed the figures
  once and now serves them from the cache (a cold render is tens of times slower than a warm
  one; each response names its worker: ``bench_urls``);
- ``wrk``: throughput after that warm-up;
- ``transferred``: the bytes on the wire of a first visit (the HTML and every static file the page
  loads, and the files its stylesheets load), fetched with ``Accept-Encoding: gzip`` (and as
  Chromium asks, Brotli too): what gunicorn and whitenoise send, not a compression computed here;
- ``concurrent``: 20 readers while an import (upload, preview, confirm through the pages) and
  grid saves run.
"""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from support import gunicorn_command

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Server:
    """gunicorn serving the bench settings on a loopback port, stopped on leaving."""

    def __init__(self, env: dict, workers: int = 2):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = {**env, "GUNICORN_WORKERS": str(workers), "GUNICORN_TIMEOUT": "120"}
        self.process = None

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            gunicorn_command(sys.executable, self.port, "--workers", str(self.workers)),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _h, _b = request(self.base, "GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise SystemExit("gunicorn did not answer within 60 s")

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(25)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def request(
    base: str,
    method: str,
    path: str,
    *,
    cookies: dict | None = None,
    headers: dict | None = None,
    body: bytes | None = None,
    timeout: float = 300,
    conn: http.client.HTTPConnection | None = None,
):
    """One request on a new (or the given) connection: (status, headers, raw body bytes)."""
    parts = urlsplit(base)
    own = conn is None
    if own:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    sent = dict(headers or {})
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    try:
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        data = response.read()
        return response.status, response, data
    finally:
        if own:
            conn.close()


# --- warm-up and throughput ---------------------------------------------------------------------


def warm_up(base: str, path: str, cookies: dict, workers: int, limit_s: float = 90) -> dict:
    """Requests (two at a time, a new connection each, so that both workers take some) until each
    worker is warm: at least five answers, the last three within 3× (+5 ms) of its fastest."""
    times: dict[str, list[float]] = {}
    lock = threading.Lock()
    started = time.monotonic()
    count = [0]

    def warm(samples: list[float]) -> bool:
        if len(samples) < 5:
            return False
        fastest = min(samples)
        return all(t <= 3 * fastest + 0.005 for t in samples[-3:])

    def done() -> bool:
        with lock:
            return len(times) >= workers and all(warm(s) for s in times.values())

    def loop() -> None:
        while not done() and time.monotonic() - started < limit_s:
            t0 = time.perf_counter()
            status, response, _ = request(base, "GET", path, cookies=cookies)
            elapsed = time.perf_counter() - t0
            if status != 200:
                raise SystemExit(f"warm-up: {path} answered {status}")
            with lock:
                times.setdefault(response.getheader("X-Bench-Worker", "?"), []).append(elapsed)
                count[0] += 1

    threads = [threading.Thread(target=loop) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {
        "requests": count[0],
        "seconds": time.monotonic() - started,
        "workers_warm": sum(warm(s) for s in times.values()),
        "workers_seen": len(times),
        "first_ms": {pid: s[0] * 1000 for pid, s in times.items()},
        "last_ms": {pid: s[-1] * 1000 for pid, s in times.items()},
    }


def wrk(url: str, cookie: str, seconds: int) -> float:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk).")
    done = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", f"Cookie: {cookie}", url],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    if non2xx:
        raise SystemExit(f"wrk got {non2xx.group(1)} error responses from {url}")
    return float(found.group(1))


def throughput(server: Server, cookies: dict, seconds: int) -> dict:
    cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
    result = {}
    for key, path in (("dashboard", "/gap/"), ("bare", "/bench/bare/")):
        result[f"{key}_warmup"] = warm_up(server.base, path, cookies, server.workers)
        result[f"{key}_rps"] = wrk(server.base + path, cookie, seconds)
    return result


# --- bytes on the wire --------------------------------------------------------------------------

_ASSET = re.compile(rb'(?:src|href)="(/static/[^"]+)"')
_CSS_URL = re.compile(rb"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def _wire_size(status: int, response, body: bytes) -> int:
    """Bytes of the response as sent: status line, headers and the (compressed) body."""
    head = f"HTTP/1.1 {status} {response.reason}\r\n" + "".join(
        f"{k}: {v}\r\n" for k, v in response.getheaders()
    )
    return len(head.encode("latin-1")) + 2 + len(body)


def _decoded(response, body: bytes) -> bytes:
    encoding = response.getheader("Content-Encoding", "")
    if encoding == "gzip":
        import gzip

        return gzip.decompress(body)
    if encoding == "br":
        import brotli

        return brotli.decompress(body)
    return body


# What Chromium asks for: whitenoise answers it with its Brotli files where it has them.
CHROMIUM_ENCODINGS = "gzip, deflate, br, zstd"


def transferred(base: str, path: str, cookies: dict, encodings: str = "gzip") -> dict:
    """A first visit's bytes on the wire: the page and every static file it loads."""
    accept = {"Accept-Encoding": encodings, "Accept": "text/html,*/*"}
    status, response, body = request(base, "GET", path, cookies=cookies, headers=accept)
    if status != 200:
        raise SystemExit(f"sizes: {path} answered {status}")
    html = _decoded(response, body)
    parts = {"html": _wire_size(status, response, body)}
    result = {
        "accept_encoding": encodings,
        "html_bytes": parts["html"],
        "html_raw_bytes": len(html),
        "html_encoding": response.getheader("Content-Encoding", "") or "none",
    }
    queue = list(dict.fromkeys(_ASSET.findall(html)))
    seen = set()
    while queue:
        asset = queue.pop(0).decode()
        if asset in seen:
            continue
        seen.add(asset)
        status, response, body = request(base, "GET", asset, headers=accept)
        if status != 200:
            raise SystemExit(f"sizes: {asset} answered {status}")
        parts[asset.rsplit("/", 1)[-1]] = _wire_size(status, response, body)
        if asset.endswith(".css"):
            for ref in _CSS_URL.findall(_decoded(response, body)):
                if not ref.startswith((b"data:", b"http:", b"https:", b"#")):
                    queue.append(urljoin(asset, ref.decode()).split("#")[0].encode())
    result["assets_bytes"] = sum(v for k, v in parts.items() if k != "html")
    result["total_bytes"] = sum(parts.values())
    result["parts"] = parts
    return result


# --- the concurrent case ------------------------------------------------------------------------

_CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """A signed-in user's cookies over one kept-alive connection (per thread)."""

    def __init__(self, base: str, sessionid: str):
        self.base = base
        self.cookies = {"sessionid": sessionid}
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=300)

    def get(self, path: str):
        status, response, body = request(
            self.base, "GET", path, cookies=self.cookies, conn=self.conn
        )
        self._keep(response)
        return status, response, body

    def post(self, path: str, fields: dict, files: dict | None = None):
        if files:
            boundary = uuid.uuid4().hex
            chunks = []
            for name, value in fields.items():
                chunks.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode()
                )
            for name, (filename, content) in files.items():
                chunks.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                    + content
                    + b"\r\n"
                )
            chunks.append(f"--{boundary}--\r\n".encode())
            body = b"".join(chunks)
            ctype = f"multipart/form-data; boundary={boundary}"
        else:
            from urllib.parse import urlencode

            body = urlencode(fields).encode()
            ctype = "application/x-www-form-urlencoded"
        status, response, data = request(
            self.base,
            "POST",
            path,
            cookies=self.cookies,
            headers={"Content-Type": ctype},
            body=body,
            conn=self.conn,
        )
        self._keep(response)
        return status, response, data

    def csrf(self, page: bytes) -> str:
        found = _CSRF.search(page)
        if not found:
            raise SystemExit("no CSRF token on the form")
        return found.group(1).decode()

    def _keep(self, response) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]


def actuals_csv(units: list[str], groups: list[str], n_rows: int, first_year: int) -> bytes:
    """``n_rows`` actual rows in periods no other step of the benchmark writes."""
    cells = [(u, g) for u in units for g in groups]
    lines = ["kostnadsställe;år;månad;kontogrupp;belopp\n"]
    for i in range(n_rows):
        unit, group = cells[i % len(cells)]
        period = i // len(cells)
        lines.append(
            f"{unit};{first_year + period // 12};{1 + period % 12};{group};{1000 + i % 997},50\n"
        )
    return "".join(lines).encode("utf-8")


def concurrent(base: str, fixture: dict, *, readers: int, n_rows: int) -> dict:
    """``readers`` clients read pages while one user imports ``n_rows`` actual rows through the
    pages (upload, preview, confirm) and a director saves the grid again and again; both writers
    start together and the readers run until both have finished."""
    pages = [
        "/gap/",
        "/measures/",
        f"/reports/{fixture['report']}/",
        fixture["grid_url"].replace("/edit/", "/"),
        "/balance/",
    ]
    stop = threading.Event()
    lock = threading.Lock()
    read_times: list[float] = []
    errors: list[str] = []
    writes: dict = {"grid_saves_ms": []}

    def reader(i: int) -> None:
        session = Session(base, fixture["sessions"]["ekonom"])
        k = i
        while not stop.is_set():
            path = pages[k % len(pages)]
            k += 1
            t0 = time.perf_counter()
            try:
                status, _r, _b = session.get(path)
            except (OSError, http.client.HTTPException) as exc:
                status = repr(exc)
                session = Session(base, fixture["sessions"]["ekonom"])
            elapsed = time.perf_counter() - t0
            with lock:
                read_times.append(elapsed)
                if status != 200:
                    errors.append(f"reader {path}: {status}")

    def importer() -> None:
        session = Session(base, fixture["sessions"]["ekonom"])
        content = actuals_csv(fixture["unit_codes"], fixture["group_names"], n_rows, 2031)
        try:
            status, _r, page = session.get("/forecasts/import/")
            t0 = time.perf_counter()
            status, response, _b = session.post(
                "/forecasts/import/",
                {"csrfmiddlewaretoken": session.csrf(page), "kind": "actual"},
                files={"file": ("utfall.csv", content)},
            )
            writes["upload_s"] = time.perf_counter() - t0
            if status != 302:
                errors.append(f"upload: {status}")
                return
            preview = urlsplit(response.getheader("Location")).path
            t0 = time.perf_counter()
            status, _r, page = session.get(preview)
            writes["preview_s"] = time.perf_counter() - t0
            if status != 200:
                errors.append(f"preview: {status}")
                return
            t0 = time.perf_counter()
            status, response, _b = session.post(
                preview + "confirm/", {"csrfmiddlewaretoken": session.csrf(page), "replace": "on"}
            )
            writes["confirm_s"] = time.perf_counter() - t0
            if status != 302 or "/import/" not in (response.getheader("Location") or ""):
                errors.append(f"confirm: {status}")
            elif urlsplit(response.getheader("Location")).path != "/forecasts/import/":
                errors.append(f"confirm went to {response.getheader('Location')}")
            writes["import_s"] = writes["upload_s"] + writes["preview_s"] + writes["confirm_s"]
        except (OSError, http.client.HTTPException, SystemExit) as exc:
            errors.append(f"import: {exc!r}")
        finally:
            importing.clear()

    def saver() -> None:
        session = Session(base, fixture["sessions"]["director"])
        url = fixture["grid_url"]
        i = 0
        # Saves while the import runs, at least three.
        while importing.is_set() or i < 3:
            i += 1
            try:
                status, _r, page = session.get(url)
                names = re.findall(rb'name="(line-\d+-\d+)"', page)
                version = re.search(rb'name="version" value="(\d+)"', page)
                data = {
                    "csrfmiddlewaretoken": session.csrf(page),
                    "version": version.group(1).decode() if version else "",
                    "action": "save",
                }
                for name in names:
                    data[name.decode()] = f"{2000 + i} {100 + len(name)},5"
                t0 = time.perf_counter()
                status, _r, _b = session.post(url, data)
                writes["grid_saves_ms"].append((time.perf_counter() - t0) * 1000)
                if status != 302:
                    errors.append(f"grid save: {status}")
            except (OSError, http.client.HTTPException, SystemExit) as exc:
                errors.append(f"grid save: {exc!r}")
                session = Session(base, fixture["sessions"]["director"])
            time.sleep(0.2)

    importing = threading.Event()
    importing.set()
    threads = [threading.Thread(target=reader, args=(i,)) for i in range(readers)]
    for t in threads:
        t.start()
    time.sleep(1)  # every reader under way
    started = time.perf_counter()
    writers = [threading.Thread(target=importer), threading.Thread(target=saver)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    window = time.perf_counter() - started
    stop.set()
    for t in threads:
        t.join()
    saves = writes.pop("grid_saves_ms")
    return {
        "readers": readers,
        "rows": n_rows,
        "window_s": window,
        "reads": len(read_times),
        "read_p50_ms": statistics.median(read_times) * 1000 if read_times else 0.0,
        "read_p95_ms": percentile(read_times, 0.95) * 1000 if read_times else 0.0,
        "saves": len(saves),
        "save_p50_ms": statistics.median(saves) if saves else 0.0,
        "save_max_ms": max(saves) if saves else 0.0,
        **writes,
        "errors": len(errors),
        "error_examples": errors[:5],
    }
