"""What a worker loads when it starts, so that its first request does not.

Django loads the URLconf, and with it every view module and what they import (pandas, numpy,
plotly), on the first request; it reads a language's translations the first time the language
is used and compiles a template the first time it is rendered; plotly loads a figure's classes
when the first one is built. In a new gunicorn worker that was more than half a second of the
first page someone asked for (the cold dashboard at S20, 2.5 s, against 2.0 s in a process that
had served a page). ``regionbudget/wsgi.py`` calls ``warm_up`` once the application is loaded,
before the worker takes requests. Nothing here touches the database: a worker starts while the
database is down and answers with its 503 page.
"""

from __future__ import annotations

import gc

from django.conf import settings
from django.template import engines
from django.template.loader import get_template
from django.urls import get_resolver, reverse
from django.utils import formats, translation
from django.utils.module_loading import import_string

__all__ = ["WARM_TEMPLATES", "warm_up"]

# The pages people wait for after a restart: the home page, the dashboard and its figures.
WARM_TEMPLATES = (
    "base.html",
    "regionbudget/home.html",
    "regionbudget/gap_dashboard.html",
    "regionbudget/partials/gap_body.html",
)


def _warm_plotly() -> None:
    """Build and serialise one small figure with every kind of trace and layout part the
    dashboard draws: plotly loads the classes and validators of each on first use, 0.2 s of the
    first dashboard a new worker drew."""
    import plotly.graph_objects as go

    go.Figure(
        data=[
            {"type": "bar", "x": [1], "y": [1], "base": [0], "marker": {"pattern": {"shape": "/"}}},
            {"type": "scatter", "x": [1], "y": [1], "line": {"dash": "dot"}, "error_y": {}},
            {
                "type": "scatter",
                "mode": "markers",
                "x": [1],
                "y": [1],
                "marker": {"symbol": "circle", "line": {"width": 1}},
            },
            {
                "type": "waterfall",
                "x": ["a"],
                "y": [1],
                "measure": ["absolute"],
                "connector": {"line": {"dash": "dot"}},
                "decreasing": {"marker": {"color": "red"}},
                "increasing": {"marker": {"color": "red"}},
                "totals": {"marker": {"color": "red"}},
            },
        ],
        layout={
            "template": "none",
            "font": {"size": 12},
            "margin": {"l": 10},
            "legend": {"orientation": "h"},
            "xaxis": {"type": "category", "title": {"text": "a"}},
            "yaxis": {"title": {"text": "a"}},
            "xaxis2": {"anchor": "y2"},
            "yaxis2": {"domain": [0, 0.5]},
            "shapes": [{"type": "line", "x0": 0, "x1": 1, "y0": 0, "y1": 0, "line": {"width": 1}}],
            "annotations": [{"text": "a", "showarrow": False, "font": {"size": 12}}],
        },
    ).to_json()


def warm_up() -> None:
    """Load the URLconf (every view module) and each language's table for reversing URL names,
    each language's translations and number formats, the context processors and the message
    and session classes the settings name, the templates of ``WARM_TEMPLATES``, plotly's figure
    classes and the digest of the code that keys the cache (``caching.code_version``); then
    move what was loaded out of the garbage collector's way."""
    from regionbudget.core.caching import code_version

    get_resolver().url_patterns  # noqa: B018 - loading it is the point
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Regionbudget")
            # The resolver's table for reversing names, built per language on first use (the
            # first {% url %} of a page: 20-40 ms), and the language's number formats.
            reverse("home")
            formats.get_format("DECIMAL_SEPARATOR", lang=code)
    # What Django imports by name from the settings on the first request that needs it.
    engines["django"].engine.template_context_processors  # noqa: B018 - loading it is the point
    import_string(settings.MESSAGE_STORAGE)
    import_string(settings.SESSION_SERIALIZER)
    for name in WARM_TEMPLATES:
        get_template(name)
    _warm_plotly()
    code_version()
    # Everything loaded so far lives as long as the worker: out of the collector's sight, a
    # collection walks the objects a request makes, not the 170,000 of the modules as well.
    # (The cold dashboard at twenty regions' scale spent 0.2 s in collections, 0.03 s after.)
    gc.freeze()
