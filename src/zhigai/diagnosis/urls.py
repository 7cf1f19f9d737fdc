from django.urls import path

from . import views, views_work

app_name = "diagnosis"
urlpatterns = [
    path("diagnosis/", views.overview, name="overview"),
    path("diagnosis/not-assessed.xlsx", views_work.unassessed_export, name="unassessed_export"),
    path("diagnosis/cohorts.xlsx", views_work.cohorts_export, name="cohorts_export"),
    path("diagnosis/queue/", views_work.queue, name="queue"),
    path("diagnosis/queue.xlsx", views_work.queue_export, name="queue_export"),
    path("enterprises/<str:uscc>/diagnosis/", views.enterprise_diagnosis, name="enterprise"),
    path("enterprises/<str:uscc>/diagnosis/start/", views.assessment_start, name="start"),
    path("enterprises/<str:uscc>/diagnosis/assign/", views.assignment_add, name="assign"),
    path("assignments/<int:assignment_id>/remove/", views.assignment_remove, name="unassign"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="detail"),
    path("assessments/<int:assessment_id>/fill/<int:step>/", views.assessment_fill, name="fill"),
    path("assessments/<int:assessment_id>/review/", views.assessment_review, name="review"),
    path("assessments/<int:assessment_id>/submit/", views.assessment_submit, name="submit"),
    path("assessments/<int:assessment_id>/report.<str:fmt>", views.assessment_report, name="report"),
    path("assessments/<int:assessment_id>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
]
