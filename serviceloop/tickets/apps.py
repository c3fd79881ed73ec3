from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "serviceloop.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        from serviceloop.accounts.models import Team

        from . import reference, search
        from .models import Category, CustomField

        post_migrate.connect(search.ensure_sqlite_index, sender=self)
        for model in (Category, CustomField, Team):
            post_save.connect(reference.forget, sender=model)
            post_delete.connect(reference.forget, sender=model)
