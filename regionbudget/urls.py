"""URL configuration."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from regionbudget import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("forecasts/", include("forecasts.urls")),
    path("measures/", include("measures.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "regionbudget.views.bad_request"
handler403 = "regionbudget.views.permission_denied"
handler404 = "regionbudget.views.page_not_found"
handler500 = "regionbudget.views.server_error"
