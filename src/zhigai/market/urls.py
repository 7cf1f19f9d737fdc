from django.urls import path

from . import views, views_edit, views_engagement, views_matching, views_members, views_overview

app_name = "market"
urlpatterns = [
    path("providers/", views.directory, name="directory"),
    path("providers/export.xlsx", views.directory_export, name="directory_export"),
    path("providers/review/", views.review_queue, name="queue"),
    path("market/overview/", views_overview.overview, name="overview"),
    path("market/engagements.xlsx", views_overview.engagements_export, name="engagements_export"),
    path("providers/new/", views_edit.provider_new, name="provider_new"),
    path("providers/<int:provider_id>/", views.provider_page, name="provider"),
    path("providers/<int:provider_id>/members/", views_members.members, name="members"),
    path("providers/<int:provider_id>/edit/", views_edit.provider_edit, name="provider_edit"),
    path("providers/<int:provider_id>/move/", views_edit.provider_move, name="provider_move"),
    path("providers/<int:provider_id>/files/", views_edit.qualification_upload, name="file_upload"),
    path("qualifications/<int:file_id>/", views_edit.qualification_download, name="file"),
    path("market/engagements/", views_engagement.board, name="engagements"),
    path("market/engagements/new/", views_engagement.engagement_new, name="engagement_new"),
    path("market/engagements/<int:engagement_id>/", views_engagement.engagement_page, name="engagement"),
    path("market/engagements/<int:engagement_id>/move/", views_engagement.engagement_move, name="engagement_move"),
    path("market/engagement-documents/<int:document_id>/", views_engagement.engagement_document,
         name="engagement_document"),
    path("qualifications/<int:file_id>/delete/", views_edit.qualification_delete, name="file_delete"),
    path("market/match/<str:uscc>/", views_matching.match_page, name="match"),
    path("market/matching/policy/", views_matching.policy_page, name="matching_policy"),
]
