from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "serviceloop.notifications"
    label = "notifications"
    verbose_name = _("Customer notifications")

    def ready(self) -> None:
        from serviceloop.audit.signals import recorded

        from .receivers import on_audit_recorded

        recorded.connect(on_audit_recorded, dispatch_uid="notifications.customer_messages")
