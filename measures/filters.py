"""The measure list's filters: plan, year, category, area, status.

Plan and year always have a value (the active plan, this year within it): planned effects are
annual, so figures of different years are never added together.
"""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from forecasts.models import Plan
from forecasts.selectors import plan_list
from measures.models import Category, Measure
from measures.selectors import default_plan, default_year
from regionbudget.core.models import Area
from regionbudget.core.selectors import area_list

__all__ = ["MeasureFilterSet"]


class MeasureFilterSet(django_filters.FilterSet):
    """Filters the measures a user sees; ``plan``, ``year`` and ``area`` are resolved values."""

    plan = django_filters.ModelChoiceFilter(
        label=_("Plan"), queryset=Plan.objects.none(), method="filter_nothing", empty_label=None
    )
    year = django_filters.ChoiceFilter(label=_("Year"), method="filter_nothing", empty_label=None)
    category = django_filters.ModelChoiceFilter(
        label=_("Category"), queryset=Category.objects.all(), empty_label=_("All categories")
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Area"),
        queryset=Area.objects.none(),
        method="filter_area",
        empty_label=_("All areas"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Measure.Status.choices, empty_label=_("All statuses")
    )

    class Meta:
        model = Measure
        fields = ["plan", "category", "status"]

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        plans = list(plan_list(user=user))
        data = data.copy() if data is not None else None
        chosen = next((p for p in plans if data and str(p.pk) == data.get("plan")), None)
        self.plan = chosen or default_plan(plans)
        if data is not None and self.plan is not None:
            data["plan"] = str(self.plan.pk)
            if data.get("year") not in {str(y) for y in self.plan.years}:
                data["year"] = str(default_year(self.plan))
        super().__init__(data, queryset, **kwargs)
        self.filters["plan"].queryset = plan_list(user=user)
        years = list(self.plan.years) if self.plan else []
        self.filters["year"].extra["choices"] = [(y, str(y)) for y in years]
        self.year = int(data["year"]) if data is not None and self.plan else None
        self.filters["area"].queryset = area_list(user=user)
        order = ["plan", "year", "category", "area", "status"]
        self.filters = {name: self.filters[name] for name in order}

    @property
    def chosen_area(self) -> Area | None:
        """The chosen area, if the choice is valid."""
        if not self.form.is_valid():
            return None
        return self.form.cleaned_data.get("area")

    def filter_nothing(self, queryset: QuerySet, name: str, value) -> QuerySet:
        """Plan and year choose what is shown; the plan is applied in ``filter_queryset``."""
        return queryset

    def filter_area(self, queryset: QuerySet, name: str, value: Area) -> QuerySet:
        """Measures the area owns, and region-wide measures with a share in the area."""
        return queryset.filter(
            Q(owner_area=value)
            | Q(owner_area__isnull=True, pk__in=Measure.objects.filter(area_shares__area=value))
        )

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        return queryset.filter(plan=self.plan) if self.plan else queryset.none()
