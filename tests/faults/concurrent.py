"""Helpers for tests that run two requests at the same time, each on its own connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection, connections


class Held:
    """Wraps ``module.name`` so that the thread named ``first`` stops right after it, with its
    transaction open and its rows locked, until ``release`` is set."""

    def __init__(self, monkeypatch, module, name: str) -> None:
        self.inside = threading.Event()
        self.release = threading.Event()
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            result = original(*args, **kwargs)
            if threading.current_thread().name == "first":
                self.inside.set()
                assert self.release.wait(20), "the test never released the first save"
            return result

        monkeypatch.setattr(module, name, wrapper)


class Run(threading.Thread):
    """Runs ``call`` in a thread of its own (so on a connection of its own) and keeps the
    result or the exception."""

    def __init__(self, name: str, call: Callable) -> None:
        super().__init__(name=name, daemon=True)
        self.call, self.result, self.error = call, None, None

    def run(self) -> None:
        try:
            self.result = self.call()
        except BaseException as exc:  # handed to the test, which re-raises it
            self.error = exc
        finally:
            connections.close_all()

    def outcome(self):
        self.join(30)
        assert not self.is_alive(), f"{self.name} did not finish"
        if self.error is not None:
            raise self.error
        return self.result


def wait_until_blocked_on_a_lock(timeout: float = 20) -> None:
    """Wait until another backend of this database waits for a row lock (the second save
    queued behind the first one's open transaction)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second save never waited for the first one's lock")


def race(first: Callable, second: Callable, held: Held):
    """Start ``first``, stop it inside its transaction, start ``second`` and see it queue
    behind the first's locks, then let the first one commit. Returns both results."""
    one = Run("first", first)
    one.start()
    assert held.inside.wait(20), "the first save never reached its write"
    two = Run("second", second)
    two.start()
    wait_until_blocked_on_a_lock()
    held.release.set()
    return one.outcome(), two.outcome()
