"""Shared fixtures: the seed case and one logged-in client per persona.

The demo (the seed case and its users) is loaded once per test database, when the database is set
up, and committed. Every ``db`` test runs in a transaction over it that is rolled back, so each
test sees the demo exactly as loaded. Transactional tests (the live-server browser tests and the
fault tests) end with a flush of the whole database; they load the demo again themselves
(``demo_committed``), and the demo is loaded again before any later ``db`` test. pytest-django
runs the ``db`` tests before the transactional ones (also under pytest-randomly, which shuffles
first, and pytest-xdist, whose workers keep that order), so that reload is a safety net.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from regionbudget.demo import load_demo
from tests.smtp import smtp_server  # noqa: F401 (a fixture: a real SMTP server on 127.0.0.1)

DEMO_USERNAMES = ["ekonom", "direktor.somatik", "direktor.psykiatri", "ledamot", "admin"]


def _demo_is_loaded() -> bool:
    """The demo's last writes are its published reports: with them the demo is complete."""
    from regionbudget.reports.models import StatusReport

    return (
        get_user_model().objects.filter(username__in=DEMO_USERNAMES).count() == len(DEMO_USERNAMES)
        and StatusReport.objects.filter(status="published").exists()
    )


def ensure_demo() -> None:
    """Load the demo unless it is there already (``load_demo`` is idempotent, but not cheap)."""
    if not _demo_is_loaded():
        _restore_migration_seeds()
        load_demo()


# What the migrations write besides the schema; a flush removes it, like every other row.
MIGRATION_SEEDS = [
    ("regionbudget.migrations.0003_default_confidence_weights", "seed_weights"),
    ("forecasts.migrations.0003_seed_account_groups", "seed"),
    ("measures.migrations.0002_seed_categories", "seed"),
]


def _restore_migration_seeds() -> None:
    """After a flush: the rows a freshly migrated database has (each seed is a get-or-create)."""
    import importlib

    from django.apps import apps

    for module, function in MIGRATION_SEEDS:
        getattr(importlib.import_module(module), function)(apps, None)


# The database blocker (from django_db_setup), and whether a transactional test has flushed the
# database since the demo was last loaded.
_state: dict = {"blocker": None, "flushed": False}


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


def _uses_db(item: pytest.Item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    return item.get_closest_marker("django_db") is not None or "db" in fixtures


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database (one per xdist worker), with the demo loaded and committed."""
    _state["blocker"] = django_db_blocker
    with django_db_blocker.unblock():
        ensure_demo()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    if _state["flushed"] and _uses_db(item) and not _is_transactional(item):
        # A transactional test before this one flushed the database: load the demo again,
        # committed, before this test's transaction begins.
        with _state["blocker"].unblock():
            ensure_demo()
        _state["flushed"] = False
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if _is_transactional(item):
        _state["flushed"] = True
    return result


@pytest.fixture(autouse=True)
def _swedish_by_default():
    """Each test starts in the default language: a request in English activates English in the
    thread, and without this the next test (in whatever order) would read English messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: what one test cached (its own data, rolled back
    after it) must not be seen by the next."""
    from regionbudget.core.caching import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def demo(db):
    """The seed case: 8 areas with units, two plans, and the five demo users (loaded once per
    test database; this test's writes are rolled back)."""


# Tables a freshly migrated database fills besides the migrations' seeds (post_migrate).
_KEPT_BY_EMPTY_DATABASE = {"django_migrations", "django_content_type", "auth_permission"}


@pytest.fixture
def empty_database(db):
    """A freshly migrated database without the demo, inside this test's transaction: every table
    is truncated and the migrations' seed rows are written again; the rollback at the end of the
    test brings the demo back."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = sorted(t for (t,) in cursor.fetchall() if t not in _KEPT_BY_EMPTY_DATABASE)
        cursor.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables))
    _restore_migration_seeds()


@pytest.fixture
def demo_committed(transactional_db):
    """The demo in a transactional test (live server, several connections): loaded again when a
    flush at the end of an earlier transactional test removed it."""
    ensure_demo()


def _client_for(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def finance(demo) -> Client:
    return _client_for("ekonom")


@pytest.fixture
def director_own(demo) -> Client:
    """Area director of Länssjukvårdsområde somatik."""
    return _client_for("direktor.somatik")


@pytest.fixture
def director_other(demo) -> Client:
    """Area director of Länssjukvårdsområde psykiatri och habilitering."""
    return _client_for("direktor.psykiatri")


@pytest.fixture
def committee(demo) -> Client:
    return _client_for("ledamot")


@pytest.fixture
def administrator(demo) -> Client:
    return _client_for("admin")


@pytest.fixture
def english(client):
    """Select English the way the language switch does: with the language cookie."""

    def _select(c: Client) -> Client:
        c.cookies["django_language"] = "en"
        return c

    return _select
