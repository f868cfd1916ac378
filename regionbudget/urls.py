"""URL configuration."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from regionbudget import views
from regionbudget.balance import urls as balance_urls
from regionbudget.core import oidc
from regionbudget.core import views as core_views
from regionbudget.gap import views as gap_views
from regionbudget.reports import views as report_views

# The balance requirement: the ledger and its exports (joined to the gap's outlook, so drawn by
# the gap's views) and finance's entry of the statements, under one namespace.
balance_patterns = [
    path("", gap_views.balance_ledger, name="ledger"),
    path("ledger.json", gap_views.balance_ledger_json, name="ledger_json"),
    path("ledger.xlsx", gap_views.balance_ledger_export, name="ledger_export"),
    *balance_urls.urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("gap/", gap_views.gap_dashboard, name="gap_dashboard"),
    path("gap/figures.json", gap_views.gap_data_json, name="gap_data_json"),
    path("gap/figures.csv", gap_views.gap_data_csv, name="gap_data_csv"),
    path("api-tokens/", core_views.api_tokens, name="api_tokens"),
    path(
        "api-tokens/<int:pk>/revoke/",
        core_views.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path("people/", core_views.people_list, name="people_list"),
    path("people/new/", core_views.person_create, name="person_create"),
    path("people/<int:pk>/", core_views.person_edit, name="person_edit"),
    path("people/<int:pk>/areas/", core_views.person_areas, name="person_areas"),
    path("reports/", report_views.report_list, name="report_list"),
    path("reports/new/", report_views.report_create, name="report_create"),
    path("reports/meetings/new/", report_views.meeting_create, name="meeting_create"),
    path("reports/<int:pk>/", report_views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", report_views.report_edit, name="report_edit"),
    path("reports/<int:pk>/publish/", report_views.report_publish, name="report_publish"),
    path("reports/<int:pk>/pdf/", report_views.report_pdf, name="report_pdf"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    # A locked-out user's one-time unlock link by e-mail (no login needed).
    path("accounts/unlock/", core_views.login_unlock_request, name="login_unlock_request"),
    path("accounts/unlock/<str:token>/", core_views.login_unlock, name="login_unlock"),
    # Django's logout; after a sign-in through the identity provider, on to its logout too.
    path("accounts/logout/", oidc.LogoutView.as_view(), name="logout"),
    path("balance/", include((balance_patterns, balance_urls.app_name))),
    path("forecasts/", include("forecasts.urls")),
    path("measures/", include("measures.urls")),
    # Django's language switch, keeping the choice as the user's language for e-mail too.
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

# Sign-in through the region's identity provider (OpenID Connect), when configured.
if settings.OIDC_ENABLED:
    urlpatterns += oidc.oidc_urlpatterns()

handler400 = "regionbudget.views.bad_request"
handler403 = "regionbudget.views.permission_denied"
handler404 = "regionbudget.views.page_not_found"
handler500 = "regionbudget.views.server_error"
