from django.urls import path

from . import views, views_filing, views_policy

app_name = "projects"
urlpatterns = [
    path("projects/", views.project_list, name="list"),
    path("projects/export.xlsx", views.project_export, name="export"),
    path("projects/new/", views_filing.project_new, name="new"),
    path("projects/new/check/", views_filing.project_check, name="check"),
    path("projects/review/", views.review_queue, name="queue"),
    path("projects/figures/", views.figures, name="figures"),
    path("projects/land/", views_policy.land_page, name="land"),
    path("projects/negative-list/", views_policy.negative_list_page, name="negative_list"),
    path("projects/<int:project_id>/", views.project_page, name="detail"),
    path("projects/<int:project_id>/move/", views.project_move, name="move"),
    path("projects/<int:project_id>/edit/", views_filing.project_edit, name="edit"),
]
