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

from regionbudget.core.database import is_timeout

__all__ = ["LOST_CONNECTION_MESSAGE", "SaveAttempt", "TIMED_OUT_MESSAGE", "keep_input"]

logger = logging.getLogger("regionbudget.core.database")

LOST_CONNECTION_MESSAGE = _(
    "The connection to the database was lost while saving. Nothing was saved. "
    "Your input is kept below: check it and save again."
)
# A save that waited too long for a lock, or ran past the statement timeout (the database is
# busy, e.g. during an import or maintenance): cancelled by PostgreSQL, rolled back whole.
TIMED_OUT_MESSAGE = _(
    "The database is busy and did not answer in time. Nothing was saved. "
    "Your input is kept below: save again in a minute."
)


@dataclass
class SaveAttempt:
    """What became of a save: ``interrupted`` when the connection was lost or the database did
    not answer in time (``timed_out``)."""

    interrupted: bool = False
    timed_out: bool = False

    @property
    def message(self):
        """The message to show after an interrupted save (for a page without a form), or None."""
        if not self.interrupted:
            return None
        return TIMED_OUT_MESSAGE if self.timed_out else LOST_CONNECTION_MESSAGE

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
        attempt.interrupted = True
        attempt.timed_out = is_timeout(error)
        if attempt.timed_out:  # the connection itself is fine; the transaction was rolled back
            logger.warning("a save timed out: %s", error.__class__.__name__)
        else:
            logger.warning("connection lost during a save: %s", error.__class__.__name__)
            connection.close()
        if form is not None:
            form.add_error(None, attempt.message)
