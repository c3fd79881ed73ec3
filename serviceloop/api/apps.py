from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "serviceloop.api"
    label = "api"
    verbose_name = "API"
