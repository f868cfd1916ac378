"""Administration of the measure register's lists: categories, and indicators with their values.

Measures themselves are kept on the register's own pages, where every write goes through the
services (versions, planned effects, area shares).
"""

from django.contrib import admin

from measures.models import Category, Indicator, IndicatorValue
from regionbudget.core.admin_forms import (
    FINITE_DECIMALS,
    ConditionalUniqueInlineFormSet,
    SafeAutocompleteMixin,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name"]


class IndicatorValueInline(SafeAutocompleteMixin, admin.TabularInline):
    model = IndicatorValue
    formset = ConditionalUniqueInlineFormSet
    formfield_overrides = FINITE_DECIMALS
    extra = 1
    fields = ["year", "month", "unit", "target_level", "actual"]
    autocomplete_fields = ["unit"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    formfield_overrides = FINITE_DECIMALS
    list_display = ["name", "measure", "unit", "baseline", "target", "direction"]
    list_filter = ["measure__plan", "direction"]
    search_fields = ["name", "measure__code", "measure__title"]
    list_select_related = ["measure"]
    inlines = [IndicatorValueInline]
