#!/usr/bin/env python
"""Run many pairs of concurrent saves of the same forecast or measure and count lost updates.

    .venv/bin/python scripts/concurrency.py [--pairs 1000] [--seed 1]

Creates a scratch database on the DATABASE_URL server (or the embedded PostgreSQL), migrates it,
loads the demo, and then, pair after pair, lets two threads (two database connections) save at
the same moment, released together by a barrier, both starting from the same version:

- two directors saving the same forecast grid (random amounts in random cells),
- two finance users editing the same measure (title and planned effects),
- a director and finance reporting on the same measure (status, a month's realised effect),
- two edits of different measures, and two directors saving their own areas' forecasts (these
  must both land).

After each pair it checks that no update was lost: on the same object at most one save
succeeds, the other gets the conflict; the stored state is exactly the winner's input; the
version rose by the number of successful saves. Prints the counts, writes them to
docs/concurrency.md and drops the scratch database. Exit status 0 when nothing was lost.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from support import admin_sql, server_url, with_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "concurrency.md")
    args = parser.parse_args()

    server = server_url()
    name = f"regionbudget_concurrency_{os.getpid()}"
    admin_sql(server, f'CREATE DATABASE "{name}"')
    os.environ.update(
        {
            "DATABASE_URL": with_database(server, name),
            "DJANGO_SETTINGS_MODULE": "regionbudget.settings",
            "DJANGO_READ_DOT_ENV": "false",
            "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or "concurrency-" + "k" * 40,
            "DJANGO_HTTPS": "false",
            "REGIONBUDGET_DEMO": "true",
            "LOG_LEVEL": "WARNING",
        }
    )
    try:
        return _run(args)
    finally:
        from django.db import connections

        connections.close_all()
        admin_sql(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from forecasts.models import Forecast, ForecastLine
    from forecasts.services import ForecastConflict, LineInput, forecast_save, round_open
    from measures.models import Measure, PlannedEffect, RealisedEffect
    from measures.services import MeasureConflict, measure_report, measure_update
    from regionbudget.demo import load_demo

    call_command("migrate", verbosity=0)
    load_demo()
    rng = random.Random(args.seed)

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from forecasts.models import Budget, ForecastRound
    from regionbudget.core.models import Area, AreaDirector

    users = get_user_model().objects
    somatik = Area.objects.get(code="LSO-SOM")
    psykiatri = Area.objects.get(code="LSO-PSY")
    second, _ = users.get_or_create(username="direktor.somatik2")
    second.groups.add(Group.objects.get(name="area_director"))
    AreaDirector.objects.get_or_create(user=second, area=somatik)
    directors = [users.get(username="direktor.somatik"), second]
    finance = [users.get(username="ekonom"), users.get(username="admin")]
    october = ForecastRound.objects.get(year=2024, month=10)
    forecast_pk = Forecast.objects.get(forecast_round=october, area=somatik).pk
    # A round of its own for the pairs of different areas' forecasts, each started as a draft.
    november = round_open(
        year=2024,
        month=11,
        deadline=dt.date(2099, 12, 10),
        user=finance[0],
    )
    area_grids = []  # (director, forecast pk, that area's cells with budget amounts)
    for area, director in (
        (somatik, directors[0]),
        (psykiatri, users.get(username="direktor.psykiatri")),
    ):
        lines = {
            (b.unit_id, b.account_group_id): LineInput(b.amount)
            for b in Budget.objects.filter(unit__area=area, year=2024)
        }
        forecast = forecast_save(
            forecast_round=november, area=area, lines=lines, expected_version=0, user=director
        )
        area_grids.append((director, forecast.pk, lines))
    m03 = Measure.objects.get(code="M03").pk  # somatik's
    m13 = Measure.objects.get(code="M13").pk  # psykiatri's
    budget = {
        (b.unit_id, b.account_group_id): LineInput(b.amount)
        for b in Budget.objects.filter(unit__area=somatik, year=2024)
    }

    def grid_input(base=None) -> dict:
        lines = dict(base or budget)
        for cell in rng.sample(sorted(lines), 3):
            amount = Decimal(rng.randrange(-5_000_000, 50_000_000, 100))
            lines[cell] = LineInput(amount, rng.choice(["", "Hyrläkare", "Köpt vård"]))
        return lines

    def measure_input() -> dict:
        low = Decimal(rng.randrange(1, 50) * 1_000_000)
        return {
            "title": f"Åtgärd {rng.randrange(10**6)}",
            "planned": dict.fromkeys((2024, 2025, 2026), (low, low + 1_000_000)),
        }

    def report_input() -> dict:
        return {
            # Not "done": only finance confirms an effect, and the pairs include a director.
            "status": rng.choice(["in_progress", "delayed", "decided"]),
            "year": rng.choice([2024, 2025, 2026]),
            "month": rng.randrange(1, 13),
            "amount": Decimal(rng.randrange(0, 5_000_000, 1000)),
            "comment": f"Rapport {rng.randrange(10**6)}",
        }

    # --- saving, each in a worker thread ---------------------------------------------------

    def save_grid(user, lines, version, barrier, pk=forecast_pk):
        forecast = Forecast.objects.select_related("forecast_round", "area").get(pk=pk)
        barrier.wait()
        forecast_save(
            forecast_round=forecast.forecast_round,
            area=forecast.area,
            lines=lines,
            expected_version=version,
            user=user,
        )

    def edit_measure(user, pk, data, version, barrier):
        m = Measure.objects.select_related("plan", "category", "owner_area").get(pk=pk)
        barrier.wait()
        measure_update(
            measure=m,
            expected_version=version,
            code=m.code,
            title=data["title"],
            category=m.category,
            owner_area=m.owner_area,
            status=m.status,
            description=m.description,
            responsible=m.responsible,
            decision_reference=m.decision_reference,
            start_date=m.start_date,
            planned=data["planned"],
            user=user,
        )

    def report(user, pk, data, version, barrier):
        m = Measure.objects.select_related("plan").get(pk=pk)
        barrier.wait()
        measure_report(measure=m, expected_version=version, user=user, **data)

    # --- what is stored --------------------------------------------------------------------

    def stored_grid(pk=forecast_pk):
        forecast = Forecast.objects.get(pk=pk)
        lines = {
            (ln.unit_id, ln.account_group_id): (ln.amount, ln.comment)
            for ln in ForecastLine.objects.filter(forecast=forecast)
        }
        return forecast.version, lines

    def grid_state(lines):
        return {cell: (line.amount, line.comment) for cell, line in lines.items()}

    def stored_measure(pk):
        m = Measure.objects.get(pk=pk)
        planned = {p.year: (p.low, p.high) for p in PlannedEffect.objects.filter(measure_id=pk)}
        return m.version, {"title": m.title, "planned": planned}

    def stored_report(pk, data):
        m = Measure.objects.get(pk=pk)
        effect = RealisedEffect.objects.filter(
            measure_id=pk, year=data["year"], month=data["month"]
        ).first()
        got = {
            "status": m.status,
            "year": data["year"],
            "month": data["month"],
            "amount": effect.amount if effect else None,
            "comment": effect.comment if effect else None,
        }
        return m.version, got

    counts = {
        "pairs": 0,
        "one saved, one conflict": 0,
        "both saved (different objects)": 0,
        "conflict between different objects": 0,
        "both saved (same object: lost update)": 0,
        "neither saved": 0,
        "stored state not the winner's input": 0,
        "version rose by other than the saves": 0,
        "other errors": 0,
    }
    per_kind: dict[str, int] = {}
    conflicts = (ForecastConflict, MeasureConflict)
    started = time.monotonic()

    def outcome(future) -> str:
        try:
            future.result()
        except conflicts:
            return "conflict"
        except Exception as exc:  # counted and shown, never hidden
            print(f"error: {exc.__class__.__name__}: {exc}", file=sys.stderr)
            return "error"
        return "saved"

    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(args.pairs):
            kind = rng.choice(["grid", "measure", "report", "different", "different grids"])
            per_kind[kind] = per_kind.get(kind, 0) + 1
            barrier = threading.Barrier(2, timeout=30)
            if kind == "grid":
                before, _lines = stored_grid()
                inputs = [grid_input(), grid_input()]
                futures = [
                    pool.submit(save_grid, directors[i], inputs[i], before, barrier) for i in (0, 1)
                ]
                results = [outcome(f) for f in futures]
                version, state = stored_grid()
                expected = [grid_state(x) for x in inputs]
            elif kind == "measure":
                before, _state = stored_measure(m03)
                inputs = [measure_input(), measure_input()]
                futures = [
                    pool.submit(edit_measure, finance[i], m03, inputs[i], before, barrier)
                    for i in (0, 1)
                ]
                results = [outcome(f) for f in futures]
                version, state = stored_measure(m03)
                expected = inputs
            elif kind == "report":
                before, _state = stored_measure(m03)
                data = report_input()
                inputs = [data, {**report_input(), "year": data["year"], "month": data["month"]}]
                reporters = [directors[0], finance[0]]
                futures = [
                    pool.submit(report, reporters[i], m03, inputs[i], before, barrier)
                    for i in (0, 1)
                ]
                results = [outcome(f) for f in futures]
                version, state = stored_report(m03, data)
                expected = inputs
            else:
                if kind == "different":
                    pks = [m03, m13]
                    versions = [stored_measure(pk)[0] for pk in pks]
                    inputs = [measure_input(), measure_input()]
                    futures = [
                        pool.submit(
                            edit_measure, finance[i], pks[i], inputs[i], versions[i], barrier
                        )
                        for i in (0, 1)
                    ]
                    expected = inputs
                else:  # two areas' forecasts
                    versions = [stored_grid(pk)[0] for _user, pk, _base in area_grids]
                    inputs = [grid_input(base) for _user, _pk, base in area_grids]
                    futures = [
                        pool.submit(save_grid, user, inputs[i], versions[i], barrier, pk)
                        for i, (user, pk, _base) in enumerate(area_grids)
                    ]
                    expected = [grid_state(x) for x in inputs]

                results = [outcome(f) for f in futures]
                counts["pairs"] += 1
                if "error" in results:
                    counts["other errors"] += 1
                    continue
                if results == ["saved", "saved"]:
                    counts["both saved (different objects)"] += 1
                else:
                    counts["conflict between different objects"] += 1
                if kind == "different":
                    after = [stored_measure(pk) for pk in pks]
                else:
                    after = [stored_grid(pk) for _user, pk, _base in area_grids]
                for i, (version, state) in enumerate(after):
                    if results[i] == "saved" and state != expected[i]:
                        counts["stored state not the winner's input"] += 1
                    if version != versions[i] + (results[i] == "saved"):
                        counts["version rose by other than the saves"] += 1
                continue

            counts["pairs"] += 1
            if "error" in results:
                counts["other errors"] += 1
                continue
            saved = [i for i, r in enumerate(results) if r == "saved"]
            if len(saved) == 2:
                counts["both saved (same object: lost update)"] += 1
            elif not saved:
                counts["neither saved"] += 1
            else:
                counts["one saved, one conflict"] += 1
                if state != expected[saved[0]]:
                    counts["stored state not the winner's input"] += 1
            if version != before + len(saved):
                counts["version rose by other than the saves"] += 1

    elapsed = time.monotonic() - started
    connections.close_all()
    lost = (
        counts["both saved (same object: lost update)"]
        + counts["stored state not the winner's input"]
        + counts["version rose by other than the saves"]
    )
    _report(args, counts, per_kind, lost, elapsed)
    failed = lost or counts["other errors"] or counts["conflict between different objects"]
    return 1 if failed else 0


def _report(args, counts, per_kind, lost, elapsed) -> None:
    width = max(len(k) for k in counts)
    print(f"{args.pairs} pairs in {elapsed:.0f} s (seed {args.seed})")
    for key, value in counts.items():
        print(f"  {key:<{width}}  {value}")
    print(f"  {'lost updates':<{width}}  {lost}")
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = "\n".join(f"| {key} | {value} |" for key, value in counts.items())
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(per_kind.items()))
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text(
        f"""# Concurrency check

