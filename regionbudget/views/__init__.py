"""Region-wide pages: home, health check, error pages, the gap dashboard, status reports."""

from regionbudget.views.core import (
    LoginView,
    bad_request,
    healthz,
    home,
    page_not_found,
    permission_denied,
    server_error,
)
from regionbudget.views.gap import gap_dashboard, gap_data_csv, gap_data_json
from regionbudget.views.reports import (
    meeting_create,
    report_create,
    report_detail,
    report_edit,
    report_list,
    report_pdf,
    report_publish,
)

__all__ = [
    "LoginView",
    "bad_request",
    "gap_dashboard",
    "gap_data_csv",
    "gap_data_json",
    "healthz",
    "home",
    "meeting_create",
    "page_not_found",
    "permission_denied",
    "report_create",
    "report_detail",
    "report_edit",
    "report_list",
    "report_pdf",
    "report_publish",
    "server_error",
]
