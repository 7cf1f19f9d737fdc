from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("inbox/", views.inbox, name="inbox"),
]
