from typing import Any, cast

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import ForeignKey, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from serviceloop.audit import services as audit
from serviceloop.audit.admin_mixins import AuditedAdminMixin

from . import events, services
from .choices import STAFF_ROLES, Role
from .models import PersonalToken, Team, TeamMembership, User

TEAM_AUDIT_FIELDS = ("code", "name_en", "name_zh", "manager", "is_default", "is_active")
USER_AUDIT_FIELDS = (
    "username", "full_name", "email", "language", "time_zone", "role", "organisation",
    "is_active",
)  # fmt: skip


class MembershipInline(admin.TabularInline[TeamMembership, Team]):
    model = TeamMembership
    extra = 1
    autocomplete_fields = ["user"]

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "user":  # only staff join teams (as in accounts.services)
            kwargs["queryset"] = User.objects.filter(role__in=STAFF_ROLES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Team)
class TeamAdmin(AuditedAdminMixin[Team]):
    list_display = ["code", "name_en", "name_zh", "manager", "is_default", "is_active"]
    search_fields = ["code", "name_en", "name_zh"]
    autocomplete_fields = ["manager"]
    inlines = [MembershipInline]
    audit_name = "team"
    audit_fields = TEAM_AUDIT_FIELDS
    audit_inlines = {"teammembership": ("member", ("user",))}  # team.member_added, ...


@admin.register(User)
class ServiceloopUserAdmin(AuditedAdminMixin[User], UserAdmin[User]):
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
    audit_name = "user"
    audit_fields = USER_AUDIT_FIELDS

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[User], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        """The autocomplete of a team's members and manager offers staff only."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        field = (request.GET.get("model_name"), request.GET.get("field_name"))
        if field == ("teammembership", "user"):
            queryset = queryset.filter(role__in=STAFF_ROLES)
        elif field == ("team", "manager"):
            queryset = queryset.filter(role__in=(Role.MANAGER, Role.ADMIN))
        return queryset, may_have_duplicates

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Audited as "user.password_changed" — without the password, of course."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            saved = (
                request.method == "POST"
                and response.status_code == 302
                and response["Location"] != request.get_full_path()
            )
            if saved:
                user = User.objects.get(pk=id)
                audit.record(
                    actor=cast(User, request.user),  # a signed-in administrator
                    action=events.USER_PASSWORD_CHANGED,
                    target=user,
                )
        return response


@admin.register(PersonalToken)
class PersonalTokenAdmin(admin.ModelAdmin[PersonalToken]):
    """Tokens are issued by their owner (API or `serviceloop createtoken`); here they can be
    looked at and revoked (revoking is audited by the service)."""

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
            services.revoke_token(token=token, actor=cast(User, request.user))  # an admin
            revoked += 1
        message = ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
        self.message_user(request, message % {"count": revoked}, messages.SUCCESS)
