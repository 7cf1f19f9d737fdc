from django.urls import path

from . import views, views_data

app_name = "analytics"
urlpatterns = [
    path("analytics/", views.figures, name="figures"),
    path("analytics/figures.xlsx", views.figures_export, name="figures_export"),
    path("analytics/study/", views.study, name="study"),
    path("analytics/data/", views_data.data, name="data"),
]
