from django.urls import path

from . import views_fund, views_fund_pay

app_name = "fund"
urlpatterns = [
    path("fund/", views_fund.rounds, name="rounds"),
    path("fund/new/", views_fund.round_create, name="round_create"),
    path("fund/<int:round_id>/", views_fund.round_page, name="round"),
    path("fund/<int:round_id>/applications/", views_fund.application_create, name="apply"),
    path("fund/<int:round_id>/allocate/", views_fund.allocate, name="allocate"),
    path("fund/<int:round_id>/export.xlsx", views_fund.round_export, name="round_export"),
    path("fund/applications/<int:application_id>/pay/", views_fund_pay.payment_request, name="pay_request"),
    path("fund/payments/", views_fund_pay.queue, name="queue"),
    path("fund/payments/<int:payment_id>/", views_fund_pay.payment_page, name="payment"),
    path("fund/payments/<int:payment_id>/move/", views_fund_pay.payment_move, name="payment_move"),
]
