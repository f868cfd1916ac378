"""URLs of budgets, actuals and forecast rounds."""

from django.urls import path  # noqa: F401

app_name = "forecasts"

urlpatterns: list = []
