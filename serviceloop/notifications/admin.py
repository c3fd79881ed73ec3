from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from serviceloop.accounts.models import User
from serviceloop.audit.admin_mixins import AuditedAdminMixin

from . import services
from .choices import DeliveryStatus
from .models import Delivery, MailTemplate
from .rendering import render, syntax_error


class MailTemplateForm(forms.ModelForm[MailTemplate]):
    class Meta:
        model = MailTemplate
        fields = ["kind", "language", "subject", "body", "sms", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16, "cols": 90})}

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("body"):  # browsers send CRLF; stored texts use LF
            cleaned["body"] = cleaned["body"].replace("\r\n", "\n")
        for name in ("subject", "body", "sms"):
            if cleaned.get(name) and (problem := syntax_error(cleaned[name])):
                self.add_error(
                    name, _("This is not a valid template: %(error)s") % {"error": problem}
                )
        return cleaned


def sample_context(language: str) -> dict[str, Any]:
    """Made-up values for the preview."""
    chinese = language == "zh-hans"
    return {
        "customer_name": "张伟" if chinese else "Alex Smith",
        "ticket_number": "CS-20261122-000123",
        "subject": "包裹还没有到" if chinese else "My parcel has not arrived",
        "status": _("In progress"),
        "tracking_url": "https://help.example.com/portal/tickets/CS-20261122-000123/",
        "company_name": "serviceloop",
        "reply": "我们已联系快递公司。" if chinese else "We have contacted the carrier.",
        "resolution": "包裹已重新寄出。" if chinese else "The parcel was sent again.",
        "promise": "回电告知物流进展" if chinese else "call you back with the carrier's answer",
        "due_at": timezone.now().replace(minute=0, second=0, microsecond=0),
        "reason": "快递公司尚未答复" if chinese else "the carrier has not answered yet",
        "waiting_resolve_days": 7,
    }


@admin.register(MailTemplate)
class MailTemplateAdmin(AuditedAdminMixin[MailTemplate]):
    form = MailTemplateForm
    list_display = ["kind", "language", "subject", "is_active", "updated_at"]
    list_filter = ["kind", "language", "is_active"]
    readonly_fields = ["preview"]
    audit_name = "mail_template"
    audit_fields = ("kind", "language", "subject", "body", "sms", "is_active")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.display(description=_("preview (made-up values)"))
    def preview(self, obj: MailTemplate | None) -> str:
        if obj is None or obj.pk is None:
            return "-"
        try:
            text = render(
                obj, sample_context(obj.language), language=obj.language,
                zone=timezone.get_current_timezone(),
            )  # fmt: skip
        except Exception as error:  # a template that fails on real values shows why
            return str(error)
        return format_html(
            "<pre style='white-space: pre-wrap'>{}\n\n{}\n\nSMS: {}</pre>",
            text.subject, text.body, text.sms,
        )  # fmt: skip


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    """The log of customer messages, read-only; failed ones can be sent again."""

    list_display = [
        "queued_at", "ticket", "kind", "channel", "to", "language", "status", "reason",
        "attempts", "sent_at",
    ]  # fmt: skip
    list_filter = ["status", "kind", "channel", "language"]
    search_fields = ["ticket__number", "to"]
    list_select_related = ["ticket"]
    date_hierarchy = "queued_at"
    actions = ["send_again"]
    readonly_fields = [
        "event_id", "ticket", "kind", "channel", "to", "language", "subject", "body", "status",
        "reason", "attempts", "error", "queued_at", "last_attempt_at", "next_attempt_at",
        "sent_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Send the failed messages again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        actor = request.user
        assert isinstance(actor, User)
        count = services.retry_deliveries(
            deliveries=queryset.filter(status=DeliveryStatus.FAILED), actor=actor
        )
        message = ngettext(
            "%(count)d message will be sent again shortly.",
            "%(count)d messages will be sent again shortly.",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)
