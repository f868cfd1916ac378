#!/usr/bin/env python
"""Benchmark of the actuals import as finance staff get it: upload, preview and confirm through
the pages, for new rows and for replacing the same rows, against COPY baselines.

Called by the benchmark's worker process (Django set up on a bench database with the demo and
the generated data) with a test client logged in as finance:

    from bench_import import measure, markdown_rows, targets
    result = measure(finance, 100_000)

Standalone (creates the database ``bench_import`` on the DATABASE_URL server, migrates it, loads
the demo and a scale's generated data, measures, prints the result and drops the database):

    DATABASE_URL=postgres://… .venv/bin/python scripts/bench_import.py [--rows 100000]
        [--scale S1|S20|none] [--database bench_import] [--keep]

What is measured, on one database connection (as a gunicorn worker with persistent connections
has it):

- **new**: a file of ``n_rows`` actual rows for months not yet stored: the upload (the file
  read and checked), the preview page and the confirmation (the write), each timed, and the
  total;
- **replace**: after small writes on the same connection (a one-row import of actuals and a
  one-row budget import through the service, as a correction would be), a file of the same
  units, months and account groups with every amount changed, through the same three pages
  (the replacement box ticked): the case whose history trigger once kept a plan made for one
  row, and took hours;
- **copy_same**: COPY of the same rows into the same table, with its keys, checks and history
  and data-version triggers, committed (into years nobody else uses; removed afterwards);
- **copy_bare**: COPY of the same rows into a temporary table with the same columns and no keys
  or triggers.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"

__all__ = ["FIRST_YEAR", "main", "markdown_rows", "measure", "targets"]

# The imported rows start in this year (past the demo's and the generated data's years, and
# the years bench.py's own import uses), so that "new" rows really are new.
FIRST_YEAR = 2060
HEADER = "kostnadsställe;år;månad;kontogrupp;belopp\n"
PHASES = ("upload", "preview", "confirm")


def _layout(n_rows: int) -> tuple[list[tuple[str, int, str, int, int, int]], int]:
    """The rows' keys — (unit code, unit id, group name, group id, year, month) — spread over
    every active unit and account group, month by month from January of ``FIRST_YEAR``; and
    how many years they span."""
    from forecasts.models import AccountGroup
    from regionbudget.core.models import Unit

    units = list(Unit.objects.filter(is_active=True).order_by("code").values_list("code", "pk"))
    groups = list(AccountGroup.objects.order_by("position").values_list("name", "pk"))
    cells = [(code, uid, name, gid) for code, uid in units for name, gid in groups]
    keys = []
    for i in range(n_rows):
        code, uid, name, gid = cells[i % len(cells)]
        month_index = i // len(cells)
        keys.append((code, uid, name, gid, FIRST_YEAR + month_index // 12, 1 + month_index % 12))
    return keys, math.ceil(n_rows / (len(cells) * 12))


def _amount(i: int, version: int) -> str:
    """The amount of row ``i`` in file ``version`` (kronor and öre, Swedish decimal comma)."""
    return f"{1000 + (i * 7 + version * 13) % 997},{version * 25 % 100:02d}"


def _file(keys, version: int) -> bytes:
    return (
        HEADER
        + "".join(
            f"{code};{year};{month};{group};{_amount(i, version)}\n"
            for i, (code, _uid, group, _gid, year, month) in enumerate(keys)
        )
    ).encode("utf-8")


def _through_pages(client, content: bytes, *, replace: bool) -> dict:
    """Upload, preview and confirm one file as a person does; seconds per page and in total."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    times = {}
    started = time.perf_counter()
    response = client.post(
        "/forecasts/import/",
        {"kind": "actual", "file": SimpleUploadedFile("utfall.csv", content)},
    )
    times["upload"] = time.perf_counter() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    preview_url = response["Location"]

    started = time.perf_counter()
    response = client.get(preview_url)
    times["preview"] = time.perf_counter() - started
    assert response.status_code == 200, response.content.decode()[:2000]

    started = time.perf_counter()
    response = client.post(preview_url + "confirm/", {"replace": "on"} if replace else {})
    times["confirm"] = time.perf_counter() - started
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].rstrip("/").endswith("/import"), (
        f"the import was not written: redirected to {response['Location']}"
    )
    return {**times, "total": sum(times.values())}


