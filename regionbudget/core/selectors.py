"""Reads of the organisation that feed pages, scoped to what the user may see, and of the API
tokens."""

from __future__ import annotations

import hashlib
import hmac

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q, QuerySet

from regionbudget.core import access
from regionbudget.core.access import restrict_areas
from regionbudget.core.models import ApiToken, Area, Unit
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
