"""Administration of plans and their deficit targets."""

from django.contrib import admin

from forecasts.models import AccountGroup, DeficitTarget, Plan
from regionbudget.core.admin_forms import FINITE_DECIMALS, ConditionalUniqueInlineFormSet


class DeficitTargetInline(admin.TabularInline):
    model = DeficitTarget
    formset = ConditionalUniqueInlineFormSet
    formfield_overrides = FINITE_DECIMALS
    extra = 0
    fields = ["year", "area", "amount", "basis"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "start_year", "end_year", "status"]
    list_filter = ["status"]
    search_fields = ["name"]
    inlines = [DeficitTargetInline]


@admin.register(DeficitTarget)
class DeficitTargetAdmin(admin.ModelAdmin):
    formfield_overrides = FINITE_DECIMALS
    list_display = ["plan", "year", "area", "amount"]
    list_filter = ["plan", "year", "area"]
    list_select_related = ["plan", "area"]


@admin.register(AccountGroup)
class AccountGroupAdmin(admin.ModelAdmin):
    """The finance system's account groups; budgets, actuals and forecasts use them."""

    list_display = ["code", "name", "kind", "position"]
    list_editable = ["position"]
    search_fields = ["code", "name"]
