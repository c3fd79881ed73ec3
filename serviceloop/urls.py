from django.contrib import admin
from django.urls import include, path, re_path

from serviceloop.api.api import api, unknown_endpoint
from serviceloop.web import views

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", unknown_endpoint),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
]
