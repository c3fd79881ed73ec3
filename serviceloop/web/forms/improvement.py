"""The improvement pages' forms: plans with their scope and pilot, actions, phases and
statuses, root-cause analyses with their whys, causes, evidence and conclusions."""

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import Team, User
from serviceloop.analytics import registry
from serviceloop.core.errors import DomainError, ValidationFailed
from serviceloop.customers.models import CustomerTier
from serviceloop.improvement import services
from serviceloop.improvement.choices import ActionStatus, CauseCategory, Phase, PlanStatus
from serviceloop.improvement.models import ImprovementPlan, RootCauseAnalysis
from serviceloop.improvement.permissions import IMPROVEMENT_MANAGER_ROLES
from serviceloop.tickets.choices import Channel, Kind
from serviceloop.tickets.models import Category

from . import set_choices

SCOPE_FIELDS = ("teams", "categories", "channels", "kinds", "tiers")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_NUMBERS = re.compile(r"[\s,;，；]+")


def _team_choices() -> list[tuple[int, str]]:
    return [(t.pk, t.name) for t in Team.objects.filter(is_active=True).order_by("code")]


def _category_choices() -> list[tuple[int, str]]:
    every = {c.pk: c for c in Category.objects.all()}

    def label(category: Category) -> str:
        names: list[str] = []
        seen: set[int] = set()
        node: Category | None = category
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = every.get(node.parent_id) if node.parent_id else None
        return " › ".join(reversed(names))

    return sorted(((pk, label(c)) for pk, c in every.items() if c.is_active), key=lambda p: p[1])


def _tier_choices() -> list[tuple[int, str]]:
    return [(t.pk, str(t)) for t in CustomerTier.objects.order_by("rank")]


def _owner_choices() -> list[tuple[int, str]]:
    people = User.objects.filter(is_active=True, role__in=IMPROVEMENT_MANAGER_ROLES)
    return [(u.pk, u.display_name) for u in people.order_by("full_name", "username")]


def _metric_choices() -> list[tuple[str, str]]:
    return [(m.key, str(m.label)) for m in registry.plannable()]


def _multi(label: Any) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=label, required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )


class ScopeFields:
    """The five scope filters under a prefix ("scope" or "pilot")."""

    @staticmethod
    def add(form: forms.Form, prefix: str) -> None:
        choices: dict[str, tuple[Any, list[Any], Callable[[Any], Any]]] = {
            "teams": (_("Teams"), _team_choices(), int),
            "categories": (_("Categories"), _category_choices(), int),
            "channels": (_("Channels"), list(Channel.choices), str),
            "kinds": (_("Kinds"), list(Kind.choices), str),
            "tiers": (_("Customer tiers"), _tier_choices(), int),
        }
        for name, (label, options, coerce) in choices.items():
            field = _multi(label)
            field.choices = options
            field.coerce = coerce
            form.fields[f"{prefix}_{name}"] = field

    @staticmethod
    def read(data: dict[str, Any], prefix: str) -> dict[str, list[Any]]:
        return {name: list(data.get(f"{prefix}_{name}") or []) for name in SCOPE_FIELDS}

    @staticmethod
    def initial(values: dict[str, Any], prefix: str) -> dict[str, list[Any]]:
        return {f"{prefix}_{name}": list(values.get(name) or []) for name in SCOPE_FIELDS}


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(label=_("Problem"), widget=forms.Textarea(attrs={"rows": 3}))
    metric = forms.ChoiceField(label=_("Goal metric"))
    target = forms.FloatField(
        label=_("Target value"), widget=forms.NumberInput(attrs={"step": "any"})
    )
    deadline = forms.DateField(label=_("Deadline"), widget=DATE)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False)
    baseline_start = forms.DateField(label=_("Baseline from"), widget=DATE)
    baseline_end = forms.DateField(label=_("Baseline to"), widget=DATE)
    after_start = forms.DateField(
        label=_("After from"),
        widget=DATE,
        required=False,
        help_text=_("Empty: from the pilot start, else from the first day of the Do phase."),
    )
    after_end = forms.DateField(
        label=_("After to"), widget=DATE, required=False, help_text=_("Empty: today.")
    )
    pilot_start = forms.DateField(label=_("Pilot start"), widget=DATE, required=False)
    analyses = forms.TypedMultipleChoiceField(
        label=_("Root-cause analyses"), coerce=int, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "metric", [("", "—"), *_metric_choices()])
        set_choices(self, "owner", [("", _("Me")), *_owner_choices()])
        set_choices(
            self,
            "analyses",
            [(a.pk, a.title) for a in RootCauseAnalysis.objects.order_by("-updated_at")[:200]],
        )
        ScopeFields.add(self, "scope")
        ScopeFields.add(self, "pilot")

    def draft(self) -> services.PlanDraft:
        data = self.cleaned_data
        return services.PlanDraft(
            title=data["title"],
            problem=data["problem"],
            metric=data["metric"],
            target=data["target"],
            deadline=data["deadline"],
            baseline_start=data["baseline_start"],
            baseline_end=data["baseline_end"],
            after_start=data.get("after_start"),
            after_end=data.get("after_end"),
            owner=data.get("owner") or None,
            scope=ScopeFields.read(data, "scope"),
            pilot_scope=ScopeFields.read(data, "pilot"),
            pilot_start=data.get("pilot_start"),
            analyses=data.get("analyses") or [],
        )

    @classmethod
    def initial_of(cls, plan: ImprovementPlan) -> dict[str, Any]:
        draft = services.draft_of(plan)
        return {
            **{k: v for k, v in draft.__dict__.items() if k not in ("scope", "pilot_scope")},
            **ScopeFields.initial(dict(draft.scope), "scope"),
            **ScopeFields.initial(dict(draft.pilot_scope), "pilot"),
        }


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=200)
    team = forms.TypedChoiceField(label=_("Responsible team"), coerce=int)
    person = forms.TypedChoiceField(
        label=_("Responsible person"), coerce=int, required=False, empty_value=None
    )
    planned_start = forms.DateField(label=_("Planned start"), widget=DATE)
    planned_end = forms.DateField(label=_("Planned end"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "team", [("", "—"), *_team_choices()])
        staff = User.objects.filter(is_active=True).exclude(role__in=("customer", "partner"))
        people = [(u.pk, u.display_name) for u in staff.order_by("full_name", "username")]
        set_choices(self, "person", [("", "—"), *people])

    def draft(self) -> services.ActionDraft:
        data = self.cleaned_data
        return services.ActionDraft(
            title=data["title"],
            team=data["team"],
            person=data.get("person"),
            planned_start=data["planned_start"],
            planned_end=data["planned_end"],
        )


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    actual_end = forms.DateField(label=_("Actual end"), widget=DATE, required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)


class PlanStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=PlanStatus.choices)
    note = forms.CharField(label=_("Reason"), required=False, max_length=2000)


