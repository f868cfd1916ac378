"""Production settings pass Django's deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    host = db["HOST"]
    if host.startswith("/"):  # the embedded server's socket folder
        return f"postgresql://{db['USER']}@/{db['NAME']}?host={host}"
    return f"postgresql://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def test_production_settings_pass_check_deploy():
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "REGIONBUDGET_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="regionbudget.settings",
        DJANGO_READ_DOT_ENV="false",
        # A key as production has it: long and random (the test key is not).
        DJANGO_SECRET_KEY="p9!vZ2s#Lq8@rT4&wX7^bN1*eM6(kH3)jG5_fD0+cA9=uY8-iO7~",
        DATABASE_URL=_database_url(),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _settings_with(**variables) -> subprocess.CompletedProcess:
    """Load the settings in a fresh process with ``variables`` in the environment; print what
    the sign-in through an identity provider made of them."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OIDC_")}
    environment.update(DJANGO_SETTINGS_MODULE="regionbudget.settings_test", **variables)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.OIDC_ENABLED, s.AUTHENTICATION_BACKENDS, s.OIDC_ROLE_MAP, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_the_oidc_settings_switch_the_sign_in_on():
    result = _settings_with(
        OIDC_ISSUER="https://login.microsoftonline.com/tenant-id/v2.0",
        OIDC_CLIENT_ID="client-id",
        OIDC_CLIENT_SECRET="client-secret",
        OIDC_ROLE_MAP="group-1=finance,group-2=area_director",
        OIDC_PASSWORD_LOGIN="false",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True ")
    assert "regionbudget.core.oidc.RegionOIDCBackend" in result.stdout
    assert "regionbudget.core.oidc.PasswordBackend" in result.stdout
    assert "'group-1': 'finance'" in result.stdout
    assert "https://login.microsoftonline.com" in result.stdout  # the logout's redirect


def test_without_oidc_settings_the_sign_in_is_off():
    result = _settings_with()
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False ")
    assert "django.contrib.auth.backends.ModelBackend" in result.stdout
    assert "oidc" not in result.stdout.lower()


def test_half_an_oidc_configuration_stops_the_start():
    result = _settings_with(OIDC_CLIENT_ID="client-id")
    assert result.returncode != 0
    assert "OIDC_ISSUER" in result.stderr and "OIDC_CLIENT_SECRET" in result.stderr


def test_an_unknown_role_in_the_map_stops_the_start():
    result = _settings_with(
        OIDC_ISSUER="https://idp.example",
        OIDC_CLIENT_ID="client-id",
        OIDC_CLIENT_SECRET="client-secret",
        OIDC_ROLE_MAP="group-1=superboss",
    )
    assert result.returncode != 0 and "superboss" in result.stderr