def _stored(first_year: int, years: int) -> dict[tuple[int, int, int, int], str]:
    from forecasts.models import Actual

    rows = Actual.objects.filter(year__gte=first_year, year__lt=first_year + years)
    return {
        (r.unit_id, r.year, r.month, r.account_group_id): f"{r.amount:.2f}".replace(".", ",")
        for r in rows.only("unit_id", "year", "month", "account_group_id", "amount")
    }


def _check(keys, version: int, years: int) -> None:
    """Every row of the file is stored with the file's amount (the import really happened)."""
    stored = _stored(FIRST_YEAR, years)
    assert len(stored) == len(keys), (len(stored), len(keys))
    step = max(1, len(keys) // 500)
    for i in range(0, len(keys), step):
        _code, uid, _group, gid, year, month = keys[i]
        assert stored[(uid, year, month, gid)] == _amount(i, version), keys[i]


def _bump(i: int):
    """One krona more on the first row, nothing on the others."""
    from decimal import Decimal

    return Decimal("1.00") if i == 0 else Decimal(0)


def _small_writes(keys) -> None:
    """Other small writes on the same connection, through the service: a correction of one
    actual figure and of one budget figure (an import replaces a whole unit and period, so the
    period's other figures go along unchanged; each statement changes one row)."""
    from django.contrib.auth import get_user_model

    from forecasts.imports import FigureRow
    from forecasts.models import Actual, Budget, ImportUpload
    from forecasts.services import figures_replace

    ekonom = get_user_model().objects.get(username="ekonom")
    _code, uid, _group, gid, year, month = keys[0]
    actuals = Actual.objects.filter(unit_id=uid, year=year, month=month).order_by("pk")
    figures_replace(
        kind=ImportUpload.Kind.ACTUAL,
        rows=[
            FigureRow(a.unit_id, a.year, a.month, a.account_group_id, a.amount + _bump(i))
            for i, a in enumerate(actuals)
        ],
        user=ekonom,
    )
    first = Budget.objects.order_by("pk").first()
    if first is not None:
        budgets = Budget.objects.filter(unit_id=first.unit_id, year=first.year).order_by("pk")
        figures_replace(
            kind=ImportUpload.Kind.BUDGET,
            rows=[
                FigureRow(b.unit_id, b.year, None, b.account_group_id, b.amount + _bump(i))
                for i, b in enumerate(budgets)
            ],
            user=ekonom,
        )


def _copy_baselines(keys, years: int) -> dict:
    """COPY of the rows of the replacing file into the same table (keys, checks, triggers;
    committed) and into a bare temporary table; seconds."""
    from django.db import connection, transaction

    columns = "unit_id, year, month, account_group_id, amount"
    # Past the imported years, so that the rows are new to the table as well.
    offset = years + 1
    raw = [
        (uid, year + offset, month, gid, _amount(i, 2).replace(",", "."))
        for i, (_code, uid, _group, gid, year, month) in enumerate(keys)
    ]
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY forecasts_actual ({columns}) FROM STDIN") as copy,
    ):
        for row in raw:
            copy.write_row(row)
    copy_same = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM forecasts_actual WHERE year >= %s AND year < %s",
            [FIRST_YEAR + offset, FIRST_YEAR + offset + years],
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_import_bare (LIKE forecasts_actual INCLUDING IDENTITY)"
        )
        started = time.perf_counter()
        with (
            transaction.atomic(),
            cursor.cursor.copy(f"COPY bench_import_bare ({columns}) FROM STDIN") as copy,
        ):
            for row in raw:
                copy.write_row(row)
        copy_bare = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_import_bare")
    return {"copy_same": copy_same, "copy_bare": copy_bare}


