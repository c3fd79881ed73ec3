from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "serviceloop.demo"
    label = "demo"
    verbose_name = "Demo data"