Run {now} by `scripts/concurrency.py --pairs {args.pairs} --seed {args.seed}`: pairs of saves
released at the same moment by a barrier, each on its own database connection, both from the
same version.

Kinds of pairs: {kinds}.

Grid: two directors save the same forecast; measure: two finance users edit the same measure;
report: a director and finance report on the same measure and month; different: two edits of
different measures; different grids: two directors save their own areas' forecasts. Both saves
of a "different" pair must land.

Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()};
{elapsed:.0f} s in all.

| outcome | pairs |
|---|---:|
{rows}
| **lost updates** | **{lost}** |

A lost update would be two saves of the same object that both succeed, a stored state that is
not exactly the winning input, or a version that rose by other than the number of saves. Each
save's version check is an `UPDATE … WHERE version = N` on the forecast or measure row, the first
write of its transaction: the second save waits for the first one's row lock, then finds the
version moved on and gets the conflict page. A forecast not started yet (version 0) is guarded
by the database's one-forecast-per-area-and-round constraint: the second insert waits for the
first and fails into the same conflict. The deterministic version of this check runs in CI
(`tests/faults/test_concurrency.py`), and `tests/faults/test_killed_connection.py` kills a
save's connection half-way (nothing is stored; the page keeps the input and says to save again).
""",
        encoding="utf-8",
    )
    print(f"wrote {args.output}")


if __name__ == "__main__":
    raise SystemExit(main())
