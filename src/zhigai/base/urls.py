from django.urls import path

from . import views, views_edit, views_export

app_name = "base"
urlpatterns = [
    path("", views.home, name="home"),
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/export.xlsx", views_export.enterprise_export, name="enterprise_export"),
    path("enterprises/new/", views_edit.enterprise_new, name="enterprise_new"),
    path("enterprises/<str:uscc>/", views.enterprise_detail, name="enterprise_detail"),
    path("enterprises/<str:uscc>/edit/", views_edit.enterprise_edit, name="enterprise_edit"),
    path("enterprises/<str:uscc>/indicators/", views_edit.indicator_edit, name="indicator_edit"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("imports/", views.import_page, name="import"),
    path("imports/template.<str:fmt>", views.import_template, name="import_template"),
    path("imports/<int:job_id>/", views.import_status, name="import_status"),
    path("imports/<int:job_id>/errors.xlsx", views.import_report, name="import_report"),
]
