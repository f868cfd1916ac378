"""The roles of the application, modelled as Django groups, and how to tell a user's role.

An administrator is a superuser. Finance staff, area directors and committee members are members
of the groups below; an area director is also bound to their areas (``AreaDirector``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ROLE_PERMISSIONS", "Role", "role_of", "roles_of"]


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    FINANCE = "finance", _("Finance")
    AREA_DIRECTOR = "area_director", _("Area director")
    COMMITTEE = "committee", _("Committee member")


# Model permissions granted to each group ("app_label.codename"). Finance keeps the organisation,
# plans and targets; user accounts and groups are the administrator's alone, so that nobody can
# grant themselves more rights.
_MANAGE = ("add", "change", "delete", "view")
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.FINANCE: [
        f"{app}.{action}_{model}"
        for app, model in [
            ("regionbudget", "area"),
            ("regionbudget", "unit"),
            ("regionbudget", "areadirector"),
            ("regionbudget", "confidenceweight"),
            ("forecasts", "plan"),
            ("forecasts", "deficittarget"),
            ("forecasts", "accountgroup"),
            ("measures", "category"),
            ("measures", "indicator"),
            ("measures", "indicatorvalue"),
        ]
        for action in _MANAGE
    ]
    + ["auth.view_user"],
    Role.AREA_DIRECTOR: [],
    Role.COMMITTEE: [],
}

# Which role decides the home page when a user holds several.
_PRECEDENCE = [Role.ADMIN, Role.FINANCE, Role.AREA_DIRECTOR, Role.COMMITTEE]


def roles_of(user) -> set[Role]:
    """All roles of ``user``; anonymous and inactive users have none."""
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_regionbudget_roles", None)
    if cached is not None:
        return cached
    roles = {
        Role(name) for name in user.groups.values_list("name", flat=True) if name in Role.values
    }
    if user.is_superuser:
        roles.add(Role.ADMIN)
    user._regionbudget_roles = roles
    return roles


def role_of(user) -> Role | None:
    """The user's main role, which decides their home page and navigation."""
    roles = roles_of(user)
    return next((role for role in _PRECEDENCE if role in roles), None)
