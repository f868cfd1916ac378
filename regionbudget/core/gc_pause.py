"""Pausing Python's cyclic garbage collector while a request builds many small objects.

Reading a file of 100 000 rows builds a few hundred thousand dicts, lists and tuples that all
stay alive until the rows are stored. The cyclic collector runs after every 700 or so new
objects and, once they reach its oldest generation, walks all of them again and again: that was
half of the time spent reading such a file. None of these objects is part of a cycle, so
reference counting frees them without the collector; it is paused while they are built and
restarted afterwards.

The collector is process-wide and gunicorn's workers are threaded: the pause counts the
requests inside it, and the last one out restarts the collector (only if it was running when
the first came in).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_lock = threading.Lock()
_inside = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic garbage collector paused (see the module's text)."""
    global _inside, _was_enabled
    with _lock:
        if _inside == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _was_enabled:
                gc.enable()
