from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import ForeignKey
from django.forms import ModelChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.choices import TICKET_WORKER_ROLES
from serviceloop.accounts.models import User
from serviceloop.audit import services as audit
from serviceloop.audit.admin_mixins import AuditedAdminMixin

from . import events
from .models import AgentProfile, TeamRouting

SKILL_SETS = ("categories", "tiers")  # many-to-many: audited after the form saved them


@admin.register(TeamRouting)
class TeamRoutingAdmin(AuditedAdminMixin[TeamRouting]):
    list_display = ["team", "rule", "use_skills"]
    list_filter = ["rule", "use_skills"]
    audit_name = "team_routing"
    audit_fields = ("team", "rule", "use_skills")


class AgentProfileForm(forms.ModelForm[AgentProfile]):
    languages = forms.MultipleChoiceField(
        label=_("languages"), choices=settings.LANGUAGES, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Empty: any language."),
    )  # fmt: skip

    class Meta:
        model = AgentProfile
        fields = ["user", "capacity", "is_away", "calendar", "languages", "categories", "tiers"]
        widgets = {
            "categories": forms.CheckboxSelectMultiple,
            "tiers": forms.CheckboxSelectMultiple,
        }


@admin.register(AgentProfile)
class AgentProfileAdmin(AuditedAdminMixin[AgentProfile]):
    form = AgentProfileForm
    list_display = ["user", "capacity", "is_away", "calendar", "last_assigned_at"]
    list_filter = ["is_away", "calendar"]
    search_fields = ["user__username", "user__full_name"]
    readonly_fields = ["last_assigned_at"]
    audit_name = "agent_profile"
    audit_fields = ("user", "capacity", "is_away", "calendar", "languages")

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "user":  # profiles are for those who work tickets
            kwargs["queryset"] = User.objects.filter(role__in=TICKET_WORKER_ROLES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The skills are saved after the profile: audit their change here, in the same
        transaction, as "agent_profile.skills_changed"."""
        profile = form.instance
        before = _skills(profile) if change else {name: [] for name in SKILL_SETS}
        super().save_related(request, form, formsets, change)
        before, after = audit.changed(before, _skills(profile))
        if after:
            actor = request.user if isinstance(request.user, User) else None
            audit.record(
                actor=actor, action=events.AGENT_PROFILE_SKILLS_CHANGED, target=profile,
                before=before, after=after,
            )  # fmt: skip


def _skills(profile: AgentProfile) -> dict[str, list[int]]:
    return {
        "categories": sorted(profile.categories.values_list("pk", flat=True)),
        "tiers": sorted(profile.tiers.values_list("pk", flat=True)),
    }
