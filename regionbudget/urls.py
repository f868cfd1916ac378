"""URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from regionbudget import views
from regionbudget.gap import views as gap_views
from regionbudget.reports import views as report_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("gap/", gap_views.gap_dashboard, name="gap_dashboard"),
    path("gap/figures.json", gap_views.gap_data_json, name="gap_data_json"),
    path("gap/figures.csv", gap_views.gap_data_csv, name="gap_data_csv"),
    path("reports/", report_views.report_list, name="report_list"),
    path("reports/new/", report_views.report_create, name="report_create"),
    path("reports/meetings/new/", report_views.meeting_create, name="meeting_create"),
    path("reports/<int:pk>/", report_views.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", report_views.report_edit, name="report_edit"),
    path("reports/<int:pk>/publish/", report_views.report_publish, name="report_publish"),
    path("reports/<int:pk>/pdf/", report_views.report_pdf, name="report_pdf"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("balance/", include("regionbudget.balance.urls")),
    path("forecasts/", include("forecasts.urls")),
    path("measures/", include("measures.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "regionbudget.views.bad_request"
handler403 = "regionbudget.views.permission_denied"
handler404 = "regionbudget.views.page_not_found"
handler500 = "regionbudget.views.server_error"
