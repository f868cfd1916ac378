"""WSGI entry point for gunicorn."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regionbudget.settings")

try:
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
except ImproperlyConfigured as exc:  # a bad setting: one clear line instead of a traceback
    sys.stderr.write(f"Configuration error: {exc}\n")
    sys.exit(2)
