"""The cached figures are recomputed after writes to what they read, and only then; a write
holds only its own tables' data versions, so unrelated saves never wait for an import.

A page served from the cache runs only its fixed queries (session, user, filters, scope, the data
versions); a recomputed one runs the figures' queries too, so the query count of the next view
tells a cached page from a recomputed one.
"""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest
from django.db import connection

from forecasts.models import Budget, Forecast, ImportUpload
from forecasts.services import (
    LineInput,
    figures_replace,
    forecast_approve,
    forecast_save,
    forecast_submit,
)
from forecasts.services.figures import FigureRow
from tests.forecasts.helpers import area, lines_like_budget, new_round, user

pytestmark = pytest.mark.django_db

URL = "/gap/?year=2024"


def _queries(client, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(1000) as captured:
        assert client.get(URL).status_code == 200
    return len(captured.captured_queries)


@pytest.fixture
def warm(finance, django_assert_max_num_queries):
    """The dashboard drawn once (cold) and once more (warm): the warm page's query count."""
    cold = _queries(finance, django_assert_max_num_queries)
    count = _queries(finance, django_assert_max_num_queries)
    assert count < cold, "the second view was not served from the cache"
    return count


def test_a_directors_draft_saves_leave_the_cached_dashboard_in_place(
    finance, warm, django_assert_max_num_queries
):
    somatik = area("LSO-SOM")
    november = new_round(month=11)
    # Opening a round is a change the figures read (its rounds): drawn again once.
    _queries(finance, django_assert_max_num_queries)
    assert _queries(finance, django_assert_max_num_queries) == warm
    lines = lines_like_budget(somatik)
    director = user("direktor.somatik")
    draft = forecast_save(
        forecast_round=november, area=somatik, lines=lines, expected_version=0, user=director
    )
    assert _queries(finance, django_assert_max_num_queries) == warm
    cell = next(iter(lines))
    lines[cell] = LineInput(lines[cell].amount + Decimal("1000"), "ändrad")
    forecast_save(
        forecast_round=november,
        area=somatik,
        lines=lines,
        expected_version=draft.version,
        user=director,
    )
    assert Forecast.objects.get(pk=draft.pk).lines.get(unit_id=cell[0], account_group_id=cell[1])
    assert _queries(finance, django_assert_max_num_queries) == warm


def test_submitting_and_approving_a_forecast_recompute_the_dashboard(
    finance, warm, django_assert_max_num_queries
):
    somatik = area("LSO-SOM")
    november = new_round(month=11)
    lines = lines_like_budget(somatik)
    lines[next(iter(lines))] = LineInput(Decimal("999000000"), "Stor avvikelse i november")
    forecast = forecast_submit(
        forecast_round=november,
        area=somatik,
        lines=lines,
        expected_version=0,
        user=user("direktor.somatik"),
    )
    assert _queries(finance, django_assert_max_num_queries) > warm
    assert _queries(finance, django_assert_max_num_queries) == warm
    forecast_approve(forecast=forecast, expected_version=forecast.version, user=user("ekonom"))
    assert _queries(finance, django_assert_max_num_queries) > warm


def _row(kind: str) -> FigureRow:
    budget = Budget.objects.filter(year=2024).order_by("pk").first()
    month = 3 if kind == ImportUpload.Kind.ACTUAL else None
    return FigureRow(
        budget.unit_id, 2024, month, budget.account_group_id, budget.amount + Decimal("100")
    )


def test_an_import_of_actuals_leaves_the_cached_dashboard_in_place_one_of_budgets_does_not(
    finance, warm, django_assert_max_num_queries
):
    ekonom = user("ekonom")
    figures_replace(kind=ImportUpload.Kind.ACTUAL, rows=[_row("actual")], user=ekonom)
    assert _queries(finance, django_assert_max_num_queries) == warm
    figures_replace(kind=ImportUpload.Kind.BUDGET, rows=[_row("budget")], user=ekonom)
    assert _queries(finance, django_assert_max_num_queries) > warm


def _other_connection() -> psycopg.Connection:
    """A connection of its own to the test database (it sees committed rows: the demo)."""
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"],
        password=s["PASSWORD"] or None,
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        autocommit=True,
    )


def test_a_measure_edit_does_not_wait_for_an_import_still_writing(demo):
    """The import runs in this test's transaction and stays open (its data version of budgets
    locked); another user's measure edit on another connection completes at once, and so does
    a director's draft save. A second budget import does wait for the first (the control: a
    lock_timeout makes waiting fail fast instead of hanging)."""
    figures_replace(kind=ImportUpload.Kind.BUDGET, rows=[_row("budget")], user=user("ekonom"))
    draft = Forecast.objects.filter(status=Forecast.Status.DRAFT).values_list("pk", flat=True)
    with _other_connection() as other:
        other.execute("SET lock_timeout = '2s'")
        with other.transaction(force_rollback=True):  # the edit completes; the demo stays
            updated = other.execute(
                "UPDATE measures_measure SET title = title || ' (ändrad)' WHERE code = 'M01'"
            ).rowcount
            assert updated == 1
        if draft:
            with other.transaction(force_rollback=True):
                other.execute(
                    "UPDATE forecasts_forecastline SET amount = amount + 1 WHERE forecast_id = %s",
                    [draft[0]],
                )
        with (
            pytest.raises(psycopg.errors.LockNotAvailable),
            other.transaction(force_rollback=True),
        ):
            other.execute("UPDATE forecasts_budget SET amount = amount WHERE false")


def _version(conn: psycopg.Connection, table: str) -> int:
    row = conn.execute(
        "SELECT version FROM regionbudget_dataversion WHERE name = %s", [table]
    ).fetchone()
    return row[0] if row else 0


def test_a_submit_waits_for_draft_lines_being_saved_so_no_cache_keeps_older_lines(demo):
    """A draft's lines are saved (no new version: nobody reads a draft) while finance submits
    the same forecast on another connection: the submit waits until the lines are committed, so
    the forecasts' new version can never come before the lines it makes visible. Both
    transactions are rolled back; lock_timeout turns the wait into an error."""
    draft = (
        Forecast.objects.filter(status=Forecast.Status.DRAFT).values_list("pk", flat=True).first()
    )
    assert draft is not None, "the demo has a draft forecast"
    with _other_connection() as saving, _other_connection() as submitting:
        submitting.execute("SET lock_timeout = '1s'")
        with saving.transaction(force_rollback=True):
            before = _version(saving, "forecasts_forecastline")
            saving.execute(
                "UPDATE forecasts_forecastline SET amount = amount + 1 WHERE forecast_id = %s",
                [draft],
            )
            assert _version(saving, "forecasts_forecastline") == before, "a draft moved it"
            with (
                pytest.raises(psycopg.errors.LockNotAvailable),
                submitting.transaction(force_rollback=True),
            ):
                submitting.execute(
                    "UPDATE forecasts_forecast SET status = 'submitted' WHERE id = %s", [draft]
                )
        # The lines' transaction over, the submit goes through (and moves the version).
        with submitting.transaction(force_rollback=True):
            before = _version(submitting, "forecasts_forecast")
            submitting.execute(
                "UPDATE forecasts_forecast SET status = 'submitted' WHERE id = %s", [draft]
            )
            assert _version(submitting, "forecasts_forecast") != before
