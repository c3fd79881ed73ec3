from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from serviceloop.audit.admin_mixins import AuditedAdminMixin

from .models import Customer, CustomerContact, CustomerTier, Organisation


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin[Organisation]):
    list_display = ["name", "kind", "shares_tickets", "created_at"]
    list_filter = ["kind", "shares_tickets"]
    search_fields = ["name"]
    audit_name = "organisation"
    audit_fields = ("name", "kind", "shares_tickets")


@admin.register(CustomerTier)
class CustomerTierAdmin(AuditedAdminMixin[CustomerTier]):
    list_display = ["code", "name_en", "name_zh", "rank"]
    search_fields = ["code", "name_en", "name_zh"]
    audit_name = "customer_tier"
    audit_fields = ("code", "name_en", "name_zh", "rank")


class ContactInline(admin.TabularInline[CustomerContact, Customer]):
    model = CustomerContact
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "value", "is_primary", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin[Customer]):
    """Read-only here: customer changes go through the API so that each is audited."""

    list_display = ["name", "organisation", "tier", "external_id", "created_at"]
    list_filter = ["tier", "organisation"]
    search_fields = ["name", "external_id", "contacts__value"]
    inlines = [ContactInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
