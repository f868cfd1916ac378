"""URLs of the measure register."""

from django.urls import path  # noqa: F401

app_name = "measures"

urlpatterns: list = []
