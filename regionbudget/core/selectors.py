"""Reads of the organisation that feed pages, scoped to what the user may see, and of the API
tokens."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from regionbudget.core import access
from regionbudget.core.access import restrict_areas
from regionbudget.core.models import ApiToken, Area, AreaDirector, Unit, UserPreference
from regionbudget.core.roles import Role

# An API token is ``rbt_`` + 8 characters (the visible prefix, kept in clear) + ``_`` + the
# secret part; only the SHA-256 of the whole token is stored.
API_TOKEN_START = "rbt_"  # noqa: S105 (a marker, not a secret)
API_TOKEN_PREFIX_LENGTH = len(API_TOKEN_START) + 8


def area_list(*, user) -> QuerySet[Area]:
    """Active areas the user may see (``access.restrict_areas``): all for admin, finance and
    committee; a director's own."""
    return restrict_areas(user, Area.objects.filter(is_active=True))


def area_list_with_units(*, user) -> QuerySet[Area]:
    """``area_list`` with each area's active units prefetched (as ``active_units``)."""
    return (
        area_list(user=user)
        .annotate(unit_count=Count("units", filter=Q(units__is_active=True)))
        # Meta.ordering is not applied to GROUP BY queries: order explicitly.
        .order_by("position", "name")
        .prefetch_related(
            Prefetch("units", queryset=Unit.objects.filter(is_active=True), to_attr="active_units")
        )
    )


def directors_of(*, area: Area) -> list:
    """The active users in the area director role bound to ``area``: who is told about its
    forecast (reminders, a forecast returned or approved)."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            area_bindings__area=area,
            groups__name=Role.AREA_DIRECTOR,
        )
        .distinct()
        .order_by("username")
    )


def finance_staff() -> list:
    """The active members of the finance group: who is told that a forecast was submitted."""
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.FINANCE)
        .distinct()
        .order_by("username")
    )


def api_token_hash(secret: str) -> str:
    """The SHA-256 (hex) of a whole token, as stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def api_token_find(secret: str) -> ApiToken | None:
    """The token whose secret is ``secret`` (revoked and expired ones included: the caller
    says why it is refused), or None. Found by its visible prefix, then the hashes compared in
    constant time."""
    if not secret.startswith(API_TOKEN_START) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.filter(prefix=secret[:API_TOKEN_PREFIX_LENGTH])
        .prefetch_related("areas")
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, api_token_hash(secret)):
        return None
    return token


def api_token_list(*, user) -> QuerySet[ApiToken]:
    """Every API token, newest first, for finance (403 for anyone else)."""
    access.require_finance(user)
    return ApiToken.objects.select_related("created_by", "revoked_by").prefetch_related("areas")


# --- People and roles -------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    """One person of the people list: the account, their roles (in the order of ``Role``) and,
    for a director, the names of their areas."""

    person: object
    roles: list[Role]
    areas: list[str]

    @property
    def is_director(self) -> bool:
        return Role.AREA_DIRECTOR in self.roles


def person_roles(person) -> list[Role]:
    """The roles of an account, active or not, in the order of ``Role`` (``roles_of`` gives none
    for a deactivated account: here the list shows what they held)."""
    names = {group.name for group in person.groups.all()}
    held = {Role(name) for name in names if name in Role.values}
    if person.is_superuser:
        held.add(Role.ADMIN)
    return [role for role in Role if role in held]


def person_list(*, user) -> list[PersonRow]:
    """Every account with its roles and areas (finance and administrators), active ones first,
    by name; three queries."""
    access.require_finance(user)
    people = (
        get_user_model()
        .objects.order_by("-is_active", "last_name", "first_name", "username")
        .prefetch_related(
            "groups",
            Prefetch(
                "area_bindings",
                queryset=AreaDirector.objects.select_related("area").order_by("area__position"),
            ),
        )
    )
    return [
        PersonRow(
            person=person,
            roles=person_roles(person),
            areas=[binding.area.name for binding in person.area_bindings.all()],
        )
        for person in people
    ]


def person_get(*, user, pk: int):
    """The account ``pk`` for finance and administrators (404 when there is none)."""
    access.require_finance(user)
    return access.object_or_404(get_user_model().objects.all(), pk=pk)


def person_area_ids(person) -> list[int]:
    """The ids of the areas ``person`` directs."""
    return list(AreaDirector.objects.filter(user=person).values_list("area_id", flat=True))


def email_in_use(email: str, *, exclude_pk: int | None = None) -> bool:
    """Whether another account has ``email`` (case does not matter in an address)."""
    others = get_user_model().objects.filter(email__iexact=email.strip())
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return bool(email.strip()) and others.exists()


def user_language(user) -> str | None:
    """The language ``user`` chose with the language switch while signed in, if any."""
    language = UserPreference.objects.filter(user=user).values_list("language", flat=True).first()
    return language if language in dict(settings.LANGUAGES) else None
