#!/usr/bin/env python
"""Django's command-line utility for Regionbudget."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regionbudget.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import InterfaceError, OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A configuration mistake (e.g. a bad DATABASE_URL): say what is wrong, no traceback.
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(2)
    except (OperationalError, InterfaceError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        source = "DATABASE_URL" if os.environ.get("DATABASE_URL") else "the embedded PostgreSQL"
        sys.stderr.write(
            f"Cannot use the database given by {source}: {first_line}\n"
            "Check that the server runs and that DATABASE_URL is right.\n"
        )
        sys.exit(3)


if __name__ == "__main__":
    main()
