from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "serviceloop.web"
    label = "web"
    verbose_name = "Web"
