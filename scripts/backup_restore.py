#!/usr/bin/env python
"""Back up the database, restore the backup into an empty database, and show that the gap
figures of the restored copy are identical to the original's.

    .venv/bin/python scripts/backup_restore.py [--keep BACKUP_FILE]

Uses DATABASE_URL (or the embedded PostgreSQL when it is unset), pg_dump's custom format and
pg_restore. The check database (<name>_restore_check) is dropped afterwards. Exit status 0 when
the figures agree, 1 when they differ. See README.md, "Backup and restore".
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from support import server_url, with_database

ROOT = Path(__file__).resolve().parents[1]


def _tool(name: str) -> str:
    """pg_dump/pg_restore/psql: the embedded server's own, else the system's."""
    try:
        import pgserver

        candidate = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if candidate.exists() and not os.environ.get("DATABASE_URL"):
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which(name)
    if not found:
        sys.exit(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return found


def _figures(url: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "regionbudget.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "gap_figures"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"gap_figures failed:\n{result.stderr}")
    return result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="also keep the backup in this file")
    args = parser.parse_args()

    source = server_url()
    name = urlsplit(source).path.lstrip("/")
    check_name = f"{name}_restore_check"
    check_url = with_database(source, check_name)
    admin_url = with_database(source, "postgres")

    with tempfile.TemporaryDirectory() as folder:
        backup = Path(folder) / "regionbudget.dump"
        subprocess.run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--file={backup}",
                f"--dbname={source}",
            ],
            check=True,
        )
        print(f"Backup written: {backup.stat().st_size:,} bytes")
        if args.keep:
            shutil.copy(backup, args.keep)
            print(f"Kept a copy in {args.keep}")
        psql = _tool("psql")
        subprocess.run(
            [psql, admin_url, "-qc", f'DROP DATABASE IF EXISTS "{check_name}"'], check=True
        )
        subprocess.run([psql, admin_url, "-qc", f'CREATE DATABASE "{check_name}"'], check=True)
        try:
            subprocess.run(
                [
                    _tool("pg_restore"),
                    "--no-owner",
                    "--exit-on-error",
                    f"--dbname={check_url}",
                    str(backup),
                ],
                check=True,
            )
            print(f"Restored into the empty database {check_name}")
            original, restored = _figures(source), _figures(check_url)
        finally:
            subprocess.run(
                [psql, admin_url, "-qc", f'DROP DATABASE IF EXISTS "{check_name}"'], check=True
            )
    if original != restored:
        print("The restored database gives DIFFERENT gap figures.", file=sys.stderr)
        return 1
    plans = original.count('"plan"')
    print(f"Identical gap figures in the original and the restored copy ({plans} plan-years).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
