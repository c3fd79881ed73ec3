from django.contrib import admin
from django.urls import include, path, re_path

from serviceloop.api.api import api, unknown_endpoint
from serviceloop.core import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_endpoint),
    path("admin/", admin.site.urls),
    path("", include("serviceloop.web.urls")),
]

handler500 = "serviceloop.core.health.server_error"
