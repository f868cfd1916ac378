"""What a worker loads when it starts, so that its first request does not.

Django loads the URLconf, and with it every view module and what they import (pandas, numpy,
plotly), on the first request; it reads a language's translations the first time the language
is used and compiles a template the first time it is rendered. In a new gunicorn worker that
was half a second of the first page someone asked for (the cold dashboard at S20, 2.5 s, against
2.0 s in a process that had served a page). ``regionbudget/wsgi.py`` calls ``warm_up`` once the
application is loaded, before the worker takes requests. Nothing here touches the database: a
worker starts while the database is down and answers with its 503 page.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

__all__ = ["WARM_TEMPLATES", "warm_up"]

# The pages people wait for after a restart: the home page, the dashboard and its figures.
WARM_TEMPLATES = (
    "base.html",
    "regionbudget/home.html",
    "regionbudget/gap_dashboard.html",
    "regionbudget/partials/gap_body.html",
)


def warm_up() -> None:
    """Load the URLconf (every view module), each language's translations and the templates of
    ``WARM_TEMPLATES``."""
    get_resolver().url_patterns  # noqa: B018 - loading it is the point
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Regionbudget")
    for name in WARM_TEMPLATES:
        get_template(name)
