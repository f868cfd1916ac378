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
