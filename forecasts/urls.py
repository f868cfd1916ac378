"""URLs of forecast rounds, forecasts, area figures and the imports of budgets and actuals."""

from django.urls import path

from forecasts import plan_views, views

app_name = "forecasts"

urlpatterns = [
    path("plans/", plan_views.plan_list, name="plan_list"),
    path("plans/new/", plan_views.plan_create, name="plan_create"),
    path("plans/<int:pk>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/targets/", plan_views.plan_targets_edit, name="plan_targets_edit"),
    path(
        "plans/<int:pk>/outside-budgets/",
        views.outside_budgets_edit,
        name="outside_budgets_edit",
    ),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/remind/", views.round_remind, name="round_remind"),
    path(
        "rounds/<int:round_pk>/areas/<int:area_pk>/",
        views.forecast_detail,
        name="forecast_detail",
    ),
    path(
        "rounds/<int:round_pk>/areas/<int:area_pk>/edit/",
        views.forecast_edit,
        name="forecast_edit",
    ),
    path(
        "rounds/<int:round_pk>/areas/<int:area_pk>/grid.xlsx",
        views.forecast_download,
        name="forecast_download",
    ),
    path(
        "rounds/<int:round_pk>/areas/<int:area_pk>/approve/",
        views.forecast_approve,
        name="forecast_approve",
    ),
    path(
        "rounds/<int:round_pk>/areas/<int:area_pk>/return/",
        views.forecast_return,
        name="forecast_return",
    ),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
    path("accuracy/", views.forecast_accuracy, name="forecast_accuracy"),
    path("accuracy.json", views.forecast_accuracy_json, name="forecast_accuracy_json"),
    path("accuracy.csv", views.forecast_accuracy_csv, name="forecast_accuracy_csv"),
    path("import/", views.import_start, name="import_start"),
    path("import/<uuid:token>/", views.import_preview, name="import_preview"),
    path("import/<uuid:token>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<uuid:token>/errors.csv", views.import_errors, name="import_errors"),
    path(
        "import/template/<str:kind>.<str:fmt>",
        views.import_template,
        name="import_template",
    ),
]
