"""The satisfaction surveys' forms: a CSAT rating, an NPS answer, a new NPS campaign."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from serviceloop.customers.models import CustomerTier
from serviceloop.satisfaction.choices import CSAT_SCORES, NPS_SCORES

from . import set_choices


class CsatForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[(score, str(score)) for score in CSAT_SCORES],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us? (optional)"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NpsForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How likely are you to recommend us to a friend or colleague?"),
        choices=[(score, str(score)) for score in NPS_SCORES],
        coerce=int,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("What is the main reason for your score? (optional)"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    tiers = forms.MultipleChoiceField(
        label=_("Customer tiers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: customers of every tier."),
    )
    contacted_within_days = forms.IntegerField(
        label=_("Had a ticket in the last … days"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Empty: whether or not they contacted us."),
    )
    percent = forms.IntegerField(
        label=_("Random sample (%)"), min_value=1, max_value=100, initial=100
    )
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        min_value=0,
        max_value=2_147_483_647,
        help_text=_("Empty: a new one. The same seed draws the same customers."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "tiers", [(tier.code, tier.name) for tier in CustomerTier.objects.all()])
