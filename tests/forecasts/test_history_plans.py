"""A replace's statements are planned for its rows: the history triggers plan their query for
the statement that fired them, and the import's DELETE never reads its staging table once per
stored row.

A statement-level history trigger reads the statement's transition tables. PL/pgSQL used to
keep the plan it made the first time the trigger ran on a connection: after a one-row update
the update trigger joined old and new rows by a nested loop planned for one row, and replacing
100 000 figures on that connection took hours. These tests read the plan PostgreSQL actually
ran (auto_explain, nested statements included) and the trigger functions in the database.
"""

import re
from decimal import Decimal

import pytest
from django.db import connection
from pghistory.models import Events

from forecasts.imports import FigureRow
from forecasts.models import AccountGroup, Actual, ImportUpload
from forecasts.selectors import import_preview
from forecasts.services import figures_replace
from regionbudget.core.history import EXECUTE_TAG
from regionbudget.core.models import Area, Unit
from tests.forecasts.helpers import staged_upload, user

pytestmark = pytest.mark.django_db

TUPLESTORE_ROWS = re.compile(r"Named Tuplestore Scan .*?rows=(\d+)")
REMOVED_BY_JOIN_FILTER = re.compile(r"Rows Removed by Join Filter: (\d+)")


class _Plans:
    """The plans of every statement run while it is open, nested ones (triggers) included,
    as auto_explain reports them to the client."""

    def __init__(self, *, analyze: bool = False):
        self.plans: list[str] = []
        self.analyze = analyze

    def _notice(self, diag) -> None:
        if "plan:" in (diag.message_primary or ""):
            self.plans.append(diag.message_primary)

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute("LOAD 'auto_explain'")
            # SET LOCAL: undone with the test's transaction.
            cursor.execute("SET LOCAL auto_explain.log_min_duration = 0")
            cursor.execute("SET LOCAL auto_explain.log_nested_statements = on")
            cursor.execute("SET LOCAL auto_explain.log_level = notice")
            cursor.execute("SET LOCAL client_min_messages = notice")
            if self.analyze:  # actual rows and loops of every node
                cursor.execute("SET LOCAL auto_explain.log_analyze = on")
        connection.connection.add_notice_handler(self._notice)
        return self

    def __exit__(self, *exc):
        connection.connection.remove_notice_handler(self._notice)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL auto_explain.log_min_duration = -1")

    def of(self, text: str) -> list[str]:
        return [plan for plan in self.plans if text in plan]


def _actual_rows(amount) -> list[FigureRow]:
    """15 units × every account group × 12 months of 2027, each at ``amount(month)``."""
    area = Area.objects.get(code="FTV")
    units = Unit.objects.bulk_create(
        [Unit(area=area, code=f"8{i:04d}", name=f"Planenhet {i}") for i in range(15)]
    )
    groups = list(AccountGroup.objects.values_list("pk", flat=True))
    return [
        FigureRow(u.pk, 2027, month, g, amount(month))
        for u in units
        for g in groups
        for month in range(1, 13)
    ]


def test_a_replace_after_a_small_update_on_the_same_connection_is_planned_for_its_rows(demo):
    ekonom = user("ekonom")
    rows = _actual_rows(lambda month: Decimal(month * 100))
    figures_replace(kind=ImportUpload.Kind.ACTUAL, rows=rows, user=ekonom)
    # A small write first: the update trigger runs on this connection for one row.
    first = rows[0]
    small = Actual.objects.filter(
        unit_id=first.unit_id, year=2027, month=first.month, account_group_id=first.account_group_id
    )
    assert small.update(amount=Decimal("1.00")) == 1

    changed = [row._replace(amount=row.amount + 7) for row in rows]
    with _Plans() as plans:
        result = figures_replace(kind=ImportUpload.Kind.ACTUAL, rows=changed, user=ekonom)
    assert result.updated == len(rows)

    trigger_plans = plans.of('INSERT INTO "forecasts_actualevent"')
    update_plans = [plan for plan in trigger_plans if "'update'" in plan]
    assert len(update_plans) == 1, plans.plans
    estimates = [int(n) for n in TUPLESTORE_ROWS.findall(update_plans[0])]
    # Old and new rows, each estimated at the size of this statement's transition tables, not
    # at the one row of the earlier update (a nested loop over the whole import then).
    assert estimates == [len(rows), len(rows)], update_plans[0]

    # Every replaced figure stays in the history with its new amount.
    updates = Events.objects.filter(pgh_model="forecasts.ActualEvent", pgh_label="update")
    amounts = sorted(Decimal(str(e.pgh_data["amount"])) for e in updates)
    assert len(amounts) == len(rows) + 1
    expected = sorted([Decimal("1.00")] + [row.amount for row in changed])
    assert amounts == expected


