"""A save cut off by a lost database connection: nothing is half-written, the input is kept.

Every save runs in one transaction, so a connection that dies in the middle (the server restarted,
a network drop, a killed backend) leaves nothing of it in the database. ``keep_input`` turns that
failure into a message on the form the user just sent, so the page comes back with their input
and an answer of 503, instead of an error page that loses what they typed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError, connection
from django.utils.translation import gettext_lazy as _

__all__ = ["LOST_CONNECTION_MESSAGE", "SaveAttempt", "keep_input"]

logger = logging.getLogger("regionbudget.core.database")

LOST_CONNECTION_MESSAGE = _(
    "The connection to the database was lost while saving. Nothing was saved. "
    "Your input is kept below: check it and save again."
)


@dataclass
class SaveAttempt:
    """What became of a save: ``interrupted`` when the connection was lost."""

    interrupted: bool = False

    @property
    def message(self):
        """The message to show after a lost connection (for a page without a form), or None."""
        return LOST_CONNECTION_MESSAGE if self.interrupted else None

    @property
    def status(self) -> int:
        """The status of the page that shows the form again: 503 after a lost connection."""
        return 503 if self.interrupted else 200


@contextmanager
def keep_input(form=None) -> Iterator[SaveAttempt]:
    """Run a save; if the database connection is lost, add the message to ``form`` (or, without
    a form, leave it in ``attempt.message`` for the page) instead of failing. The broken
    connection is closed, so the page that follows opens a new one (and if the database is
    really down, that page is the 503 error page)."""
    attempt = SaveAttempt()
    try:
        yield attempt
    except (OperationalError, InterfaceError) as error:
        logger.warning("connection lost during a save: %s", error.__class__.__name__)
        connection.close()
        attempt.interrupted = True
        if form is not None:
            form.add_error(None, LOST_CONNECTION_MESSAGE)
