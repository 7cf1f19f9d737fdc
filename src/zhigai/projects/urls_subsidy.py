from django.urls import path

from . import views_subsidy as views

app_name = "subsidies"
urlpatterns = [
    path("projects/<int:project_id>/subsidies/", views.project_page, name="project"),
    path("projects/<int:project_id>/subsidies/invoices/", views.invoice_add, name="invoice_add"),
    path("projects/<int:project_id>/subsidies/claims/", views.claim_add, name="claim_add"),
    path("subsidies/quote-preview/", views.quote_preview, name="quote_preview"),
    path("subsidies/claims/", views.queue, name="queue"),
    path("subsidies/claims/export.xlsx", views.queue_export, name="queue_export"),
    path("subsidies/claims/<int:claim_id>/", views.claim_page, name="claim"),
    path("subsidies/claims/<int:claim_id>/move/", views.claim_move, name="claim_move"),
    path("subsidies/rules/", views.rules_page, name="rules"),
    path("subsidies/figures/", views.figures_page, name="figures"),
]
