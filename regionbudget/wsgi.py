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
    # 3 is gunicorn's "worker failed to boot": it stops instead of restarting workers forever.
    sys.exit(3)

from regionbudget.core.startup import warm_up  # noqa: E402 - needs the apps loaded above

warm_up()
