"""Where the database comes from, and the messages a bad DATABASE_URL gets."""

import os
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.core.exceptions import ImproperlyConfigured

from regionbudget.core.database import database_settings

ROOT = Path(__file__).resolve().parents[2]


def _settings_for(monkeypatch, tmp_path, url: str) -> dict:
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("CONN_MAX_AGE", raising=False)
    return database_settings(environ.Env(), embedded_dir=tmp_path)


def test_it_uses_the_server_in_database_url_with_persistent_connections(monkeypatch, tmp_path):
    config = _settings_for(
        monkeypatch, tmp_path, "postgresql://rb:secret@db.example:5433/regionbudget"
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example", 5433, "regionbudget")
    assert (config["USER"], config["PASSWORD"]) == ("rb", "secret")
    assert config["CONN_MAX_AGE"] == 600
    assert config["CONN_HEALTH_CHECKS"] is True
    assert not any(tmp_path.iterdir()), "no embedded server is started when DATABASE_URL is set"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("sqlite:///db.sqlite3", "must point to PostgreSQL"),
        ("mysql://root@localhost/rb", "must point to PostgreSQL"),
        ("localhost:5432", "must point to PostgreSQL"),
        ("postgresql://rb@localhost:5432", "names no database"),
        ("postgresql://rb@localhost:port/rb", "not a valid URL"),
    ],
)
def test_it_refuses_a_bad_database_url_naming_the_variable(monkeypatch, tmp_path, url, message):
    with pytest.raises(ImproperlyConfigured) as error:
        _settings_for(monkeypatch, tmp_path, url)
    assert "DATABASE_URL" in str(error.value)
    assert message in str(error.value)


def test_without_database_url_it_starts_an_embedded_postgresql_and_reuses_it(monkeypatch, tmp_path):
    import pgserver
    import psycopg

    data_dir = tmp_path / "pg"
    monkeypatch.delenv("DATABASE_URL", raising=False)
    try:
        config = database_settings(environ.Env(), embedded_dir=data_dir)
        assert config["HOST"] == str(data_dir), "it connects through the data folder's socket"
        again = database_settings(environ.Env(), embedded_dir=data_dir)
        assert again["HOST"] == config["HOST"]
        with psycopg.connect(
            host=config["HOST"], user=config["USER"], dbname=config["NAME"]
        ) as connection:
            version = connection.execute("SHOW server_version_num").fetchone()[0]
        assert int(version) >= 150000
    finally:
        server = pgserver.get_server(data_dir)
        server.cleanup_mode = "stop"  # this test's server only; the project's keeps running
        server.cleanup()


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "regionbudget.settings",
        "DJANGO_READ_DOT_ENV": "false",
        "DJANGO_SECRET_KEY": "x" * 60,
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_manage_py_says_what_is_wrong_with_database_url_without_a_traceback():
    result = _manage("check", DATABASE_URL="sqlite:///db.sqlite3")
    assert result.returncode == 2
    assert "DATABASE_URL must point to PostgreSQL" in result.stderr
    assert "Traceback" not in result.stderr


def test_manage_py_says_when_the_database_cannot_be_reached_without_a_traceback():
    # Port 9 (discard) on loopback: nothing listens there.
    result = _manage("migrate", DATABASE_URL="postgresql://postgres@127.0.0.1:9/none")
    assert result.returncode == 3
    assert "Cannot use the database given by DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_secret_key_is_named_at_start_up():
    result = _manage("check", DJANGO_SECRET_KEY="")
    assert result.returncode == 2
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_boolean_setting_is_named_at_start_up():
    result = _manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode == 2
    assert "DJANGO_DEBUG must be true or false" in result.stderr


def test_every_connection_gets_statement_and_lock_timeouts(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT", "2.5")
    monkeypatch.setenv("DATABASE_LOCK_TIMEOUT", "0")
    config = _settings_for(monkeypatch, tmp_path, "postgresql://rb@localhost:5432/rb")
    assert config["OPTIONS"]["options"] == "-c statement_timeout=2500 -c lock_timeout=0"


@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_a_bad_timeout_names_the_variable(monkeypatch, tmp_path, value):
    monkeypatch.setenv("DATABASE_LOCK_TIMEOUT", value)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_LOCK_TIMEOUT"):
        _settings_for(monkeypatch, tmp_path, "postgresql://rb@localhost:5432/rb")


def test_the_default_timeouts_are_below_gunicorns_worker_timeout(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_STATEMENT_TIMEOUT", raising=False)
    monkeypatch.delenv("DATABASE_LOCK_TIMEOUT", raising=False)
    config = _settings_for(monkeypatch, tmp_path, "postgresql://rb@localhost:5432/rb")
    # gunicorn.conf.py: 30 s
    assert config["OPTIONS"]["options"] == "-c statement_timeout=15000 -c lock_timeout=5000"
