"""Navigation by role, available to every template as ``nav`` and ``user_role``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from regionbudget.core.roles import Role, role_of

# (label, url name, roles that see it). Later features add their pages here.
NAV_ITEMS = [
    (_("Overview"), "home", {Role.ADMIN, Role.FINANCE, Role.AREA_DIRECTOR, Role.COMMITTEE}),
    (_("Gap dashboard"), "gap_dashboard", {Role.ADMIN, Role.FINANCE, Role.AREA_DIRECTOR}),
    (
        _("Measures"),
        "measures:measure_list",
        {Role.ADMIN, Role.FINANCE, Role.AREA_DIRECTOR, Role.COMMITTEE},
    ),
    (
        _("Forecasts"),
        "forecasts:round_list",
        {Role.ADMIN, Role.FINANCE, Role.AREA_DIRECTOR, Role.COMMITTEE},
    ),
    (_("Import"), "forecasts:import_start", {Role.ADMIN, Role.FINANCE}),
    (
        _("Status reports"),
        "report_list",
        {Role.ADMIN, Role.FINANCE, Role.AREA_DIRECTOR, Role.COMMITTEE},
    ),
    (_("Administration"), "admin:index", {Role.ADMIN, Role.FINANCE}),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "user_role": None}
    role = role_of(user)
    current = request.path
    items = []
    for label, name, roles in NAV_ITEMS:
        if role in roles:
            url = reverse(name)
            active = current == url if url == "/" else current.startswith(url)
            items.append({"label": label, "url": url, "active": active})
    return {"nav": items, "user_role": role}
