"""The balance requirement's pages and exports."""

from django.urls import path

from regionbudget.balance import views

app_name = "balance"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("ledger.json", views.ledger_json, name="ledger_json"),
    path("ledger.xlsx", views.ledger_export, name="ledger_export"),
    path("years/new/", views.year_create, name="year_create"),
    path("years/<int:year>/edit/", views.year_edit, name="year_edit"),
]
