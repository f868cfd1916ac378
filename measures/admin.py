"""Administration of the measure register's lists: categories, and indicators with their values.

Measures themselves are kept on the register's own pages, where every write goes through the
services (versions, planned effects, area shares).
"""

from django.contrib import admin

from measures.models import Category, Indicator, IndicatorValue


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name"]


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 1
    fields = ["year", "month", "unit", "target_level", "actual"]
    autocomplete_fields = ["unit"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "measure", "unit", "baseline", "target", "direction"]
    list_filter = ["measure__plan", "direction"]
    search_fields = ["name", "measure__code", "measure__title"]
    list_select_related = ["measure"]
    inlines = [IndicatorValueInline]
