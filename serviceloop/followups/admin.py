from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from serviceloop.audit.admin_mixins import AuditedAdminMixin
from serviceloop.core import clock

from .models import FollowUp, FollowUpRule


@admin.register(FollowUpRule)
class FollowUpRuleAdmin(AuditedAdminMixin[FollowUpRule]):
    """The one rule: added once, then edited; never deleted (the defaults would return
    unnoticed)."""

    list_display = ["__str__", "all_complaints", "high_urgency", "random_percent", "due_hours"]
    fields = ["all_complaints", "high_urgency", "random_percent", "due_hours"]
    audit_name = "follow_up_rule"
    audit_fields = ("all_complaints", "high_urgency", "random_percent", "due_hours")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not FollowUpRule.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.updated_at = clock.now()
        super().save_model(request, obj, form, change)


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin[FollowUp]):
    """Read-only: follow-ups are opened by the rule and low scores, recorded on the desk."""

    list_display = ["ticket", "customer", "reason", "assignee", "due_at", "status", "outcome"]
    list_filter = ["status", "reason", "outcome"]
    list_select_related = ["ticket", "customer", "assignee"]
    search_fields = ["ticket__number", "customer__name"]
    raw_id_fields = ["ticket", "customer", "assignee", "done_by", "csat_survey", "nps_response"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