def test_replacing_stored_periods_compares_each_row_with_its_own_key_not_with_every_row(demo):
    ekonom = user("ekonom")
    rows = _actual_rows(lambda month: Decimal(month * 100))
    figures_replace(kind=ImportUpload.Kind.ACTUAL, rows=rows, user=ekonom)
    # The file has every stored row of its periods but one, which the import removes.
    changed = [row._replace(amount=row.amount + 7) for row in rows[1:]]
    with _Plans(analyze=True) as plans:
        # At 100 000 rows the planner estimates the stored rows of the file's periods at about
        # one (it multiplies the unit's, year's and month's selectivities) and joins by nested
        # loops; at this test's size it would not, so it is made to here.
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_hashjoin = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
        result = figures_replace(kind=ImportUpload.Kind.ACTUAL, rows=changed, user=ekonom)
    assert (result.created, result.updated, result.deleted) == (0, len(rows) - 1, 1)

    (delete,) = plans.of("DELETE FROM forecasts_actual t")
    # No row of the staging table compared with every stored row (a full scan of it under each
    # stored row was 10^10 comparisons for 100 000 replaced rows): the key's index finds them.
    assert "forecasts_import_stage" in delete
    removed = [int(n) for n in REMOVED_BY_JOIN_FILTER.findall(delete)]
    assert all(n <= len(rows) for n in removed), delete


def test_the_preview_reads_the_stored_figures_of_a_period_without_statistics_by_its_rows(demo):
    """A re-imported month: its rows are in the table but, far below autovacuum's 10 % of a large
    table, not in its statistics, so the planner expects one row. The preview's reads of those
    rows must not join units and account groups (the model's ordering once did: with one row
    expected, that join was a nested loop of every stored row over every unit, 25 s for
    100 000 rows at twenty regions' 5,600 units), nor compare a staged row with every stored
    one. Nested loops are forced here, as the planner chose them there."""
    rows = _actual_rows(lambda month: Decimal(month * 100))
    figures_replace(kind=ImportUpload.Kind.ACTUAL, rows=rows, user=user("ekonom"))
    changed = [row._replace(amount=row.amount + 7) for row in rows[1:]]
    upload = staged_upload(ImportUpload.Kind.ACTUAL, changed)
    with _Plans(analyze=True) as plans:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_hashjoin = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
        preview = import_preview(upload=upload)
    assert (preview.new, preview.changed, preview.removed) == (0, len(rows) - 1, 1)

    reads = [plan for plan in plans.plans if "forecasts_actual" in plan]
    # The staged rows with the stored figures of their periods, and the months around the
    # file's (for the incomplete-month warning).
    assert len(reads) == 2, plans.plans
    for plan in reads:
        assert "regionbudget_unit" not in plan and "forecasts_accountgroup" not in plan, plan
        removed = [int(n) for n in REMOVED_BY_JOIN_FILTER.findall(plan)]
        assert not removed, plan


def test_every_trigger_over_transition_tables_plans_its_statement_each_time(db):
    """The mechanism, for every table: a trigger function reading transition tables runs its
    query through EXECUTE (a static query would keep its first plan for the connection)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname, p.prosrc FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal "
            "AND (t.tgoldtable IS NOT NULL OR t.tgnewtable IS NOT NULL)"
        )
        functions = cursor.fetchall()
    tables = {table for table, _, _ in functions}
    assert {"forecasts_actual", "forecasts_budget", "forecasts_forecastline"} <= tables
    assert len(tables) == 10, sorted(tables)
    static = [(table, name) for table, name, source in functions if EXECUTE_TAG not in source]
    assert static == []
