"""URLconf used only by bench/pages.py: the platform's URLs plus an empty view as the peer."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def empty(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")


urlpatterns = [
    path("bench/empty/", empty),
    path("", include("zhigai.config.urls")),
]
