from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from zhigai.config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("zhigai.base.urls")),
    path("", include("zhigai.diagnosis.urls")),
    path("", include("zhigai.analytics.urls")),
    path("", include("zhigai.market.urls")),
    path("", include("zhigai.projects.urls_subsidy")),
    path("", include("zhigai.projects.urls_fund")),
    path("", include("zhigai.ledger.urls")),
    path("", include("zhigai.projects.urls")),
    path("", include("zhigai.core.urls")),
]
