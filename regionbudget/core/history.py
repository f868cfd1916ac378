"""History triggers that plan their statement for the rows at hand, every time they run.

A statement-level history trigger (django-pghistory with ``level=pgtrigger.Statement``) reads
the statement's transition tables (``old_values``, ``new_values``) in one query. PL/pgSQL keeps
the plan of a static query for the rest of the connection, planned for the transition tables'
size the first time the trigger ran: the update trigger joins ``old_values`` to
``new_values``, and after a one-row update that join is a nested loop whose cost grows with the
square of the rows. With persistent connections a 100 000-row import then took hours where a
fresh connection took a second (a parameterless query always gets the cached generic plan:
``plan_cache_mode`` does not change that). The events below run the very same query through
``EXECUTE``, which PostgreSQL plans afresh each time, with the transition tables' real size.
Planning the small query costs well under a millisecond per statement.

Row-level triggers (the default level) read ``OLD``/``NEW`` of one row: their plans do not
depend on a statement's size, and they need none of this.
"""

from __future__ import annotations

import pghistory
import pgtrigger
from pghistory import trigger

__all__ = [
    "EXECUTE_TAG",
    "PlannedDeleteEvent",
    "PlannedEventTrigger",
    "PlannedInsertEvent",
    "PlannedUpdateEvent",
    "statement_history",
]

# The dollar quote around the executed statement; pgtrigger quotes the function body with $$.
EXECUTE_TAG = "$pgh_statement$"
_RETURN = "RETURN NULL;"


class PlannedEventTrigger(trigger.Event):
    """pghistory's event trigger whose statement-level function runs its ``INSERT … SELECT``
    through ``EXECUTE``, so that it is planned for each statement's transition tables."""

    def render_func(self, model) -> str:
        rendered = super().render_func(model)
        if self.level != pgtrigger.Statement:
            return rendered
        statement = rendered.strip()
        if not statement.endswith(_RETURN) or EXECUTE_TAG in statement:
            raise ValueError(f"unexpected history trigger function: {statement!r}")
        statement = statement.removesuffix(_RETURN).strip().removesuffix(";")
        return f"EXECUTE {EXECUTE_TAG}{statement}{EXECUTE_TAG}; {_RETURN}"


class _PlannedPerExecution:
    """Mixin for a pghistory row event (a tracker): registers ``PlannedEventTrigger``."""

    def add_event_trigger(self, event_model):
        pgtrigger.register(
            PlannedEventTrigger(
                event_model=event_model,
                label=self.label,
                name=self.trigger_name,
                row=self.row,
                operation=self.operation,
                condition=self.condition,
                level=self.level,
            )
        )(event_model.pgh_tracked_model)


class PlannedInsertEvent(_PlannedPerExecution, pghistory.InsertEvent):
    """``pghistory.InsertEvent`` planned per statement at the statement level."""


class PlannedUpdateEvent(_PlannedPerExecution, pghistory.UpdateEvent):
    """``pghistory.UpdateEvent`` planned per statement at the statement level."""


class PlannedDeleteEvent(_PlannedPerExecution, pghistory.DeleteEvent):
    """``pghistory.DeleteEvent`` planned per statement at the statement level."""


def statement_history():
    """History of inserts, updates and deletes by statement-level triggers, each planned for
    the rows of the statement that fired it (a model decorator, like ``pghistory.track``)."""
    return pghistory.track(
        PlannedInsertEvent(),
        PlannedUpdateEvent(),
        PlannedDeleteEvent(),
        level=pgtrigger.Statement,
    )
