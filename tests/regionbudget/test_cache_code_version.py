"""Cached figures outlive a restart (PostgreSQL's cache table or Redis), so an upgrade must not
read what the old code computed: every key holds a digest of the code, translations and
templates."""

from __future__ import annotations

import pytest

from regionbudget.core import caching


def test_the_digest_follows_the_code_translations_and_templates_and_nothing_else(tmp_path):
    (tmp_path / "regionbudget").mkdir()
    (tmp_path / "locale/sv/LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "templates/regionbudget/partials").mkdir(parents=True)
    template = tmp_path / "templates/regionbudget/partials/gap_body.html"
    template.write_text("<h2>Gap</h2>")
    code = tmp_path / "regionbudget/charts.py"
    code.write_text("BARS = 10\n")
    mo = tmp_path / "locale/sv/LC_MESSAGES/django.mo"
    mo.write_bytes(b"one")
    first = caching.code_digest(tmp_path)
    assert caching.code_digest(tmp_path) == first, "the same code, the same digest"

    (tmp_path / "README.md").write_text("not code")
    (tmp_path / "regionbudget/notes.txt").write_text("not code")
    assert caching.code_digest(tmp_path) == first

    code.write_text("BARS = 12\n")
    changed_code = caching.code_digest(tmp_path)
    assert changed_code != first
    mo.write_bytes(b"two")
    assert caching.code_digest(tmp_path) not in (first, changed_code)

    before_template = caching.code_digest(tmp_path)
    template.write_text("<h2>Gapet</h2>")  # a cached page part is rendered from it
    assert caching.code_digest(tmp_path) != before_template

    code.rename(tmp_path / "regionbudget/figures.py")
    assert caching.code_digest(tmp_path) != changed_code, "a renamed module counts"


@pytest.mark.django_db
def test_figures_cached_by_other_code_are_computed_again(monkeypatch):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    monkeypatch.setattr(caching, "code_version", lambda: "old-code")
    assert caching.cached_data("test:code", compute, sources=["measures_measure"]) == 1
    assert caching.cached_data("test:code", compute, sources=["measures_measure"]) == 1
    monkeypatch.setattr(caching, "code_version", lambda: "new-code")
    assert caching.cached_data("test:code", compute, sources=["measures_measure"]) == 2
    assert len(calls) == 2


def test_the_running_code_has_one_digest_per_process():
    assert caching.code_version() == caching.code_version()
    assert len(caching.code_version()) == 16
