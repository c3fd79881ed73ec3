import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from serviceloop.accounts.models import User
from serviceloop.audit.admin_mixins import AuditedAdminMixin
from serviceloop.core.errors import DomainError

from . import services
from .models import Delivery, DeliveryStatus, Endpoint

EVENT_NAME = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")


class EventsField(forms.CharField):
    """The subscribed audit actions, one a line (or separated by commas or spaces)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(value)
        return value

    # cleans to a list of names where a CharField cleans to a str
    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        names = [name for name in re.split(r"[\s,]+", str(value or "")) if name]
        for name in names:
            if not EVENT_NAME.fullmatch(name):
                raise forms.ValidationError(
                    _("%(name)s is not an event name such as ticket.created."),
                    params={"name": name},
                )
        return list(dict.fromkeys(names))


class EndpointForm(forms.ModelForm[Endpoint]):
    events = EventsField(
        label=_("events"),
        required=False,
        help_text=_(
            "Audit action names, one a line (ticket.created, ticket.transitioned...); "
            "none: every ticket event."
        ),
    )

    class Meta:
        model = Endpoint
        fields = ["name", "kind", "url", "events", "is_active"]


@admin.register(Endpoint)
class EndpointAdmin(AuditedAdminMixin[Endpoint]):
    """Endpoints are audited without their secret, which the page shows to administrators
    (the receiver needs it to check signatures)."""

    form = EndpointForm
    list_display = ["name", "kind", "url", "is_active", "created_at"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "url"]
    readonly_fields = ["secret", "created_at"]
    actions = ["rotate_secrets"]
    audit_name = "webhook_endpoint"
    audit_fields = ("name", "kind", "url", "events", "is_active")

    @admin.action(description=_("Generate a new signing secret"))
    def rotate_secrets(self, request: HttpRequest, queryset: QuerySet[Endpoint]) -> None:
        actor = request.user
        assert isinstance(actor, User)
        for endpoint in queryset:
            services.rotate_secret(endpoint=endpoint, actor=actor)
        self.message_user(request, _("New secrets generated: receivers need them now."))


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    """The delivery log and the dead letters (filter by status), read-only; dead letters can
    be sent again with the "retry now" action."""

    list_display = [
        "created_at", "endpoint", "event_name", "status", "attempts", "next_attempt_at",
        "last_status_code", "delivered_at",
    ]  # fmt: skip
    list_filter = ["status", "endpoint", "event_name"]
    search_fields = ["uuid", "event_name"]
    list_select_related = ["endpoint"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [
        "uuid", "endpoint", "event", "event_name", "payload", "status", "attempts",
        "next_attempt_at", "last_status_code", "last_error", "created_at", "delivered_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Retry now (dead letters)"))
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        actor = request.user
        assert isinstance(actor, User)
        try:
            count = services.retry_deliveries(
                deliveries=queryset.filter(status=DeliveryStatus.DEAD), actor=actor
            )
        except DomainError as error:
            self.message_user(request, str(error.message), messages.ERROR)
            return
        self.message_user(
            request,
            ngettext(
                "%(count)d dead letter queued again.",
                "%(count)d dead letters queued again.",
                count,
            )
            % {"count": count},
        )
