"""URLs of the measure register."""

from django.urls import path

from measures import views

app_name = "measures"

urlpatterns = [
    path("", views.measure_list, name="measure_list"),
    path("export.<fmt>", views.measure_export, name="measure_export"),
    path("new/", views.measure_create, name="measure_create"),
    path("import/", views.measure_import, name="measure_import"),
    path("import/<str:token>/", views.measure_import_preview, name="measure_import_preview"),
    path(
        "import/<str:token>/confirm/",
        views.measure_import_confirm,
        name="measure_import_confirm",
    ),
    path("<int:pk>/", views.measure_detail, name="measure_detail"),
    path("<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("<int:pk>/report/", views.measure_report, name="measure_report"),
    path("<int:pk>/shares/", views.measure_shares, name="measure_shares"),
    path(
        "<int:pk>/consequence-analysis/",
        views.measure_consequence_file,
        name="measure_consequence_file",
    ),
    path("<int:pk>/indicators/new/", views.indicator_create, name="indicator_create"),
    path(
        "<int:pk>/indicators/<int:indicator_pk>/edit/",
        views.indicator_edit,
        name="indicator_edit",
    ),
    path(
        "<int:pk>/indicators/<int:indicator_pk>/values/",
        views.indicator_value_add,
        name="indicator_value_add",
    ),
]
