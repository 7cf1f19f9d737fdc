from django.urls import path

from . import views

app_name = "base"
urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise_list"),
    path("enterprises/<str:uscc>/", views.enterprise_detail, name="enterprise_detail"),
    path("regions/<str:code>/", views.region_detail, name="region_detail"),
    path("imports/", views.import_page, name="import"),
    path("imports/template.<str:fmt>", views.import_template, name="import_template"),
    path("imports/<int:job_id>/", views.import_status, name="import_status"),
]
