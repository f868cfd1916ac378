"""The names of the balance requirement's lines and of what became of a deficit, defined once.

The keys are stored (a line's ``kind``), used by the arithmetic, and written to the JSON and
Excel exports and a status report's snapshot; the names are what people read. No ORM, no request:
only lazy translations, so that the pure calculations can use the keys.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

__all__ = [
    "EXCLUDED",
    "FLAGGED",
    "LATE_RESTORED",
    "LINE_KINDS",
    "LINE_NAMES",
    "MISSED",
    "OPEN",
    "REALISATION_GAINS",
    "RESERVE",
    "RESTORED",
    "RESULT",
    "SCENARIOS",
    "SCENARIO_NAMES",
    "SECURITIES",
    "STATUS_NAMES",
    "WILL_MISS",
]

# The kinds of line of a statement, in the order of the table.
RESULT = "result"
REALISATION_GAINS = "realisation_gains"
EXCLUDED = "excluded"
SECURITIES = "securities"
RESERVE = "reserve"
LINE_KINDS = (RESULT, REALISATION_GAINS, EXCLUDED, SECURITIES, RESERVE)
LINE_NAMES = {
    RESULT: _("the year's result"),
    REALISATION_GAINS: _("realisation gains (deducted)"),
    EXCLUDED: _("item excluded under the law"),
    SECURITIES: _("unrealised gains/losses on securities"),
    RESERVE: _("transfer to (−) or from (+) the result reserve"),
}

# What became of a deficit.
RESTORED = "restored"  # restored in full by its deadline year
MISSED = "missed"  # still owed after its deadline year, which is an actual year
WILL_MISS = "will_miss"  # still owed after its deadline year, which is forecast
LATE_RESTORED = "late_restored"  # restored in full, but only after its deadline year
OPEN = "open"  # still owed; its deadline lies beyond the years entered
FLAGGED = (MISSED, WILL_MISS, LATE_RESTORED)
STATUS_NAMES = {
    RESTORED: _("restored in time"),
    MISSED: _("deadline missed"),
    WILL_MISS: _("will miss its deadline"),
    LATE_RESTORED: _("restored after its deadline"),
    OPEN: _("still to restore"),
}

# The three ways the ledger is read: the results as entered, and with the plan's measures at the
# low and at the high end of their planned range.
SCENARIOS = ("entered", "low", "high")
SCENARIO_NAMES = {
    "entered": _("as entered"),
    "low": _("measures at the low end"),
    "high": _("measures at the high end"),
}
