"""The cached gap figures follow every write to the data behind them, whoever writes it.

The gap figures are cached under the data versions of the tables they are read from, which the
database itself raises on every write to such a table (``regionbudget.core.caching``). These
tests write with plain SQL, past every form, service and signal of the application, and check
what a user would see: the table's version moves, so the next page shows the new figures. They
hold however the database raises the versions (statement or row triggers), and fail when it
does not.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from regionbudget.core.caching import data_version
from regionbudget.gap.selectors import GAP_SOURCES, LEDGER_SOURCES

pytestmark = pytest.mark.django_db

# Every table the gap figures are read from (models by label).
BEHIND_THE_GAP = [
    "regionbudget.Area",
    "regionbudget.ConfidenceWeight",
    "forecasts.Plan",
    "forecasts.DeficitTarget",
    "forecasts.OutsideBudgetReduction",
    "forecasts.Budget",
    "forecasts.ForecastBudget",
    "forecasts.ForecastRound",
    "forecasts.Forecast",
    "forecasts.ForecastLine",
    "measures.Category",
    "measures.Measure",
    "measures.PlannedEffect",
    "measures.RealisedEffect",
    "measures.AreaShare",
    "measures.ForecastInclusion",
    "regionbudget.BalanceYear",
    "regionbudget.BalanceLine",
    # A unit's area decides whose figures its budget, actuals and forecast lines are in.
    "regionbudget.Unit",
]

# The migration just before the gap triggers: the trigger migration is migrated back and forth.
BEFORE_THE_TRIGGERS = ("regionbudget", "0006_status_reports")


# Forecasts (and their lines) count only once submitted: the rows written are an approved one's.
APPROVED_ONLY = {
    "forecasts_forecast": "status = 'approved'",
    "forecasts_forecastline": "forecast_id IN (SELECT id FROM forecasts_forecast "
    "WHERE status = 'approved')",
}


def _one_row(table: str, pk: str) -> tuple[list[str], tuple]:
    where = APPROVED_ONLY.get(table, "true")
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{table}" WHERE {where} ORDER BY "{pk}" LIMIT 1')  # noqa: S608
        row = cursor.fetchone()
        columns = [c.name for c in cursor.description]
    assert row is not None, f"the demo has no row in {table}"
    return columns, row


def _write(table: str, pk: str, kind: str) -> tuple[int, int]:
    """One write of ``kind`` to one row of ``table`` in plain SQL: its version before and after.

    Inside a savepoint rolled back at once, so the demo stays as it was (and the database's
    deferred foreign-key checks never see the row missing)."""
    columns, row = _one_row(table, pk)
    key = row[columns.index(pk)]
    column_list = ", ".join(f'"{c}"' for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with transaction.atomic(), connection.cursor() as cursor:
        if kind == "insert":  # the row is taken out first, then written again as a new row
            cursor.execute(f'DELETE FROM "{table}" WHERE "{pk}" = %s', [key])  # noqa: S608
        before = data_version(table)
        if kind == "insert":
            cursor.execute(
                f'INSERT INTO "{table}" ({column_list}) VALUES ({placeholders})',  # noqa: S608
                list(row),
            )
        elif kind == "update":  # the key: the one column every table has, a real change
            cursor.execute(
                f'UPDATE "{table}" SET "{pk}" = -"{pk}" WHERE "{pk}" = %s',  # noqa: S608
                [key],
            )
        else:
            cursor.execute(f'DELETE FROM "{table}" WHERE "{pk}" = %s', [key])  # noqa: S608
        assert cursor.rowcount == 1
        after = data_version(table)
        transaction.set_rollback(True)
    return before, after


@pytest.mark.parametrize("kind", ["insert", "update", "delete"])
@pytest.mark.parametrize("label", BEHIND_THE_GAP)
def test_every_write_to_a_table_behind_the_gap_moves_the_data_version(demo, label, kind):
    model = apps.get_model(label)
    assert model._meta.db_table in LEDGER_SOURCES, "the cached figures do not read the table"
    before, after = _write(model._meta.db_table, model._meta.pk.column, kind)
    assert after != before, f"an SQL {kind} on {model._meta.db_table} left its version as it was"


def test_the_dashboard_figures_are_keyed_by_every_table_they_read_and_no_other():
    ledger_only = {"regionbudget_balanceyear", "regionbudget_balanceline"}
    behind = {apps.get_model(label)._meta.db_table for label in BEHIND_THE_GAP}
    assert set(GAP_SOURCES) == behind - ledger_only
    assert set(LEDGER_SOURCES) == behind
    assert "forecasts_actual" not in LEDGER_SOURCES


def test_the_trigger_migration_goes_back_and_forth_and_the_triggers_work_after(demo):
    """Migrated back to before the gap triggers and forward again (inside this test's transaction:
    PostgreSQL rolls the schema changes back with it); afterwards a write still moves the
    counter."""
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE_THE_TRIGGERS])
    executor.loader.build_graph()
    assert BEFORE_THE_TRIGGERS in executor.loader.applied_migrations
    unapplied = [key for key in leaves if key not in executor.loader.applied_migrations]
    assert unapplied, "migrating back undid nothing"

    executor.migrate(leaves)
    executor.loader.build_graph()
    assert all(key in executor.loader.applied_migrations for key in leaves)
    # Foreign keys created by the migrations are checked at once inside this transaction (the
    # schema editor sets them IMMEDIATE); a real session defers them, as _write expects.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for label in ("measures.Measure", "forecasts.ForecastLine", "regionbudget.Unit"):
        model = apps.get_model(label)
        before, after = _write(model._meta.db_table, model._meta.pk.column, "update")
        assert after != before, f"after the migrations, a write to {label} moves nothing"