def split_numbers(text: str) -> list[str]:
    return [part for part in _NUMBERS.split(text or "") if part]


class AnalysisForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(
        label=_("Problem statement"), widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.TypedChoiceField(
        label=_("Category"), coerce=int, required=False, empty_value=None
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    tickets = forms.CharField(
        label=_("Tickets"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ticket numbers, separated by spaces or commas."),
    )
    feedback_items = forms.CharField(
        label=_("Feedback items"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Feedback numbers (FB-…), separated by spaces or commas."),
    )
    origin = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "category", [("", "—"), *_category_choices()])
        set_choices(self, "owner", [("", _("Me")), *_owner_choices()])
        if editing:
            for name in ("tickets", "feedback_items", "origin"):
                del self.fields[name]

    def draft(self) -> services.AnalysisDraft:
        data = self.cleaned_data
        origin = QueryDict(data.get("origin") or "")
        scope = {name: origin.getlist(name) for name in SCOPE_FIELDS if origin.getlist(name)}
        return services.AnalysisDraft(
            title=data["title"],
            problem=data["problem"],
            category=data.get("category"),
            owner=data.get("owner"),
            tickets=split_numbers(data.get("tickets", "")),
            feedback_items=split_numbers(data.get("feedback_items", "")),
            scope=scope if origin else None,
            start=_date(origin.get("start")),
            end=_date(origin.get("end")),
        )


def _date(value: str | None) -> Any:
    if not value:
        return None
    field = forms.DateField(required=False)
    try:
        return field.clean(value)
    except forms.ValidationError:
        return None


class WhyForm(forms.Form):
    question = forms.CharField(label=_("Why?"), max_length=2000)
    answer = forms.CharField(label=_("Because"), required=False, max_length=2000)


class CauseForm(forms.Form):
    category = forms.ChoiceField(label=_("Bone"), choices=CauseCategory.choices)
    text = forms.CharField(label=_("Cause"), max_length=2000)
    is_root_cause = forms.BooleanField(label=_("Root cause"), required=False)


class EvidenceForm(forms.Form):
    operation = forms.ChoiceField(choices=[("link", "link"), ("unlink", "unlink")])
    tickets = forms.CharField(label=_("Tickets"), required=False)
    feedback_items = forms.CharField(label=_("Feedback items"), required=False)


class ConcludeForm(forms.Form):
    conclusions = forms.CharField(
        label=_("Conclusions"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000
    )


def apply_nested_errors(form: forms.Form, error: DomainError) -> None:
    """A service's refusal on the form's fields ("scope.teams" is the field scope_teams)."""
    problems = error.errors if isinstance(error, ValidationFailed) else {error.field: error.message}
    for name, message in problems.items():
        field = (name or "").replace(".", "_")
        form.add_error(field if field in form.fields else None, str(message))