def measure(client, n_rows: int) -> dict:
    """Import ``n_rows`` new actual rows, then replace them all, through the pages with
    ``client`` (a ``django.test.Client`` logged in as finance); and the COPY baselines.

    Returns seconds: ``new`` and ``replace`` each with ``upload``, ``preview``, ``confirm`` and
    ``total``; ``copy_same`` and ``copy_bare``; and ``rows``. The imported rows are removed
    afterwards (their history stays).
    """
    from django.db import connection

    keys, years = _layout(n_rows)
    # The rows, then the COPY baseline's rows after them, must lie in years a figure may have.
    assert FIRST_YEAR + 2 * years + 1 <= 2101, f"too few units and groups for {n_rows:,} rows"
    assert not _stored(FIRST_YEAR, years), f"actuals from {FIRST_YEAR} on are already stored"
    new = _through_pages(client, _file(keys, 1), replace=False)
    _check(keys, 1, years)
    _small_writes(keys)
    replace = _through_pages(client, _file(keys, 2), replace=True)
    _check(keys, 2, years)
    baselines = _copy_baselines(keys, years)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM forecasts_actual WHERE year >= %s AND year < %s",
            [FIRST_YEAR, FIRST_YEAR + years],
        )
    return {"rows": n_rows, "new": new, "replace": replace, **baselines}


def _phases(result: dict, key: str) -> str:
    times = result[key]
    return " + ".join(f"{times[p]:.2f}" for p in PHASES) + f" = **{times['total']:.2f} s**"


def markdown_rows(results: dict[str, dict]) -> list[tuple[str, Callable[[dict], str]]]:
    """Rows for the benchmark's table: (label, cell of one scale's ``measure()`` result).
    ``results`` is keyed per scale (only the row count of any of them is read)."""
    n = next(iter(results.values()))["rows"] if results else 0
    return [
        (
            f"import of {n:,} new actual rows through the pages: upload + preview + confirm",
            lambda r: _phases(r, "new"),
        ),
        (
            f"import replacing those {n:,} rows, after small writes on the same connection: "
            "upload + preview + confirm",
            lambda r: _phases(r, "replace"),
        ),
        (
            "COPY of the same rows into the same table (keys, triggers) / into a bare table",
            lambda r: f"{r['copy_same']:.2f} s / {r['copy_bare']:.2f} s",
        ),
    ]


def targets(big: dict) -> list[tuple[str, str, bool]]:
    """The import targets on the largest scale's ``measure()`` result: (target, figure, met)."""
    copy = big["copy_same"]
    write = big["replace"]["confirm"]
    total = big["replace"]["total"]
    new_total = big["new"]["total"]
    return [
        (
            f"replacing {big['rows']:,} stored actual rows, after other writes on the same "
            "connection, ≤ 3× COPY of the same rows into the same table (the write: confirm)",
            f"{write:.2f} s vs {copy:.2f} s ({write / copy:.1f}×; "
            f"{write / big['copy_bare']:.1f}× a COPY into a bare table)",
            write <= 3 * copy,
        ),
        (
            "the whole replacing import through the pages (upload + preview + confirm) "
            "≤ 3× COPY into the same table",
            f"{total:.2f} s ({total / copy:.1f}×); new rows {new_total:.2f} s "
            f"({new_total / copy:.1f}×)",
            total <= 3 * copy,
        ),
    ]


# --- standalone ---------------------------------------------------------------------------------


def _worker(args) -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from regionbudget.demo import load_demo

    out = sys.stdout
    sys.stdout = sys.stderr  # keep stdout for the JSON result
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    load_demo()
    if args.scale != "none":
        import bench_data

        bench_data.generate(bench_data.SCALES[args.scale])
    finance = Client()
    finance.force_login(get_user_model().objects.get(username="ekonom"))
    # A page first, as a worker would have served before the import.
    assert finance.get("/forecasts/import/").status_code == 200
    result = measure(finance, args.rows)
    out.write(json.dumps(result) + "\n")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--scale", choices=["S1", "S20", "none"], default="S1")
    parser.add_argument("--database", default="bench_import", help="the database to create")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return _worker(args)
    sys.path.insert(0, str(SCRIPTS))
    from support import admin_sql, bench_env, server_url, with_database

    server = server_url()
    name = args.database
    admin_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin_sql(server, f'CREATE DATABASE "{name}"')
    try:
        command = [
            sys.executable,
            __file__,
            "--worker",
            "--rows",
            str(args.rows),
            "--scale",
            args.scale,
        ]
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=bench_env(with_database(server, name)),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(done.stdout[-3000:], done.stderr[-5000:], file=sys.stderr)
            return 1
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        if not args.keep:
            admin_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(json.dumps(result, indent=2))
    for label, cell in markdown_rows({"run": result}):
        print(f"| {label} | {cell(result)} |")
    for text, figure, met in targets(result):
        print(f"| {text} | {figure} | {'yes' if met else '**no**'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
