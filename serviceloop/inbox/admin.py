from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .messages import render
from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    """Read-only: for finding out why somebody did or did not hear of something. The
    notifications are made by the application alone."""

    list_display = [
        "created_at",
        "recipient",
        "kind",
        "sentence",
        "urgent",
        "deliver_at",
        "read_at",
    ]
    list_filter = ["kind", "urgent"]
    list_select_related = ["recipient", "ticket"]
    search_fields = ["recipient__username", "ticket__number"]
    raw_id_fields = ["recipient", "ticket"]
    date_hierarchy = "created_at"

    @admin.display(description=_("message"))
    def sentence(self, notification: Notification) -> str:
        return render(notification)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
