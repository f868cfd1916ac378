"""Who may see and do what: the one place that decides it.

Every view and every service asks here, so that a rule is written once. Two answers:

- **404** for what a user must not know exists: another area's forecast or measure, a draft
  status report, a forecast the committee may not read yet (``object_or_404``).
- **403** for what a user may see but not change, or a page their role does not open at all
  (``require``, ``require_role``, ``require_finance``).

A BI tool that reads with an API token is a ``TokenReader``: it reads as the role whose view the
token's scope is (finance's for the whole region, a director's for chosen areas), but every
predicate that leads to a write answers no for it, and it reaches only the views marked readable
by token (``regionbudget.core.api_tokens``).

The role sets below say who is who; the predicates answer for one user, and ``restrict_areas``
scopes a queryset of areas to the user (NetBox's ``queryset.restrict(user)``). The getters follow
healthchecks' ``_get_check_for_user``: first "may the user know it exists" (else 404), then "may
they change it" (else 403).
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404

from regionbudget.core.models import Area, AreaDirector
from regionbudget.core.roles import Role, roles_of

__all__ = [
    "FINANCE",
    "TokenReader",
    "SEE_ALL_AREAS",
    "SEE_DRAFTS",
    "director_area_ids",
    "directs",
    "has_role",
    "is_admin",
    "is_director",
    "is_finance",
    "is_token_reader",
    "may_bind_areas",
    "may_grant",
    "may_report_on",
    "may_write_area",
    "object_or_404",
    "require",
    "require_finance",
    "require_role",
    "restrict_areas",
    "sees_all_areas",
    "sees_drafts",
]

M = TypeVar("M", bound=Model)

# Finance staff and administrators keep the books: they open and close forecast rounds, approve
# and return forecasts, import budgets and actuals, keep the measure register, write the status
# reports and use the administration.
FINANCE = frozenset({Role.ADMIN, Role.FINANCE})

# Who sees every area; an area director sees only the areas bound to them.
SEE_ALL_AREAS = frozenset({Role.ADMIN, Role.FINANCE, Role.COMMITTEE})

# Who works with the figures before they are final: forecasts in any state (the committee sees
# approved ones only) and the gap dashboard.
SEE_DRAFTS = frozenset({Role.ADMIN, Role.FINANCE, Role.AREA_DIRECTOR})


# --- Who the user is --------------------------------------------------------------------------


class TokenReader:
    """The reader behind a request made with an API token (``ApiToken``): never a user of the
    application, never a writer. Its scope is the token's: the whole region (finance's view) or
    the token's areas (their director's view)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = id = None

    def __init__(self, token, area_ids: set[int] | None):
        self.token = token
        # None: the whole region.
        self.area_ids = None if area_ids is None else frozenset(area_ids)
        role = Role.FINANCE if area_ids is None else Role.AREA_DIRECTOR
        self._regionbudget_roles = {role}  # read by roles.roles_of

    @property
    def username(self) -> str:
        return f"token:{self.token.prefix}"

    def get_username(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return self.token.name

    def __str__(self) -> str:
        return self.get_username()


class RegionReader(TokenReader):
    """Reads the region's own totals for a figure every role is shown whole: the balance
    requirement ledger is the region's (published in its annual report), and so is the current
    year's outlook joined to it. Never a user, never a writer, never on a request."""

    def __init__(self):
        super().__init__(token=None, area_ids=None)

    @property
    def username(self) -> str:
        return "region"

    def get_full_name(self) -> str:
        return "region"


def is_token_reader(user) -> bool:
    return isinstance(user, TokenReader)


def has_role(user) -> bool:
    """Any role at all: every page of the application needs one."""
    return bool(roles_of(user))


def is_finance(user) -> bool:
    """Finance staff or an administrator (``FINANCE``); never a token, which only reads."""
    return bool(roles_of(user) & FINANCE) and not is_token_reader(user)


def is_admin(user) -> bool:
    return Role.ADMIN in roles_of(user) and not is_token_reader(user)


def is_director(user) -> bool:
    """In the area director role (bound to areas or not)."""
    return Role.AREA_DIRECTOR in roles_of(user)


def sees_all_areas(user) -> bool:
    return bool(roles_of(user) & SEE_ALL_AREAS)


def sees_drafts(user) -> bool:
    """Forecasts in any state, and the gap dashboard: finance, administrators, directors."""
    return bool(roles_of(user) & SEE_DRAFTS)


# --- Areas ------------------------------------------------------------------------------------


def restrict_areas(user, areas: QuerySet[Area] | None = None) -> QuerySet[Area]:
    """``areas`` (default: all) narrowed to those the user may see: all for admin, finance and
    committee; a director's own; none for a user without a role."""
    areas = Area.objects.all() if areas is None else areas
    if is_token_reader(user) and user.area_ids is not None:
        return areas.filter(pk__in=user.area_ids)
    if sees_all_areas(user):
        return areas
    if is_director(user):
        return areas.filter(director_bindings__user=user).distinct()
    return areas.none()


def directs(user, area: Area) -> bool:
    """Whether ``user`` is the director of ``area`` (a role and a binding to that area)."""
    if is_token_reader(user):
        return False
    return is_director(user) and AreaDirector.objects.filter(user=user, area=area).exists()


def director_area_ids(user) -> set[int]:
    """The active areas a director reports on (ids; every visible one for other roles), read
    once per user object."""
    cached = getattr(user, "_regionbudget_area_ids", None)
    if cached is None:
        areas = restrict_areas(user, Area.objects.filter(is_active=True))
        cached = set(areas.values_list("pk", flat=True))
        user._regionbudget_area_ids = cached
    return cached


def may_write_area(user, area: Area) -> bool:
    """Who writes an area's forecast: its director, or finance on the area's behalf."""
    return is_finance(user) or directs(user, area)


def may_report_on(user, owner_area_id: int | None) -> bool:
    """Who reports status and realised effect of a measure owned by ``owner_area_id``: finance
    on any measure, a director on the measures their (active) areas own. Region-wide measures
    (no owner) are finance's."""
    if is_token_reader(user):
        return False
    if is_finance(user):
        return True
    if not is_director(user) or owner_area_id is None:
        return False
    return owner_area_id in director_area_ids(user)


# --- People and roles -------------------------------------------------------------------------


def may_grant(user, role: Role) -> bool:
    """Whether ``user`` may give (or take away) ``role``: nobody gives a right they do not have
    themselves, and roles are given by administrators, who hold every right. Finance binds
    directors to areas (``may_bind_areas``) but gives no role."""
    return is_admin(user)


def may_bind_areas(user, person) -> bool:
    """Whether ``user`` may choose the areas of ``person``, an area director: finance and
    administrators, for someone else (nobody widens their own scope)."""
    return is_finance(user) and person.pk != user.pk


# --- Answers: 404 and 403 ---------------------------------------------------------------------


def object_or_404(queryset: QuerySet[M], message: str | None = None, **lookup) -> M:
    """The object ``lookup`` finds in ``queryset`` (already restricted to what the user may see),
    or 404: the user must not learn whether it exists elsewhere."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404(message) if message is not None else Http404
    return found


def require(allowed: bool, message: str | None = None) -> None:
    """403 unless ``allowed``: the user may see the thing but not do this."""
    if not allowed:
        raise PermissionDenied(message) if message is not None else PermissionDenied


def require_role(user) -> None:
    """403 for a logged-in user without any role."""
    require(has_role(user))


def require_finance(user, message: str | None = None) -> None:
    """403 for anyone but finance staff and administrators."""
    require(is_finance(user), message)
