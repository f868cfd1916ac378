"""A new gunicorn worker loads what its first request would otherwise load: the URLconf with
every view module (pandas, plotly), the translations, the main templates, plotly's figure
classes and the code digest that keys the cache; then it freezes what it loaded out of the
garbage collector's way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import gc, json, sys
import regionbudget.wsgi  # what gunicorn loads in each worker
from django.template import engines
from django.utils.translation import trans_real
from django.urls import get_resolver
from regionbudget.core.caching import code_version
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "modules": [m for m in ("regionbudget.gap.views", "plotly", "pandas") if m in sys.modules],
    "languages": sorted(trans_real._translations),
    "templates": sorted(getattr(loader, "get_template_cache", {})),
    "figures": sorted(m for m in sys.modules if m.startswith("plotly.graph_objs._")),
    "digest": code_version.cache_info().currsize,
    "reversing": sorted(get_resolver()._reverse_dict),
    "context_processors": "regionbudget.core.context_processors" in sys.modules,
    "waterfall_parts": "plotly.graph_objs.waterfall._connector" in sys.modules,
    "frozen": gc.get_freeze_count(),
}))
"""


def test_the_wsgi_module_loads_views_translations_and_templates_before_any_request():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # No database needed: a worker starts while the database is down.
    env |= {
        "DJANGO_SETTINGS_MODULE": "regionbudget.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "DJANGO_SECRET_KEY": "startup-test-" + "x" * 40,
        "DJANGO_READ_DOT_ENV": "false",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded["modules"] == ["regionbudget.gap.views", "plotly", "pandas"]
    assert {"sv", "en"} <= set(loaded["languages"])
    assert "regionbudget/gap_dashboard.html" in loaded["templates"]
    # The dashboard's kinds of trace, built once at start.
    assert {"plotly.graph_objs._bar", "plotly.graph_objs._scatter"} <= set(loaded["figures"])
    assert "plotly.graph_objs._waterfall" in loaded["figures"]
    assert loaded["digest"] == 1, "the code digest is computed before the first request"
    # The first {% url %} of a page does not build the table of names, in either language.
    assert {"sv", "en"} <= set(loaded["reversing"])
    assert loaded["context_processors"], "the context processors are imported"
    assert loaded["waterfall_parts"], "the bridge's connector and bars are built once at start"
    # What was loaded is out of the collector's way (tens of thousands of objects at least).
    assert loaded["frozen"] > 50_000
