"""Reads of the organisation that feed pages, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from regionbudget.core.access import restrict_areas
from regionbudget.core.models import Area, Unit


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
