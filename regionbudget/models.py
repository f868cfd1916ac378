"""The app's models for Django's app registry. They are defined where they belong in the layers:
the organisation in ``core``, the gap's parameters in ``gap``, status reports in ``reports``, the
balance requirement statements in ``balance``; all keep the app label ``regionbudget`` (and their
tables), so no migration moved anything."""

from regionbudget.balance.models import BalanceLine, BalanceYear
from regionbudget.core.models import (
    ApiToken,
    Area,
    AreaDirector,
    DataVersion,
    SignInIdentity,
    Unit,
    UnlockLinkRequest,
    UserPreference,
)
from regionbudget.gap.models import ConfidenceWeight
from regionbudget.reports.models import Meeting, ReportPdf, StatusReport

__all__ = [
    "ApiToken",
    "Area",
    "AreaDirector",
    "BalanceLine",
    "BalanceYear",
    "ConfidenceWeight",
    "DataVersion",
    "Meeting",
    "ReportPdf",
    "SignInIdentity",
    "StatusReport",
    "Unit",
    "UnlockLinkRequest",
    "UserPreference",
]
