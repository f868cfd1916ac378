"""Administration of the organisation (areas, units, area directors) for finance and admins."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from regionbudget.core import access
from regionbudget.core.admin_forms import (
    FINITE_DECIMALS,
    ConditionalUniqueInlineFormSet,
    SafeAutocompleteMixin,
)
from regionbudget.core.models import Area, AreaDirector, Unit
from regionbudget.core.security import unlock_user
from regionbudget.gap.models import ConfidenceWeight

admin.site.site_header = _("Regionbudget administration")
admin.site.site_title = _("Regionbudget")
admin.site.index_title = _("Organisation, plans and targets")


def _has_admin_access(request) -> bool:
    """Administrators and finance staff use the administration; model permissions do the rest."""
    return access.is_finance(request.user)


def _login(request, extra_context=None):
    """Use the application's own login page; a logged-in user without access gets a 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.GET.get("next", request.get_full_path()))
    if not _has_admin_access(request):
        raise PermissionDenied
    from django.shortcuts import redirect
    from django.utils.http import url_has_allowed_host_and_scheme

    # Only back into this site: "?next=https://elsewhere" must not make it an open redirect.
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(target if target and safe else "admin:index")


admin.site.has_permission = _has_admin_access
admin.site.login = _login


class UnitInline(admin.TabularInline):
    model = Unit
    formset = ConditionalUniqueInlineFormSet
    extra = 0
    fields = ["code", "name", "is_active"]


class AreaDirectorInline(SafeAutocompleteMixin, admin.TabularInline):
    model = AreaDirector
    formset = ConditionalUniqueInlineFormSet
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "position", "is_active"]
    list_editable = ["position"]
    search_fields = ["code", "name"]
    inlines = [UnitInline, AreaDirectorInline]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "is_active"]
    list_filter = ["area", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["area"]


@admin.register(AreaDirector)
class AreaDirectorAdmin(SafeAutocompleteMixin, admin.ModelAdmin):
    list_display = ["user", "area"]
    list_filter = ["area"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "area"]


@admin.register(ConfidenceWeight)
class ConfidenceWeightAdmin(admin.ModelAdmin):
    formfield_overrides = FINITE_DECIMALS
    list_display = ["status", "weight"]
    list_editable = ["weight"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user administration with one action more: lift a login lockout."""

    actions = ["unlock_logins"]

    # Only those who may change users (administrators), not finance, who may look users up.
    @admin.action(description=_("Unlock login (clear failed logins)"), permissions=["change"])
    def unlock_logins(self, request, queryset):
        for user in queryset:
            unlock_user(user.get_username())
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d user can log in again.", "%(count)d users can log in again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
