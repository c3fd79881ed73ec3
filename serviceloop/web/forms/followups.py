"""Recording the outcome of a follow-up."""

from django import forms
from django.utils.translation import gettext_lazy as _

from serviceloop.followups.choices import SATISFACTION_SCORES, Outcome


class RecordForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Is the problem solved?"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied is the customer? (1-5)"),
        choices=[("", _("Not asked")), *[(s, str(s)) for s in SATISFACTION_SCORES]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Added to the ticket as an internal note. Needed when not solved."),
    )
