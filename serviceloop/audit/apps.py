from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from .triggers import ensure_sqlite_triggers


class AuditConfig(AppConfig):
    name = "serviceloop.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        post_migrate.connect(ensure_sqlite_triggers, sender=self)
