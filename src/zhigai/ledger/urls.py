from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("ledger/", views.journal, name="journal"),
    path("ledger/reconciliation/", views.reconciliation_page, name="reconciliation"),
    path("ledger/export.xlsx", views.journal_export, name="export"),
]
