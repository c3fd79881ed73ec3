"""The analytics dashboard's filters: a window of days and a scope."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from serviceloop.accounts.models import Team
from serviceloop.analytics.scope import Scope, Window
from serviceloop.core import clock
from serviceloop.core.errors import DomainError
from serviceloop.customers.models import CustomerTier
from serviceloop.tickets.choices import Channel, Kind
from serviceloop.tickets.models import Category

from . import apply_errors, set_queryset

DEFAULT_DAYS = 30


class FilterForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    teams = forms.ModelMultipleChoiceField(Team.objects.none(), label=_("Team"), required=False)
    categories = forms.ModelMultipleChoiceField(
        Category.objects.none(), label=_("Category"), required=False
    )
    channels = forms.MultipleChoiceField(
        choices=Channel.choices, label=_("Channel"), required=False
    )
    kinds = forms.MultipleChoiceField(choices=Kind.choices, label=_("Kind"), required=False)
    tiers = forms.ModelMultipleChoiceField(
        CustomerTier.objects.none(), label=_("Customer tier"), required=False
    )

    def __init__(self, *args: Any, visible_teams: tuple[int, ...] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = Team.objects.filter(is_active=True)
        if visible_teams is not None:
            teams = teams.filter(pk__in=visible_teams)
        set_queryset(self, "teams", teams)
        set_queryset(self, "categories", Category.objects.filter(is_active=True))
        set_queryset(self, "tiers", CustomerTier.objects.order_by("rank"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate(clock.now())
        try:
            data["window"] = Window.recent(
                data.get("start"), data.get("end"), today=today, days=DEFAULT_DAYS
            )
        except DomainError as error:
            apply_errors(self, error)
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(
            teams=tuple(sorted(t.pk for t in data.get("teams") or [])),
            categories=tuple(sorted(c.pk for c in data.get("categories") or [])),
            channels=tuple(sorted(data.get("channels") or [])),
            kinds=tuple(sorted(data.get("kinds") or [])),
            tiers=tuple(sorted(t.pk for t in data.get("tiers") or [])),
        )
