"""Finance's entry of the balance requirement statements. The ledger page and its exports are
drawn a layer up, joined to the gap's outlook; ``regionbudget.urls`` routes them into the same
``balance`` namespace."""

from django.urls import path

from regionbudget.balance import views

app_name = "balance"

urlpatterns = [
    path("years/new/", views.year_create, name="year_create"),
    path("years/<int:year>/edit/", views.year_edit, name="year_edit"),
    path("years/<int:year>/delete/", views.year_delete, name="year_delete"),
]
