from django.contrib import admin

from serviceloop.audit.admin_mixins import AuditedAdminMixin

from .models import CannedReply, Category, CustomField


@admin.register(Category)
class CategoryAdmin(AuditedAdminMixin[Category]):
    list_display = ["code", "name_en", "name_zh", "parent", "team", "position", "is_active"]
    list_filter = ["is_active", "team"]
    search_fields = ["code", "name_en", "name_zh"]
    audit_name = "category"
    audit_fields = ("code", "name_en", "name_zh", "parent", "team", "position", "is_active")


@admin.register(CustomField)
class CustomFieldAdmin(AuditedAdminMixin[CustomField]):
    list_display = ["key", "name_en", "name_zh", "field_type", "required", "is_active"]
    list_filter = ["field_type", "required", "is_active"]
    audit_name = "custom_field"
    audit_fields = (
        "key", "name_en", "name_zh", "field_type", "choices", "required", "is_active",
    )  # fmt: skip


@admin.register(CannedReply)
class CannedReplyAdmin(AuditedAdminMixin[CannedReply]):
    list_display = ["title", "language", "team", "is_active", "created_at"]
    list_filter = ["language", "team", "is_active"]
    search_fields = ["title", "body"]
    audit_name = "canned_reply"
    audit_fields = ("title", "body", "language", "team", "is_active")
