"""Navigation by role, available to every template as ``nav`` and ``user_role``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regionbudget.core import access
from regionbudget.core.roles import role_of

# (label, url name, who sees it: an ``access`` predicate). Later features add their pages here.
NAV_ITEMS = [
    (_("Overview"), "home", access.has_role),
    (_("Gap dashboard"), "gap_dashboard", access.sees_drafts),
    (_("Measures"), "measures:measure_list", access.has_role),
    (_("Forecasts"), "forecasts:round_list", access.has_role),
    (_("Import"), "forecasts:import_start", access.is_finance),
    (_("Plans"), "forecasts:plan_list", access.is_finance),
    (_("People"), "people_list", access.is_finance),
    (_("Status reports"), "report_list", access.has_role),
    (_("Balance requirement"), "balance:ledger", access.has_role),
    (_("Administration"), "admin:index", access.is_finance),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "user_role": None}
    role = role_of(user)
    current = request.path
    items = []
    for label, name, allowed in NAV_ITEMS:
        if allowed(user):
            url = reverse(name)
            active = current == url if url == "/" else current.startswith(url)
            items.append({"label": label, "url": url, "active": active})
    return {"nav": items, "user_role": role}
