from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from serviceloop.audit.admin_mixins import AuditedAdminMixin
from serviceloop.tickets.choices import Channel, Kind, Urgency

from .models import Escalation, EscalationRule, SlaPolicy


class PolicyForm(forms.ModelForm[SlaPolicy]):
    """The conditions as check boxes (stored as lists of codes; none ticked: any)."""

    urgencies = forms.MultipleChoiceField(
        label=_("urgencies"), choices=Urgency.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: any."),
    )  # fmt: skip
    kinds = forms.MultipleChoiceField(
        label=_("kinds"), choices=Kind.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: any."),
    )  # fmt: skip
    channels = forms.MultipleChoiceField(
        label=_("channels"), choices=Channel.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: any."),
    )  # fmt: skip

    class Meta:
        model = SlaPolicy
        fields = [
            "code", "name_en", "name_zh", "position", "is_active", "urgencies", "kinds",
            "channels", "category", "tier", "first_response_minutes", "next_response_minutes",
            "resolution_minutes", "business_time",
        ]  # fmt: skip


@admin.register(SlaPolicy)
class SlaPolicyAdmin(AuditedAdminMixin[SlaPolicy]):
    form = PolicyForm
    list_display = [
        "code", "name_en", "name_zh", "position", "is_active", "first_response_minutes",
        "next_response_minutes", "resolution_minutes", "business_time",
    ]  # fmt: skip
    list_editable = ["position", "is_active"]
    search_fields = ["code", "name_en", "name_zh"]
    audit_name = "sla_policy"

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        """Tickets keep the policy they were promised under: deactivate instead."""
        return False


@admin.register(EscalationRule)
class EscalationRuleAdmin(AuditedAdminMixin[EscalationRule]):
    list_display = [
        "code", "name_en", "name_zh", "position", "is_active", "target", "at_percent",
        "after_breach_minutes", "notify_assignee", "notify_supervisors", "notify_manager",
        "raise_urgency", "reassign_to_manager",
    ]  # fmt: skip
    list_editable = ["position", "is_active"]
    search_fields = ["code", "name_en", "name_zh"]
    fields = [
        "code", "name_en", "name_zh", "position", "is_active", "target", "at_percent",
        "after_breach_minutes", "notify_assignee", "notify_supervisors", "notify_manager",
        "raise_urgency", "reassign_to_manager",
    ]  # fmt: skip
    audit_name = "escalation_rule"

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        """The escalation log names its rules: deactivate instead."""
        return False


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin[Escalation]):
    """The log, to read: rows are written by the escalation sweep only."""

    list_display = ["ticket", "rule", "target", "level_at", "escalated_at"]
    list_filter = ["target", "rule"]
    list_select_related = ["ticket", "rule"]
    raw_id_fields = ["ticket"]
    show_full_result_count = False

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
