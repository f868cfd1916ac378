"""Each worker keeps the page parts (text) it read last in memory: their keys name the data
versions they were drawn from, so they never go stale, and a warm page does not fetch and
decode several hundred KB from the shared cache on every request."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from measures.models import Category
from regionbudget.core import caching

SOURCES = ["measures_category"]


def _counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


@pytest.mark.django_db
def test_a_page_part_is_read_from_the_workers_memory_until_its_data_changes():
    compute, calls = _counting("<p>gap</p>")
    assert caching.cached_data("test:page", compute, sources=SOURCES) == "<p>gap</p>"
    cache.clear()  # the shared entry gone (another host's flush): this worker still has it
    assert caching.cached_data("test:page", compute, sources=SOURCES) == "<p>gap</p>"
    assert len(calls) == 1

    Category.objects.create(name="Ny kategori", position=99)  # its table's version moves
    assert caching.cached_data("test:page", compute, sources=SOURCES) == "<p>gap</p>"
    assert len(calls) == 2, "computed again for the new data"


@pytest.mark.django_db
def test_other_values_are_decoded_from_the_shared_cache_per_request():
    """A data frame or a dict could be changed by the request that got it: each gets its own."""
    compute, calls = _counting({"2024": ["175", "192"]})
    first = caching.cached_data("test:figures", compute, sources=SOURCES)
    first["2024"].append("changed by a request")
    assert caching.cached_data("test:figures", compute, sources=SOURCES) == {"2024": ["175", "192"]}
    cache.clear()
    caching.cached_data("test:figures", compute, sources=SOURCES)
    assert len(calls) == 2, "not kept in the worker's memory"


@pytest.mark.django_db
def test_clear_cache_empties_the_workers_memory_too():
    compute, calls = _counting("<p>gap</p>")
    caching.cached_data("test:page", compute, sources=SOURCES)
    caching.clear_cache()
    caching.cached_data("test:page", compute, sources=SOURCES)
    assert len(calls) == 2


def test_the_workers_memory_is_bounded_by_entries_and_characters():
    recent = caching._Recent(entries=2, chars=10)
    recent.put("a", "aaaa")
    recent.put("b", "bbbb")
    assert recent.get("a") == "aaaa"  # a is now the most recently used
    recent.put("c", "cccc")
    assert (recent.get("a"), recent.get("b"), recent.get("c")) == ("aaaa", None, "cccc")
    recent.put("d", "ddddddd")  # 4 + 7 > 10 characters: the least recently used goes
    assert (recent.get("a"), recent.get("c"), recent.get("d")) == (None, None, "ddddddd")
    recent.put("e", "e" * 11)  # larger than the whole memory: not kept
    assert recent.get("e") is None and recent.get("d") == "ddddddd"


@pytest.mark.django_db
def test_a_value_goes_to_the_shared_cache_compressed_and_comes_back_equal(monkeypatch):
    """A large region's figures are frames of Decimals and repeated names: stored compressed."""
    import pickle
    from decimal import Decimal

    import pandas as pd

    frame = pd.DataFrame(
        {
            "area_name": ["Länssjukvårdsområde somatik", "Primärvård"] * 1000,
            "deviation": [Decimal("-1234567.50"), Decimal("250000.00")] * 1000,
        }
    )
    stored = []
    set_entry = cache.set

    def recording_set(key, value, timeout=None):
        stored.append(value)
        set_entry(key, value, timeout)

    monkeypatch.setattr(caching.cache, "set", recording_set)
    compute, calls = _counting(frame)
    caching.cached_data("test:frame", compute, sources=SOURCES)
    again = caching.cached_data("test:frame", compute, sources=SOURCES)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(again, frame)
    assert again["deviation"].tolist()[:2] == [Decimal("-1234567.50"), Decimal("250000.00")]
    (entry,) = stored
    assert isinstance(entry, bytes)
    assert len(entry) * 5 < len(pickle.dumps(frame, pickle.HIGHEST_PROTOCOL))
