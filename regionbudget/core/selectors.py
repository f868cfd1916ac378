"""Reads of the organisation that feed pages, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from regionbudget.core.models import Area, Unit
from regionbudget.core.roles import Role, roles_of

SEE_ALL_AREAS = {Role.ADMIN, Role.FINANCE, Role.COMMITTEE}


def area_list(*, user) -> QuerySet[Area]:
    """Active areas the user may see: all for admin, finance and committee; a director's own."""
    roles = roles_of(user)
    areas = Area.objects.filter(is_active=True)
    if roles & SEE_ALL_AREAS:
        return areas
    if Role.AREA_DIRECTOR in roles:
        return areas.filter(director_bindings__user=user).distinct()
    return areas.none()


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
