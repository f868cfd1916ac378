"""The app's models for Django's app registry. They are defined where they belong in the layers:
the organisation in ``core``, the gap's parameters in ``gap``, status reports in ``reports``; all
keep the app label ``regionbudget`` (and their tables), so no migration moved anything."""

from regionbudget.core.models import Area, AreaDirector, DataVersion, Unit
from regionbudget.gap.models import ConfidenceWeight
from regionbudget.reports.models import Meeting, ReportPdf, StatusReport

__all__ = [
    "Area",
    "AreaDirector",
    "ConfidenceWeight",
    "DataVersion",
    "Meeting",
    "ReportPdf",
    "StatusReport",
    "Unit",
]
