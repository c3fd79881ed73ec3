from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import PersonalToken, Team, TeamMembership, User


class MembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_zh", "manager", "is_default", "is_active"]
    search_fields = ["code", "name_en", "name_zh"]
    inlines = [MembershipInline]


@admin.register(User)
class ServiceloopUserAdmin(UserAdmin):
    list_display = ["username", "full_name", "role", "email", "organisation", "is_active"]
    list_filter = ["role", "is_active", "teams"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("full_name", "email", "language", "time_zone")}),
        (_("Role"), {"fields": ("role", "organisation", "is_active")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "password1", "password2", "role", "full_name", "email")}),
    )


@admin.register(PersonalToken)
class PersonalTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by their owner (API or `serviceloop createtoken`); here they can be
    looked at and revoked."""

    list_display = ["prefix", "name", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    actions = ["revoke"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[PersonalToken]) -> None:
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            services.revoke_token(token=token, actor=request.user)  # type: ignore[arg-type]
            revoked += 1
        message = ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
        self.message_user(request, message % {"count": revoked}, messages.SUCCESS)
